/**
 * Public checking functions: operation and event histories, plain / verbose / async variants.
 */

import { buildInfo } from "./info.js";
import { prepareEvents, prepareOperations, type PreparedPartition } from "./prepare.js";
import { CheckRun } from "./scheduler.js";
import { PartitionSearch, SearchStatus, type FlaggedStepContext } from "./search.js";
import type {
  CheckOptions,
  CheckReport,
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

/**
 * Loop iterations of Go's search that a verbose check spends on each partition a pruned search
 * found illegal: pruning stops the search before some legal prefixes, and the visualization
 * should show the longest prefix Go's search finds when that is cheap to find.
 */
const PARTIALS_ITERATIONS = 200_000;

const NEVER: FlaggedStepContext = { sawCancel: false, cancelled: () => false };

/** For illegal pruned partitions, adopts the longer prefixes of a bounded Go-order search. */
function lengthenPartials<S, I, O>(model: Model<S, I, O>, parts: PreparedPartition<I, O>[], run: CheckRun<S, I, O>): void {
  run.searches.forEach((search, i) => {
    if (!search.pruned || search.status !== SearchStatus.Illegal) return;
    const wgl = new PartitionSearch(model, parts[i]!, NEVER, true);
    wgl.run(PARTIALS_ITERATIONS);
    wgl.cancel();
    for (let op = 0; op < search.n; op++) {
      const a = search.longest[op];
      const b = wgl.longest[op];
      if (b !== undefined && (a === undefined || b.length > a.length)) search.longest[op] = b;
    }
  });
}

function verboseResult<S, I, O>(model: Model<S, I, O>, parts: PreparedPartition<I, O>[], run: CheckRun<S, I, O>): VerboseResult {
  lengthenPartials(model, parts, run);
  const info: LinearizationInfo = buildInfo(model, parts, run.searches, run.stop);
  return { result: run.result, info };
}

/**
 * Checks whether an operation history is linearizable with respect to `model`.
 * Returns `"unknown"` if the timeout, signal, step budget or memory cap stopped the search first
 * ({@link checkOperationsDetailed} says which).
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

function report<S, I, O>(run: CheckRun<S, I, O>): CheckReport {
  const r: CheckReport = { result: run.result, stats: run.stats };
  if (run.stop !== undefined) r.stop = run.stop;
  return r;
}

/**
 * Like {@link checkOperations}, and also says how much it searched and, for `"unknown"`, which
 * limit stopped it, when, and what to raise to go further.
 */
export function checkOperationsDetailed<S, I, O>(model: Model<S, I, O>, history: Operation<I, O>[], options: CheckOptions = {}): CheckReport {
  return report(runSync(model, prepareOperations(model, history), options, false));
}

/** Like {@link checkEvents}, with the search totals and the stop; see {@link checkOperationsDetailed}. */
export function checkEventsDetailed<S, I, O>(model: Model<S, I, O>, history: Event<I | O>[], options: CheckOptions = {}): CheckReport {
  return report(runSync(model, prepareEvents(model, history), options, false));
}

/** Async {@link checkOperationsDetailed}. */
export async function checkOperationsDetailedAsync<S, I, O>(model: Model<S, I, O>, history: Operation<I, O>[], options: CheckOptions = {}): Promise<CheckReport> {
  return report(await runAsync(model, prepareOperations(model, history), options, false));
}

/** Async {@link checkEventsDetailed}. */
export async function checkEventsDetailedAsync<S, I, O>(model: Model<S, I, O>, history: Event<I | O>[], options: CheckOptions = {}): Promise<CheckReport> {
  return report(await runAsync(model, prepareEvents(model, history), options, false));
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
 * non-verbose, and reports per-partition verdicts and `step` counts. The counts are
 * machine-independent; for event histories with `strategy: "wgl"` they equal Go porcupine's.
 * `only` selects partition indices.
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
