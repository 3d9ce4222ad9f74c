/**
 * The lab's key/value model (6.5840 `models/kv.go`): get / put / append per key, plus a
 * compare-and-set, partitioned by key (P-compositionality), and a no-partition variant whose
 * state is the whole map.
 */

import type { Event, Model, Operation } from "porcupine";

/** Operation kinds of the KV service. */
export type KvOp = "get" | "put" | "append" | "cas";

/** Input of a KV operation. */
export interface KvInput {
  /** Which operation. */
  op: KvOp;
  /** The key. */
  key: string;
  /** put/append/cas: the value written (get: ignored, usually ""). */
  value?: string;
  /** cas: the value the key must hold for the write to happen. */
  expected?: string;
}

/** Output of a KV operation. */
export interface KvOutput {
  /** get: the value read (missing means ""). */
  value?: string;
  /** cas: whether the write happened. */
  ok?: boolean;
}

/**
 * Cheap state hash consistent with string equality: equal strings have equal lengths and equal
 * characters at the same positions. Reading a few characters instead of all of them keeps the
 * per-step cost O(1) although appended values grow long.
 */
export function stringHash(s: string): number {
  const n = s.length;
  let h = Math.imul(n, 0x9e3779b1);
  const take = n < 16 ? n : 16;
  for (let i = 1; i <= take; i++) h = Math.imul(h ^ s.charCodeAt(n - i), 0x01000193);
  for (let i = 0; i < take; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

/** One step of a single key's register; shared by both models. */
function stepValue(state: string, input: KvInput, output: KvOutput): [boolean, string] {
  switch (input.op) {
    case "get":
      return [(output.value ?? "") === state, state];
    case "put":
      return [true, input.value ?? ""];
    case "append":
      return [true, state + (input.value ?? "")];
    case "cas": {
      const matches = state === (input.expected ?? "");
      return [output.ok === matches, matches ? (input.value ?? "") : state];
    }
    default:
      return [false, state];
  }
}

/** `get('k') -> 'v'`, `put('k', 'v')`, `append('k', 'v')`, `cas('k', 'e', 'v') -> ok`. */
export function describeKvOperation(input: KvInput, output: KvOutput): string {
  switch (input.op) {
    case "get":
      return `get('${input.key}') -> '${output.value ?? ""}'`;
    case "put":
      return `put('${input.key}', '${input.value ?? ""}')`;
    case "append":
      return `append('${input.key}', '${input.value ?? ""}')`;
    case "cas":
      return `cas('${input.key}', '${input.expected ?? ""}', '${input.value ?? ""}') -> ${output.ok ? "ok" : "fail"}`;
    default:
      return "<invalid>";
  }
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Groups operations by key, in sorted key order. */
export function partitionKvOperations(history: Operation<KvInput, KvOutput>[]): Operation<KvInput, KvOutput>[][] {
  const byKey = new Map<string, Operation<KvInput, KvOutput>[]>();
  for (const op of history) {
    let list = byKey.get(op.input.key);
    if (!list) byKey.set(op.input.key, (list = []));
    list.push(op);
  }
  return [...byKey.keys()].sort(compareKeys).map((k) => byKey.get(k)!);
}

/**
 * Groups events by the key of their operation's call, in sorted key order (Go uses map order,
 * which is random). A return goes with its call; a return whose call is unknown goes to its
 * own group so that validation reports it.
 */
export function partitionKvEvents(history: Event<KvInput | KvOutput>[]): Event<KvInput | KvOutput>[][] {
  const keyOfId = new Map<number, string>();
  const byKey = new Map<string, Event<KvInput | KvOutput>[]>();
  const orphans: Event<KvInput | KvOutput>[] = [];
  for (const ev of history) {
    let key: string | undefined;
    if (ev.kind === "call") {
      key = (ev.value as KvInput).key;
      keyOfId.set(ev.id, key);
    } else {
      key = keyOfId.get(ev.id);
    }
    if (key === undefined) {
      orphans.push(ev);
      continue;
    }
    let list = byKey.get(key);
    if (!list) byKey.set(key, (list = []));
    list.push(ev);
  }
  const parts = [...byKey.keys()].sort(compareKeys).map((k) => byKey.get(k)!);
  if (orphans.length > 0) parts.push(orphans);
  return parts;
}

/** The partitioned KV model: one string register per key, initially "". */
export const kvModel: Model<string, KvInput, KvOutput> = {
  partition: partitionKvOperations,
  partitionEvent: partitionKvEvents,
  init: () => "",
  step: stepValue,
  hash: stringHash,
  describeOperation: describeKvOperation,
  describeState: (state) => `'${state}'`,
};

/** State of the no-partition model: the whole map, with an incrementally maintained hash. */
export interface KvMapState {
  /** Key -> value. Never mutated: steps copy it. */
  readonly map: ReadonlyMap<string, string>;
  /** XOR over entries of `entryHash(key, value)`. */
  readonly hash: number;
}

function entryHash(key: string, value: string): number {
  return stringHash(key) ^ Math.imul(stringHash(value), 0x85ebca6b);
}

/** The KV model without partitioning: checks the whole history at once (slow; a test of the checker). */
export const kvNoPartitionModel: Model<KvMapState, KvInput, KvOutput> = {
  init: () => ({ map: new Map(), hash: 0 }),
  step(state, input, output) {
    const old = state.map.get(input.key);
    const [ok, next] = stepValue(old ?? "", input, output);
    if (!ok) return [false, state];
    // Unchanged register (get, failed cas): share the state; a missing key stays missing.
    if (input.op === "get" || (old !== undefined ? next === old : input.op === "cas" && output.ok !== true)) {
      return [true, state];
    }
    const map = new Map(state.map);
    map.set(input.key, next);
    let hash = state.hash ^ entryHash(input.key, next);
    if (old !== undefined) hash ^= entryHash(input.key, old);
    return [true, { map, hash }];
  },
  equal(a, b) {
    if (a === b) return true;
    if (a.hash !== b.hash || a.map.size !== b.map.size) return false;
    for (const [k, v] of a.map) if (b.map.get(k) !== v) return false;
    return true;
  },
  hash: (s) => s.hash,
  describeOperation: describeKvOperation,
  describeState(state) {
    const keys = [...state.map.keys()].sort(compareKeys);
    return `{${keys.map((k) => `'${k}': '${state.map.get(k)!}'`).join(", ")}}`;
  },
};
