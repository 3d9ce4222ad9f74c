/**
 * Public data types of the porcupine checker: histories, models, results and the
 * `LinearizationInfo` consumed by the HTML visualizer.
 *
 * This file is a contract with the visualizer (`visualize*.ts`): fields are only ever added,
 * never renamed.
 */

/**
 * Verdict of a check. `"unknown"` means a limit stopped the search first (timeout, abort, step
 * budget, memory cap); the `*Detailed` and verbose checks say which.
 */
export type CheckResult = "ok" | "illegal" | "unknown";

/** Named constants for {@link CheckResult}, for readers who prefer `CheckResults.Ok` to `"ok"`. */
export const CheckResults = { Ok: "ok", Illegal: "illegal", Unknown: "unknown" } as const;

/**
 * A timestamp: an integer. `bigint` is accepted so that Unix-nanosecond clocks (≈1.7e18, above
 * 2^53) can be used without losing precision; numbers must be safe integers.
 */
export type Timestamp = number | bigint;

/**
 * One completed operation. `[call, return]` is a closed interval: two operations whose
 * intervals touch (`a.return === b.call`) are concurrent.
 */
export interface Operation<I = unknown, O = unknown> {
  /** Zero-based client (row in the visualization). Optional; defaults to 0. */
  clientId?: number;
  /** Argument passed to {@link Model.step} as `input`. */
  input: I;
  /** Invocation time. */
  call: Timestamp;
  /** Result passed to {@link Model.step} as `output`. */
  output: O;
  /** Response time; must be `>= call`. */
  return: Timestamp;
  /** Ignored by the checker; shown in the visualization via `describeOperationMetadata`. */
  metadata?: unknown;
}

/** Kind of an {@link Event}. */
export type EventKind = "call" | "return";

/**
 * One half of an operation. Events carry no timestamps: their order in the history array is
 * taken to be the real-time order. Each call must be followed by exactly one return with the
 * same `id`.
 */
export interface Event<V = unknown> {
  /** Zero-based client (row in the visualization). Optional; defaults to 0. */
  clientId?: number;
  /** Whether this is the invocation or the response. */
  kind: EventKind;
  /** The input for a call event, the output for a return event. */
  value: V;
  /** Pairs a call with its return; any integers, renumbered internally. */
  id: number;
  /** Optional; when both halves carry metadata, the return's wins. */
  metadata?: unknown;
}

/** What {@link Model.step} returns: whether the step is legal, and the next state. */
export type StepResult<S> = readonly [ok: boolean, next: S];

/**
 * Passed to every `step` call so that long-running steps (e.g. nondeterministic models) can
 * stop early when the check times out, is aborted, or another partition already failed.
 */
export interface StepContext {
  /** True once the check no longer needs this step's result. Cheap to call. */
  cancelled(): boolean;
}

/**
 * A sequential specification of the object under test.
 *
 * `step` must be pure: it may not mutate `state`, `input` or `output`, because the checker keeps
 * old states on its backtracking stack and in its cache.
 */
export interface Model<S, I, O> {
  /**
   * Splits an operation history into independent sub-histories (e.g. per key) such that the
   * whole is linearizable iff every part is. Default: one partition.
   */
  partition?(history: Operation<I, O>[]): Operation<I, O>[][];
  /**
   * Same as `partition` for event histories; must keep both events of an operation in the same
   * part, in their original relative order. Default: one partition.
   */
  partitionEvent?(history: Event<I | O>[]): Event<I | O>[][];
  /** Initial state. Required. */
  init(): S;
  /** Whether `input -> output` is legal in `state`, and the state after it. Required. */
  step(state: S, input: I, output: O, ctx: StepContext): StepResult<S>;
  /**
   * State equality, used by the search cache. Default: `Object.is`, which is only right for
   * primitive states (strings, numbers): supply `equal` for object states.
   */
  equal?(a: S, b: S): boolean;
  /**
   * Optional state hash speeding up the cache. Invariant: `equal(a, b)` implies
   * `hash(a) === hash(b)`. Only the low 32 bits are used.
   */
  hash?(state: S): number;
  /**
   * Optional, for hard histories: what one partition's operations imply, used to shrink its
   * search (see {@link Pruning}). Called once per partition before its search, only by the
   * default search (`strategy: "pruned"`).
   */
  prune?(partition: PartitionView<I, O>): Pruning<S, I, O>;
  /** Box label in the visualization. Default: `JSON`-ish `input -> output`. */
  describeOperation?(input: I, output: O): string;
  /** State text in visualization tooltips. Default: `String`/`JSON.stringify`. */
  describeState?(state: S): string;
  /** Tooltip line for an operation's metadata. Default: `""` for undefined, else a string form. */
  describeOperationMetadata?(metadata: unknown): string;
}

