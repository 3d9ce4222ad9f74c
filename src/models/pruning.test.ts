import { checkOperations, checkOperationsDetailed, type Operation, type PartitionView } from "porcupine";
import { describe, expect, it } from "vitest";
import { prng } from "./hard-histories.js";
import { kvModel, kvNoPartitionModel, type KvInput, type KvOutput } from "./kv.js";

// The KV model's pruning (kvModel.prune): orders implied by the gets' values, dead values, greedy
// operations. Each fact is exact, so the pruned search must agree with Go's on every history.

type KvOp = Operation<KvInput, KvOutput>;
const get = (key: string, value: string, call: number, ret: number, clientId = 0): KvOp => ({ clientId, input: { op: "get", key }, call, output: { value }, return: ret });
const append = (key: string, value: string, call: number, ret: number, clientId = 0): KvOp => ({ clientId, input: { op: "append", key, value }, call, output: {}, return: ret });
const put = (key: string, value: string, call: number, ret: number, clientId = 0): KvOp => ({ clientId, input: { op: "put", key, value }, call, output: {}, return: ret });

/** What `prune` sees of one partition (calls before returns at equal times, as the checker sorts). */
function viewOf(ops: KvOp[]): PartitionView<KvInput, KvOutput> {
  const entries = ops.flatMap((o, i) => [
    { t: Number(o.call), ret: 0, i },
    { t: Number(o.return), ret: 1, i },
  ]);
  entries.sort((a, b) => a.t - b.t || a.ret - b.ret);
  const calls = new Int32Array(ops.length);
  const returns = new Int32Array(ops.length);
  entries.forEach((e, pos) => ((e.ret ? returns : calls)[e.i] = pos));
  return { n: ops.length, inputs: ops.map((o) => o.input), outputs: ops.map((o) => o.output), calls, returns };
}

function pairsOf(ops: KvOp[]): string[] {
  const before = kvModel.prune!(viewOf(ops)).before ?? [];
  const out: string[] = [];
  for (let k = 0; k < before.length; k += 2) out.push(`${before[k]}<${before[k + 1]}`);
  return out.sort();
}

describe("KV pruning: orders from the gets' values", () => {
  it("a value names its appends in order, all before the get; later writes come after it", () => {
    // 0: append a, 1: append b, 2: get -> "ab", 3: append c (not in the value, concurrent with the get)
    const ops = [append("k", "a", 0, 10), append("k", "b", 0, 10, 1), get("k", "ab", 11, 12), append("k", "c", 0, 20, 2)];
    expect(pairsOf(ops)).toEqual(["0<1", "1<2", "2<3"]);
    expect(checkOperations(kvModel, ops)).toBe("ok");
  });
  it("a value starting with a put: earlier writes not in it came before the put", () => {
    // 0: append x (returns before the get), 1: put p, 2: append y, 3: get -> "py"
    const ops = [append("k", "x", 0, 5), put("k", "p", 0, 10, 1), append("k", "y", 0, 10, 2), get("k", "py", 20, 30)];
    expect(pairsOf(ops)).toEqual(["0<1", "1<2", "2<3"]);
  });
  it("an impossible value makes its get impossible; ambiguity, repeated values and cas give nothing", () => {
    expect(pairsOf([append("k", "a", 0, 10), get("k", "b", 11, 12)])).toEqual(["1<1"]);
    expect(pairsOf([append("k", "a", 0, 10), get("k", "aa", 11, 12)])).toEqual(["1<1"]); // uses "a" twice
    // "ab" = "a" + "b" = "ab": two splits
    expect(pairsOf([append("k", "a", 0, 10), append("k", "b", 0, 10), append("k", "ab", 0, 10), get("k", "ab", 11, 12)])).toEqual([]);
    expect(pairsOf([append("k", "a", 0, 10), append("k", "a", 0, 10), get("k", "a", 11, 12)])).toEqual([]);
    const cas: KvOp = { input: { op: "cas", key: "k", expected: "", value: "a" }, call: 0, output: { ok: true }, return: 10 };
    expect(pairsOf([cas, get("k", "a", 11, 12)])).toEqual([]);
    expect(pairsOf([put("k", "", 0, 10), get("k", "", 11, 12)])).toEqual([]);
  });
  it("a stale read contradicts real time: illegal before any step", () => {
    // append b returns before the get is called, yet the get does not see it.
    const ops = [append("k", "a", 0, 10), append("k", "b", 11, 20), get("k", "a", 21, 30)];
    const report = checkOperationsDetailed(kvModel, ops);
    expect(report.result).toBe("illegal");
    expect(report.stats.stepCalls).toBe(0);
    expect(checkOperationsDetailed(kvModel, ops, { strategy: "wgl" }).result).toBe("illegal");
  });
});

