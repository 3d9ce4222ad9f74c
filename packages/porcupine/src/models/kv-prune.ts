/**
 * Pruning for the KV models (`Model.prune`): what the values the gets returned imply about one
 * partition, so that hard histories (many long appends in flight on one key) can be decided.
 *
 * The facts, per key, all exact (none changes a verdict):
 * - **Splits.** When the values written are distinct, a get's value that splits in exactly one
 *   way into [a put's value] + append values names the writes before the get, in order
 *   ({@link analyzeKey}).
 * - **Orders** ({@link keyOrder}): pairs of operations that every linearization has in that order.
 * - **Dead values** ({@link keyStep}): a value that is no prefix of any get's value can never be
 *   read again until a put overwrites it, so all such values are one state, DEAD. An append
 *   that some get's split names must never be applied to, or produce, a dead value (that get
 *   could no longer read it), so the search may reject it there.
 * - **Greedy operations**: a get (it changes nothing, so any linearization can move it forward),
 *   and, in the DEAD state, an append that no split names (it leaves DEAD as it is, and wherever
 *   it goes it makes the value dead).
 */

import type { PartitionView, Pruning, StepContext, StepResult } from "../types.js";
import { HASH_BASE, stepRegister, type KvInput, type KvOutput, type KvRegister } from "./kv-register.js";

/** Most not-before pairs {@link keyOrder} emits per operation of a key (a cost bound; fewer is safe). */
const MAX_PAIRS_PER_OP = 32;