/**
 * A model whose `step` may lead to several states. Convert it with `nondeterministicToModel`,
 * which runs a power-set construction (the state becomes a deduplicated list of states).
 */
export interface NondeterministicModel<S, I, O> {
  /** As {@link Model.partition}. */
  partition?(history: Operation<I, O>[]): Operation<I, O>[][];
  /** As {@link Model.partitionEvent}. */
  partitionEvent?(history: Event<I | O>[]): Event<I | O>[][];
  /** All possible initial states. */
  init(): S[];
  /** All possible next states; an empty array means the step is illegal. */
  step(state: S, input: I, output: O, ctx: StepContext): S[];
  /** As {@link Model.equal}. */
  equal?(a: S, b: S): boolean;
  /** As {@link Model.hash}. */
  hash?(state: S): number;
  /** As {@link Model.describeOperation}. */
  describeOperation?(input: I, output: O): string;
  /** Describes one member state. */
  describeState?(state: S): string;
  /** As {@link Model.describeOperationMetadata}. */
  describeOperationMetadata?(metadata: unknown): string;
}

/**
 * The operations of one partition, as {@link Model.prune} sees them. Operation `i` is
 * `inputs[i] -> outputs[i]`; `calls[i]` and `returns[i]` are the positions of its call and
 * return in the partition's real-time order (0 … 2n-1), so operation `a` precedes `b` in real
 * time iff `returns[a] < calls[b]`.
 */
export interface PartitionView<I, O> {
  /** Number of operations. */
  readonly n: number;
  /** Input of each operation. */
  readonly inputs: readonly I[];
  /** Output of each operation. */
  readonly outputs: readonly O[];
  /** Position of each operation's call in real-time order. */
  readonly calls: Int32Array;
  /** Position of each operation's return in real-time order. */
  readonly returns: Int32Array;
}

/**
 * Search aids for one partition (see {@link Model.prune}). All are optional, and each must keep
 * the verdict exactly as it would be without it. "A linearization" below means an order of all
 * the partition's operations that respects real time and that `model.step` accepts.
 */
export interface Pruning<S, I, O> {
  /**
   * Orders that hold in every linearization, as a flat list of operation pairs
   * `[a0, b0, a1, b1, …]`: operation `a` comes before `b` (`a === b`: operation `a` is in no
   * linearization). The search never tries an operation before its predecessors. A pair that
   * some linearization violates can turn "ok" into "illegal"; fewer pairs are always safe.
   */
  before?: ArrayLike<number>;
  /**
   * A replacement for `model.step` in this partition's search. It must accept every
   * linearization (so no verdict changes), accept only sequences that `model.step` accepts too
   * (partial linearizations are replayed with `model.step`), and give states that work with the
   * model's `equal`/`hash`, `equal` states accepting the same continuations. It may reject
   * prefixes that no linearization extends, and may merge states no later operation can tell
   * apart (e.g. KV values no get will ever read).
   */
  step?(state: S, input: I, output: O, ctx: StepContext): StepResult<S>;
  /**
   * Whether taking operation `op` right away in `state` (when it is legal there and may come
   * next) loses no linearization — e.g. a read, which any linearization can move forward to
   * here. The search then takes it and tries nothing else at that point. Must be cheap: it is
   * asked about every candidate of every configuration.
   */
  greedy?(state: S, op: number): boolean;
}

