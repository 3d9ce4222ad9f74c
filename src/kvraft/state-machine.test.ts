import { describe, expect, it } from "vitest";
import { KVStateMachine, isCommand, type Command } from "./state-machine.js";

/** Applies commands at consecutive indices and returns the results. */
function applyAll(sm: KVStateMachine, cmds: Command[]) {
  return cmds.map((c) => sm.apply(sm.lastApplied + 1, c));
}

describe("KVStateMachine", () => {
  it("gets, puts and appends", () => {
    const sm = new KVStateMachine();
    const r = applyAll(sm, [
      { op: "get", key: "a", clientId: 1, requestId: 1 },
      { op: "put", key: "a", value: "x", clientId: 1, requestId: 2 },
      { op: "append", key: "a", value: "y", clientId: 1, requestId: 3 },
      { op: "append", key: "b", value: "z", clientId: 1, requestId: 4 },
      { op: "get", key: "a", clientId: 1, requestId: 5 },
    ]);
    expect(r[0]).toEqual({ err: "ErrNoKey", value: "", ok: true });
    expect(r[4]).toEqual({ err: "OK", value: "xy", ok: true });
    expect(sm.get("b")).toBe("z");
    expect(sm.lastApplied).toBe(5);
  });

  it("applies a retried write only once", () => {
    const sm = new KVStateMachine();
    const append: Command = { op: "append", key: "k", value: "v", clientId: 7, requestId: 1 };
    applyAll(sm, [append, append, { op: "append", key: "k", value: "w", clientId: 7, requestId: 2 }, append]);
    expect(sm.get("k")).toBe("vw");
    // Another client's numbering is independent.
    applyAll(sm, [{ op: "append", key: "k", value: "u", clientId: 8, requestId: 1 }]);
    expect(sm.get("k")).toBe("vwu");
  });

  it("compares and sets, remembering the reply of a duplicate", () => {
    const sm = new KVStateMachine();
    const cas: Command = { op: "cas", key: "c", expected: "", value: "1", clientId: 1, requestId: 1 };
    const [first] = applyAll(sm, [cas]);
    expect(first?.ok).toBe(true);
    // Someone resets the key; the retried cas must neither apply again nor change its answer.
    applyAll(sm, [{ op: "put", key: "c", value: "", clientId: 2, requestId: 1 }]);
    const [again] = applyAll(sm, [cas]);
    expect(again?.ok).toBe(true);
    expect(sm.get("c")).toBe("");
    expect(sm.appliedReply(1, 1)?.ok).toBe(true);
    expect(sm.appliedReply(1, 2)).toBeUndefined();
    const [fail] = applyAll(sm, [{ op: "cas", key: "c", expected: "9", value: "2", clientId: 1, requestId: 2 }]);
    expect(fail?.ok).toBe(false);
    expect(applyAll(sm, [{ op: "cas", key: "c", expected: "9", value: "2", clientId: 1, requestId: 2 }])[0]?.ok).toBe(false);
    expect(sm.get("c")).toBe("");
  });

  it("rejects out-of-order indices", () => {
    const sm = new KVStateMachine();
    expect(() => sm.apply(2, { op: "get", key: "a", clientId: 1, requestId: 1 })).toThrow(/out of order/);
  });

  it("round-trips through a compact snapshot", () => {
    const sm = new KVStateMachine();
    applyAll(sm, [
      { op: "put", key: "x", value: "1", clientId: 1_234_567_890, requestId: 800 },
      { op: "cas", key: "y", expected: "", value: "q", clientId: 5, requestId: 3 },
    ]);
    const bytes = sm.encode();
    expect(bytes.length).toBeLessThan(100);
    const back = KVStateMachine.decode(bytes);
    expect(back.lastApplied).toBe(2);
    expect(back.get("x")).toBe("1");
    expect(back.appliedReply(5, 3)?.ok).toBe(true);
    expect(back.appliedReply(1_234_567_890, 801)).toBeUndefined();
    expect(back.encode()).toEqual(bytes);
    expect(KVStateMachine.decode(new Uint8Array(0)).size).toBe(0);
    expect(() => KVStateMachine.decode(new TextEncoder().encode("{}"))).toThrow(/not a KV snapshot/);
  });

  it("recognises commands", () => {
    expect(isCommand({ op: "get", key: "a", clientId: 1, requestId: 1 })).toBe(true);
    expect(isCommand({ op: "cas", key: "a", value: "b", clientId: 1, requestId: 1 })).toBe(false);
    expect(isCommand(42)).toBe(false);
  });

  it("encodes what it holds now: a key written after the last snapshot is encoded anew, the others are reused", () => {
    const sm = new KVStateMachine();
    applyAll(sm, [
      { op: "put", key: "a", value: "1", clientId: 1, requestId: 1 },
      { op: "put", key: "b", value: "\"quoted\" \u2028", clientId: 1, requestId: 2 },
    ]);
    const expected = (lastApplied: number, kv: [string, string][], dup: number[][]): string => JSON.stringify([lastApplied, kv, dup]);
    expect(new TextDecoder().decode(sm.encode())).toBe(expected(2, [["a", "1"], ["b", '"quoted" \u2028']], [[1, 2, 1]]));
    applyAll(sm, [
      { op: "append", key: "a", value: "2", clientId: 2, requestId: 1 },
      { op: "cas", key: "b", expected: "nope", value: "x", clientId: 2, requestId: 2 },
    ]);
    expect(new TextDecoder().decode(sm.encode())).toBe(
      expected(4, [["a", "12"], ["b", '"quoted" \u2028']], [[1, 2, 1], [2, 2, 0]]),
    );
    expect(KVStateMachine.decode(sm.encode()).get("a")).toBe("12");
  });
});
