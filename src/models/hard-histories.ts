/**
 * Generator of hard KV histories for the checker: many clients, a handful of keys, long
 * operations that overlap many others, concentrated on one "hot" key. Such histories make the
 * plain WGL search explode: with k appends in flight, every order of them is a different state.
 *
 * How a history is made (so that its verdict is known without a checker):
 * 1. Every client runs its operations one after another; each operation gets a call time, a
 *    duration (a few are long) and a linearization point drawn inside `[call, return]`.
 * 2. The operations are applied to a sequential KV store in linearization-point order, which
 *    gives every get its output. That order respects real time (a client's next call comes after
 *    its previous return, and points lie inside their intervals), so the history is linearizable
 *    and `witness` is a linearization of it.
 * 3. With `violation: "stale-read"`, one get of the hot key loses the token of an append that
 *    returned before the get was called and was linearized after the put its value starts with,
 *    if any; no linearization can produce that value any more (see {@link plantStaleRead}).
 *
 * Append and put values are unique tokens (`x <client> <seq> y`, `p <client> <seq> q`), as in
 * the labs' tests.
 */

import type { Operation } from "porcupine";
import type { KvInput, KvOutput } from "./kv.js";

/** Parameters of {@link generateHardHistory}. */
export interface HardHistoryOptions {
  /** Number of clients (each runs `opsPerClient` operations one after another). */
  clients: number;
  /** Operations per client. */
  opsPerClient: number;
  /** Number of keys ("0", "1", …); key "0" is the hot key. */
  keys: number;
  /** Probability that an operation is on the hot key (the rest are spread evenly). Default 0.5. */
  hotShare?: number;
  /** Probability that an operation is long (100-1500 time units instead of 1-30). Default 0.3. */
  longShare?: number;
  /** Probability that an operation is a get (the rest: appends, and puts). Default 0.4. */
  getShare?: number;
  /** Probability that an operation is a put. Default 0.05. */
  putShare?: number;
  /** Seed of the generator's PRNG. */
  seed: number;
  /** Plant a violation on the hot key (the history is then not linearizable). */
  violation?: "stale-read";
}

/** A generated history, with what is known about it by construction. */
export interface HardHistory {
  /** The operations, in client order (client 0's first, …). */
  operations: Operation<KvInput, KvOutput>[];
  /** Whether the history is linearizable (false iff a violation was planted). */
  linearizable: boolean;
  /** Indices into `operations` in linearization-point order (a witness when linearizable). */
  witness: number[];
  /** With a violation: the index of the tampered get and of the append whose token it lost. */
  planted?: { get: number; append: number };
}

/** mulberry32: a small, fast, seedable PRNG (uniform in [0, 1)). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Draft {
  op: Operation<KvInput, KvOutput>;
  point: number;
}

/** Generates a hard history; see the module comment. Deterministic for a given `options`. */
export function generateHardHistory(options: HardHistoryOptions): HardHistory {
  const { clients, opsPerClient, keys, seed } = options;
  for (const [name, v] of [["clients", clients], ["opsPerClient", opsPerClient], ["keys", keys]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`generateHardHistory: ${name} must be a positive integer, got ${v}`);
  }
  const hotShare = options.hotShare ?? 0.5;
  const longShare = options.longShare ?? 0.3;
  const getShare = options.getShare ?? 0.4;
  const putShare = options.putShare ?? 0.05;
  const rand = prng(seed);
  const randInt = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const drafts: Draft[] = [];
  for (let c = 0; c < clients; c++) {
    let t = randInt(0, 50);
    for (let s = 0; s < opsPerClient; s++) {
      const key = keys === 1 || rand() < hotShare ? "0" : String(randInt(1, keys - 1));
      const long = rand() < longShare;
      const duration = long ? randInt(100, 1500) : randInt(1, 30);
      const call = t;
      const ret = call + duration;
      const r = rand();
      let input: KvInput;
      if (r < getShare) input = { op: "get", key };
      else if (r < getShare + putShare) input = { op: "put", key, value: `p ${c} ${s} q` };
      else input = { op: "append", key, value: `x ${c} ${s} y` };
      drafts.push({ op: { clientId: c, input, call, output: {}, return: ret }, point: randInt(call, ret) });
      t = ret + randInt(1, 20);
    }
  }
  // Apply in linearization-point order (ties: draft order, which is deterministic).
  const order = drafts.map((_, i) => i).sort((a, b) => drafts[a]!.point - drafts[b]!.point || a - b);
  const store = new Map<string, string>();
  for (const i of order) {
    const { op } = drafts[i]!;
    const { key } = op.input;
    const cur = store.get(key) ?? "";
    if (op.input.op === "get") op.output = { value: cur };
    else if (op.input.op === "put") store.set(key, op.input.value!);
    else store.set(key, cur + op.input.value!);
  }
  const history: HardHistory = { operations: drafts.map((d) => d.op), linearizable: true, witness: order };
  if (options.violation === "stale-read") {
    const planted = plantStaleRead(history.operations, drafts.map((d) => d.point));
    if (planted === undefined) {
      throw new Error(`generateHardHistory: seed ${seed} gives no get to tamper with; use another seed or more operations`);
    }
    history.planted = planted;
    history.linearizable = false;
  }
  return history;
}

/**
 * Removes from one hot-key get's value the token of an append `a` such that `a` returned before
 * the get was called, and the put `p` the value starts with (if any) returned before `a` was
 * called. Why no linearization can then exist: tokens are unique, so the value still starts with
 * `p`'s token (or with none, if there is no put prefix), so `p` must be the last put before the
 * get (or no put may come before it); `a` must come after `p` and before the get by real time;
 * so `a`'s token must be in the value, and it is not. Picks the latest such get. Returns the
 * indices, or undefined if no get qualifies.
 */
export function plantStaleRead(
  operations: Operation<KvInput, KvOutput>[],
  points: readonly number[],
): { get: number; append: number } | undefined {
  const byPoint = operations.map((_, i) => i).sort((a, b) => points[a]! - points[b]! || a - b);
  // For each hot-key get, in point order: the put its value starts from and the appends after it.
  let lastPut: number | undefined;
  let appends: number[] = [];
  let best: { get: number; append: number } | undefined;
  for (const i of byPoint) {
    const op = operations[i]!;
    if (op.input.key !== "0") continue;
    if (op.input.op === "put") {
      lastPut = i;
      appends = [];
    } else if (op.input.op === "append") {
      appends.push(i);
    } else if (op.input.op === "get") {
      const putReturn = lastPut === undefined ? -Infinity : Number(operations[lastPut]!.return);
      const a = appends.find((j) => Number(operations[j]!.return) < Number(op.call) && Number(operations[j]!.call) > putReturn);
      if (a !== undefined) best = { get: i, append: a };
    }
  }
  if (best === undefined) return undefined;
  const get = operations[best.get]!;
  const token = operations[best.append]!.input.value!;
  get.output = { value: get.output.value!.replace(token, "") };
  return best;
}