/**
 * A user note drawn on the visualization's timeline (e.g. "leader changed", "partition healed").
 * Set either `clientId` (drawn in that client's row) or `tag` (drawn in an extra row named by it).
 */
export interface Annotation {
  /** Client row to draw in; ignored when `tag` is non-empty. */
  clientId?: number;
  /** Extra row label, e.g. "Server 1" or "Test Framework". */
  tag?: string;
  /** Start time, in the same units as the operations' `call`/`return`. */
  start: Timestamp;
  /** End time; if missing or earlier than `start` the annotation is a point in time. */
  end?: Timestamp;
  /** Box text (plain text). */
  description: string;
  /** Tooltip text; inserted as HTML by the visualizer. */
  details?: string;
  /** CSS colour of the text. */
  textColor?: string;
  /** CSS colour of the box. */
  backgroundColor?: string;
}

/** One operation of a partition, as shown by the visualizer. */
export interface HistoryElement {
  /** Client row (0 when the history gave none). */
  clientId: number;
  /**
   * Normalized start time. Operation histories: the rank of `call` among all distinct call and
   * return times of the whole history (0, 1, 2, …), so partitions share one time axis. Event
   * histories: the position of the call event within its partition.
   */
  start: number;
  /** Normalized end time, same scale as `start`. */
  end: number;
  /** The original call time as a decimal string (events: the position). */
  originalStart: string;
  /** The original return time as a decimal string (events: the position). */
  originalEnd: string;
  /** `describeOperation(input, output)`. */
  description: string;
  /** `describeOperationMetadata(metadata)`, omitted when there is no metadata. */
  metadata?: string;
}

/** One step of a partial linearization: an operation and the model state after it. */
export interface LinearizationStep {
  /** Partition-local operation id (index into {@link PartitionInfo.history}). */
  index: number;
  /** `describeState` of the state after applying this operation. */
  stateDescription: string;
}

/** Search statistics of one partition. */
export interface PartitionStats {
  /** Number of `step` calls made by the search. */
  stepCalls: number;
  /** Number of legal `step` calls. */
  stepOk: number;
  /** Number of (linearized set, state) configurations stored in the cache. */
  cacheEntries: number;
}

/** Everything the visualizer needs about one partition, as plain data. */
export interface PartitionInfo {
  /** Index = partition-local operation id. */
  history: HistoryElement[];
  /**
   * Recorded partial linearizations, sorted by length, longest first. A linearizable partition
   * has exactly one (the full linearization).
   */
  partialLinearizations: LinearizationStep[][];
  /** Op id -> index into `partialLinearizations` of the longest one containing it. */
  largest: Record<number, number>;
  /**
   * Parallel to `partialLinearizations` (same indices), only for non-linearizable partitions:
   * the op ids that were candidates to be linearized right after that prefix (they are not in
   * it and were called before every other remaining op returned) — "where the search got stuck".
   */
  illegalNext?: number[][];
  /** This partition's verdict (`"unknown"` if its search did not finish). */
  result: CheckResult;
  /** Search statistics. */
  stats?: PartitionStats;
}

/** Plain-data result of a verbose check, consumed by the visualizer. */
export interface LinearizationInfo {
  /** One per partition, in partition order. */
  partitions: PartitionInfo[];
  /** User annotations; add them with `addAnnotations`. */
  annotations: Annotation[];
  /** What was dropped, if some data was capped to keep the info small. */
  truncated?: string;
  /** Why the result is `"unknown"`, in one line (the same as `stop.message`), when it is. */
  stopReason?: string;
  /** Why the result is `"unknown"`, in detail, when it is. */
  stop?: StopInfo;
}

