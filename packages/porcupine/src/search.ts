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
 * the number of `step` calls is the same as Go's, unless `model.prune` shapes the search (the
 * pruned strategy): then operations wait for their `before` predecessors, `prune`'s step
 * replaces the model's, and greedy operations are taken first and never branched on (see
 * {@link PartitionSearch.run}).
 */

import { ConfigCache } from "./cache.js";
import type { Model, Pruning, StepContext, StepResult } from "./types.js";

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
  /** Whether `model.prune` shaped this search (so it may skip prefixes Go's search visits). */
  readonly pruned: boolean;

  /** `model.step`, or the partition's specialised step from `model.prune`. */
  private readonly step: (state: S, input: I, output: O, ctx: StepContext) => StepResult<S>;
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
  /** 1 where the frame's operation was a forced read (see {@link run}). */
  private readonly stackForced: Uint8Array;
  private depth = 0;
  /** Scan phase: true while looking for a legal greedy candidate (READS), false for OTHERS. */
  private reads: boolean;
  /** `prune`'s greedy test; undefined in Go's search. */
  private readonly greedy: ((state: S, op: number) => boolean) | undefined;
  private cursor: number;
  private state: S;
  private bitHash = 0;
  private readonly hash: (s: S) => number;
  /**
   * With order constraints: per op, how many of its required predecessors are not linearized
   * yet (an op is only tried at 0), and the successors in CSR form (`succ[succStart[op] ..
   * succStart[op + 1])`). Invariant: `blocked[b]` = number of pairs (a, b) with a not linearized.
   */
  private readonly blocked: Int32Array | undefined;
  private readonly succStart: Int32Array | undefined;
  private readonly succ: Int32Array | undefined;
  /** The cache; dropped (undefined) once the search is over, to free memory. */
  cache: ConfigCache<S> | undefined;

  /** Prepares the search; `ctx` is handed to every `step` call. */
  constructor(model: Model<S, I, O>, entries: PartitionEntries<I, O>, ctx: StepContext, verbose: boolean, pruning?: Pruning<S, I, O>) {
    const n = entries.n;
    this.n = n;
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
    this.stackForced = new Uint8Array(n);
    this.longest = verbose ? new Array<Int32Array | undefined>(n).fill(undefined) : [];
    const equal = model.equal ? model.equal.bind(model) : Object.is;
    const hash = model.hash;
    this.hash = hash ? hash.bind(model) : defaultHash;
    this.cache = new ConfigCache<S>(words, equal);
    this.step = pruning?.step !== undefined ? pruning.step.bind(pruning) : model.step.bind(model);
    let orderable = true;
    if (pruning?.before !== undefined && pruning.before.length > 0) {
      const csr = buildSuccessors(n, pruning.before);
      this.blocked = csr.blocked;
      this.succStart = csr.succStart;
      this.succ = csr.succ;
      orderable = hasLinearExtension(n, entries, csr.blocked, csr.succStart, csr.succ);
    }
    if (pruning?.greedy !== undefined) this.greedy = pruning.greedy.bind(pruning);
    this.pruned = pruning !== undefined;
    this.reads = this.greedy !== undefined;
    this.cursor = this.next[0]!;
    this.state = model.init();
    if (n === 0) this.finish(SearchStatus.Ok);
    // No order of the operations respects both real time and the pairs: illegal, with no step.
    else if (!orderable) this.finish(SearchStatus.Illegal);
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
   *
   * With `prune`'s greedy test (pruned search), each configuration is scanned twice: first for a
   * legal greedy candidate (phase READS), which is taken at once and marked forced, then, if
   * there is none, for the other candidates (phase OTHERS) as in Go. When a configuration fails,
   * so does every configuration that reached it through a forced frame (that operation could
   * have come later anyway), so backtracking keeps popping until it pops an unforced frame. A
   * greedy candidate whose configuration is cached (so has failed) fails its configuration too.
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
    const stackForced = this.stackForced;
    const inputs = this.inputs;
    const outputs = this.outputs;
    const step = this.step;
    const ctx = this.ctx;
    const hash = this.hash;
    const verbose = this.verbose;
    const blocked = this.blocked;
    const succStart = this.succStart!;
    const succ = this.succ!;
    const greedy = this.greedy;
    let cursor = this.cursor;
    let state = this.state;
    let depth = this.depth;
    let bitHash = this.bitHash;
    let stepCalls = this.stepCalls;
    let stepOk = this.stepOk;
    let reads = this.reads;
    let result: SearchStatus = SearchStatus.Running;

    while (next[0] !== -1) {
      if (budget-- <= 0) break;
      const ret = match[cursor]!;
      let fail = false;
      if (ret !== -1) {
        // A call node: try to linearize its operation now.
        const op = nodeOp[cursor]!;
        if ((blocked !== undefined && blocked[op] !== 0) || (greedy !== undefined && greedy(state, op) !== reads)) {
          // Not a candidate (a required predecessor is missing), or not in this phase.
          cursor = next[cursor]!;
          continue;
        }
        stepCalls++;
        const r = step(state, inputs[op]!, outputs[op]!, ctx);
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
            stackForced[depth] = reads ? 1 : 0;
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
            if (blocked !== undefined) for (let k = succStart[op]!, end = succStart[op + 1]!; k < end; k++) blocked[succ[k]!]!--;
            cursor = next[0]!;
            reads = greedy !== undefined;
            continue;
          }
          bits[word]! &= ~bit;
          // A cached configuration has failed; reached by a read, it fails this one too.
          if (!reads) {
            cursor = next[cursor]!;
            continue;
          }
          fail = true;
        } else {
          cursor = next[cursor]!;
          continue;
        }
      }
      if (!fail && reads) {
        // End of the READS scan without a legal read: scan the other candidates.
        reads = false;
        cursor = next[0]!;
        continue;
      }
      // A return node (or a failed forced read): every candidate of this configuration has
      // been tried. Backtrack, through forced frames too.
      let forced = true;
      while (forced) {
        if (depth === 0) {
          result = SearchStatus.Illegal;
          break;
        }
        if (verbose) this.recordPartial(depth);
        depth--;
        const call = stackNode[depth]!;
        state = stackState[depth]!;
        stackState[depth] = undefined as S; // let the GC have it
        forced = stackForced[depth] === 1;
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
        if (blocked !== undefined) for (let k = succStart[op]!, end = succStart[op + 1]!; k < end; k++) blocked[succ[k]!]!++;
        cursor = next[call]!;
      }
      if (result !== SearchStatus.Running) break;
      reads = false;
    }
    if (result === SearchStatus.Running && next[0] === -1) result = SearchStatus.Ok;
    this.cursor = cursor;
    this.state = state;
    this.depth = depth;
    this.bitHash = bitHash;
    this.stepCalls = stepCalls;
    this.stepOk = stepOk;
    this.reads = reads;
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

