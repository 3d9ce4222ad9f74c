/**
 * The lab's key/value model (6.5840 `models/kv.go`): get / put / append per key, plus a
 * compare-and-set, partitioned by key (P-compositionality), and a no-partition variant whose
 * state is the whole map.
 */

import type { Event, Model, Operation, StepResult } from "porcupine";

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

/** Multiplier of the polynomial string hash (an odd constant with well-mixed bits). */
const HASH_BASE = 0x01000193;

/**
 * Polynomial hash of a string mod 2^32: `h(s) = sum of s[i] * B^(n-1-i)`. It depends only on the
 * content (so it is consistent with string equality) and can be extended in O(|v|) when `v` is
 * appended: `h(s + v) = h(s) * B^|v| + h(v)`.
 */
export function stringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, HASH_BASE) + s.charCodeAt(i)) | 0;
  return h;
}

/** `B^n mod 2^32`. */
function basePower(n: number): number {
  let p = 1;
  for (let i = 0; i < n; i++) p = Math.imul(p, HASH_BASE);
  return p;
}

/**
 * One key's value plus its {@link stringHash}, maintained incrementally: appends make values
 * long, and rehashing them on every step would cost O(length).
 */
export interface KvRegister {
  /** The value ("" initially). */
  readonly value: string;
  /** `stringHash(value)`. */
  readonly hash: number;
}

const EMPTY_REGISTER: KvRegister = { value: "", hash: 0 };

function register(value: string): KvRegister {
  return { value, hash: stringHash(value) };
}

/** One step of a single key's register; shared by both models. */
function stepRegister(state: KvRegister, input: KvInput, output: KvOutput): StepResult<KvRegister> {
  switch (input.op) {
    case "get":
      return [(output.value ?? "") === state.value, state];
    case "put":
      return [true, register(input.value ?? "")];
    case "append": {
      const v = input.value ?? "";
      if (v === "") return [true, state];
      const hash = (Math.imul(state.hash, basePower(v.length)) + stringHash(v)) | 0;
      return [true, { value: state.value + v, hash }];
    }
    case "cas": {
      const matches = state.value === (input.expected ?? "");
      return [output.ok === matches, matches ? register(input.value ?? "") : state];
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
  describeOperation: describeKvOperation,
  describeState: (state) => `'${state.value}'`,
};

/**
 * Keys seen by the no-partition model, interned to small indices so that its state can be a
 * short array (cheap to copy on every write) instead of a Map. Grows with the number of
 * distinct keys ever checked in this process.
 */
const keyIndex = new Map<string, number>();
const keyNames: string[] = [];

function internKey(key: string): number {
  let i = keyIndex.get(key);
  if (i === undefined) {
    i = keyNames.length;
    keyIndex.set(key, i);
    keyNames.push(key);
  }
  return i;
}

/** State of the no-partition model: the whole map, with an incrementally maintained hash. */
export interface KvMapState {
  /** Interned key index -> register; `undefined` when the key is absent. Never mutated. */
  readonly regs: readonly (KvRegister | undefined)[];
  /** XOR over present keys of `entryHash(index, register)`. */
  readonly hash: number;
}

function entryHash(index: number, reg: KvRegister): number {
  return Math.imul(index + 1, 0x9e3779b1) ^ Math.imul(reg.hash, 0x85ebca6b);
}

function sameRegister(a: KvRegister | undefined, b: KvRegister | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.hash === b.hash && a.value === b.value);
}

/** The KV model without partitioning: checks the whole history at once (slow; a test of the checker). */
export const kvNoPartitionModel: Model<KvMapState, KvInput, KvOutput> = {
  init: () => ({ regs: [], hash: 0 }),
  step(state, input, output) {
    const idx = internKey(input.key);
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
    let hash = state.hash ^ entryHash(idx, next);
    if (old !== undefined) hash ^= entryHash(idx, old);
    return [true, { regs, hash }];
  },
  equal(a, b) {
    if (a === b) return true;
    if (a.hash !== b.hash) return false;
    const n = Math.max(a.regs.length, b.regs.length);
    for (let i = 0; i < n; i++) if (!sameRegister(a.regs[i], b.regs[i])) return false;
    return true;
  },
  hash: (s) => s.hash,
  describeOperation: describeKvOperation,
  describeState(state) {
    const entries: [string, string][] = [];
    state.regs.forEach((r, i) => {
      if (r !== undefined) entries.push([keyNames[i]!, r.value]);
    });
    entries.sort(([a], [b]) => compareKeys(a, b));
    return `{${entries.map(([k, v]) => `'${k}': '${v}'`).join(", ")}}`;
  },
};
