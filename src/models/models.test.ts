import { checkOperations, type Operation } from "porcupine";
import { describe, expect, it } from "vitest";
import { ETCD_NO_VALUE, etcdModel, etcdOutput } from "./etcd.js";
import { HistoryParseError, parseJepsenEtcdLog, parseJsonHistory, parseKvLog } from "porcupine/models";
import { kvModel, kvNoPartitionModel, stringHash, type KvInput, type KvOutput, type KvRegister } from "./kv.js";

const never = { cancelled: () => false };

describe("kv model", () => {
  const op = (input: KvInput, output: KvOutput, call: number, ret: number, clientId = 0): Operation<KvInput, KvOutput> => ({
    clientId,
    input,
    output,
    call,
    return: ret,
  });
  it("get/put/append per key, partitioned in sorted key order", () => {
    const h = [
      op({ op: "put", key: "b", value: "x" }, {}, 0, 1),
      op({ op: "append", key: "a", value: "1" }, {}, 2, 3),
      op({ op: "append", key: "a", value: "2" }, {}, 4, 5),
      op({ op: "get", key: "a" }, { value: "12" }, 6, 7),
      op({ op: "get", key: "b" }, { value: "x" }, 6, 7, 1),
    ];
    expect(kvModel.partition!(h).map((p) => p[0]!.input.key)).toEqual(["a", "b"]);
    expect(checkOperations(kvModel, h)).toBe("ok");
    expect(checkOperations(kvNoPartitionModel, h)).toBe("ok");
    const stale = [...h.slice(0, 3), op({ op: "get", key: "a" }, { value: "1" }, 6, 7)];
    expect(checkOperations(kvModel, stale)).toBe("illegal");
    expect(checkOperations(kvNoPartitionModel, stale)).toBe("illegal");
  });
  it("cas: legal iff ok reports whether the value matched; writes only when it did", () => {
    const s0: KvRegister = { value: "a", hash: stringHash("a") };
    const [ok1, s1] = kvModel.step(s0, { op: "cas", key: "k", expected: "a", value: "b" }, { ok: true }, never);
    expect([ok1, s1.value]).toEqual([true, "b"]);
    expect(kvModel.step(s0, { op: "cas", key: "k", expected: "a", value: "b" }, { ok: false }, never)[0]).toBe(false);
    const [ok2, s2] = kvModel.step(s0, { op: "cas", key: "k", expected: "z", value: "b" }, { ok: false }, never);
    expect([ok2, s2.value]).toEqual([true, "a"]);
    expect(kvModel.step(s0, { op: "cas", key: "k", expected: "z", value: "b" }, { ok: true }, never)[0]).toBe(false);
    // Two clients race a cas from "" : only one can win.
    const race = (okA: boolean, okB: boolean): Operation<KvInput, KvOutput>[] => [
      op({ op: "cas", key: "k", expected: "", value: "A" }, { ok: okA }, 0, 10, 0),
      op({ op: "cas", key: "k", expected: "", value: "B" }, { ok: okB }, 0, 10, 1),
    ];
    expect(checkOperations(kvModel, race(true, false))).toBe("ok");
    expect(checkOperations(kvModel, race(true, true))).toBe("illegal");
    expect(checkOperations(kvNoPartitionModel, race(false, true))).toBe("ok");
  });
  it("append-return (Go's op 3): legal iff its output is the state before; it appends either way", () => {
    const s0: KvRegister = { value: "a", hash: stringHash("a") };
    const [ok, s1] = kvModel.step(s0, { op: "append-return", key: "k", value: "b" }, { value: "a" }, never);
    expect([ok, s1.value, s1.hash]).toEqual([true, "ab", stringHash("ab")]);
    expect(kvModel.step(s0, { op: "append-return", key: "k", value: "b" }, { value: "ab" }, never)[0]).toBe(false);
    expect(kvModel.step(kvModel.init(), { op: "append-return", key: "k", value: "b" }, {}, never)[0]).toBe(true);
    expect(kvModel.describeOperation!({ op: "append-return", key: "k", value: "b" }, { value: "a" })).toBe("append('k', 'b') -> 'a'");
    // Two concurrent appends: one must have seen the other's value (a server that answers both
    // with "" applied one of them twice or not at all).
    const two = (outA: string, outB: string): Operation<KvInput, KvOutput>[] => [
      op({ op: "append-return", key: "k", value: "A" }, { value: outA }, 0, 10, 0),
      op({ op: "append-return", key: "k", value: "B" }, { value: outB }, 0, 10, 1),
      op({ op: "get", key: "k" }, { value: outA === "" ? "AB" : "BA" }, 11, 12, 2),
    ];
    expect(checkOperations(kvModel, two("", "A"))).toBe("ok");
    expect(checkOperations(kvModel, two("B", ""))).toBe("ok");
    expect(checkOperations(kvModel, two("", ""))).toBe("illegal");
    expect(checkOperations(kvNoPartitionModel, two("", ""))).toBe("illegal");
    // Answering the new value instead of the old one.
    expect(checkOperations(kvModel, [op({ op: "append-return", key: "k", value: "A" }, { value: "A" }, 0, 1)])).toBe("illegal");
  });
  it("hash invariant: equal states hash equally however they were built", () => {
    const build = (parts: string[]): KvRegister => {
      let s = kvModel.init();
      for (const p of parts) s = kvModel.step(s, { op: "append", key: "k", value: p }, {}, never)[1];
      return s;
    };
    const pieces = [["x 1 2 y", "x 3 4 y", "z"], ["x 1 2 yx 3", " 4 yz"], ["x 1 2 yx 3 4 yz"]];
    const states = pieces.map(build);
    const put = kvModel.step(kvModel.init(), { op: "put", key: "k", value: "x 1 2 yx 3 4 yz" }, {}, never)[1];
    for (const s of [...states, put]) {
      expect(kvModel.equal!(s, states[0]!)).toBe(true);
      expect(kvModel.hash!(s)).toBe(kvModel.hash!(states[0]!));
      expect(s.hash).toBe(stringHash(s.value));
    }
    // No-partition: maps with the same contents built in different orders.
    const apply = (ops: KvInput[]) => ops.reduce((s, i) => kvNoPartitionModel.step(s, i, {}, never)[1], kvNoPartitionModel.init());
    const a = apply([{ op: "put", key: "a", value: "1" }, { op: "append", key: "b", value: "2" }]);
    const b = apply([{ op: "append", key: "b", value: "2" }, { op: "put", key: "a", value: "0" }, { op: "put", key: "a", value: "1" }]);
    expect(kvNoPartitionModel.equal!(a, b)).toBe(true);
    expect(kvNoPartitionModel.hash!(a)).toBe(kvNoPartitionModel.hash!(b));
    // A get does not create a key (as in Go): {} differs from {a: ""}.
    const got = apply([{ op: "get", key: "a" }]);
    expect(got.regs.every((r) => r === undefined)).toBe(true);
    expect(kvNoPartitionModel.describeState!(a)).toBe("{'a': '1', 'b': '2'}");
    expect(kvNoPartitionModel.equal!(got, apply([{ op: "put", key: "a", value: "" }]))).toBe(false);
  });
  it("no-partition: keys are interned per check, not per process", () => {
    const s1 = kvNoPartitionModel.init();
    const s2 = kvNoPartitionModel.init();
    expect(s1.keys).not.toBe(s2.keys);
    // Two checks meeting keys in opposite orders: each numbers them from 0, hashes agree.
    const x = kvNoPartitionModel.step(kvNoPartitionModel.step(s1, { op: "put", key: "x", value: "1" }, {}, never)[1], { op: "put", key: "y", value: "2" }, {}, never)[1];
    const y = kvNoPartitionModel.step(kvNoPartitionModel.step(s2, { op: "put", key: "y", value: "2" }, {}, never)[1], { op: "put", key: "x", value: "1" }, {}, never)[1];
    expect(x.keys.names).toEqual(["x", "y"]);
    expect(y.keys.names).toEqual(["y", "x"]);
    expect(kvNoPartitionModel.equal!(x, y)).toBe(true);
    expect(kvNoPartitionModel.hash!(x)).toBe(kvNoPartitionModel.hash!(y));
  });
  it("describes operations like Go's kv model", () => {
    expect(kvModel.describeOperation!({ op: "get", key: "k" }, { value: "v" })).toBe("get('k') -> 'v'");
    expect(kvModel.describeOperation!({ op: "append", key: "k", value: "v" }, {})).toBe("append('k', 'v')");
    expect(kvModel.describeOperation!({ op: "cas", key: "k", expected: "a", value: "b" }, { ok: false })).toBe("cas('k', 'a', 'b') -> fail");
  });
});

