import { describe, expect, it } from "vitest";
import { EncodeError, encode } from "../labrpc/index.js";
import { checkSendable, copySendable } from "./sendable.js";
import { FRAME, FrameDecoder, encodeFrame } from "./wire.js";

/** What the receiving node gets for `value` sent in `format`. */
function roundTrip(value: unknown, format: "json" | "binary"): unknown {
  const frames = new FrameDecoder().push(encodeFrame(FRAME.REPLY, 7, value, format));
  expect(frames).toHaveLength(1);
  expect(frames[0]!.kind).toBe(FRAME.REPLY);
  expect(frames[0]!.id).toBe(7);
  return frames[0]!.payload;
}

describe("checkSendable", () => {
  it("sends Raft's and the KV server's messages as JSON, and they arrive as labrpc's copy would", () => {
    const values: unknown[] = [
      { term: 3, leaderId: 0, prevLogIndex: 41, prevLogTerm: 2, entries: [{ term: 3, command: { op: "Put", key: "k\u00e9y", value: "v".repeat(100), clientId: 2 ** 40 + 3, requestId: 9 } }], leaderCommit: 40 },
      { term: 3, success: false, conflictIndex: 5, conflictTerm: null },
      { key: "lone \ud800 surrogate", value: "\n\"quoted\"\t", dropped: undefined },
      Object.assign(Object.create(null) as object, { a: [1.5e300, -1e-300, 0, true, false, null] }),
      [],
      "a string",
      12345,
      null,
    ];
    for (const v of values) {
      expect(checkSendable(v, "m")).toBe("json");
      expect(roundTrip(v, "json")).toStrictEqual(encode(v, "m").copy);
    }
  });

  it("keeps V8's format for what JSON would change: bytes, -0, a __proto__ key", () => {
    const bytes = { term: 1, data: new Uint8Array([1, 2, 3]) };
    expect(checkSendable(bytes, "m")).toBe("binary");
    expect(roundTrip(encode(bytes, "m").copy, "binary")).toStrictEqual(bytes);
    expect(checkSendable({ x: [1, -0] }, "m")).toBe("binary");
    expect(Object.is((roundTrip({ x: -0 }, "binary") as { x: number }).x, -0)).toBe(true);
    expect(checkSendable(JSON.parse('{"__proto__": {"a": 1}}'), "m")).toBe("binary");
  });

  it("refuses what labrpc refuses, with labrpc's message naming the field", () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic["self"] = { back: cyclic };
    class Point {
      x = 1;
    }
    const bad: unknown[] = [
      { entries: [{ term: 1, command: NaN }] },
      { a: [1, undefined] },
      { f: () => 1 },
      { big: 10n },
      { s: Symbol("x") },
      { m: new Map() },
      { p: new Point() },
      { d: new Date(0) },
      { v: new Float64Array(2) },
      cyclic,
      undefined,
    ];
    for (const v of bad) {
      let expected: unknown;
      try {
        encode(v, "Raft.AppendEntries args");
      } catch (e) {
        expected = e;
      }
      expect(expected).toBeInstanceOf(EncodeError);
      expect(() => checkSendable(v, "Raft.AppendEntries args")).toThrow((expected as Error).message);
    }
  });

  it("hands trees deeper than its fast walk to labrpc (a deep tree of plain data is sent, in V8's format)", () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 1000; i++) deep = [deep];
    expect(checkSendable(deep, "m")).toBe("binary");
    let tree: unknown = "leaf";
    for (let i = 0; i < 1000; i++) tree = { t: tree };
    const loop = { t: tree } as { t: unknown };
    let last = loop as { t: unknown };
    while (typeof last.t === "object") last = last.t as { t: unknown };
    last.t = loop; // a cycle 1000 levels down
    expect(() => checkSendable(loop, "m")).toThrow(EncodeError);
  });
});

describe("copySendable", () => {
  it("returns labrpc's copy: equal, sharing no object, undefined fields dropped; bytes copied too", () => {
    const args = { key: "k", value: "v", clientId: 5, requestId: 6, extra: undefined, nested: [{ a: [1, 2] }] };
    const copy = copySendable(args, "KVServer.Put args");
    expect(copy).toStrictEqual(encode(args, "m").copy);
    expect(copy.nested).not.toBe(args.nested);
    expect(copy.nested[0]).not.toBe(args.nested[0]);
    const withBytes = { data: new Uint8Array([9]) };
    const b = copySendable(withBytes, "m");
    expect(b).toStrictEqual(withBytes);
    expect(b.data).not.toBe(withBytes.data);
    expect(() => copySendable({ f: NaN }, "KVServer.Put args")).toThrow("KVServer.Put args.f is NaN");
  });
});
