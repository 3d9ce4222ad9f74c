import { encode } from "../labrpc/index.js";

/**
 * How a value that may cross the network is best put on the wire: `"json"` when `JSON.parse` of
 * its `JSON.stringify` gives back exactly what labrpc's codec (`encode(value).copy`) would deliver,
 * `"binary"` when it does not (it holds a `Uint8Array`, a `-0`, or a `"__proto__"` key).
 */
export type WireFormat = "json" | "binary";

/** Beyond this depth a value is handed to labrpc's codec, which tells a cycle from a deep tree. */
const MAX_FAST_DEPTH = 256;

/**
 * Checks `value` as labrpc's codec does (the same values are refused, with the same message naming
 * `path` and the field), without copying it: the transport serializes a value in the same turn as
 * it checks it, so the serialized bytes are the copy, and the deep copy that `encode` makes was one
 * more walk and one more tree of objects per message. Returns the {@link WireFormat} that carries it.
 *
 * The walk builds no field paths: on anything it does not accept at once (a value labrpc refuses,
 * or a tree deeper than {@link MAX_FAST_DEPTH}, which might be a cycle) it runs labrpc's `encode`,
 * which throws labrpc's own error, or else (a deep tree that is plain data) `"binary"` is returned.
 */
export function checkSendable(value: unknown, path: string): WireFormat {
  const verdict = walk(value, 0);
  if (verdict !== UNSURE) return verdict === JSON_OK ? "json" : "binary";
  encode(value, path); // throws labrpc's EncodeError naming the field, if labrpc refuses the value
  return "binary";
}

const JSON_OK = 0;
const BINARY = 1;
const UNSURE = 2;
type Verdict = typeof JSON_OK | typeof BINARY | typeof UNSURE;

function walk(value: unknown, depth: number): Verdict {
  switch (typeof value) {
    case "string":
    case "boolean":
      return JSON_OK;
    case "number":
      if (!Number.isFinite(value)) return UNSURE;
      return value === 0 && 1 / value < 0 ? BINARY : JSON_OK; // JSON writes -0 as 0
    case "object":
      break;
    default:
      return UNSURE; // undefined, bigint, function, symbol: labrpc refuses them
  }
  if (value === null) return JSON_OK;
  if (depth >= MAX_FAST_DEPTH) return UNSURE;
  if (value instanceof Uint8Array) return BINARY;
  let verdict: Verdict = JSON_OK;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v = walk(value[i], depth + 1);
      if (v === UNSURE) return UNSURE;
      if (v === BINARY) verdict = BINARY;
    }
    return verdict;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return UNSURE;
  const obj = value as Record<string, unknown>;
  for (const key in obj) {
    if (!Object.prototype.hasOwnProperty.call(obj, key)) continue;
    const field = obj[key];
    if (field === undefined) continue; // dropped, by labrpc and by JSON alike
    if (key === "__proto__") verdict = BINARY; // JSON.parse makes it an own property; keep the old path
    const v = walk(field, depth + 1);
    if (v === UNSURE) return UNSURE;
    if (v === BINARY) verdict = BINARY;
  }
  return verdict;
}

/**
 * What labrpc's `encode(value, path).copy` returns (the same copy, the same errors), made faster
 * for the usual message of plain data: checked by {@link checkSendable}, then copied without
 * building field paths. For a node's calls to its own services, which cross no wire.
 */
export function copySendable<T>(value: T, path: string): T {
  return checkSendable(value, path) === "json" ? (copyPlain(value) as T) : encode(value, path).copy;
}

/** A deep copy of a value {@link checkSendable} found to be JSON data (undefined fields are dropped, as labrpc drops them). */
function copyPlain(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyPlain(value[i]);
    return out;
  }
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key in obj) {
    if (!Object.prototype.hasOwnProperty.call(obj, key)) continue;
    const field = obj[key];
    if (field !== undefined) out[key] = copyPlain(field);
  }
  return out;
}
