import * as os from "node:os";
import * as v8 from "node:v8";
import {
  addAnnotations,
  BYTES_PER_CONFIGURATION,
  checkEvents,
  checkEventsAsync,
  checkEventsDetailed,
  checkEventsDetailedAsync,
  checkOperationsDetailed,
  checkOperationsDetailedAsync,
  defaultMaxCacheEntries,
  checkEventsVerbose,
  checkOperations,
  checkOperationsAsync,
  checkOperationsVerbose,
  checkPartitionsIndividually,
  nondeterministicToModel,
  type Event,
  type LinearizationInfo,
  type Model,
  type NondeterministicModel,
  type Operation,
} from "porcupine";
import { describe, expect, it } from "vitest";

// A single integer register: write(v) / read() -> v.
type RegInput = { op: "write"; value: number } | { op: "read" };
type RegOutput = number | null;
const register: Model<number, RegInput, RegOutput> = {
  init: () => 0,
  step: (state, input, output) => (input.op === "write" ? [true, input.value] : [output === state, state]),
  describeOperation: (input, output) => (input.op === "write" ? `write(${input.value})` : `read() -> ${output}`),
};
const w = (value: number, call: number | bigint, ret: number | bigint, clientId = 0): Operation<RegInput, RegOutput> => ({
  clientId,
  input: { op: "write", value },
  call,
  output: null,
  return: ret,
});
const r = (value: number, call: number | bigint, ret: number | bigint, clientId = 1): Operation<RegInput, RegOutput> => ({
  clientId,
  input: { op: "read" },
  call,
  output: value,
  return: ret,
});

// A string register with append, for histories whose search space explodes.
type AppInput = { op: "append"; value: string } | { op: "get" };
const appendRegister: Model<string, AppInput, string> = {
  init: () => "",
  step: (s, i, o) => (i.op === "append" ? [true, s + i.value] : [o === s, s]),
};
/** n concurrent appends, then a get that no order explains: an exhaustive n!-ish search. */
function explosiveHistory(n: number): Operation<AppInput, string>[] {
  const ops: Operation<AppInput, string>[] = [];
  for (let i = 0; i < n; i++) ops.push({ clientId: i, input: { op: "append", value: `<${i}>` }, call: 0, output: "", return: 100 });
  ops.push({ clientId: n, input: { op: "get" }, call: 200, output: "impossible", return: 300 });
  return ops;
}

describe("interval semantics", () => {
  it("touching intervals are concurrent (closed intervals: calls before returns at equal times)", () => {
    // read() -> 0 is only legal if it is linearized before write(1); it may be, because the
    // read's call equals the write's return.
    expect(checkOperations(register, [w(1, 0, 10), r(0, 10, 20)])).toBe("ok");
    expect(checkOperations(register, [w(1, 0, 10), r(0, 11, 20)])).toBe("illegal");
  });
  it("zero-duration operations", () => {
    expect(checkOperations(register, [w(1, 5, 5), r(1, 5, 5), w(2, 6, 6), r(2, 7, 7)])).toBe("ok");
    expect(checkOperations(register, [w(1, 5, 5), w(2, 6, 6), r(1, 7, 7)])).toBe("illegal");
  });
  it("empty histories are ok", () => {
    expect(checkOperations(register, [])).toBe("ok");
    expect(checkEvents(register, [])).toBe("ok");
    expect(checkOperations({ ...register, partition: () => [] }, [w(1, 0, 1)])).toBe("ok");
    const v = checkOperationsVerbose(register, []);
    expect(v.result).toBe("ok");
    expect(v.info.partitions).toEqual([
      { history: [], partialLinearizations: [], largest: {}, result: "ok", stats: { stepCalls: 0, stepOk: 0, cacheEntries: 0 } },
    ]);
  });
  it("bigint timestamps above 2^53 keep their exact order", () => {
    const t = 1_700_000_000_000_000_000n; // ns since the epoch: not representable as a double
    expect(checkOperations(register, [w(1, t, t + 1n), r(1, t + 2n, t + 3n)])).toBe("ok");
    // As doubles, t+1 and t+2 would be equal (touching, hence concurrent) and this would pass.
    expect(checkOperations(register, [w(1, t, t + 1n), r(0, t + 2n, t + 3n)])).toBe("illegal");
    // Mixed number and bigint timestamps.
    expect(checkOperations(register, [w(1, 0, 1n), r(1, 2n, 3)])).toBe("ok");
    const { info } = checkOperationsVerbose(register, [w(1, t, t + 1n), r(1, t + 2n, t + 3n)]);
    expect(info.partitions[0]!.history.map((h) => [h.start, h.end, h.originalStart])).toEqual([
      [0, 1, String(t)],
      [2, 3, String(t + 2n)],
    ]);
  });
  it("events: order is time; ids are any integers", () => {
    const events: Event<RegInput | RegOutput>[] = [
      { kind: "call", id: 70, value: { op: "write", value: 3 } },
      { kind: "call", id: -4, value: { op: "read" } },
      { kind: "return", id: 70, value: null },
      { kind: "return", id: -4, value: 3 },
    ];
    expect(checkEvents(register, events)).toBe("ok");
    const stale: Event<RegInput | RegOutput>[] = [
      { kind: "call", id: 1, value: { op: "write", value: 3 } },
      { kind: "return", id: 1, value: null },
      { kind: "call", id: 2, value: { op: "read" } },
      { kind: "return", id: 2, value: 0 },
    ];
    expect(checkEvents(register, stale)).toBe("illegal");
  });
});

