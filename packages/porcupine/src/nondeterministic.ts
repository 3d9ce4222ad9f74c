/**
 * Power-set construction: turns a {@link NondeterministicModel} into a deterministic
 * {@link Model} whose state is the deduplicated list of possible states.
 */

import { describeOperationOf, formatValue } from "./info.js";
import type { Model, NondeterministicModel, StepContext, StepResult } from "./types.js";

/**
 * Converts a nondeterministic model. The state is an array of distinct member states; a step is
 * legal iff some member has a successor; `equal` is set equality; `hash` (only if the model has
 * one) XORs member hashes, which is order-independent and so consistent with set equality.
 */
export function nondeterministicToModel<S, I, O>(m: NondeterministicModel<S, I, O>): Model<S[], I, O> {
  if (typeof m?.init !== "function") {
    throw new TypeError("porcupine: nondeterministic model.init is missing; define init() returning the list of initial states");
  }
  if (typeof m.step !== "function") {
    throw new TypeError("porcupine: nondeterministic model.step is missing; define step(state, input, output) returning the list of next states");
  }
  const eq: (a: S, b: S) => boolean = m.equal ? m.equal.bind(m) : Object.is;
  const dedup = (states: readonly S[]): S[] => {
    const out: S[] = [];
    for (const s of states) if (!out.some((t) => eq(s, t))) out.push(s);
    return out;
  };
  const model: Model<S[], I, O> = {
    init: () => dedup(m.init()),
    step(state: S[], input: I, output: O, ctx: StepContext): StepResult<S[]> {
      const all: S[] = [];
      for (const s of state) {
        // A member's successors can be expensive to enumerate: honour cancellation between them.
        if (ctx.cancelled()) return [false, []];
        for (const t of m.step(s, input, output, ctx)) all.push(t);
      }
      const next = dedup(all);
      return [next.length > 0, next];
    },
    equal: (a, b) => a.length === b.length && a.every((x) => b.some((y) => eq(x, y))),
    describeOperation: (input, output) => describeOperationOf(m, input, output),
    describeState: (states) => `{${states.map((s) => (m.describeState ? m.describeState(s) : formatValue(s))).join(", ")}}`,
  };
  if (m.hash) {
    const h = m.hash.bind(m);
    model.hash = (states) => {
      let x = 0;
      for (const s of states) x ^= h(s);
      return x;
    };
  }
  if (m.partition) model.partition = m.partition.bind(m);
  if (m.partitionEvent) model.partitionEvent = m.partitionEvent.bind(m);
  if (m.describeOperationMetadata) model.describeOperationMetadata = m.describeOperationMetadata.bind(m);
  return model;
}
