/**
 * Pruning for the KV models (`Model.prune`): what the values the gets returned imply about one
 * partition, so that hard histories (many long appends in flight on one key) can be decided.
 *
 * The facts, per key, all exact (none changes a verdict):
 * - **Splits** ({@link scanKey}): when the values written are distinct, a get's value that splits
 *   in exactly one way into [a put's value] + append values names the writes before the get, in
 *   order.
 * - **Orders** ({@link keyOrder}): pairs of operations that every linearization has in that order.
 * - **Dead values** ({@link keyStep}): a value that appends can no longer turn into any get's
 *   value (it is no prefix of one, or, with distinct writes, not where a write of its split
 *   ends) can never be read until a put overwrites it, so all such values are one state, DEAD. An append
 *   that some get's split names must never be applied to, or produce, a dead value (that get
 *   could no longer read it), so the search may reject it there.
 * - **Greedy operations**: a get (it changes nothing, so any linearization can move it forward),
 *   and, in the DEAD state, an append that no split names (it leaves DEAD as it is, and wherever
 *   it goes it makes the value dead).
 *
 * Cost: one pass over the distinct get values in sorted order, which shares the work on common
 * prefixes (in a consistent history most values extend others), so it is about linear in the
 * size of the values' prefix tree.
 */

import type { PartitionView, Pruning, StepContext, StepResult } from "../types.js";
import { basePower, HASH_BASE, stepRegister, type KvInput, type KvOutput, type KvRegister } from "./kv-register.js";

/** Most pairs of kinds 2 and 3 {@link keyOrder} emits per operation of a key (a cost bound; fewer is safe). */
const MAX_PAIRS_PER_OP = 32;

/** How many sorted values after a split {@link keyOrder} looks at for one extending it. */
const MAX_EXTENSION_SCAN = 64;

/** Pruning of a `kvModel` partition (one key): orders, dead values, greedy gets and appends. */
export function pruneKv(view: PartitionView<KvInput, KvOutput>): Pruning<KvRegister, KvInput, KvOutput> {
  const pruning: Pruning<KvRegister, KvInput, KvOutput> = {};
  const keys = [...groupByKey(view).values()];
  const facts = keys.map((ops) => scanKey(ops, view));
  const before: number[] = [];
  for (const f of facts) keyOrder(f, view, before);
  if (before.length > 0) pruning.before = before;
  const isGet = getsOf(view);
  const single = facts.length === 1 ? keyStep(facts[0]!, view) : undefined;
  if (single === undefined) {
    pruning.greedy = (_state, op) => isGet[op] === 1;
    return pruning;
  }
  pruning.step = single.step;
  const unread = single.unread;
  pruning.greedy = (state, op) => isGet[op] === 1 || (state === DEAD && unread[op] === 1);
  return pruning;
}

/** Pruning of a `kvNoPartitionModel` history (all keys at once): the per-key orders, greedy gets. */
export function pruneKvMap<S>(view: PartitionView<KvInput, KvOutput>): Pruning<S, KvInput, KvOutput> {
  const isGet = getsOf(view);
  const pruning: Pruning<S, KvInput, KvOutput> = { greedy: (_state, op) => isGet[op] === 1 };
  const before: number[] = [];
  for (const ops of groupByKey(view).values()) keyOrder(scanKey(ops, view), view, before);
  if (before.length > 0) pruning.before = before;
  return pruning;
}

/** 1 for the gets: they never change the value (in either model, and in {@link keyStep}). */
function getsOf(view: PartitionView<KvInput, KvOutput>): Uint8Array {
  const gets = new Uint8Array(view.n);
  for (let i = 0; i < view.n; i++) gets[i] = view.inputs[i]!.op === "get" ? 1 : 0;
  return gets;
}

function groupByKey(view: PartitionView<KvInput, KvOutput>): Map<string, number[]> {
  const byKey = new Map<string, number[]>();
  for (let i = 0; i < view.n; i++) {
    const key = view.inputs[i]!.key;
    let list = byKey.get(key);
    if (!list) byKey.set(key, (list = []));
    list.push(i);
  }
  return byKey;
}

/** A get whose value splits in exactly one way, and that split. */
interface Split {
  get: number;
  value: string;
  /** The writes named, in order: [a put,] appends. */
  seq: number[];
}

