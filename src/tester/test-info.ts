/**
 * What a tester needs to know about the test it serves: its name and seed (for the summary line and
 * file names) and how much wall time has passed. `simTest` provides it; a hand-made run (the demo)
 * can too.
 */
export interface TestInfo {
  /** The test's name, e.g. "TestInitialElection3A". */
  readonly name: string;
  /** The seed of this run. */
  readonly seed: number;
  /** Wall-clock ms since this run started (real time: the simulation's clock is virtual). */
  wallMs(): number;
  /**
   * Records something worth knowing about this run that is not a failure, e.g. "linearizability
   * check gave up (assumed ok)". `simTest` adds the notes to a failure's message and to the stress
   * runner's records, which counts them.
   */
  note(text: string): void;
  /**
   * Where to write a file of this run (e.g. "porcupine.html"): in the run's own folder, named by
   * test and seed, which a failure names. Absent for a hand-made run (then the tester picks a
   * temporary file).
   */
  artifactPath?(name: string): string;
}
