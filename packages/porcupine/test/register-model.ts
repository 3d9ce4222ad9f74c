/**
 * A test model shared by the visualizer tests: a register where put(v) sets the value and
 * get() -> v reads it. An operation's label, when given, is shown verbatim (to smuggle markup into
 * the page and check that it is escaped).
 */
import type { Model } from "porcupine";

export interface RegInput {
  op: "put" | "get";
  value: number;
  label?: string;
}

export const register: Model<number, RegInput, number> = {
  init: () => 0,
  step: (state, input, output) => (input.op === "put" ? [true, input.value] : [output === state, state]),
  describeOperation: (input, output) =>
    input.label ?? (input.op === "put" ? `put(${input.value})` : `get() -> ${output}`),
  describeState: (s) => `value=${s}`,
};
