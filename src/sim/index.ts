/**
 * The deterministic simulation kernel: virtual time, an event queue, seeded random streams, task
 * and node contexts, virtualized globals, and each run's own trace and log. It implements the
 * runtime API of `src/runtime` (which lab code uses) and knows nothing of networks or protocols.
 */
export { SimNode, SimTask, currentTask, runInTask } from "./context.js";
export { SimulationError, type SimulationErrorKind } from "./errors.js";
export { VIRTUAL_EPOCH_MS, realClock } from "./globals.js";
export { MAIN_STREAM, Random } from "./random.js";
export { DEFAULT_LOG_MAX_LINES, RunLog } from "./run-log.js";
export { RunProbes, type FiredEvent, type ProbeKey } from "./run-probes.js";
export { Simulation, runSim, type SimOptions, type SimResult, type SimTimer } from "./simulation.js";
export { Trace, formatTime } from "./trace.js";

import { currentTask } from "./context.js";
import type { Simulation } from "./simulation.js";

/** The simulation of the calling task (running or finished), if it runs in one. */
export function currentSimulation(): Simulation | undefined {
  return currentTask()?.node.host as Simulation | undefined;
}
