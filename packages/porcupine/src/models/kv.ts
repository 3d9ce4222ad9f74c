/**
 * The lab's key/value model (6.5840 `models/kv.go`): get / put / append per key, Lab 2's append
 * that returns the old value (Go's op 3), plus a compare-and-set, partitioned by key (P-compositionality), and a no-partition variant whose
 * state is the whole map.
 */

import type { Event, Model, Operation } from "../types.js";
import { EMPTY_REGISTER, stepRegister, stringHash, type KvInput, type KvOutput, type KvRegister } from "./kv-register.js";
import { pruneKv, pruneKvMap } from "./kv-prune.js";

export { stringHash } from "./kv-register.js";
export type { KvInput, KvOp, KvOutput, KvRegister } from "./kv-register.js";

/** `get('k') -> 'v'`, `put('k', 'v')`, `append('k', 'v')`, `append('k', 'v') -> 'old'`, `cas('k', 'e', 'v') -> ok`. */
export function describeKvOperation(input: KvInput, output: KvOutput): string {
  switch (input.op) {
    case "get":
      return `get('${input.key}') -> '${output.value ?? ""}'`;
    case "put":
      return `put('${input.key}', '${input.value ?? ""}')`;
    case "append":
      return `append('${input.key}', '${input.value ?? ""}')`;
    case "append-return":
      return `append('${input.key}', '${input.value ?? ""}') -> '${output.value ?? ""}'`;
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

/**
 * The partitioned KV model: one register per key, initially "". (Go's state is the bare string;
 * here it also carries the string's hash, see {@link KvRegister}.)
 */
export const kvModel: Model<KvRegister, KvInput, KvOutput> = {
  partition: partitionKvOperations,
  partitionEvent: partitionKvEvents,
  init: () => EMPTY_REGISTER,
  step: stepRegister,
  equal: (a, b) => a === b || (a.hash === b.hash && a.value === b.value),
  hash: (s) => s.hash,
  prune: pruneKv,
  describeOperation: describeKvOperation,
  describeState: (state) => `'${state.value}'`,
};

/**
 * The keys of one check, interned to small indices so that the no-partition state can be a short
 * array (cheap to copy on every write) instead of a Map. Each `init()` starts a new table that
 * every state derived from it shares; it only grows, so an index never changes meaning within a
 * check, and hashes do not depend on what was checked before.
 */
export class KvKeyTable {
  private readonly index = new Map<string, number>();
  /** Index -> key. */
  readonly names: string[] = [];
  /** Index -> `stringHash(key)`: state hashes depend on keys, not on the order they were met. */
  readonly hashes: number[] = [];

  /** The index of `key`, assigning the next one on first sight. */
  intern(key: string): number {
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.names.length;
      this.index.set(key, i);
      this.names.push(key);
      this.hashes.push(stringHash(key));
    }
    return i;
  }
}

/** State of the no-partition model: the whole map, with an incrementally maintained hash. */
export interface KvMapState {
  /** Key index (in `keys`) -> register; `undefined` when the key is absent. Never mutated. */
  readonly regs: readonly (KvRegister | undefined)[];
  /** XOR over present keys of `entryHash(stringHash(key), register)`. */
  readonly hash: number;
  /** The check's key table, shared by all its states. */
  readonly keys: KvKeyTable;
}

function entryHash(keyHash: number, reg: KvRegister): number {
  return Math.imul(keyHash ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(reg.hash, 0x85ebca6b);
}

function sameRegister(a: KvRegister | undefined, b: KvRegister | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.hash === b.hash && a.value === b.value);
}

/** Map equality of two states with different key tables, key by key. */
function sameMap(a: KvMapState, b: KvMapState): boolean {
  const entries = (s: KvMapState): Map<string, KvRegister> => {
    const m = new Map<string, KvRegister>();
    s.regs.forEach((r, i) => {
      if (r !== undefined) m.set(s.keys.names[i]!, r);
    });
    return m;
  };
  const ma = entries(a);
  const mb = entries(b);
  if (ma.size !== mb.size) return false;
  for (const [k, r] of ma) if (!sameRegister(r, mb.get(k))) return false;
  return true;
}

/** The KV model without partitioning: checks the whole history at once (slow; a test of the checker). */
export const kvNoPartitionModel: Model<KvMapState, KvInput, KvOutput> = {
  init: () => ({ regs: [], hash: 0, keys: new KvKeyTable() }),
  step(state, input, output) {
    const idx = state.keys.intern(input.key);
    const old = state.regs[idx];
    const [ok, next] = stepRegister(old ?? EMPTY_REGISTER, input, output);
    if (!ok) return [false, state];
    // Unchanged register (get, failed cas, empty append): share the state; a missing key stays
    // missing, as in Go where a get does not create the key.
    if (next === (old ?? EMPTY_REGISTER) && !(old === undefined && input.op !== "get" && input.op !== "cas")) {
      return [true, state];
    }
    const regs = state.regs.slice();
    while (regs.length <= idx) regs.push(undefined);
    regs[idx] = next;
    const keyHash = state.keys.hashes[idx]!;
    let hash = state.hash ^ entryHash(keyHash, next);
    if (old !== undefined) hash ^= entryHash(keyHash, old);
    return [true, { regs, hash, keys: state.keys }];
  },
  equal(a, b) {
    if (a === b) return true;
    if (a.hash !== b.hash) return false;
    if (a.keys !== b.keys) return sameMap(a, b); // states of different checks (not met in a search)
    const n = Math.max(a.regs.length, b.regs.length);
    for (let i = 0; i < n; i++) if (!sameRegister(a.regs[i], b.regs[i])) return false;
    return true;
  },
  hash: (s) => s.hash,
  prune: pruneKvMap,
  describeOperation: describeKvOperation,
  describeState(state) {
    const entries: [string, string][] = [];
    state.regs.forEach((r, i) => {
      if (r !== undefined) entries.push([state.keys.names[i]!, r.value]);
    });
    entries.sort(([a], [b]) => compareKeys(a, b));
    return `{${entries.map(([k, v]) => `'${k}': '${v}'`).join(", ")}}`;
  },
};