describe("etcd model", () => {
  it("read / write / cas with unknown outputs", () => {
    const s = ETCD_NO_VALUE;
    expect(etcdModel.step(s, { op: "read", arg1: 0, arg2: 0 }, etcdOutput({ exists: false }), never)).toEqual([true, s]);
    expect(etcdModel.step(3, { op: "read", arg1: 0, arg2: 0 }, etcdOutput({ exists: true, value: 4 }), never)[0]).toBe(false);
    expect(etcdModel.step(3, { op: "read", arg1: 0, arg2: 0 }, etcdOutput({ unknown: true }), never)[0]).toBe(true);
    expect(etcdModel.step(3, { op: "write", arg1: 5, arg2: 0 }, etcdOutput({}), never)).toEqual([true, 5]);
    expect(etcdModel.step(3, { op: "cas", arg1: 3, arg2: 7 }, etcdOutput({ ok: true }), never)).toEqual([true, 7]);
    expect(etcdModel.step(3, { op: "cas", arg1: 2, arg2: 7 }, etcdOutput({ ok: true }), never)[0]).toBe(false);
    expect(etcdModel.step(3, { op: "cas", arg1: 2, arg2: 7 }, etcdOutput({ ok: false }), never)).toEqual([true, 3]);
    expect(etcdModel.step(3, { op: "cas", arg1: 3, arg2: 7 }, etcdOutput({ unknown: true }), never)).toEqual([true, 7]);
    expect(etcdModel.describeOperation!({ op: "cas", arg1: 1, arg2: 2 }, etcdOutput({ unknown: true }))).toBe("cas(1, 2) -> unknown");
  });
});

