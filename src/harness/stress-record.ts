/** One line of the `STRESS_OUT` file: the outcome of one run of one test with one seed (read by `npm run stress`). */
export interface StressRecord {
  /** The name given to `simTest`. */
  readonly test: string;
  /** The describe names and the test name joined by spaces: what `-t` matches. */
  readonly fullName: string;
  /** The test file, relative to the working directory. */
  readonly file: string;
  readonly seed: number;
  readonly ok: boolean;
  /** Virtual ms at which the run ended (absent if it failed before starting). */
  readonly virtualMs?: number | undefined;
  /** Wall-clock ms of the run. */
  readonly wallMs: number;
  /** Failed runs: the error message (with seed and replay command). */
  readonly error?: string;
  /** Failed runs: the command that replays this run. */
  readonly replay?: string;
  /** Failed runs: the run's log file, if it logged anything. */
  readonly log?: string | undefined;
  /** Set when the watchdog stopped the run because its code never yielded (its process was killed). */
  readonly hung?: boolean;
  /** What the run noted without failing (`TestInfo.note`), if anything. */
  readonly notes?: readonly string[];
}
