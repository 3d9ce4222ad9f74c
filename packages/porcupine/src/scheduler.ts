/**
 * Runs the searches of all partitions of one check, interleaved in slices on one thread.
 *
 * Go porcupine runs partitions in parallel goroutines and lets the first illegal partition
 * cancel the rest. Round-robin slices give the same "first failure wins" behaviour without
 * threads: a partition that fails after a few thousand steps is found even if another partition
 * would search for minutes (kv c50-bad).
 */

import { totalmem } from "node:os";
import { getHeapStatistics } from "node:v8";
import { PartitionSearch, SearchStatus, type FlaggedStepContext } from "./search.js";
import type { PreparedPartition } from "./prepare.js";
import {
  BYTES_PER_CONFIGURATION,
  DEFAULT_MAX_CACHE_ENTRIES,
  type CheckOptions,
  type CheckResult,
  type CheckStats,
  type Model,
  type PartitionView,
  type StopInfo,
  type StopKind,
} from "./types.js";

/**
 * The default cache cap, from this machine's memory: the configurations (at
 * {@link BYTES_PER_CONFIGURATION} each) that fit in a quarter of its memory (or of the process's
 * cgroup limit, if lower) and in half of V8's heap limit (the states live on the heap; going past
 * it kills the process instead of giving "unknown"). Falls back to {@link DEFAULT_MAX_CACHE_ENTRIES}.
 */
export function defaultMaxCacheEntries(): number {
  try {
    let memory = totalmem();
    const constrained = (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.();
    if (constrained !== undefined && constrained > 0 && constrained < memory) memory = constrained;
    const bytes = Math.min(memory / 4, getHeapStatistics().heap_size_limit / 2);
    const entries = Math.floor(bytes / BYTES_PER_CONFIGURATION);
    return entries > 0 ? entries : DEFAULT_MAX_CACHE_ENTRIES;
  } catch {
    return DEFAULT_MAX_CACHE_ENTRIES;
  }
}

/** `1 234 567`: thousands separated by spaces (for messages). */
export function formatCount(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, " ");
}