describe("KV pruning: dead values and greedy operations", () => {
  it("values no get can read become one state", () => {
    const ops = [append("k", "a", 0, 10), append("k", "b", 0, 10, 1), get("k", "ab", 20, 30)];
    const p = kvModel.prune!(viewOf(ops));
    const never = { cancelled: () => false };
    const s0 = kvModel.init();
    const [, ba] = p.step!(p.step!(s0, ops[1]!.input, {}, never)[1], ops[0]!.input, {}, never);
    expect(ba).toEqual({ value: "", hash: 1 }); // "ba" is no prefix of "ab"
    const [okGet] = p.step!(ba, ops[2]!.input, ops[2]!.output, never);
    expect(okGet).toBe(false);
    const [, ab] = p.step!(p.step!(s0, ops[0]!.input, {}, never)[1], ops[1]!.input, {}, never);
    expect(ab.value).toBe("ab");
    expect(p.greedy!(s0, 2)).toBe(true); // gets
    expect(p.greedy!(s0, 0)).toBe(false);
  });
  it("unread appends are greedy where the value is dead", () => {
    // 0: put p (read), 1: append z (read by no get), 2: get -> "p"
    const ops = [put("k", "p", 0, 10), append("k", "z", 0, 10, 1), get("k", "p", 0, 30, 2)];
    const p = kvModel.prune!(viewOf(ops));
    const never = { cancelled: () => false };
    const [, dead] = p.step!(p.step!(kvModel.init(), ops[0]!.input, {}, never)[1], ops[1]!.input, {}, never);
    expect(dead).toEqual({ value: "", hash: 1 }); // "pz" is no prefix of "p"
    expect(p.greedy!(dead, 1)).toBe(true);
    expect(p.greedy!(kvModel.init(), 1)).toBe(false);
    expect(checkOperations(kvModel, ops)).toBe("ok");
  });
});

describe("the pruned search agrees with Go's search (random small KV histories)", () => {
  /** A linearizable history by construction, then up to two gets or cas results tampered with. */
  function history(seed: number): KvOp[] {
    const rand = prng(seed);
    const ri = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
    const tokens = rand() < 0.5; // unique tokens (pruning applies) or a small alphabet (it mostly does not)
    const drafts: { op: KvOp; point: number }[] = [];
    let uid = 0;
    for (let c = 0, clients = ri(2, 5); c < clients; c++) {
      let t = ri(0, 5);
      for (let s = 0, per = ri(2, 5); s < per; s++) {
        const key = String(ri(0, 1));
        const dur = ri(0, 20);
        const value = tokens ? `<${uid++}>` : ["a", "b", "ab", "", "ba"][ri(0, 4)]!;
        const r = rand();
        const input: KvInput =
          r < 0.4 ? { op: "get", key } : r < 0.5 ? { op: "put", key, value } : r < 0.55 && !tokens ? { op: "cas", key, expected: ["", "a", "b"][ri(0, 2)]!, value } : { op: "append", key, value };
        drafts.push({ op: { clientId: c, input, call: t, output: {}, return: t + dur }, point: t + ri(0, dur) });
        t += dur + ri(0, 3);
      }
    }
    const store = new Map<string, string>();
    for (const { op } of [...drafts].sort((a, b) => a.point - b.point)) {
      const cur = store.get(op.input.key) ?? "";
      if (op.input.op === "get") op.output = { value: cur };
      else if (op.input.op === "put") store.set(op.input.key, op.input.value!);
      else if (op.input.op === "cas") {
        op.output = { ok: cur === op.input.expected };
        if (cur === op.input.expected) store.set(op.input.key, op.input.value!);
      } else store.set(op.input.key, cur + op.input.value!);
    }
    const ops = drafts.map((d) => d.op);
    for (let k = ri(0, 2); k > 0; k--) {
      const o = ops[ri(0, ops.length - 1)]!;
      const v = o.output.value ?? "";
      if (o.input.op === "get") o.output = { value: [v.slice(0, -3), [...v].reverse().join(""), `${v}<${ri(0, uid)}>`, ""][ri(0, 3)]! };
      else if (o.input.op === "cas") o.output = { ok: !o.output.ok };
    }
    return ops;
  }
  it("600 histories, both KV models: identical verdicts", () => {
    const verdicts = { ok: 0, illegal: 0 };
    for (let seed = 1; seed <= 600; seed++) {
      const ops = history(seed);
      for (const model of [kvModel, kvNoPartitionModel] as const) {
        const go = checkOperations(model as typeof kvModel, ops, { strategy: "wgl" });
        const pruned = checkOperations(model as typeof kvModel, ops);
        expect({ seed, pruned }).toEqual({ seed, pruned: go });
        if (go !== "unknown") verdicts[go]++;
      }
    }
    // Both verdicts are well represented, so agreement is not vacuous.
    expect(verdicts.ok).toBeGreaterThan(300);
    expect(verdicts.illegal).toBeGreaterThan(150);
  });
});
