import { formatTime } from "./trace.js";

/** Why a simulated run was stopped by the simulator itself (rather than by the code under test). */
export type SimulationErrorKind =
  | "deadlock"
  | "livelock"
  | "virtual-time-budget"
  | "real-time-budget"
  | "task-failed"
  | "misuse";

/**
 * An error raised by the simulator. The message always names the seed, so the run can be replayed.
 */
export class SimulationError extends Error {
  override readonly name = "SimulationError";

  constructor(
    readonly kind: SimulationErrorKind,
    readonly seed: string | number,
    readonly virtualTime: number,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${detail} [seed ${seed}, virtual time ${formatTime(virtualTime)}]`, options);
  }
}

// The simulator's own errors, one factory each, so the run loop reads as the loop it is.

/** Every task waits on something that no timer will ever settle; `dump` lists them (see `task-dump.ts`). */
export function deadlockError(seed: string | number, time: number, dump: string): SimulationError {
  const error = new SimulationError(
    "deadlock",
    seed,
    time,
    "deadlock: the main task is waiting, but no timer is pending, so nothing can ever wake " +
      "it (every task is blocked on a channel or a promise that nothing will settle). " +
      "Look for a receive with no sender, a send with no receiver, or a forgotten resolve.",
  );
  return withDump(error, dump);
}

/** The next event is past the virtual-time budget; `dump` lists the tasks (see `task-dump.ts`). */
export function virtualBudgetError(seed: string | number, time: number, budgetMs: number, next: { time: number; label: string }, dump: string): SimulationError {
  const error = new SimulationError(
    "virtual-time-budget",
    seed,
    time,
    `virtual time budget exceeded: test took longer than ${budgetMs / 1000} seconds ` +
      `(next event "${next.label}" is due at ${formatTime(next.time)})`,
  );
  return withDump(error, dump);
}

/**
 * `error` with the dump of waiting tasks after its first line: the message names what happened,
 * the dump what every task was doing, and the stack of the simulator itself says nothing useful.
 */
function withDump(error: SimulationError, dump: string): SimulationError {
  const message = `${error.message}\n${dump}`;
  Object.defineProperty(error, "message", { value: message });
  error.stack = `${error.name}: ${message}`;
  return error;
}

/** Too many events ran at one instant. */
export function livelockAtInstantError(seed: string | number, time: number, events: number, lastLabel: string): SimulationError {
  return new SimulationError(
    "livelock",
    seed,
    time,
    `livelock: ${events} events ran at virtual time ${formatTime(time)} without ` +
      `the clock advancing (last: "${lastLabel}"). A loop that sleeps 0 ms ` +
      `or re-arms a 0 ms timer never lets time pass; sleep for a positive duration.`,
  );
}

/** Tasks keep scheduling timers without ever all waiting (the run loop never gets control). */
export function runawayError(seed: string | number, time: number, timers: number): SimulationError {
  return new SimulationError(
    "livelock",
    seed,
    time,
    `livelock: tasks scheduled ${timers} timers at virtual time ` +
      `${formatTime(time)} without ever all waiting: a loop keeps going without awaiting ` +
      `anything that takes virtual time (e.g. it awaits only already-settled promises, or cancels ` +
      `each timer it sets). Make the loop sleep for a positive duration.`,
  );
}

/** The run used more wall-clock time than allowed. */
export function realBudgetError(seed: string | number, time: number, budgetMs: number): SimulationError {
  return new SimulationError(
    "real-time-budget",
    seed,
    time,
    `real-time budget exceeded: the run used more than ${budgetMs / 1000} s of wall time ` +
      `(set SIM_REAL_BUDGET_MS to change the limit)`,
  );
}

/** A task threw: the run fails naming it (a Go panic). */
export function taskFailedError(seed: string | number, time: number, task: string, error: unknown): SimulationError {
  const message = error instanceof Error ? error.message : String(error);
  return new SimulationError("task-failed", seed, time, `task "${task}" failed: ${message}`, { cause: error });
}

/** `runSim` while another simulation runs. */
export function concurrentRunError(seed: string | number): SimulationError {
  return new SimulationError(
    "misuse",
    seed,
    0,
    "runSim: another simulation is already running in this process. Simulations share the " +
      "virtualized globals, so they must run one after another (await each runSim).",
  );
}
