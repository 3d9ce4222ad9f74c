/**
 * The Wing & Gong / Lowe search for one partition, written as a resumable state machine so that
 * many partitions can be interleaved on one thread (see `scheduler.ts`).
 *
 * The history is a doubly linked list of call/return nodes in real-time order (node 0 is a
 * sentinel head). The operations that may be linearized next are the calls before the first
 * remaining return node. Linearizing an operation unlinks ("lifts") its call and return nodes;
 * backtracking relinks them in O(1) because unlinked nodes keep their own pointers.
 *
 * Candidate order, restart-from-head after a successful step, step-before-cache-lookup and
 * resuming at `popped.next` after a backtrack all follow Go porcupine, so for event histories
 * the number of `step` calls is the same as Go's.
 */

import { ConfigCache } from "./cache.js";
import type { Model, StepContext } from "./types.js";

/** Search status: still running, or finished with a verdict, or cancelled. */
export const SearchStatus = { Running: 0, Ok: 1, Illegal: 2, Cancelled: 3 } as const;
/** One of the {@link SearchStatus} values. */
export type SearchStatus = (typeof SearchStatus)[keyof typeof SearchStatus];

/** One partition, ready to search: ops 0..n-1 and their 2n call/return nodes in order. */
export interface PartitionEntries<I, O> {
  /** Number of operations. */
  n: number;
  /** Op id of each entry, in real-time order (length 2n). */
  entryOp: Int32Array;
  /** Whether each entry is a call (1) or a return (0). */
  entryIsCall: Uint8Array;
  /** Input of each op. */
  inputs: I[];
  /** Output of each op. */
  outputs: O[];
}

/** Deterministic per-op random words for the incremental (Zobrist) bitset hash. */
function zobrist(n: number): Int32Array {
  const z = new Int32Array(n);
  let s = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    // splitmix32
    s = (s + 0x9e3779b9) | 0;
    let t = s ^ (s >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    t ^= t >>> 15;
    z[i] = t;
  }
  return z;
}

/** Default state hash: numbers by value (consistent with `Object.is`), everything else 0. */
function defaultHash(state: unknown): number {
  if (typeof state === "number") return (state | 0) ^ ((state / 4294967296) | 0);
  return 0;
}

/** Resumable search over one partition. */
export class PartitionSearch<S, I, O> {
  /** Number of operations. */
  readonly n: number;
  /** `step` calls so far. */
  stepCalls = 0;
  /** Legal `step` calls so far. */
  stepOk = 0;
  /** Current status. */
  status: SearchStatus = SearchStatus.Running;
  /** Verbose only: op id -> longest linearizable prefix containing it (shared arrays). */
  readonly longest: (Int32Array | undefined)[];

  private readonly model: Model<S, I, O>;
  private readonly ctx: StepContext;
  private readonly verbose: boolean;
  private readonly inputs: I[];
  private readonly outputs: O[];
  // Linked list over nodes 0..2n; node 0 is the head; -1 is nil.
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  /** Call node -> its return node; -1 for return nodes (and the head). */
  private readonly match: Int32Array;
  private readonly nodeOp: Int32Array;
  private readonly bits: Uint32Array;
  private readonly z: Int32Array;
  private readonly stackNode: Int32Array;
  private readonly stackState: S[];
  private depth = 0;
  private cursor: number;
  private state: S;
  private bitHash = 0;
  private readonly hash: (s: S) => number;
  /** The cache; dropped (undefined) once the search is over, to free memory. */
  cache: ConfigCache<S> | undefined;

  /** Prepares the search; `ctx` is handed to every `step` call. */
  constructor(model: Model<S, I, O>, entries: PartitionEntries<I, O>, ctx: StepContext, verbose: boolean) {
    const n = entries.n;
    this.n = n;
    this.model = model;
    this.ctx = ctx;
    this.verbose = verbose;
    this.inputs = entries.inputs;
    this.outputs = entries.outputs;
    const nodes = 2 * n + 1;
    this.next = new Int32Array(nodes);
    this.prev = new Int32Array(nodes);
    this.match = new Int32Array(nodes).fill(-1);
    this.nodeOp = new Int32Array(nodes).fill(-1);
    const callNodeOfOp = new Int32Array(n).fill(-1);
    for (let i = 0; i < 2 * n; i++) {
      const node = i + 1;
      const op = entries.entryOp[i]!;
      this.nodeOp[node] = op;
      if (entries.entryIsCall[i] === 1) callNodeOfOp[op] = node;
      else this.match[callNodeOfOp[op]!] = node;
    }
    for (let node = 0; node < nodes; node++) {
      this.next[node] = node + 1 < nodes ? node + 1 : -1;
      this.prev[node] = node - 1;
    }
    const words = Math.max(1, Math.ceil(n / 32));
    this.bits = new Uint32Array(words);
    this.z = zobrist(n);
    this.stackNode = new Int32Array(n);
    this.stackState = new Array<S>(n);
    this.longest = verbose ? new Array<Int32Array | undefined>(n).fill(undefined) : [];
    const equal = model.equal ? model.equal.bind(model) : Object.is;
    const hash = model.hash;
    this.hash = hash ? hash.bind(model) : defaultHash;
    this.cache = new ConfigCache<S>(words, equal);
    this.cursor = this.next[0]!;
    this.state = model.init();
    if (n === 0) this.finish(SearchStatus.Ok);
  }