describe("input validation", () => {
  const call = (id: number): Event<RegInput | RegOutput> => ({ kind: "call", id, value: { op: "read" } });
  const ret = (id: number): Event<RegInput | RegOutput> => ({ kind: "return", id, value: 0 });
  it("a call without a return", () => {
    expect(() => checkEvents(register, [call(1), call(2), ret(1)])).toThrow(
      /history\[1\]: call with id 2 has no return; append a return event/,
    );
  });
  it("a return before its call", () => {
    expect(() => checkEvents(register, [ret(1), call(1)])).toThrow(/history\[0\]: return for id 1 comes before its call at history\[1\]/);
  });
  it("a return without any call", () => {
    expect(() => checkEvents(register, [call(1), ret(1), ret(2)])).toThrow(/history\[2\]: return for id 2 has no call/);
  });
  it("duplicate ids", () => {
    expect(() => checkEvents(register, [call(1), ret(1), call(1), ret(1)])).toThrow(
      /history\[2\]: duplicate call id 1 \(already called at history\[0\]\)/,
    );
    expect(() => checkEvents(register, [call(1), ret(1), ret(1)])).toThrow(/history\[2\]: duplicate return for id 1/);
  });
  it("bad event kind and id", () => {
    expect(() => checkEvents(register, [{ kind: "start" as "call", id: 1, value: null }])).toThrow(/history\[0\]: kind "start" must be "call" or "return"/);
    expect(() => checkEvents(register, [{ kind: "call", id: 1.5, value: null }])).toThrow(/history\[0\]: id 1.5 must be an integer/);
  });
  it("partitionEvent splitting an operation", () => {
    const splitter: Model<number, RegInput, RegOutput> = { ...register, partitionEvent: (h) => h.map((e) => [e]) };
    expect(() => checkEvents(splitter, [call(1), ret(1)])).toThrow(/partition 0 \(from model.partitionEvent\)\[0\]: call with id 1 has no return/);
  });
  it("an operation returning before its call", () => {
    expect(() => checkOperations(register, [w(1, 0, 5), r(1, 10, 9)])).toThrow(
      /history\[1\]: return time 9 is earlier than call time 10; an operation must return at or after its call/,
    );
  });
  it("non-integer and unsafe timestamps", () => {
    expect(() => checkOperations(register, [w(1, 0.5, 2)])).toThrow(/history\[0\]: call time 0.5 must be an integer number or a bigint/);
    expect(() => checkOperations(register, [w(1, 0, Number.NaN)])).toThrow(/history\[0\]: return time NaN must be an integer/);
    expect(() => checkOperations(register, [w(1, 0, 2 ** 60)])).toThrow(/history\[0\]: return time .* is not a safe integer .* pass it as a bigint/);
    expect(() => checkOperations(register, [{ ...w(1, 0, 1), call: "3" as unknown as number }])).toThrow(/call time "3" must be an integer number or a bigint/);
  });
  it("missing init or step", () => {
    const noInit = { step: register.step } as unknown as Model<number, RegInput, RegOutput>;
    const noStep = { init: register.init } as unknown as Model<number, RegInput, RegOutput>;
    expect(() => checkOperations(noInit, [])).toThrow(/model.init is missing/);
    expect(() => checkEvents(noStep, [])).toThrow(/model.step is missing/);
    expect(() => nondeterministicToModel({ init: () => [0] } as unknown as NondeterministicModel<number, RegInput, RegOutput>)).toThrow(
      /nondeterministic model.step is missing/,
    );
  });
  it("a bad timeout", () => {
    expect(() => checkOperations(register, [], { timeout: -1 })).toThrow(/options.timeout must be a non-negative number/);
  });
});

