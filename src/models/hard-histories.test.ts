import { checkOperationsDetailed } from "porcupine";
import { describe, expect, it } from "vitest";
import { generateHardHistory, type HardHistory, type HardHistoryOptions } from "./hard-histories.js";
import { kvModel } from "./kv.js";

// The generator's promises are checked without the checker: the witness is replayed through the
// model, and the planted violation is checked against its definition. Then the checker must
// decide the histories within a step budget that Go's search cannot (a deterministic measure;
// time and memory are the bench's business).

const SHAPES: HardHistoryOptions[] = [
  { clients: 22, opsPerClient: 10, keys: 1, seed: 1 },
  { clients: 30, opsPerClient: 40, keys: 5, seed: 2 },
  { clients: 40, opsPerClient: 40, keys: 3, seed: 3, longShare: 0.6 },
];

const never = { cancelled: () => false };

/** Replays `witness` through kvModel.step; true iff every operation is legal in that order. */
function replays(h: HardHistory): boolean {
  const state = new Map<string, ReturnType<typeof kvModel.init>>();
  for (const i of h.witness) {
    const op = h.operations[i]!;
    const [ok, next] = kvModel.step(state.get(op.input.key) ?? kvModel.init(), op.input, op.output, never);
    if (!ok) return false;
    state.set(op.input.key, next);
  }
  return true;
}

describe("hard history generator", () => {
  it("has the asked shape: clients, operations, keys, a hot key, long overlapping operations", () => {
    for (const shape of SHAPES) {
      const h = generateHardHistory(shape);
      expect(h.operations).toHaveLength(shape.clients * shape.opsPerClient);
      expect(new Set(h.operations.map((o) => o.clientId)).size).toBe(shape.clients);
      const keys = new Set(h.operations.map((o) => o.input.key));
      expect(keys.size).toBe(shape.keys);
      if (shape.keys > 1) {
        const hot = h.operations.filter((o) => o.input.key === "0").length;
        expect(hot).toBeGreaterThan((h.operations.length * 0.9) / 2);
      }
      // Each client is sequential; many operations are long and overlap many others.
      for (let c = 0; c < shape.clients; c++) {
        const mine = h.operations.filter((o) => o.clientId === c);
        for (let k = 1; k < mine.length; k++) expect(Number(mine[k]!.call)).toBeGreaterThan(Number(mine[k - 1]!.return));
      }
      const long = h.operations.filter((o) => Number(o.return) - Number(o.call) >= 100).length;
      expect(long).toBeGreaterThan(h.operations.length * 0.15);
    }
  });
  it("is deterministic for a seed and differs across seeds", () => {
    expect(generateHardHistory(SHAPES[0]!)).toEqual(generateHardHistory(SHAPES[0]!));
    expect(generateHardHistory({ ...SHAPES[0]!, seed: 9 }).operations).not.toEqual(generateHardHistory(SHAPES[0]!).operations);
  });
  it("the witness is a linearization: legal in the model and in real-time order", () => {
    for (const shape of SHAPES) {
      const h = generateHardHistory(shape);
      expect(h.linearizable).toBe(true);
      expect(replays(h)).toBe(true);
      const pos = new Map(h.witness.map((op, k) => [op, k]));
      let outOfOrder = 0;
      h.operations.forEach((a, i) => {
        h.operations.forEach((b, j) => {
          if (Number(a.return) < Number(b.call) && pos.get(i)! > pos.get(j)!) outOfOrder++;
        });
      });
      expect(outOfOrder).toBe(0);
    }
  });
  it("a planted stale read: the get lost the token of an append that returned before it was called", () => {
    for (const shape of SHAPES) {
      const h = generateHardHistory({ ...shape, violation: "stale-read" });
      expect(h.linearizable).toBe(false);
      const { get, append } = h.planted!;
      const g = h.operations[get]!;
      const a = h.operations[append]!;
      expect(g.input).toMatchObject({ op: "get", key: "0" });
      expect(a.input).toMatchObject({ op: "append", key: "0" });
      expect(Number(a.return)).toBeLessThan(Number(g.call));
      expect(g.output.value).not.toContain(a.input.value);
      expect(replays(h)).toBe(false); // the witness no longer explains the get
    }
  });
  it("rejects bad shapes with the parameter's name", () => {
    expect(() => generateHardHistory({ clients: 0, opsPerClient: 1, keys: 1, seed: 1 })).toThrow(/clients must be a positive integer/);
  });
});

describe("the checker decides hard histories", () => {
  // The pruned search decides each within the budget; Go's search (strategy "wgl", step for step
  // Go porcupine's) cannot decide even the single-key 220-operation one within it.
  const BUDGET = 200_000;
  for (const shape of SHAPES) {
    for (const violation of [undefined, "stale-read"] as const) {
      const name = `${shape.clients} clients x ${shape.opsPerClient} ops, ${shape.keys} key(s)${violation ? ", stale read" : ""}`;
      it(name, () => {
        const h = generateHardHistory(violation ? { ...shape, violation } : shape);
        const pruned = checkOperationsDetailed(kvModel, h.operations, { maxSteps: BUDGET });
        expect(pruned.result).toBe(h.linearizable ? "ok" : "illegal");
        if (shape.keys === 1 && !violation) {
          const go = checkOperationsDetailed(kvModel, h.operations, { maxSteps: BUDGET, strategy: "wgl" });
          expect(go.result).toBe("unknown");
        }
      });
    }
  }
});
