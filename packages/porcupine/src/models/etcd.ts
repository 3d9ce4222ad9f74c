/**
 * The register model of the Jepsen etcd histories (one key; read / write / compare-and-set),
 * with "unknown" outputs for operations whose outcome the test never learned.
 */

import type { Model } from "../types.js";

/** Operation kinds of the etcd register. */
export type EtcdOp = "read" | "write" | "cas";

/** Input of an etcd operation: `write(arg1)`, `cas(arg1 -> arg2)`, `read()`. */
export interface EtcdInput {
  /** Which operation. */
  op: EtcdOp;
  /** write: the value; cas: the expected value; read: unused (0). */
  arg1: number;
  /** cas: the new value; otherwise unused (0). */
  arg2: number;
}

/** Output of an etcd operation. */
export interface EtcdOutput {
  /** read: whether the key had a value. */
  exists: boolean;
  /** read: the value, when `exists`. */
  value: number;
  /** cas: whether it succeeded. */
  ok: boolean;
  /** The operation timed out: any outcome is possible. */
  unknown: boolean;
}

/** State meaning "the key has no value yet" (as in Go porcupine's tests). */
export const ETCD_NO_VALUE = -1000000;

/** Builds an output; omitted fields are false/0. */
export function etcdOutput(o: Partial<EtcdOutput>): EtcdOutput {
  return { exists: o.exists ?? false, value: o.value ?? 0, ok: o.ok ?? false, unknown: o.unknown ?? false };
}

/**
 * The etcd register model. State: the value, or {@link ETCD_NO_VALUE}. Unknown outputs are
 * accepted in any state; an unknown cas is applied when it would have succeeded (sound here:
 * never-completed operations return at the very end, so they can always be linearized last).
 */
export const etcdModel: Model<number, EtcdInput, EtcdOutput> = {
  init: () => ETCD_NO_VALUE,
  step(state, input, output) {
    switch (input.op) {
      case "read": {
        const legal =
          output.unknown ||
          (output.exists ? output.value === state : state === ETCD_NO_VALUE);
        return [legal, state];
      }
      case "write":
        return [true, input.arg1];
      case "cas": {
        const matches = input.arg1 === state;
        const legal = output.unknown || matches === output.ok;
        return [legal, matches ? input.arg2 : state];
      }
      default:
        return [false, state];
    }
  },
  describeOperation(input, output) {
    switch (input.op) {
      case "read":
        return output.unknown ? "read() -> unknown" : `read() -> ${output.exists ? output.value : "null"}`;
      case "write":
        return `write(${input.arg1})`;
      case "cas":
        return `cas(${input.arg1}, ${input.arg2}) -> ${output.unknown ? "unknown" : output.ok ? "ok" : "fail"}`;
      default:
        return "<invalid>";
    }
  },
  describeState: (state) => (state === ETCD_NO_VALUE ? "null" : String(state)),
};
