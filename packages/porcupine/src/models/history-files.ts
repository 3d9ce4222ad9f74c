/**
 * Parsers for the history files the CLI and tests read: Jepsen etcd logs, kv EDN logs, and this
 * project's JSON format. Malformed input throws a {@link HistoryParseError} naming the file, the
 * line (or JSON path) and what was expected.
 */

import type { Event, Operation, Timestamp } from "../types.js";
import { etcdOutput, type EtcdInput, type EtcdOutput } from "./etcd.js";
import type { KvInput, KvOp, KvOutput } from "./kv.js";

/** A parse failure, with the location in the file. */
export class HistoryParseError extends Error {
  /** File name as given to the parser. */
  readonly file: string;
  /** 1-based line number, when known. */
  readonly line: number | undefined;

  /** `where` is the line number or undefined; `message` says what was expected. */
  constructor(file: string, line: number | undefined, message: string) {
    super(line === undefined ? `${file}: ${message}` : `${file}:${line}: ${message}`);
    this.name = "HistoryParseError";
    this.file = file;
    this.line = line;
  }
}

function splitLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines.map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
}

const JEPSEN_PREFIX = /^INFO\s+jepsen\.util\s+-\s+(\d+)\s+(:\S+)\s+(:\S+)\s+(.*?)\s*$/;
const JEPSEN_CAS_ARGS = /^\[(\d+)\s+(\d+)\]$/;

/**
 * Parses a Jepsen etcd log (`INFO  jepsen.util - <proc> <:type> <:f> <value>` per line) into
 * events, with Go porcupine's test rules: `:info` results (timed out) leave the operation
 * pending, `:fail :read :timed-out` is an unknown read, and every operation still pending at the
 * end gets an unknown return appended (in ascending process order).
 */
export function parseJepsenEtcdLog(text: string, file = "<etcd log>"): Event<EtcdInput | EtcdOutput>[] {
  const events: Event<EtcdInput | EtcdOutput>[] = [];
  const pending = new Map<number, number>();
  let nextId = 0;
  const lines = splitLines(text);
  const expected = "expected `INFO jepsen.util - <process> <:invoke|:ok|:fail|:info> <:read|:write|:cas> <value>`";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const lineNo = i + 1;
    if (line.trim() === "") continue;
    const m = JEPSEN_PREFIX.exec(line);
    if (!m) throw new HistoryParseError(file, lineNo, `${expected}, got ${JSON.stringify(line.slice(0, 120))}`);
    const proc = Number(m[1]);
    const type = m[2]!;
    const f = m[3]!;
    const value = m[4]!;
    const bad = (what: string): HistoryParseError => new HistoryParseError(file, lineNo, `${what} in ${JSON.stringify(line)}`);
    if (type === ":invoke") {
      if (pending.has(proc)) throw bad(`process ${proc} invokes an operation while one is still pending`);
      let input: EtcdInput;
      if (f === ":read") {
        if (value !== "nil") throw bad("expected `:invoke :read nil`");
        input = { op: "read", arg1: 0, arg2: 0 };
      } else if (f === ":write") {
        if (!/^\d+$/.test(value)) throw bad("expected `:invoke :write <integer>`");
        input = { op: "write", arg1: Number(value), arg2: 0 };
      } else if (f === ":cas") {
        const c = JEPSEN_CAS_ARGS.exec(value);
        if (!c) throw bad("expected `:invoke :cas [<from> <to>]`");
        input = { op: "cas", arg1: Number(c[1]), arg2: Number(c[2]) };
      } else {
        throw bad(`unknown function ${f}; expected :read, :write or :cas`);
      }
      const id = nextId++;
      pending.set(proc, id);
      events.push({ clientId: proc, kind: "call", value: input, id });
      continue;
    }
    if (type === ":info") continue; // outcome unknown: stays pending, gets an unknown return at EOF
    if (type !== ":ok" && type !== ":fail") throw bad(`unknown type ${type}; expected :invoke, :ok, :fail or :info`);
    const id = pending.get(proc);
    if (id === undefined) throw bad(`process ${proc} completes an operation it never invoked`);
    let output: EtcdOutput;
    if (f === ":read" && type === ":ok") {
      if (value === "nil") output = etcdOutput({ exists: false });
      else if (/^\d+$/.test(value)) output = etcdOutput({ exists: true, value: Number(value) });
      else throw bad("expected `:ok :read nil|<integer>`");
    } else if (f === ":read") {
      if (value !== ":timed-out") throw bad("expected `:fail :read :timed-out`");
      output = etcdOutput({ unknown: true });
    } else if (f === ":write") {
      if (type !== ":ok" || !/^\d+$/.test(value)) throw bad("expected `:ok :write <integer>`");
      output = etcdOutput({});
    } else if (f === ":cas") {
      if (!JEPSEN_CAS_ARGS.test(value)) throw bad(`expected \`${type} :cas [<from> <to>]\``);
      output = etcdOutput({ ok: type === ":ok" });
    } else {
      throw bad(`unknown function ${f}; expected :read, :write or :cas`);
    }
    pending.delete(proc);
    events.push({ clientId: proc, kind: "return", value: output, id });
  }
  for (const proc of [...pending.keys()].sort((a, b) => a - b)) {
    events.push({ clientId: proc, kind: "return", value: etcdOutput({ unknown: true }), id: pending.get(proc)! });
  }
  return events;
}

