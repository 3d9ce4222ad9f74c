/**
 * One key of the KV model: operation types, the register state with its incrementally
 * maintained hash, and the register's step (shared by the KV models and their pruning).
 */

import type { StepResult } from "../types.js";

/**
 * Operation kinds of the KV service. `append-return` is Go's op 3 (Lab 2's Append, which returns
 * the value it appended to): legal when its output equals the state, which it then extends.
 */
export type KvOp = "get" | "put" | "append" | "append-return" | "cas";

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
  /** get: the value read; append-return: the value before the append (missing means ""). */
  value?: string;
  /** cas: whether the write happened. */
  ok?: boolean;
}

/** Multiplier of the polynomial string hash (an odd constant with well-mixed bits). */
export const HASH_BASE = 0x01000193;

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
export function basePower(n: number): number {
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

/** The initial register (""). */
export const EMPTY_REGISTER: KvRegister = { value: "", hash: 0 };

/** A register holding `value`. */
export function register(value: string): KvRegister {
  return { value, hash: stringHash(value) };
}

/** `state` with `v` appended, its hash extended in O(|v|). */
function appended(state: KvRegister, v: string): KvRegister {
  if (v === "") return state;
  const hash = (Math.imul(state.hash, basePower(v.length)) + stringHash(v)) | 0;
  return { value: state.value + v, hash };
}

/** One step of a single key's register; shared by both models. */
export function stepRegister(state: KvRegister, input: KvInput, output: KvOutput): StepResult<KvRegister> {
  switch (input.op) {
    case "get":
      return [(output.value ?? "") === state.value, state];
    case "put":
      return [true, register(input.value ?? "")];
    case "append":
      return [true, appended(state, input.value ?? "")];
    case "append-return":
      return [(output.value ?? "") === state.value, appended(state, input.value ?? "")];
    case "cas": {
      const matches = state.value === (input.expected ?? "");
      return [output.ok === matches, matches ? register(input.value ?? "") : state];
    }
    default:
      return [false, state];
  }
}
