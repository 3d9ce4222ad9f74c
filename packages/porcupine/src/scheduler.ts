/**
 * Runs the searches of all partitions of one check, interleaved in slices on one thread.
 *
 * Go porcupine runs partitions in parallel goroutines and lets the first illegal partition
 * cancel the rest. Round-robin slices give the same "first failure wins" behaviour without
 * threads: a partition that fails after a few thousand steps is found even if another partition
 * would search for minutes (kv c50-bad).
 */

import { PartitionSearch, SearchStatus, type FlaggedStepContext } from "./search.js";
import type { PreparedPartition } from "./prepare.js";
import { DEFAULT_MAX_CACHE_ENTRIES, type CheckOptions, type CheckResult, type Model, type PartitionView } from "./types.js";

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
  /** Why the run stopped early, if it did (timeout, abort, cache limit). */
  stopReason: string | undefined;
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

  /** Prepares the searches; nothing runs until {@link runFor}. */
  constructor(model: Model<S, I, O>, partitions: PreparedPartition<I, O>[], options: CheckOptions, verbose: boolean) {
    const timeout = options.timeout ?? 0;
    if (!(typeof timeout === "number" && timeout >= 0)) {
      throw new RangeError(`porcupine: options.timeout must be a non-negative number of milliseconds, got ${String(timeout)}`);
    }
    this.timeout = timeout;
    this.deadline = timeout > 0 ? performance.now() + timeout : Infinity;
    this.signal = options.signal;
    this.maxCacheEntries = options.maxCacheEntries ?? DEFAULT_MAX_CACHE_ENTRIES;
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
    this.active = this.searches.map((_, i) => i);
    this.active = this.active.filter((i) => this.searches[i]!.status === SearchStatus.Running);
  }

  /** The overall verdict: illegal beats unknown beats ok. */
  get result(): CheckResult {
    if (this.illegal) return "illegal";
    if (this.stopReason !== undefined) return "unknown";
    return "ok";
  }

  private stop(reason: string): void {
    this.stopReason = reason;
    this.finish();
  }

  private finish(): void {
    this.done = true;
    for (const i of this.active) this.searches[i]!.cancel();
    this.active = [];
  }

  private checkLimits(): boolean {
    if (this.signal?.aborted === true) {
      this.stop("aborted by the AbortSignal");
      return true;
    }
    if (performance.now() >= this.deadline) {
      this.stop(`timed out after ${this.timeout} ms`);
      return true;
    }
    if (this.maxSteps !== Infinity) {
      let steps = 0;
      for (const search of this.searches) steps += search.stepCalls;
      if (steps > this.maxSteps) {
        this.stop(`step budget exhausted after ${steps} step calls (options.maxSteps = ${this.maxSteps})`);
        return true;
      }
    }
    let entries = 0;
    for (const i of this.active) entries += this.searches[i]!.cacheEntries;
    if (entries > this.maxCacheEntries) {
      this.stop(
        `search cache exceeded maxCacheEntries (${this.maxCacheEntries} configurations); ` +
          `stopped to bound memory (raise options.maxCacheEntries to search further)`,
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
        this.stop("cancelled from inside a step");
        return true;
      }
      if (performance.now() >= until) return false;
    }
    this.finish();
    return true;
  }
}
