import type { Simulation } from "./simulation.js";

/**
 * The simulation that is running now. Only one runs at a time in a process (a second `runSim`
 * while one is running is an error), which lets lab code call `sleep`, `now` and `random` without
 * passing the simulation around, the way Go code calls `time.Sleep`.
 */
let running: Simulation | undefined;
/** The most recently finished simulation: stray tasks of a finished run park instead of failing. */
let lastFinished: Simulation | undefined;

/** The running simulation, or the one that just finished, or undefined if none ever ran. */
export function ambient(): Simulation | undefined {
  return running ?? lastFinished;
}

/** Marks `sim` as the running simulation. */
export function enter(sim: Simulation): void {
  running = sim;
}

/** Marks `sim` as finished. */
export function leave(sim: Simulation): void {
  if (running === sim) running = undefined;
  lastFinished = sim;
}

/** The running simulation; throws a clear error when called outside one. */
export function current(what: string): Simulation {
  const sim = ambient();
  if (sim === undefined) {
    throw new Error(
      `${what} was called outside a simulation. Lab code runs inside runSim(seed, main) ` +
        `(tests use simTest(...)), which provides virtual time and seeded randomness.`,
    );
  }
  return sim;
}

/** Whether a simulation is running right now. */
export function isRunning(): boolean {
  return running !== undefined;
}
