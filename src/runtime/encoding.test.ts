import { describe, expect, it } from "vitest";
import { EncodingError, decode, encode } from "./index.js";

describe("encode/decode: bytes for snapshots and persisted state", () => {
  it("round-trips plain data, byte arrays at any depth included", () => {
    const state = {
      currentTerm: 7,
      votedFor: null,
      log: [{ term: 1, command: { op: "Put", key: "k", value: "v\u00e9" } }, { term: 2, command: 42 }],
      snapshot: new Uint8Array([0, 1, 254, 255]),
      nested: { bytes: [new Uint8Array(0), new Uint8Array(40_000).fill(9)] },
      flags: [true, false],
    };
    const bytes = encode(state);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(decode(bytes)).toEqual(state);
  });

  it("leaves out undefined properties, as JSON does, and reads JSON text", () => {
    expect(decode(encode({ a: 1, b: undefined }))).toEqual({ a: 1 });
    expect(decode(new TextEncoder().encode(JSON.stringify({ x: [1, "2"] })))).toEqual({ x: [1, "2"] });
  });

  it("names the field that is not plain data, with a hint", () => {
    expect(() => encode({ clients: new Map([[1, 2]]) })).toThrow(new EncodingError("encode(): value.clients is a Map; use a plain object or an array of pairs"));
    expect(() => encode({ log: [{ term: NaN }] })).toThrow("encode(): value.log[0].term is NaN; only finite numbers can be encoded");
    expect(() => encode({ f: () => 1 })).toThrow("encode(): value.f is a function; only plain data can be encoded");
    class Entry {
      term = 1;
    }
    expect(() => encode([new Entry()])).toThrow("encode(): value[0] is a Entry; use a plain object");
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    expect(() => encode(cyclic)).toThrow("encode(): value.self refers back to itself (a cycle)");
    expect(() => encode({ $bytes: "x" })).toThrow('encode(): value has a property named "$bytes"');
  });

  it("says what is wrong with bytes it cannot decode", () => {
    expect(() => decode(new Uint8Array(0))).toThrow("decode(): no bytes");
    expect(() => decode(new Uint8Array([1, 2, 3]))).toThrow("decode(): these bytes were not made by encode()");
  });
});