const KV_LINE =
  /^\{:process (\d+), :type :([a-z-]+), :f :([a-z-]+), :key "([^"]*)", :value (nil|"([^"]*)")\}$/;

/**
 * Parses a kv EDN log (`{:process P, :type :invoke|:ok, :f :get|:put|:append, :key "K",
 * :value nil|"V"}` per line) into events. put/append returns carry the empty output, get
 * returns the value read; operations pending at the end get an empty return (as Go does).
 */
export function parseKvLog(text: string, file = "<kv log>"): Event<KvInput | KvOutput>[] {
  const events: Event<KvInput | KvOutput>[] = [];
  const pending = new Map<number, number>();
  let nextId = 0;
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const lineNo = i + 1;
    if (line.trim() === "") continue;
    const m = KV_LINE.exec(line);
    if (!m) {
      throw new HistoryParseError(
        file,
        lineNo,
        `expected \`{:process <n>, :type :invoke|:ok, :f :get|:put|:append, :key "<k>", :value nil|"<v>"}\`, ` +
          `got ${JSON.stringify(line.slice(0, 120))}`,
      );
    }
    const proc = Number(m[1]);
    const type = m[2]!;
    const f = m[3]!;
    const key = m[4]!;
    const value = m[6];
    const bad = (what: string): HistoryParseError => new HistoryParseError(file, lineNo, what);
    if (f !== "get" && f !== "put" && f !== "append") throw bad(`unknown :f :${f}; expected :get, :put or :append`);
    if (type === "invoke") {
      if (pending.has(proc)) throw bad(`process ${proc} invokes an operation while one is still pending`);
      if (f === "get" && value !== undefined) throw bad("expected `:value nil` on a get invocation");
      if (f !== "get" && value === undefined) throw bad(`expected a string :value on a ${f} invocation`);
      const id = nextId++;
      pending.set(proc, id);
      events.push({ clientId: proc, kind: "call", value: { op: f as KvOp, key, value: value ?? "" }, id });
    } else if (type === "ok") {
      const id = pending.get(proc);
      if (id === undefined) throw bad(`process ${proc} completes an operation it never invoked`);
      pending.delete(proc);
      if (f === "get" && value === undefined) throw bad('expected `:value "<v>"` on a get result');
      events.push({ clientId: proc, kind: "return", value: { value: f === "get" ? value! : "" }, id });
    } else {
      throw bad(`unsupported :type :${type}; this format supports :invoke and :ok`);
    }
  }
  for (const proc of [...pending.keys()].sort((a, b) => a - b)) {
    events.push({ clientId: proc, kind: "return", value: { value: "" }, id: pending.get(proc)! });
  }
  return events;
}

/** Model names of the JSON format and the CLI. */
export type HistoryModelName = "kv" | "kv-nopartition" | "etcd";

/** Type guard for {@link HistoryModelName}. */
export function isHistoryModelName(s: unknown): s is HistoryModelName {
  return s === "kv" || s === "kv-nopartition" || s === "etcd";
}

/** A history read from our JSON format. */
export type JsonHistory =
  | { model: "kv" | "kv-nopartition"; operations: Operation<KvInput, KvOutput>[] }
  | { model: "etcd"; operations: Operation<EtcdInput, EtcdOutput>[] };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function jsonTime(v: unknown, file: string, where: string): Timestamp {
  if (typeof v === "number" && Number.isSafeInteger(v)) return v;
  // Large clocks (ns since the epoch) do not fit a JSON number exactly: accept decimal strings.
  if (typeof v === "string" && /^-?\d+$/.test(v)) return BigInt(v);
  throw new HistoryParseError(file, undefined, `${where}: expected a safe integer or a decimal string, got ${JSON.stringify(v)}`);
}

/**
 * Parses our JSON history format:
 * `{"model": "kv", "operations": [{"clientId": 0, "input": {"op": "put", "key": "k", "value": "v"},
 *  "call": 0, "output": {"value": ""}, "return": 5, "metadata"?: ...}]}`.
 * For etcd, inputs are `{"op": "read"|"write"|"cas", "arg1", "arg2"}` and outputs
 * `{"exists", "value", "ok", "unknown"}`. Times are integers or decimal strings (for > 2^53).
 */