describe("stopping early", () => {
  it("timeout -> unknown, with the reason in the info", () => {
    expect(checkOperations(appendRegister, explosiveHistory(14), { timeout: 50 })).toBe("unknown");
    const v = checkOperationsVerbose(appendRegister, explosiveHistory(14), { timeout: 50 });
    expect(v.result).toBe("unknown");
    expect(v.info.stopReason).toMatch(/timed out after 50 ms/);
    expect(v.info.partitions[0]!.result).toBe("unknown");
  });
  it("a small history finishes under the timeout", () => {
    expect(checkOperations(appendRegister, explosiveHistory(4), { timeout: 10_000 })).toBe("illegal");
  });
  it("an aborted AbortSignal -> unknown", () => {
    const c = new AbortController();
    c.abort();
    expect(checkOperations(register, [w(1, 0, 1)], { signal: c.signal })).toBe("unknown");
  });
  it("async check stops when the signal is aborted from a timer", async () => {
    const c = new AbortController();
    setTimeout(() => c.abort(), 30);
    await expect(checkOperationsAsync(appendRegister, explosiveHistory(14), { signal: c.signal })).resolves.toBe("unknown");
  });
  it("async check gives the same verdicts", async () => {
    await expect(checkOperationsAsync(register, [w(1, 0, 10), r(0, 11, 20)])).resolves.toBe("illegal");
    await expect(checkEventsAsync(register, [])).resolves.toBe("ok");
  });
  it("cache cap -> unknown, with the reason", () => {
    const v = checkOperationsVerbose(appendRegister, explosiveHistory(12), { maxCacheEntries: 1000 });
    expect(v.result).toBe("unknown");
    expect(v.info.stopReason).toMatch(/^search cache exceeded maxCacheEntries \(1000 configurations, about 1 MiB\) after /);
    expect(v.info.stop).toMatchObject({ kind: "max-cache", limit: 1000, partitions: 1, partitionsDone: 0 });
    expect(v.info.stop!.configurations).toBeGreaterThan(1000);
  });
  it("step budget -> unknown, with the reason, the same on every run", () => {
    const runs = [0, 1, 2].map(() => checkOperationsVerbose(appendRegister, explosiveHistory(12), { maxSteps: 10_000 }));
    for (const v of runs) {
      expect(v.result).toBe("unknown");
      expect(v.info.stopReason).toMatch(/step budget exhausted after \d+ step calls \(options.maxSteps = 10000\)/);
    }
    const steps = runs.map((v) => v.info.partitions[0]!.stats!.stepCalls);
    expect(new Set(steps).size).toBe(1);
    // A budget the search does not need leaves the verdict alone.
    expect(checkOperations(appendRegister, explosiveHistory(4), { maxSteps: 1_000_000 })).toBe("illegal");
    expect(() => checkOperations(register, [], { maxSteps: -1 })).toThrow(/options.maxSteps must be a non-negative number/);
  });
  it("a step can observe cancellation through its context", () => {
    let sawCancel = false;
    const slow: Model<number, RegInput, RegOutput> = {
      ...register,
      step(s, i, o, ctx) {
        const until = performance.now() + 20;
        while (performance.now() < until) {
          if (ctx.cancelled()) {
            sawCancel = true;
            return [false, s];
          }
        }
        return register.step(s, i, o, ctx);
      },
    };
    const ops = Array.from({ length: 50 }, (_, k) => w(k, 0, 100));
    expect(checkOperations(slow, ops, { timeout: 30 })).toBe("unknown");
    expect(sawCancel).toBe(true);
  });
  it("illegal beats unknown: a failing partition wins over a hard one", () => {
    type PInput = AppInput & { part: number };
    const hard = explosiveHistory(40).map((op) => ({ ...op, input: { ...op.input, part: 0 } as PInput }));
    const easy: Operation<PInput, string>[] = [{ input: { op: "get", part: 1 }, call: 0, output: "x", return: 1 }];
    const model: Model<string, PInput, string> = {
      ...(appendRegister as unknown as Model<string, PInput, string>),
      partition: (h) => [h.filter((o) => o.input.part === 0), h.filter((o) => o.input.part === 1)],
    };
    expect(checkOperations(model, [...hard, ...easy], { timeout: 60_000 })).toBe("illegal");
  });
});