/** What {@link scanKey} learns about one key. */
interface KeyFacts {
  /** The key's operations (indices into the view). */
  ops: readonly number[];
  /** Whether all are gets, puts and appends (no cas). */
  plainOps: boolean;
  /**
   * {@link prefixKey} of every value that can still become some get's value by appends (and of
   * ""): every prefix of every get's value, except that for a value with a unique split only the
   * prefixes ending where one of its writes ends (a concatenation of writes that reaches the
   * value by appends is a split of it, so it is that split), and none for a value no
   * concatenation of distinct writes makes.
   */
  prefixes: Set<number>;
  /**
   * Only when every put and non-empty append writes a distinct value, no put writes "" (it would
   * look like the initial state) and there is no cas (its write depends on the value): the
   * writes, the gets' unique splits, the impossible gets (no split, or only one using an append
   * twice), and whether some get's value splits in several ways.
   */
  splittable?: { writes: number[]; splits: Split[]; impossible: number[]; ambiguous: boolean };
}

/** Set key of a prefix: its length and {@link stringHash} (a collision only keeps a value alive). */
function prefixKey(length: number, hash: number): number {
  return (Math.imul(length, 0x9e3779b1) ^ hash) | 0;
}

/** Map key of an append value: its length and hash. */
function tokenKey(length: number, hash: number): number {
  return (Math.imul(length, 0x85ebca6b) ^ hash) | 0;
}

/**
 * One pass over a key's distinct get values in sorted order: the prefix hashes of every value,
 * and, when the key is splittable, every value's split. Both are computed incrementally: a value
 * shares with the previous one (in sorted order) its common prefix, whose prefix hashes are in
 * `hashes` already, and whose split counts (`ways`, `via`, `from`, see {@link splitEnd}) stay
 * valid. Append values are found by their hash over `hashes` and confirmed with `startsWith`.
 */
function scanKey(ops: readonly number[], view: PartitionView<KvInput, KvOutput>): KeyFacts {
  const { inputs, outputs } = view;
  let plainOps = true;
  let splittable = true;
  const seen = new Set<string>();
  const writes: number[] = [];
  const puts: [string, number][] = [];
  const tokens = new Map<number, number[]>(); // tokenKey -> appends
  const lengthPow = new Map<number, number>(); // append length -> B^length
  const getValues = new Map<string, number[]>(); // value -> its gets
  for (const i of ops) {
    const input = inputs[i]!;
    if (input.op === "get") {
      const v = outputs[i]!.value ?? "";
      let list = getValues.get(v);
      if (!list) getValues.set(v, (list = []));
      list.push(i);
      continue;
    }
    if (input.op !== "put" && input.op !== "append") {
      plainOps = false;
      splittable = false;
      continue;
    }
    const v = input.value ?? "";
    if (v === "") {
      if (input.op === "put") splittable = false;
      continue; // an empty append changes nothing, so it may go anywhere
    }
    if (seen.has(v)) splittable = false;
    seen.add(v);
    writes.push(i);
    if (input.op === "put") {
      puts.push([v, i]);
      continue;
    }
    let h = 0;
    for (let k = 0; k < v.length; k++) h = (Math.imul(h, HASH_BASE) + v.charCodeAt(k)) | 0;
    const tk = tokenKey(v.length, h);
    const list = tokens.get(tk);
    if (list) list.push(i);
    else tokens.set(tk, [i]);
    if (!lengthPow.has(v.length)) lengthPow.set(v.length, basePower(v.length));
  }
  const values = [...getValues.keys()].sort();
  const maxLen = values.reduce((m, v) => Math.max(m, v.length), 0);
  const hashes = new Int32Array(maxLen + 1);
  const prefixes = new Set<number>([prefixKey(0, 0)]);
  const facts: KeyFacts = { ops, plainOps, prefixes };
  const lengths = [...lengthPow.keys()];
  const longest = lengths.reduce((m, l) => Math.max(m, l), 0);
  const ways = new Uint8Array(maxLen + 1);
  const via = new Int32Array(maxLen + 1);
  const from = new Int32Array(maxLen + 1);
  ways[0] = 1; // the initial "" (no put)
  const splits: Split[] = [];
  const impossible: number[] = [];
  let ambiguous = false;
  let prev = "";
  const tables: SplitTables = { ways, via, from, hashes, puts, tokens, lengths, lengthPow, longest, inputs };
  const everyPrefix = (v: string, start: number): void => {
    for (let j = start; j < v.length; j++) prefixes.add(prefixKey(j + 1, hashes[j + 1]!));
  };
  for (const v of values) {
    let lcp = 0;
    while (lcp < prev.length && lcp < v.length && prev.charCodeAt(lcp) === v.charCodeAt(lcp)) lcp++;
    for (let j = lcp; j < v.length; j++) hashes[j + 1] = (Math.imul(hashes[j]!, HASH_BASE) + v.charCodeAt(j)) | 0;
    prev = v;
    if (!splittable) {
      everyPrefix(v, lcp);
      continue;
    }
    const seq = splitEnd(v, lcp, tables);
    const gets = getValues.get(v)!;
    if (seq === "ambiguous") {
      ambiguous = true;
      everyPrefix(v, 0);
    } else if (seq === "none" || new Set(seq).size !== seq.length) {
      impossible.push(...gets); // never readable: no prefix of it needs to stay alive
    } else {
      // Readable only through its split: a value on the way to it ends where a write of the split ends.
      for (let pos = v.length; pos > 0; pos = from[pos]!) prefixes.add(prefixKey(pos, hashes[pos]!));
      for (const g of gets) splits.push({ get: g, value: v, seq });
    }
  }
  if (splittable) facts.splittable = { writes, splits, impossible, ambiguous };
  return facts;
}