/** Pruning of a `kvModel` partition (one key): orders, dead values, greedy gets and appends. */
export function pruneKv(view: PartitionView<KvInput, KvOutput>): Pruning<KvRegister, KvInput, KvOutput> {
  const pruning: Pruning<KvRegister, KvInput, KvOutput> = {};
  const keys = groupByKey(view);
  const before: number[] = [];
  const analyses = [...keys.values()].map((ops) => analyzeKey(ops, view));
  for (const a of analyses) if (a !== undefined) keyOrder(a, view, before);
  if (before.length > 0) pruning.before = before;
  const isGet = getsOf(view);
  const only = keys.size === 1 ? [...keys.values()][0]! : undefined;
  const single = only !== undefined ? keyStep(only, view, analyses[0]) : undefined;
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
  for (const ops of groupByKey(view).values()) {
    const a = analyzeKey(ops, view);
    if (a !== undefined) keyOrder(a, view, before);
  }
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

/** What the gets of one key say, when its writes are distinct (see {@link analyzeKey}). */
interface KeyAnalysis {
  /** The key's operations (indices into the view). */
  ops: readonly number[];
  /** Its puts and non-empty appends. */
  writes: readonly number[];
  /** Each get with a unique split: the writes it names, in order. */
  splits: { get: number; value: string; seq: number[] }[];
  /** Gets whose value can never be read: no split, or only one using an append twice. */
  impossible: number[];
  /** Whether some get's value splits in several ways. */
  ambiguous: boolean;
}

/**
 * Splits every get's value of one key into writes, when that is meaningful: every put and
 * non-empty append writes a distinct value, no put writes "" (it would look like the initial
 * state), and there is no cas (a cas's write depends on the value). Undefined otherwise.
 */
function analyzeKey(ops: readonly number[], view: PartitionView<KvInput, KvOutput>): KeyAnalysis | undefined {
  const { inputs, outputs } = view;
  const appendsByLength = new Map<number, Map<string, number>>();
  const puts = new Map<string, number>();
  const seen = new Set<string>();
  const gets: number[] = [];
  const writes: number[] = [];
  for (const i of ops) {
    const input = inputs[i]!;
    if (input.op === "get") {
      gets.push(i);
      continue;
    }
    if (input.op !== "put" && input.op !== "append") return undefined;
    const v = input.value ?? "";
    if (v === "") {
      if (input.op === "put") return undefined;
      continue; // an empty append changes nothing, so it may go anywhere
    }
    if (seen.has(v)) return undefined;
    seen.add(v);
    writes.push(i);
    if (input.op === "put") {
      puts.set(v, i);
    } else {
      let m = appendsByLength.get(v.length);
      if (!m) appendsByLength.set(v.length, (m = new Map()));
      m.set(v, i);
    }
  }
  const lengths = [...appendsByLength.keys()];
  const analysis: KeyAnalysis = { ops, writes, splits: [], impossible: [], ambiguous: false };
  for (const g of gets) {
    const value = outputs[g]!.value ?? "";
    const seq = splitValue(value, puts, appendsByLength, lengths);
    if (seq === "ambiguous") analysis.ambiguous = true;
    else if (seq === "none" || new Set(seq).size !== seq.length) analysis.impossible.push(g);
    else analysis.splits.push({ get: g, value, seq });
  }
  return analysis;
}

/**
 * Orders every linearization respects, as operation pairs (see `Pruning.before`), from one key's
 * splits. A get g whose value splits uniquely into writes w1 … wm says:
 * 1. w1 → … → wm → g (they happened in that order, all before g);
 * 2. if w1 is an append, no put came before g (else the last one would start the value), so g
 *    comes before every other write;
 * 3. if w1 is a put, it was the last put before g, so every other write that precedes g in real
 *    time comes before w1.
 * An impossible get gets the pair (g, g). Pairs of kind 2 are thinned without losing what they
 * imply: if another such get h's split extends g's by b1, b2, …, then "g before b1" (with
 * b1 → b2 → … → h from h's chain, and h's own pairs) implies all of g's.
 */
function keyOrder(a: KeyAnalysis, view: PartitionView<KvInput, KvOutput>, pairs: number[]): void {
  const { inputs, calls, returns } = view;
  for (const g of a.impossible) pairs.push(g, g);
  let budget = MAX_PAIRS_PER_OP * a.ops.length;
  const plain: KeyAnalysis["splits"] = [];
  for (const s of a.splits) {
    const { get: g, seq } = s;
    for (let k = 0; k + 1 < seq.length; k++) pairs.push(seq[k]!, seq[k + 1]!);
    if (seq.length > 0) pairs.push(seq[seq.length - 1]!, g);
    const first = seq[0];
    if (first === undefined || inputs[first]!.op === "append") {
      plain.push(s);
      continue;
    }
    const inValue = new Set(seq);
    for (const w of a.writes) {
      if (inValue.has(w) || returns[w]! >= calls[g]!) continue;
      if (budget-- <= 0) return;
      pairs.push(w, first);
    }
  }
  plain.sort((x, y) => x.seq.length - y.seq.length);
  for (let k = 0; k < plain.length; k++) {
    const g = plain[k]!;
    const ext = shortestExtension(plain, k);
    if (ext !== undefined) {
      pairs.push(g.get, ext.seq[g.seq.length]!);
      continue;
    }
    const inValue = new Set(g.seq);
    for (const w of a.writes) {
      if (inValue.has(w)) continue;
      if (budget-- <= 0) return;
      pairs.push(g.get, w);
    }
  }
}

/** The first split after `plain[k]` (sorted by length) that strictly extends it. */
function shortestExtension(plain: KeyAnalysis["splits"], k: number): KeyAnalysis["splits"][number] | undefined {
  const g = plain[k]!;
  for (let j = k + 1; j < plain.length; j++) {
    const h = plain[j]!;
    if (h.seq.length > g.seq.length && h.value.startsWith(g.value) && g.seq.every((op, i) => h.seq[i] === op)) return h;
  }
  return undefined;
}

/**
 * Splits a get's value into [a put's value] + append values: the operations in order, or "none"
 * if no split exists, or "ambiguous" if several do (a split may use an append twice; the caller
 * checks). Dynamic programming over positions: `ways[i]` counts (up to 2) the splits of
 * `value[0, i)`; `via[i]`/`from[i]` are the last operation and where it starts, when unique.
 */
function splitValue(
  value: string,
  puts: ReadonlyMap<string, number>,
  appendsByLength: ReadonlyMap<number, ReadonlyMap<string, number>>,
  lengths: readonly number[],
): number[] | "none" | "ambiguous" {
  const m = value.length;
  const ways = new Uint8Array(m + 1);
  const via = new Int32Array(m + 1).fill(-1);
  const from = new Int32Array(m + 1);
  ways[0] = 1; // from the initial "" (no put)
  for (const [v, p] of puts) {
    if (v.length <= m && value.startsWith(v)) {
      ways[v.length] = Math.min(2, ways[v.length]! + 1);
      via[v.length] = p;
      from[v.length] = 0;
    }
  }
  for (let i = 0; i < m; i++) {
    const w = ways[i]!;
    if (w === 0) continue;
    for (const len of lengths) {
      if (i + len > m) continue;
      const op = appendsByLength.get(len)!.get(value.substring(i, i + len));
      if (op === undefined) continue;
      ways[i + len] = Math.min(2, ways[i + len]! + w);
      via[i + len] = op;
      from[i + len] = i;
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
 * The state every dead value becomes. Its hash breaks the register invariant
 * (`hash === stringHash(value)`, 0 for ""), so the model's `equal` tells it from every real value.
 */
const DEAD: KvRegister = { value: "", hash: 1 };

/** Set key of a prefix: its length and {@link stringHash} (a collision only keeps a value alive). */
function prefixKey(length: number, hash: number): number {
  return (Math.imul(length, 0x9e3779b1) ^ hash) | 0;
}

/**
 * The specialised step of a one-key partition, and its appends that no get can read (1 in
 * `unread`). Values that are no prefix of any get's value become {@link DEAD}: such a value, and
 * anything appended to it, can never equal a get's value, so until a put overwrites it no get
 * succeeds whatever it is, and DEAD behaves the same (gets fail, appends keep it, puts overwrite
 * it). With an analysis and no ambiguous get: an append named by a split is rejected when the
 * value is or would become dead (its get could not read it any more), and an append named by
 * no split is unread: wherever it goes, no get can read the value until the next put (a get
 * reading it would have a second split). Undefined for a cas or several keys.
 */
function keyStep(
  ops: readonly number[],
  view: PartitionView<KvInput, KvOutput>,
  analysis: KeyAnalysis | undefined,
): { step: (state: KvRegister, input: KvInput, output: KvOutput, ctx: StepContext) => StepResult<KvRegister>; unread: Uint8Array } | undefined {
  const values = new Set<string>();
  for (const i of ops) {
    const input = view.inputs[i]!;
    if (input.op !== "get" && input.op !== "put" && input.op !== "append") return undefined;
    if (input.op === "get") values.add(view.outputs[i]!.value ?? "");
  }
  // Hash every prefix of every value; a value that is a prefix of the next (sorted) adds nothing.
  const sorted = [...values].sort();
  const prefixes = new Set<number>([prefixKey(0, 0)]);
  for (let k = 0; k < sorted.length; k++) {
    const v = sorted[k]!;
    if (k + 1 < sorted.length && sorted[k + 1]!.startsWith(v)) continue;
    let h = 0;
    for (let i = 0; i < v.length; i++) {
      h = (Math.imul(h, HASH_BASE) + v.charCodeAt(i)) | 0;
      prefixes.add(prefixKey(i + 1, h));
    }
  }
  // 1: named by a split (must stay readable); 2: named by none (unread). 0: no analysis.
  const role = new Uint8Array(view.n);
  const unread = new Uint8Array(view.n);
  if (analysis !== undefined && !analysis.ambiguous) {
    for (const w of analysis.writes) if (view.inputs[w]!.op === "append") role[w] = 2;
    for (const s of analysis.splits) for (const w of s.seq) role[w] = 1;
    for (const w of analysis.writes) if (role[w] === 2) unread[w] = 1;
  }
  const step = (state: KvRegister, input: KvInput, output: KvOutput): StepResult<KvRegister> => {
    if (input.op === "get") return state === DEAD ? [false, DEAD] : stepRegister(state, input, output);
    if (state === DEAD && input.op === "append") return [true, DEAD];
    const r = stepRegister(state, input, output);
    const next = r[1];
    return prefixes.has(prefixKey(next.value.length, next.hash)) ? r : [true, DEAD];
  };
  if (analysis === undefined || analysis.ambiguous) return { step, unread };
  // The values of the named appends (write values are distinct, so a value names its append).
  const named = new Set<string>();
  for (const w of analysis.writes) if (role[w] === 1 && view.inputs[w]!.op === "append") named.add(view.inputs[w]!.value!);
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