describe("verbose mode", () => {
  it("a linearizable partition has one full linearization with states", () => {
    const { result, info } = checkOperationsVerbose(register, [w(1, 0, 10), r(1, 5, 15), w(2, 20, 30)]);
    expect(result).toBe("ok");
    const p = info.partitions[0]!;
    expect(p.partialLinearizations).toEqual([
      [
        { index: 0, stateDescription: "1" },
        { index: 1, stateDescription: "1" },
        { index: 2, stateDescription: "2" },
      ],
    ]);
    expect(p.largest).toEqual({ 0: 0, 1: 0, 2: 0 });
    expect(p.illegalNext).toBeUndefined();
    expect(p.history.map((h) => h.description)).toEqual(["write(1)", "read() -> 1", "write(2)"]);
    expect(p.history.map((h) => [h.start, h.end])).toEqual([
      [0, 2],
      [1, 3],
      [4, 5],
    ]);
  });
  it("an illegal partition records the longest prefix and where it got stuck", () => {
    const { result, info } = checkOperationsVerbose(register, [w(1, 0, 10), w(2, 20, 30), r(1, 40, 50), r(2, 60, 70)]);
    expect(result).toBe("illegal");
    const p = info.partitions[0]!;
    expect(p.result).toBe("illegal");
    expect(p.partialLinearizations[0]!.map((s) => s.index)).toEqual([0, 1]);
    expect(p.illegalNext).toEqual([[2]]);
    expect(p.largest).toEqual({ 0: 0, 1: 0 });
  });
  it("verbose searches every partition; metadata (return wins) and client ids", () => {
    const model: Model<number, RegInput, RegOutput> = {
      ...register,
      partitionEvent: (h) => [h.filter((e) => e.id < 10), h.filter((e) => e.id >= 10)],
      describeOperationMetadata: (m) => `meta:${String(m)}`,
    };
    const events: Event<RegInput | RegOutput>[] = [
      { kind: "call", id: 1, clientId: 3, value: { op: "read" }, metadata: "call" },
      { kind: "return", id: 1, clientId: 3, value: 5, metadata: "ret" },
      { kind: "call", id: 10, clientId: 2, value: { op: "read" }, metadata: "only-call" },
      { kind: "return", id: 10, clientId: 2, value: 7 },
    ];
    const { result, info } = checkEventsVerbose(model, events);
    expect(result).toBe("illegal");
    expect(info.partitions.map((p) => p.result)).toEqual(["illegal", "illegal"]);
    expect(info.partitions.map((p) => p.history[0]!.metadata)).toEqual(["meta:ret", "meta:only-call"]);
    expect(info.partitions.map((p) => p.history[0]!.clientId)).toEqual([3, 2]);
    expect(info.partitions[0]!.illegalNext).toEqual([]);
  });
  it("addAnnotations copies and turns End < Start into a point", () => {
    const info: LinearizationInfo = { partitions: [], annotations: [] };
    addAnnotations(info, [
      { tag: "Server 1", start: 10, end: 5, description: "crash" },
      { clientId: 2, start: 3n, description: "point" },
      { tag: "net", start: 1, end: 4, description: "partition", details: "<b>x</b>", backgroundColor: "#fee" },
    ]);
    expect(info.annotations.map((a) => [a.start, a.end])).toEqual([
      [10, 10],
      [3n, 3n],
      [1, 4],
    ]);
  });
});

