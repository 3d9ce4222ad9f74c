/**
 * Public checking functions: operation and event histories, plain / verbose / async variants.
 */

import { buildInfo } from "./info.js";
import { prepareEvents, prepareOperations, type PreparedPartition } from "./prepare.js";
import { CheckRun } from "./scheduler.js";
import { SearchStatus } from "./search.js";
import type {
  CheckOptions,
  CheckResult,
  Event,
  LinearizationInfo,
  Model,
  Operation,
  PartitionStats,
  VerboseResult,
} from "./types.js";

/** How long an async check works before yielding to the event loop (ms). */
const ASYNC_SLICE_MS = 10;

function runSync<S, I, O>(model: Model<S, I, O>, parts: PreparedPartition<I, O>[], options: CheckOptions, verbose: boolean): CheckRun<S, I, O> {
  const run = new CheckRun(model, parts, options, verbose);
  run.runFor(Infinity);
  return run;
}

async function runAsync<S, I, O>(model: Model<S, I, O>, parts: PreparedPartition<I, O>[], options: CheckOptions, verbose: boolean): Promise<CheckRun<S, I, O>> {
  const run = new CheckRun(model, parts, options, verbose);
  while (!run.runFor(ASYNC_SLICE_MS)) {
    // Let timers and AbortController.abort() callers run.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return run;
}

function verboseResult<S, I, O>(model: Model<S, I, O>, parts: PreparedPartition<I, O>[], run: CheckRun<S, I, O>): VerboseResult {
  const info: LinearizationInfo = buildInfo(model, parts, run.searches, run.stopReason);
  return { result: run.result, info };
}

/**
 * Checks whether an operation history is linearizable with respect to `model`.
 * Returns `"unknown"` if the timeout, signal or memory cap stopped the search first.
 * Throws an `Error` describing the problem if the history or model is malformed.
 */
export function checkOperations<S, I, O>(model: Model<S, I, O>, history: Operation<I, O>[], options: CheckOptions = {}): CheckResult {
  return runSync(model, prepareOperations(model, history), options, false).result;
}

/**
 * Like {@link checkOperations}, and also returns the partial linearizations for the
 * visualizer. Searches every partition to the end (or the timeout), even after a failure.
 */
export function checkOperationsVerbose<S, I, O>(model: Model<S, I, O>, history: Operation<I, O>[], options: CheckOptions = {}): VerboseResult {
  const parts = prepareOperations(model, history);
  return verboseResult(model, parts, runSync(model, parts, options, true));
}

/** Checks whether an event history is linearizable; see {@link checkOperations}. */
export function checkEvents<S, I, O>(model: Model<S, I, O>, history: Event<I | O>[], options: CheckOptions = {}): CheckResult {
  return runSync(model, prepareEvents(model, history), options, false).result;
}

/** Verbose variant of {@link checkEvents}; see {@link checkOperationsVerbose}. */
export function checkEventsVerbose<S, I, O>(model: Model<S, I, O>, history: Event<I | O>[], options: CheckOptions = {}): VerboseResult {
  const parts = prepareEvents(model, history);
  return verboseResult(model, parts, runSync(model, parts, options, true));
}

/**
 * Async {@link checkOperations}: yields to the event loop every few milliseconds, so an
 * `AbortSignal` aborted from a timer or another task stops it.
 */
export async function checkOperationsAsync<S, I, O>(model: Model<S, I, O>, history: Operation<I, O>[], options: CheckOptions = {}): Promise<CheckResult> {
  return (await runAsync(model, prepareOperations(model, history), options, false)).result;
}

/** Async {@link checkOperationsVerbose}. */
export async function checkOperationsVerboseAsync<S, I, O>(model: Model<S, I, O>, history: Operation<I, O>[], options: CheckOptions = {}): Promise<VerboseResult> {
  const parts = prepareOperations(model, history);
  return verboseResult(model, parts, await runAsync(model, parts, options, true));
}

/** Async {@link checkEvents}. */
export async function checkEventsAsync<S, I, O>(model: Model<S, I, O>, history: Event<I | O>[], options: CheckOptions = {}): Promise<CheckResult> {
  return (await runAsync(model, prepareEvents(model, history), options, false)).result;
}

/** Async {@link checkEventsVerbose}. */
export async function checkEventsVerboseAsync<S, I, O>(model: Model<S, I, O>, history: Event<I | O>[], options: CheckOptions = {}): Promise<VerboseResult> {
  const parts = prepareEvents(model, history);
  return verboseResult(model, parts, await runAsync(model, parts, options, true));
}

/** Result of searching one partition on its own. */
export interface PartitionReport {
  /** The partition's own verdict. */
  result: CheckResult;
  /** Its search statistics. */
  stats: PartitionStats;
}

/**
 * Diagnostics: searches each selected partition alone and to the end (no "first failure wins"),
 * non-verbose, and reports per-partition verdicts and `step` counts. For event histories the
 * counts are machine-independent and equal Go porcupine's. `only` selects partition indices.
 */
export function checkPartitionsIndividually<S, I, O>(
  model: Model<S, I, O>,
  history: { events: Event<I | O>[] } | { operations: Operation<I, O>[] },
  options: CheckOptions & { only?: readonly number[] } = {},
): (PartitionReport | undefined)[] {
  const parts = "events" in history ? prepareEvents(model, history.events) : prepareOperations(model, history.operations);
  return parts.map((p, i) => {
    if (options.only && !options.only.includes(i)) return undefined;
    const run = runSync(model, [p], options, false);
    const s = run.searches[0]!;
    const result: CheckResult = s.status === SearchStatus.Ok ? "ok" : s.status === SearchStatus.Illegal ? "illegal" : "unknown";
    return { result, stats: { stepCalls: s.stepCalls, stepOk: s.stepOk, cacheEntries: s.cacheEntries } };
  });
}