/**
 * Whether some order of all operations respects both real time (a before b when a returns
 * before b is called) and the `before` pairs: Kahn's algorithm, where an operation is ready once
 * its pair predecessors are done and its call comes before every remaining return. O(n + pairs).
 */
function hasLinearExtension<I, O>(n: number, entries: PartitionEntries<I, O>, blocked: Int32Array, succStart: Int32Array, succ: Int32Array): boolean {
  const waiting = blocked.slice();
  const admitted = new Uint8Array(n);
  const done = new Uint8Array(n);
  const ready: number[] = [];
  let e = 0;
  let finished = 0;
  for (;;) {
    // Admit calls up to the first return of an operation not done yet.
    for (; e < 2 * n; e++) {
      const op = entries.entryOp[e]!;
      if (entries.entryIsCall[e] === 1) {
        admitted[op] = 1;
        if (waiting[op] === 0) ready.push(op);
      } else if (done[op] === 0) {
        break;
      }
    }
    const op = ready.pop();
    if (op === undefined) return finished === n;
    done[op] = 1;
    finished++;
    for (let k = succStart[op]!; k < succStart[op + 1]!; k++) {
      const b = succ[k]!;
      if (--waiting[b]! === 0 && admitted[b] === 1) ready.push(b);
    }
  }
}

/**
 * Turns a flat pair list into successor lists (CSR) and predecessor counts, dropping duplicate
 * pairs. Throws on indices out of range (a model bug).
 */
function buildSuccessors(n: number, pairs: ArrayLike<number>): { blocked: Int32Array; succStart: Int32Array; succ: Int32Array } {
  if (pairs.length % 2 !== 0) {
    throw new Error(`porcupine: model.prune returned before = ${pairs.length} numbers; it must return pairs [a0, b0, a1, b1, …]`);
  }
  const seen = new Set<number>();
  const from: number[] = [];
  const to: number[] = [];
  for (let k = 0; k < pairs.length; k += 2) {
    const a = pairs[k]!;
    const b = pairs[k + 1]!;
    if (!(Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b >= 0 && a < n && b < n)) {
      throw new Error(
        `porcupine: model.prune returned before = the pair (${a}, ${b}); both must be operation indices 0..${n - 1} of the partition`,
      );
    }
    const id = a * n + b;
    if (seen.has(id)) continue;
    seen.add(id);
    from.push(a);
    to.push(b);
  }
  const succStart = new Int32Array(n + 1);
  for (const a of from) succStart[a + 1]!++;
  for (let i = 0; i < n; i++) succStart[i + 1]! += succStart[i]!;
  const fill = succStart.slice(0, n);
  const succ = new Int32Array(from.length);
  const blocked = new Int32Array(n);
  for (let k = 0; k < from.length; k++) {
    succ[fill[from[k]!]!++] = to[k]!;
    blocked[to[k]!]!++;
  }
  return { blocked, succStart, succ };
}

/** Internal protocol: the scheduler's StepContext remembers whether a step saw cancellation. */
export interface FlaggedStepContext extends StepContext {
  /** Set once `cancelled()` has returned true. */
  sawCancel: boolean;
}

function cancelledFlag(ctx: StepContext): boolean {
  return (ctx as FlaggedStepContext).sawCancel === true;
}