describe("NondeterministicModel", () => {
  // A register where a write that timed out (output "unknown") may or may not have happened.
  type NInput = { op: "write"; value: number } | { op: "read" };
  type NOutput = "ok" | "unknown" | number;
  const nd: NondeterministicModel<number, NInput, NOutput> = {
    init: () => [0, 0],
    step(s, i, o) {
      if (i.op === "read") return o === s ? [s] : [];
      return o === "unknown" ? [s, i.value] : [i.value];
    },
    hash: (s) => s,
    describeState: (s) => `v${s}`,
  };
  const model = nondeterministicToModel(nd);
  it("deduplicates the initial states", () => {
    expect(model.init()).toEqual([0]);
  });
  it("explores every possible outcome", () => {
    const op = (input: NInput, output: NOutput, call: number, ret: number): Operation<NInput, NOutput> => ({ input, output, call, return: ret });
    const wrote = [op({ op: "write", value: 1 }, "unknown", 0, 1), op({ op: "read" }, 1, 2, 3)];
    const didNotWrite = [op({ op: "write", value: 1 }, "unknown", 0, 1), op({ op: "read" }, 0, 2, 3)];
    const neither = [op({ op: "write", value: 1 }, "unknown", 0, 1), op({ op: "read" }, 2, 2, 3)];
    expect(checkOperations(model, wrote)).toBe("ok");
    expect(checkOperations(model, didNotWrite)).toBe("ok");
    expect(checkOperations(model, neither)).toBe("illegal");
  });
  it("set equality, order-independent hash, state description", () => {
    expect(model.equal!([1, 2], [2, 1])).toBe(true);
    expect(model.equal!([1, 2], [1, 3])).toBe(false);
    expect(model.hash!([1, 2])).toBe(model.hash!([2, 1]));
    expect(model.describeState!([0, 1])).toBe("{v0, v1}");
  });
  it("is cancelled between member states", () => {
    const [ok] = model.step([0, 1], { op: "read" }, 0, { cancelled: () => true });
    expect(ok).toBe(false);
  });
});

describe("cache", () => {
  it("the state hash only picks a bucket: a constant hash gives the same search", () => {
    const ops = explosiveHistory(6);
    const good: Model<string, AppInput, string> = { ...appendRegister, hash: (s) => s.length * 31 + s.charCodeAt(s.length - 2) };
    const constant: Model<string, AppInput, string> = { ...appendRegister, hash: () => 42 };
    const a = checkPartitionsIndividually(good, { operations: ops })[0]!;
    const b = checkPartitionsIndividually(constant, { operations: ops })[0]!;
    const c = checkPartitionsIndividually(appendRegister, { operations: ops })[0]!;
    expect(a.result).toBe("illegal");
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    // Exhaustive: every (set of appends, order) configuration is cached once: sum over k of
    // 6!/(6-k)! orderings, plus none for the final get.
    let configs = 0;
    for (let k = 1, perm = 1; k <= 6; k++) configs += perm *= 7 - k;
    expect(a.stats.cacheEntries).toBe(configs);
  });
  it("object states need equal: Object.is would treat equal objects as new configurations", () => {
    const boxed: Model<{ v: number }, RegInput, RegOutput> = {
      init: () => ({ v: 0 }),
      step: (s, i, o) => (i.op === "write" ? [true, { v: i.value }] : [o === s.v, s]),
      equal: (a, b) => a.v === b.v,
      hash: (s) => s.v,
    };
    // Six concurrent writes of 0..5, then an impossible read: an exhaustive search.
    const ops = [...Array.from({ length: 6 }, (_, k) => w(k, 0, 10, k)), r(99, 20, 30)];
    const withEqual = checkPartitionsIndividually(boxed, { operations: ops })[0]!;
    const withoutEqual = checkPartitionsIndividually({ ...boxed, equal: undefined } as unknown as typeof boxed, { operations: ops })[0]!;
    expect(withEqual.result).toBe("illegal");
    expect(withoutEqual.result).toBe("illegal");
    // (set of writes, last write): 6 * 2^5; without equal every ordering is new: sum 6!/(6-k)!.
    expect(withEqual.stats.cacheEntries).toBe(6 * 2 ** 5);
    expect(withoutEqual.stats.cacheEntries).toBe(6 + 30 + 120 + 360 + 720 + 720);
  });
});