describe("history file parsers", () => {
  it("jepsen: tabs or spaces, :info leaves ops pending, pending ops get unknown returns", () => {
    const log = [
      "INFO  jepsen.util - 4   :invoke :cas    [1 2]",
      "INFO  jepsen.util - 2\t:invoke\t:write\t3",
      "INFO  jepsen.util - 2\t:info\t:write\t:timed-out",
      "INFO  jepsen.util - 4\t:fail\t:cas\t[1 2]",
      "INFO  jepsen.util - 1\t:invoke\t:read\tnil",
      "INFO  jepsen.util - 1\t:fail\t:read\t:timed-out",
      "",
    ].join("\n");
    const ev = parseJepsenEtcdLog(log, "t.log");
    expect(ev.map((e) => [e.kind, e.id, e.clientId])).toEqual([
      ["call", 0, 4],
      ["call", 1, 2],
      ["return", 0, 4],
      ["call", 2, 1],
      ["return", 2, 1],
      ["return", 1, 2],
    ]);
    expect(ev[2]!.value).toEqual(etcdOutput({ ok: false }));
    expect(ev[4]!.value).toEqual(etcdOutput({ unknown: true }));
    expect(ev[5]!.value).toEqual(etcdOutput({ unknown: true }));
  });
  it("jepsen: malformed lines name file, line and what was expected", () => {
    const err = (text: string): string => {
      try {
        parseJepsenEtcdLog(text, "x.log");
      } catch (e) {
        expect(e).toBeInstanceOf(HistoryParseError);
        return (e as Error).message;
      }
      throw new Error("no error");
    };
    expect(err("hello")).toMatch(/^x\.log:1: expected `INFO jepsen\.util - <process>/);
    expect(err("INFO  jepsen.util - 1\t:invoke\t:cas\t[1]")).toMatch(/^x\.log:1: expected `:invoke :cas \[<from> <to>\]`/);
    expect(err("INFO  jepsen.util - 1\t:ok\t:read\t3")).toMatch(/^x\.log:1: process 1 completes an operation it never invoked/);
    expect(err("INFO  jepsen.util - 1\t:invoke\t:read\tnil\nINFO  jepsen.util - 1\t:invoke\t:read\tnil")).toMatch(
      /^x\.log:2: process 1 invokes an operation while one is still pending/,
    );
    expect(err("INFO  jepsen.util - 1\t:invoke\t:delete\tnil")).toMatch(/unknown function :delete/);
  });
  it("kv EDN: malformed lines name file, line and what was expected", () => {
    expect(() => parseKvLog('{:process 0, :type :invoke, :f :get, :key "1", :value nil}\n{:process 0, :type :ok}', "c.txt")).toThrow(
      /^c\.txt:2: expected `\{:process <n>, :type :invoke\|:ok/,
    );
    expect(() => parseKvLog('{:process 0, :type :fail, :f :get, :key "1", :value nil}', "c.txt")).toThrow(/^c\.txt:1: unsupported :type :fail/);
    expect(() => parseKvLog('{:process 0, :type :invoke, :f :put, :key "1", :value nil}', "c.txt")).toThrow(
      /^c\.txt:1: expected a string :value on a put invocation/,
    );
    const pending = parseKvLog('{:process 3, :type :invoke, :f :get, :key "1", :value nil}', "c.txt");
    expect(pending.at(-1)).toEqual({ clientId: 3, kind: "return", value: { value: "" }, id: 0 });
  });
  it("JSON: model and operation errors point at the JSON path", () => {
    expect(() => parseJsonHistory("{", "h.json")).toThrow(/^h\.json: invalid JSON/);
    expect(() => parseJsonHistory('{"model":"sql","operations":[]}', "h.json")).toThrow(/"model" must be "kv", "kv-nopartition" or "etcd", got "sql"/);
    expect(() => parseJsonHistory('{"model":"kv","operations":[{"input":{"op":"get","key":"k"},"output":{},"call":1.5,"return":2}]}', "h.json")).toThrow(
      /operations\[0\]\.call: expected a safe integer or a decimal string, got 1.5/,
    );
    expect(() => parseJsonHistory('{"model":"kv","operations":[{"input":{"op":"cas","key":"k","value":"v"},"output":{"ok":true},"call":1,"return":2}]}', "h.json")).toThrow(
      /operations\[0\]\.input\.expected: expected a string/,
    );
    const h = parseJsonHistory('{"model":"kv","operations":[{"input":{"op":"get","key":"k"},"output":{"value":"v"},"call":"18446744073709551615","return":"18446744073709551616"}]}');
    expect(h.operations[0]!.call).toBe(18446744073709551615n);
  });
});