/** `850 MiB`, `2.1 GiB`. */
export function formatBytes(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${Math.max(1, Math.round(bytes / 2 ** 20))} MiB`;
}

/** `850 ms`, `7.1 s`. */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** What {@link Model.prune} sees of a partition. */
function partitionView<I, O>(p: PreparedPartition<I, O>): PartitionView<I, O> {
  const calls = new Int32Array(p.n);
  const returns = new Int32Array(p.n);
  for (let i = 0; i < p.entryOp.length; i++) (p.entryIsCall[i] === 1 ? calls : returns)[p.entryOp[i]!] = i;
  return { n: p.n, inputs: p.inputs, outputs: p.outputs, calls, returns };
}

/** Loop iterations a partition runs before the next one gets its turn. */
const SLICE_ITERATIONS = 4096;

/** One check in progress. */
export class CheckRun<S, I, O> {
  /** One search per partition, in partition order. */
  readonly searches: PartitionSearch<S, I, O>[];
  /** Why the run stopped early, if it did (timeout, abort, cache limit, step budget). */
  stop: StopInfo | undefined;
  /** Whether some partition was found illegal. */
  illegal = false;
  private readonly verbose: boolean;
  private readonly deadline: number;
  private readonly signal: AbortSignal | undefined;
  private readonly maxCacheEntries: number;
  private readonly timeout: number;
  private readonly maxSteps: number;
  private active: number[];
  private done = false;
  private readonly ctx: FlaggedStepContext;
  private readonly startedAt = performance.now();
  private endedAt: number | undefined;

  /** Prepares the searches; nothing runs until {@link runFor}. */
  constructor(model: Model<S, I, O>, partitions: PreparedPartition<I, O>[], options: CheckOptions, verbose: boolean) {
    const timeout = options.timeout ?? 0;
    if (!(typeof timeout === "number" && timeout >= 0)) {
      throw new RangeError(`porcupine: options.timeout must be a non-negative number of milliseconds, got ${String(timeout)}`);
    }
    this.timeout = timeout;
    this.deadline = timeout > 0 ? performance.now() + timeout : Infinity;
    this.signal = options.signal;
    const maxCacheEntries = options.maxCacheEntries ?? defaultMaxCacheEntries();
    if (!(typeof maxCacheEntries === "number" && maxCacheEntries > 0)) {
      throw new RangeError(`porcupine: options.maxCacheEntries must be a positive number of configurations (or Infinity), got ${String(maxCacheEntries)}`);
    }
    this.maxCacheEntries = maxCacheEntries;
    const maxSteps = options.maxSteps ?? 0;
    if (!(typeof maxSteps === "number" && maxSteps >= 0)) {
      throw new RangeError(`porcupine: options.maxSteps must be a non-negative number of step calls, got ${String(maxSteps)}`);
    }
    this.maxSteps = maxSteps > 0 ? maxSteps : Infinity;
    this.verbose = verbose;
    const ctx: FlaggedStepContext = {
      sawCancel: false,
      cancelled: () => {
        if (ctx.sawCancel) return true;
        if (this.done || performance.now() >= this.deadline || this.signal?.aborted === true) {
          ctx.sawCancel = true;
        }
        return ctx.sawCancel;
      },
    };
    this.ctx = ctx;
    const strategy = options.strategy ?? "pruned";
    if (strategy !== "pruned" && strategy !== "wgl") {
      throw new RangeError(`porcupine: options.strategy must be "pruned" or "wgl", got ${JSON.stringify(strategy)}`);
    }
    const prune = strategy === "pruned" && typeof model.prune === "function" ? model.prune.bind(model) : undefined;
    this.searches = partitions.map((p) => new PartitionSearch(model, p, ctx, verbose, prune?.(partitionView(p))));
    // A search can be decided before it starts: empty (ok), or pairs no order satisfies (illegal).
    this.illegal = this.searches.some((s) => s.status === SearchStatus.Illegal);
    this.active = this.searches.flatMap((s, i) => (s.status === SearchStatus.Running ? [i] : []));
    if (this.illegal && !verbose) this.finish();
  }

  /** The overall verdict: illegal beats unknown beats ok. */
  get result(): CheckResult {
    if (this.illegal) return "illegal";
    if (this.stop !== undefined) return "unknown";
    return "ok";
  }

  /** The run's totals (final once it is finished). */
  get stats(): CheckStats {
    let stepCalls = 0;
    let configurations = 0;
    for (const s of this.searches) {
      stepCalls += s.stepCalls;
      configurations += s.cacheEntries;
    }
    const elapsedMs = (this.endedAt ?? performance.now()) - this.startedAt;
    return { stepCalls, configurations, partitions: this.searches.length, elapsedMs };
  }

  private halt(kind: StopKind, limit: number | undefined, what: string, further: string): void {
    let configurations = 0;
    for (const i of this.active) configurations += this.searches[i]!.cacheEntries;
    const { stepCalls, partitions } = this.stats;
    const elapsedMs = performance.now() - this.startedAt;
    const partitionsDone = this.searches.filter((s) => s.status === SearchStatus.Ok || s.status === SearchStatus.Illegal).length;
    const message =
      `${what} after ${formatMs(elapsedMs)}, ${formatCount(configurations)} configurations and ` +
      `${formatCount(stepCalls)} step calls (${partitionsDone} of ${partitions} partitions decided); ${further}`;
    this.stop = { kind, elapsedMs, configurations, stepCalls, partitionsDone, partitions, message };
    if (limit !== undefined) this.stop.limit = limit;
    this.finish();
  }

  private finish(): void {
    this.done = true;
    this.endedAt ??= performance.now();
    for (const i of this.active) this.searches[i]!.cancel();
    this.active = [];
  }

  private checkLimits(): boolean {
    if (this.signal?.aborted === true) {
      this.halt("aborted", undefined, "aborted by the AbortSignal", "check again without aborting to search further");
      return true;
    }
    if (performance.now() >= this.deadline) {
      this.halt("timeout", this.timeout, `timed out after ${this.timeout} ms`, "raise options.timeout to search further");
      return true;
    }
    if (this.maxSteps !== Infinity) {
      let steps = 0;
      for (const search of this.searches) steps += search.stepCalls;
      if (steps > this.maxSteps) {
        this.halt(
          "max-steps",
          this.maxSteps,
          `step budget exhausted after ${steps} step calls (options.maxSteps = ${this.maxSteps})`,
          "raise options.maxSteps to search further",
        );
        return true;
      }
    }
    let entries = 0;
    for (const i of this.active) entries += this.searches[i]!.cacheEntries;
    if (entries > this.maxCacheEntries) {
      const cap = this.maxCacheEntries;
      this.halt(
        "max-cache",
        cap,
        `search cache exceeded maxCacheEntries (${cap} configurations, about ${formatBytes(cap * BYTES_PER_CONFIGURATION)})`,
        "raise options.maxCacheEntries, memory permitting, to search further",
      );
      return true;
    }
    return false;
  }

  /**
   * Runs slices for about `ms` milliseconds (Infinity: until finished). Returns true once the
   * check is finished.
   */
  runFor(ms: number): boolean {
    if (this.done) return true;
    if (this.checkLimits()) return true;
    const until = ms === Infinity ? Infinity : performance.now() + ms;
    while (this.active.length > 0) {
      const still: number[] = [];
      for (const i of this.active) {
        const s = this.searches[i]!;
        const status = s.run(SLICE_ITERATIONS);
        if (status === SearchStatus.Illegal) {
          this.illegal = true;
          if (!this.verbose) {
            // First failure wins: the other partitions cannot change the verdict.
            this.active = [];
            this.finish();
            return true;
          }
        } else if (status === SearchStatus.Cancelled || status === SearchStatus.Running) {
          // (Cancelled: a step saw the deadline or the signal; the checks below name which.)
          still.push(i);
        }
        // Limits are checked after every slice, not every round, so that a timeout is honoured
        // within one slice even when there are many partitions.
        if (status !== SearchStatus.Illegal && status !== SearchStatus.Ok && this.checkLimits()) return true;
      }
      this.active = still;
      if (this.active.length === 0) break;
      if (this.ctx.sawCancel) {
        // A step saw the deadline or the signal; name which (the checks above ran before it).
        if (this.checkLimits()) return true;
        this.halt("aborted", undefined, "cancelled from inside a step", "check again to search further");
        return true;
      }
      if (performance.now() >= until) return false;
    }
    this.finish();
    return true;
  }
}