describe("detailed reports", () => {
  it("the verdict with search totals; a stop says which limit, when and how far", () => {
    const done = checkOperationsDetailed(register, [w(1, 0, 10), r(1, 11, 20)]);
    expect(done).toEqual({ result: "ok", stats: { stepCalls: 2, configurations: 2, partitions: 1, elapsedMs: expect.any(Number) } });
    const stopped = checkOperationsDetailed(appendRegister, explosiveHistory(12), { maxSteps: 10_000 });
    expect(stopped.result).toBe("unknown");
    expect(stopped.stop).toMatchObject({ kind: "max-steps", limit: 10_000, partitions: 1, partitionsDone: 0 });
    expect(stopped.stop!.stepCalls).toBe(stopped.stats.stepCalls);
    expect(stopped.stop!.stepCalls).toBeGreaterThan(10_000);
    expect(stopped.stop!.message).toMatch(/^step budget exhausted after \d+ step calls \(options.maxSteps = 10000\) after .*; raise options.maxSteps to search further$/);
    const c = new AbortController();
    c.abort();
    expect(checkEventsDetailed(register, [], { signal: c.signal }).stop?.kind).toBe("aborted");
  });
  it("async variants report the same", async () => {
    const sync = checkOperationsDetailed(appendRegister, explosiveHistory(5));
    const async = await checkOperationsDetailedAsync(appendRegister, explosiveHistory(5));
    expect({ ...async.stats, elapsedMs: 0 }).toEqual({ ...sync.stats, elapsedMs: 0 });
    expect((await checkEventsDetailedAsync(register, [])).result).toBe("ok");
  });
  it("the default cache cap comes from the machine's memory", () => {
    const cap = defaultMaxCacheEntries();
    expect(cap).toBe(Math.floor(Math.min(os.totalmem() / 4, v8.getHeapStatistics().heap_size_limit / 2) / BYTES_PER_CONFIGURATION));
    expect(() => checkOperations(register, [], { maxCacheEntries: 0 })).toThrow(/options.maxCacheEntries must be a positive number/);
  });
});

