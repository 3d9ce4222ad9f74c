/**
 * A grading budget that follows the solution, not the reference: from the wall time of each lab
 * test's first run, how many runs of every test fit before the deadline. A correct but slow
 * solution then gets fewer runs (never fewer than the instructor's floor) instead of losing points
 * to runs the deadline cut off; a run over the test's own limits (its virtual time, the wall cap)
 * still fails, as in Go.
 */
import type { StressRecord } from "../../src/harness/index.js";

/** What {@link fitRuns} needs. */
export interface FitInput {
  /** The first run of every lab test (one record each). */
  readonly firstRuns: readonly StressRecord[];
  /** Wall time of that first batch, start-up included (ms). */
  readonly firstWallMs: number;
  /** Worker processes the first batch started (each pays vitest's start-up). */
  readonly units: number;
  readonly workers: number;
  /** Time left before the deadline, now (ms). */
  readonly msLeft: number;
  /** The configured runs per test (the most). */
  readonly runs: number;
  /** The floor (the least). */
  readonly minRuns: number;
}

/** The fitted number of runs per test, and a line saying how it was found. */
export interface Fit {
  readonly runs: number;
  readonly note: string;
  /** Whether the floor's runs fit the time left (else the note warns that the deadline will cut some off). */
  readonly floorFits: boolean;
}

/** Keep this share of the time left unplanned: runs vary from seed to seed, and results must be written before the deadline. */
const MARGIN = 0.2;

/**
 * Runs per test: the first run plus as many further rounds (one run of every test each) as the
 * time left allows, at the first runs' cost per round; at least `minRuns`, at most `runs`.
 */
export function fitRuns(input: FitInput): Fit {
  if (input.minRuns < 1 || input.minRuns > input.runs) throw new Error(`fitRuns: minRuns ${input.minRuns} must be in 1..${input.runs}`);
  const runMs = input.firstRuns.reduce((a, r) => a + Math.max(r.wallMs, 1), 0);
  // Start-up of the workers: what the batch took beyond its runs, spread over the workers.
  const startupMs = Math.max(0, input.firstWallMs * input.workers - runMs) / Math.max(1, input.units);
  const roundMs = runMs / input.workers;
  const usable = Math.max(0, input.msLeft * (1 - MARGIN) - (startupMs * input.units) / input.workers);
  const more = roundMs <= 0 ? input.runs - 1 : Math.floor(usable / roundMs);
  const runs = Math.min(input.runs, Math.max(input.minRuns, 1 + more));
  const why =
    runs === input.runs
      ? `all ${input.runs} fit`
      : runs === input.minRuns
        ? `the floor of ${input.minRuns} (fewer would fit)`
        : `${runs} of the configured ${input.runs} fit`;
  // The floor itself may not fit: then runs past the deadline count as failed, and a correct
  // solution loses points. Say so, with what the instructor can change.
  const floorFits = more >= input.minRuns - 1;
  const note =
    `budget: one run of every lab test took ${(runMs / 1000).toFixed(1)} s of runs (${(input.firstWallMs / 1000).toFixed(1)} s wall); ` +
    `${(input.msLeft / 1000).toFixed(0)} s left before the deadline: ${runs} runs per test (${why})` +
    (floorFits
      ? ""
      : `\nwarning: the floor of ${input.minRuns} runs per test does not fit the deadline (about ${Math.ceil(((input.minRuns - 1) * roundMs) / 1000)} s more of runs, ` +
        `${Math.floor(usable / 1000)} s usable): runs cut off by it count as failed. Grade fewer labs per assignment (npm run handout -- --autograder ... --labs N), ` +
        `give the autograder more time (Gradescope's timeout, and gradescope.deadlineSeconds of course/grading.json) or more CPU, or lower budget.minRuns`);
  return { runs, note, floorFits };
}