/** The split tables and write lookups of {@link scanKey}. */
interface SplitTables {
  /** `ways[i]`: splits (counted up to 2) of `value[0, i)`; `ways[0] = 1`. */
  ways: Uint8Array;
  /** When `ways[i] === 1`: the last write of that split, and where it starts. */
  via: Int32Array;
  from: Int32Array;
  /** Prefix hashes of the value. */
  hashes: Int32Array;
  puts: readonly [string, number][];
  tokens: ReadonlyMap<number, readonly number[]>;
  lengths: readonly number[];
  lengthPow: ReadonlyMap<number, number>;
  longest: number;
  inputs: readonly KvInput[];
}

/**
 * Completes the split tables for `value`, whose first `lcp` characters (and their table entries)
 * it shares with the previous value, and returns its split: the writes in order, "none", or
 * "ambiguous". (A split may use an append twice; the caller checks.)
 */
function splitEnd(value: string, lcp: number, t: SplitTables): number[] | "none" | "ambiguous" {
  const { ways, via, from, hashes } = t;
  const m = value.length;
  for (let j = lcp + 1; j <= m; j++) ways[j] = 0;
  for (const [pv, p] of t.puts) {
    const l = pv.length;
    if (l > lcp && l <= m && value.startsWith(pv)) {
      ways[l] = Math.min(2, ways[l]! + 1);
      via[l] = p;
      from[l] = 0;
    }
  }
  // Only splits ending past the shared prefix are new; they start at most `longest` before it.
  for (let i = Math.max(0, lcp - t.longest + 1); i < m; i++) {
    const w = ways[i]!;
    if (w === 0) continue;
    for (const len of t.lengths) {
      const e = i + len;
      if (e <= lcp || e > m) continue;
      const h = (hashes[e]! - Math.imul(hashes[i]!, t.lengthPow.get(len)!)) | 0;
      const list = t.tokens.get(tokenKey(len, h));
      if (list === undefined) continue;
      for (const op of list) {
        if (!value.startsWith(t.inputs[op]!.value!, i)) continue;
        ways[e] = Math.min(2, ways[e]! + w);
        via[e] = op;
        from[e] = i;
      }
    }
  }
  if (ways[m] === 0) return "none";
  if (ways[m]! > 1) return "ambiguous";
  // Every position on the unique split has exactly one split itself, so via/from are its own.
  const seq: number[] = [];
  for (let pos = m; pos > 0; pos = from[pos]!) seq.push(via[pos]!);
  return seq.reverse();
}

/**
 * Orders every linearization respects, as operation pairs (see `Pruning.before`), from one key's
 * splits. A get g whose value splits uniquely into writes w1 … wm says:
 * 1. w1 → … → wm → g (they happened in that order, all before g);
 * 2. if w1 is an append (or m = 0), no put came before g (else the last one would start the
 *    value), so g comes before every other write;
 * 3. if w1 is a put, it was the last put before g, so every other write that precedes g in real
 *    time comes before w1.
 * An impossible get gets the pair (g, g). Thinning, without losing what the pairs imply: a
 * chain that another split extends is left to that split's chain; and for kind 2, if another
 * split h of kind 2 extends g's by b1, b2, …, "g before b1" (with b1 → … → h from h's chain and
 * h's own pairs) implies all of g's.
 */