export function parseJsonHistory(text: string, file = "<json>"): JsonHistory {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new HistoryParseError(file, undefined, `invalid JSON: ${(e as Error).message}`);
  }
  if (!isObject(doc)) throw new HistoryParseError(file, undefined, 'expected an object {"model": ..., "operations": [...]}');
  const model = doc["model"];
  if (!isHistoryModelName(model)) {
    throw new HistoryParseError(file, undefined, `"model" must be "kv", "kv-nopartition" or "etcd", got ${JSON.stringify(model)}`);
  }
  const ops = doc["operations"];
  if (!Array.isArray(ops)) throw new HistoryParseError(file, undefined, '"operations" must be an array');
  const base = (raw: unknown, i: number): { where: string; r: Record<string, unknown>; clientId: number; call: Timestamp; ret: Timestamp } => {
    const where = `operations[${i}]`;
    if (!isObject(raw)) throw new HistoryParseError(file, undefined, `${where}: expected an object`);
    const cid = raw["clientId"] ?? 0;
    if (typeof cid !== "number" || !Number.isInteger(cid) || cid < 0) {
      throw new HistoryParseError(file, undefined, `${where}.clientId: expected a non-negative integer`);
    }
    if (!isObject(raw["input"])) throw new HistoryParseError(file, undefined, `${where}.input: expected an object`);
    if (!isObject(raw["output"])) throw new HistoryParseError(file, undefined, `${where}.output: expected an object`);
    return { where, r: raw, clientId: cid, call: jsonTime(raw["call"], file, `${where}.call`), ret: jsonTime(raw["return"], file, `${where}.return`) };
  };
  const str = (v: unknown, where: string, optional: boolean): string | undefined => {
    if (v === undefined && optional) return undefined;
    if (typeof v !== "string") throw new HistoryParseError(file, undefined, `${where}: expected a string, got ${JSON.stringify(v)}`);
    return v;
  };
  if (model === "etcd") {
    const operations = ops.map((raw, i): Operation<EtcdInput, EtcdOutput> => {
      const { where, r, clientId, call, ret } = base(raw, i);
      const input = r["input"] as Record<string, unknown>;
      const output = r["output"] as Record<string, unknown>;
      const op = input["op"];
      if (op !== "read" && op !== "write" && op !== "cas") {
        throw new HistoryParseError(file, undefined, `${where}.input.op: expected "read", "write" or "cas", got ${JSON.stringify(op)}`);
      }
      const num = (v: unknown, w: string): number => {
        if (v === undefined) return 0;
        if (typeof v !== "number" || !Number.isSafeInteger(v)) throw new HistoryParseError(file, undefined, `${w}: expected an integer`);
        return v;
      };
      const bool = (v: unknown, w: string): boolean => {
        if (v === undefined) return false;
        if (typeof v !== "boolean") throw new HistoryParseError(file, undefined, `${w}: expected true or false`);
        return v;
      };
      const operation: Operation<EtcdInput, EtcdOutput> = {
        clientId,
        input: { op, arg1: num(input["arg1"], `${where}.input.arg1`), arg2: num(input["arg2"], `${where}.input.arg2`) },
        call,
        output: {
          exists: bool(output["exists"], `${where}.output.exists`),
          value: num(output["value"], `${where}.output.value`),
          ok: bool(output["ok"], `${where}.output.ok`),
          unknown: bool(output["unknown"], `${where}.output.unknown`),
        },
        return: ret,
      };
      if (r["metadata"] !== undefined) operation.metadata = r["metadata"];
      return operation;
    });
    return { model, operations };
  }
  const operations = ops.map((raw, i): Operation<KvInput, KvOutput> => {
    const { where, r, clientId, call, ret } = base(raw, i);
    const input = r["input"] as Record<string, unknown>;
    const output = r["output"] as Record<string, unknown>;
    const op = input["op"];
    if (op !== "get" && op !== "put" && op !== "append" && op !== "append-return" && op !== "cas") {
      throw new HistoryParseError(file, undefined, `${where}.input.op: expected "get", "put", "append", "append-return" or "cas", got ${JSON.stringify(op)}`);
    }
    const kvInput: KvInput = { op, key: str(input["key"], `${where}.input.key`, false)! };
    const value = str(input["value"], `${where}.input.value`, op === "get");
    if (value !== undefined) kvInput.value = value;
    if (op === "cas") kvInput.expected = str(input["expected"], `${where}.input.expected`, false)!;
    const kvOutput: KvOutput = {};
    if (op === "cas") {
      if (typeof output["ok"] !== "boolean") throw new HistoryParseError(file, undefined, `${where}.output.ok: expected true or false for a cas`);
      kvOutput.ok = output["ok"];
    } else {
      const v = str(output["value"], `${where}.output.value`, op !== "get" && op !== "append-return");
      if (v !== undefined) kvOutput.value = v;
    }
    const operation: Operation<KvInput, KvOutput> = { clientId, input: kvInput, call, output: kvOutput, return: ret };
    if (r["metadata"] !== undefined) operation.metadata = r["metadata"];
    return operation;
  });
  return { model, operations };
}