  /** Number of cached configurations. */
  get cacheEntries(): number {
    return this.cache?.size ?? this.finalCacheSize;
  }
  private finalCacheSize = 0;

  /** The current stack, bottom to top: a linearization once the status is Ok. */
  linearization(): Int32Array {
    const out = new Int32Array(this.depth);
    for (let i = 0; i < this.depth; i++) out[i] = this.nodeOp[this.stackNode[i]!]!;
    return out;
  }

  private finish(status: SearchStatus): void {
    this.status = status;
    if (status === SearchStatus.Ok && this.verbose) {
      const full = this.linearization();
      for (let i = 0; i < this.n; i++) this.longest[i] = full;
    }
    this.finalCacheSize = this.cache?.size ?? 0;
    this.cache = undefined;
  }

  /** Marks the search as cancelled (e.g. timeout); frees the cache. */
  cancel(): void {
    if (this.status === SearchStatus.Running) this.finish(SearchStatus.Cancelled);
  }

  /**
   * Runs at most `budget` loop iterations (each makes at most one `step` call) and returns the
   * status; Running means call again.
   */
  run(budget: number): SearchStatus {
    if (this.status !== SearchStatus.Running) return this.status;
    const cache = this.cache!;
    const next = this.next;
    const prev = this.prev;
    const match = this.match;
    const nodeOp = this.nodeOp;
    const bits = this.bits;
    const z = this.z;
    const stackNode = this.stackNode;
    const stackState = this.stackState;
    const inputs = this.inputs;
    const outputs = this.outputs;
    const model = this.model;
    const ctx = this.ctx;
    const hash = this.hash;
    const verbose = this.verbose;
    let cursor = this.cursor;
    let state = this.state;
    let depth = this.depth;
    let bitHash = this.bitHash;
    let stepCalls = this.stepCalls;
    let stepOk = this.stepOk;
    let result: SearchStatus = SearchStatus.Running;

    while (next[0] !== -1) {
      if (budget-- <= 0) break;
      const ret = match[cursor]!;
      if (ret !== -1) {
        // A call node: try to linearize its operation now.
        const op = nodeOp[cursor]!;
        stepCalls++;
        const r = model.step(state, inputs[op]!, outputs[op]!, ctx);
        if (cancelledFlag(ctx)) {
          result = SearchStatus.Cancelled;
          break;
        }
        if (r[0]) {
          stepOk++;
          const newState = r[1];
          const word = op >>> 5;
          const bit = 1 << (op & 31);
          bits[word]! |= bit;
          const newBitHash = bitHash ^ z[op]!;
          const key = newBitHash ^ Math.imul(hash(newState), 0x9e3779b1);
          if (cache.addIfAbsent(key, bits, newState)) {
            stackNode[depth] = cursor;
            stackState[depth] = state;
            depth++;
            state = newState;
            bitHash = newBitHash;
            // lift: unlink the call node, then its return node
            const cp = prev[cursor]!;
            const cn = next[cursor]!;
            next[cp] = cn;
            prev[cn] = cp;
            const rp = prev[ret]!;
            const rn = next[ret]!;
            next[rp] = rn;
            if (rn !== -1) prev[rn] = rp;
            cursor = next[0]!;
          } else {
            bits[word]! &= ~bit;
            cursor = next[cursor]!;
          }
        } else {
          cursor = next[cursor]!;
        }
      } else {
        // A return node: every candidate from this configuration has been tried.
        if (depth === 0) {
          result = SearchStatus.Illegal;
          break;
        }
        if (verbose) this.recordPartial(depth);
        depth--;
        const call = stackNode[depth]!;
        state = stackState[depth]!;
        stackState[depth] = undefined as S; // let the GC have it
        const op = nodeOp[call]!;
        bits[op >>> 5]! &= ~(1 << (op & 31));
        bitHash ^= z[op]!;
        // unlift: relink the return node first, then the call node
        const r = match[call]!;
        next[prev[r]!] = r;
        const rn = next[r]!;
        if (rn !== -1) prev[rn] = r;
        next[prev[call]!] = call;
        prev[next[call]!] = call;
        cursor = next[call]!;
      }
    }
    if (result === SearchStatus.Running && next[0] === -1) result = SearchStatus.Ok;
    this.cursor = cursor;
    this.state = state;
    this.depth = depth;
    this.bitHash = bitHash;
    this.stepCalls = stepCalls;
    this.stepOk = stepOk;
    if (result !== SearchStatus.Running) this.finish(result);
    return result;
  }

  /** Verbose mode: remember the current stack for every op on it whose record is shorter. */
  private recordPartial(depth: number): void {
    let copy: Int32Array | undefined;
    for (let i = 0; i < depth; i++) {
      const op = this.nodeOp[this.stackNode[i]!]!;
      const cur = this.longest[op];
      if (cur === undefined || cur.length < depth) {
        if (copy === undefined) {
          copy = new Int32Array(depth);
          for (let j = 0; j < depth; j++) copy[j] = this.nodeOp[this.stackNode[j]!]!;
        }
        this.longest[op] = copy;
      }
    }
  }
}

/** Internal protocol: the scheduler's StepContext remembers whether a step saw cancellation. */
export interface FlaggedStepContext extends StepContext {
  /** Set once `cancelled()` has returned true. */
  sawCancel: boolean;
}

function cancelledFlag(ctx: StepContext): boolean {
  return (ctx as FlaggedStepContext).sawCancel === true;
}