function keyOrder(f: KeyFacts, view: PartitionView<KvInput, KvOutput>, pairs: number[]): void {
  const s = f.splittable;
  if (s === undefined) return;
  const { inputs, calls, returns } = view;
  for (const g of s.impossible) pairs.push(g, g);
  let budget = MAX_PAIRS_PER_OP * f.ops.length;
  // Sorted by value, the values starting with a given one follow it.
  const splits = [...s.splits].sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  const plain = (x: Split): boolean => x.seq.length === 0 || inputs[x.seq[0]!]!.op === "append";
  for (let k = 0; k < splits.length; k++) {
    const g = splits[k]!;
    const { get, seq } = g;
    const ext = extension(splits, k, plain(g) ? plain : undefined);
    if (ext === undefined) for (let j = 0; j + 1 < seq.length; j++) pairs.push(seq[j]!, seq[j + 1]!);
    if (seq.length > 0) pairs.push(seq[seq.length - 1]!, get);
    if (plain(g)) {
      if (ext !== undefined) {
        pairs.push(get, ext.seq[seq.length]!);
        continue;
      }
      const inValue = new Set(seq);
      for (const w of s.writes) {
        if (inValue.has(w)) continue;
        if (budget-- <= 0) return;
        pairs.push(get, w);
      }
    } else {
      const inValue = new Set(seq);
      for (const w of s.writes) {
        if (inValue.has(w) || returns[w]! >= calls[get]!) continue;
        if (budget-- <= 0) return;
        pairs.push(w, seq[0]!);
      }
    }
  }
}

/** A split after `splits[k]` (sorted by value) that strictly extends it, and passes `filter`. */
function extension(splits: readonly Split[], k: number, filter: ((s: Split) => boolean) | undefined): Split | undefined {
  const g = splits[k]!;
  for (let j = k + 1; j < splits.length && j <= k + MAX_EXTENSION_SCAN; j++) {
    const h = splits[j]!;
    if (!h.value.startsWith(g.value)) return undefined;
    if (h.seq.length > g.seq.length && (filter === undefined || filter(h)) && g.seq.every((op, i) => h.seq[i] === op)) return h;
  }
  return undefined;
}

/**
 * The state every dead value becomes. Its hash breaks the register invariant
 * (`hash === stringHash(value)`, 0 for ""), so the model's `equal` tells it from every real value.
 */
const DEAD: KvRegister = { value: "", hash: 1 };

/**
 * The specialised step of a one-key partition, and its appends that no get can read (1 in
 * `unread`). Values that appends can no longer turn into any get's value (not in
 * {@link KeyFacts.prefixes}) become {@link DEAD}: until a put overwrites such a value no get
 * succeeds whatever it is, and DEAD behaves the same (gets fail, appends keep it, puts overwrite
 * it). With unique splits (no ambiguous get): an append named by a split is rejected when the
 * value is or would become dead (its get could not read it any more), and an append named by
 * no split is unread: wherever it goes, no get can read the value until the next put (a get
 * reading it would have a second split). Undefined for a key with a cas.
 */
function keyStep(
  f: KeyFacts,
  view: PartitionView<KvInput, KvOutput>,
): { step: (state: KvRegister, input: KvInput, output: KvOutput, ctx: StepContext) => StepResult<KvRegister>; unread: Uint8Array } | undefined {
  if (!f.plainOps) return undefined;
  const { prefixes } = f;
  const step = (state: KvRegister, input: KvInput, output: KvOutput): StepResult<KvRegister> => {
    if (input.op === "get") return state === DEAD ? [false, DEAD] : stepRegister(state, input, output);
    if (state === DEAD && input.op === "append") return [true, DEAD];
    const r = stepRegister(state, input, output);
    const next = r[1];
    return prefixes.has(prefixKey(next.value.length, next.hash)) ? r : [true, DEAD];
  };
  const unread = new Uint8Array(view.n);
  const s = f.splittable;
  if (s === undefined || s.ambiguous) return { step, unread };
  // Write values are distinct, so a value names its append.
  const named = new Set<string>();
  for (const split of s.splits) for (const w of split.seq) if (view.inputs[w]!.op === "append") named.add(view.inputs[w]!.value!);
  for (const w of s.writes) if (view.inputs[w]!.op === "append" && !named.has(view.inputs[w]!.value!)) unread[w] = 1;
  return {
    unread,
    step(state, input, output) {
      const r = step(state, input, output);
      // A named append on or into a dead value: its get can never read it.
      if (r[1] === DEAD && input.op === "append" && named.has(input.value ?? "")) return [false, DEAD];
      return r;
    },
  };
}
