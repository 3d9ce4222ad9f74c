/**
 * The vitest harness of simulated tests: `simTest`, its environment variables, log and timeline
 * files, replay commands, the determinism check and the stress runner's record format.
 */
export { writeLog, writeTimeline, type RunName } from "./artifacts.js";
export { compareTraces } from "./determinism.js";
export { SIM_ENV } from "./env.js";
export { debugRunCommand, replayCommand, shellQuote, withReplayInfo } from "./replay.js";
export { checkDeterminism, freshSeed, runOnce, simTest, type RunOutcome, type RunSpec, type SimTestBody, type SimTestContext, type SimTestOptions } from "./sim-test.js";
export type { StressRecord } from "./stress-record.js";