describe("pruning (Model.prune)", () => {
  // With distinct written values, a read of v names its write a: a comes before the read, and
  // every other write that precedes the read in real time comes before a (a was the last one).
  const lastWriteFirst: Model<number, RegInput, RegOutput> = {
    ...register,
    prune: (view) => {
      const before: number[] = [];
      for (let b = 0; b < view.n; b++) {
        if (view.inputs[b]!.op !== "read") continue;
        const a = view.inputs.findIndex((i) => i.op === "write" && i.value === view.outputs[b]);
        if (a < 0) continue;
        before.push(a, b);
        for (let c = 0; c < view.n; c++) {
          if (c !== a && view.inputs[c]!.op === "write" && view.returns[c]! < view.calls[b]!) before.push(c, a);
        }
      }
      return { before };
    },
  };
  it("before pairs prune the search and keep the verdict; wgl ignores them", () => {
    // Eight concurrent writes, then a read of the first: Go's order tries write(1) first.
    const ops = [...Array.from({ length: 8 }, (_, k) => w(k + 1, 0, 10, k)), r(1, 11, 20, 8)];
    const plain = checkOperationsDetailed(register, ops);
    const pruned = checkOperationsDetailed(lastWriteFirst, ops);
    const wgl = checkOperationsDetailed(lastWriteFirst, ops, { strategy: "wgl" });
    expect([plain.result, pruned.result, wgl.result]).toEqual(["ok", "ok", "ok"]);
    expect(wgl.stats).toEqual({ ...plain.stats, elapsedMs: wgl.stats.elapsedMs });
    expect(pruned.stats.stepCalls).toBe(9); // write(1) waits for the others: no backtracking
    expect(plain.stats.stepCalls).toBeGreaterThan(9);
  });
  it("pairs that contradict real time (or each other) decide illegal before any step", () => {
    // read() -> 5 returns before write(5) is called.
    const ops = [w(1, 0, 10, 0), w(2, 0, 10, 1), w(3, 0, 10, 2), r(5, 11, 20, 3), w(5, 30, 40, 4)];
    const report = checkOperationsDetailed(lastWriteFirst, ops);
    expect(report.result).toBe("illegal");
    expect(report.stats.stepCalls).toBe(0);
    expect(checkOperationsDetailed(register, ops).stats.stepCalls).toBeGreaterThan(0);
  });
  it("a pair (a, a) makes operation a impossible; a false pair is trusted (so only true ones may be given)", () => {
    const ops = [w(1, 0, 10, 0), w(2, 0, 10, 1), w(3, 0, 10, 2), r(3, 11, 20, 3)];
    const impossible: Model<number, RegInput, RegOutput> = { ...register, prune: () => ({ before: [3, 3] }) };
    expect(checkOperations(impossible, ops)).toBe("illegal");
    // The read of 3 must follow write(3); saying it precedes it contradicts every linearization.
    const wrong: Model<number, RegInput, RegOutput> = { ...register, prune: () => ({ before: [3, 2] }) };
    expect(checkOperations(wrong, ops)).toBe("illegal");
    expect(checkOperations(wrong, ops, { strategy: "wgl" })).toBe("ok");
  });
  it("bad pairs are reported with the fix", () => {
    const odd: Model<number, RegInput, RegOutput> = { ...register, prune: () => ({ before: [0, 1, 2] }) };
    const ops = [w(1, 0, 10, 0), w(2, 0, 10, 1), w(3, 0, 10, 2), r(3, 11, 20, 3)];
    expect(() => checkOperations(odd, ops)).toThrow(/model.prune returned before = 3 numbers; it must return pairs/);
    const range: Model<number, RegInput, RegOutput> = { ...register, prune: () => ({ before: [0, 9] }) };
    expect(() => checkOperations(range, ops)).toThrow(/the pair \(0, 9\); both must be operation indices 0..3/);
    expect(() => checkOperations(register, [], { strategy: "fast" as "wgl" })).toThrow(/options.strategy must be "pruned" or "wgl"/);
  });
  it("greedy reads: the same verdicts as Go's search on random register histories, in fewer steps", () => {
    const greedyReads: Model<number, RegInput, RegOutput> = {
      ...register,
      prune: (view) => ({ greedy: (_s, op) => view.inputs[op]!.op === "read" }),
    };
    let seed = 7;
    const rand = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    let fewer = 0;
    const verdicts = new Set<string>();
    for (let t = 0; t < 300; t++) {
      const ops: Operation<RegInput, RegOutput>[] = [];
      for (let k = 0; k < 9; k++) {
        const call = Math.floor(rand() * 30);
        const ret = call + Math.floor(rand() * 15);
        ops.push(rand() < 0.5 ? w(Math.floor(rand() * 3), call, ret, k) : r(Math.floor(rand() * 3), call, ret, k));
      }
      const go = checkOperationsDetailed(register, ops);
      const greedy = checkOperationsDetailed(greedyReads, ops);
      expect(greedy.result).toBe(go.result);
      verdicts.add(go.result);
      if (greedy.stats.stepCalls < go.stats.stepCalls) fewer++;
    }
    expect([...verdicts].sort()).toEqual(["illegal", "ok"]);
    expect(fewer).toBeGreaterThan(50);
  });
  it("a replacement step searches; partial linearizations are replayed with model.step", () => {
    let replacementSteps = 0;
    const counted: Model<number, RegInput, RegOutput> = {
      ...register,
      prune: () => ({
        step: (s, i, o, ctx) => {
          replacementSteps++;
          return register.step(s, i, o, ctx);
        },
      }),
    };
    const { result, info } = checkOperationsVerbose(counted, [w(1, 0, 10), r(1, 11, 20)]);
    expect(result).toBe("ok");
    expect(replacementSteps).toBe(2);
    expect(info.partitions[0]!.partialLinearizations[0]!.map((s) => s.stateDescription)).toEqual(["1", "1"]);
  });
});