/** Which limit stopped a search before it decided. */
export type StopKind = "timeout" | "max-cache" | "max-steps" | "aborted";

/** Why a check gave `"unknown"`: which limit stopped it, when, and how far it had got. */
export interface StopInfo {
  /** The limit: `options.timeout`, `options.maxCacheEntries`, `options.maxSteps` or the signal. */
  kind: StopKind;
  /** The limit's value (ms, configurations or step calls); absent for `"aborted"`. */
  limit?: number;
  /** Wall time from the start of the check to the stop, in ms. */
  elapsedMs: number;
  /** Configurations in the caches of the partitions still being searched when it stopped. */
  configurations: number;
  /** `step` calls made, over all partitions. */
  stepCalls: number;
  /** Partitions decided before the stop. */
  partitionsDone: number;
  /** Partitions in all. */
  partitions: number;
  /** One line saying all this and which option to raise to search further (no final period). */
  message: string;
}

/** Search totals of a whole check. */
export interface CheckStats {
  /** `step` calls, over all partitions. */
  stepCalls: number;
  /** Configurations cached, over all partitions (the peak, as caches are never evicted). */
  configurations: number;
  /** Number of partitions. */
  partitions: number;
  /** Wall time of the search, in ms (preparing the history not included). */
  elapsedMs: number;
}

/** Result of the `*Detailed` check functions: the verdict, its search totals and any stop. */
export interface CheckReport {
  /** The verdict. */
  result: CheckResult;
  /** Search totals. */
  stats: CheckStats;
  /** Why the result is `"unknown"`, when it is. */
  stop?: StopInfo;
}

/** Options of the check functions. */
export interface CheckOptions {
  /** Give up with `"unknown"` after this many milliseconds. 0 or undefined: no limit. */
  timeout?: number;
  /**
   * Give up with `"unknown"` once this signal is aborted. It is polled between search slices:
   * a synchronous check only sees aborts made before the call or from inside `step`; use the
   * `*Async` check functions (which yield to the event loop) to abort from timers or other tasks.
   */
  signal?: AbortSignal;
  /**
   * Give up with `"unknown"` once the search caches hold more than this many configurations in
   * total (a memory bound). Default: `defaultMaxCacheEntries()`, which fits this machine's memory;
   * `Infinity` for none.
   */
  maxCacheEntries?: number;
  /**
   * Give up with `"unknown"` once the search has made more than this many `step` calls in total
   * (over all partitions). Unlike `timeout` this budget does not depend on the machine or its
   * load, so the same history always gets the same verdict. Checked after every search slice, so
   * the search may overshoot by a few thousand steps. 0 or undefined: no limit.
   */
  maxSteps?: number;
  /**
   * The search. `"pruned"` (default): uses the model's {@link Model.prune}, if any, to skip
   * operations that cannot come next and merge states no later operation can tell apart.
   * `"wgl"`: Go porcupine's search exactly (ignores `prune`), so that for event histories the
   * `step` counts equal Go's.
   */
  strategy?: SearchStrategy;
}

/** See {@link CheckOptions.strategy}. */
export type SearchStrategy = "pruned" | "wgl";

/**
 * The cache cap used where the machine's memory cannot be read: about 1 GB at
 * {@link BYTES_PER_CONFIGURATION}. (The default is `defaultMaxCacheEntries()`.)
 */
export const DEFAULT_MAX_CACHE_ENTRIES = 5_000_000;

/**
 * Memory one cached configuration takes, in bytes, for the cap's arithmetic: measured as the
 * peak RSS growth per configuration of searches with the KV model (160-200 B, with ~10-character
 * appends); models with bigger states take more.
 */
export const BYTES_PER_CONFIGURATION = 200;

/** Result of a verbose check. */
export interface VerboseResult {
  /** The verdict. */
  result: CheckResult;
  /** Partial linearizations and history for the visualizer. */
  info: LinearizationInfo;
}
