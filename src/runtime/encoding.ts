/**
 * Bytes for snapshots and persisted state: labgob's role in the Go labs. `encode(value)` turns
 * plain data into a `Uint8Array` (what `persister.save(...)` and `rf.snapshot(index, ...)` take),
 * `decode(bytes)` gives it back:
 *
 * ```ts
 * const snapshot = encode({ data: this.data, lastApplied: this.lastApplied, clients: this.clients });
 * this.rf.snapshot(index, snapshot);
 * ...
 * const { data, lastApplied, clients } = decode<KVSnapshot>(msg.snapshot);
 * ```
 *
 * Plain data only, as for RPC arguments: plain objects, arrays, strings, finite numbers,
 * booleans, `null` and `Uint8Array` (nested at any depth). A property whose value is `undefined`
 * is left out, as in JSON (an optional field comes back absent). Anything else (a `Map`, a class
 * instance, a function, `NaN`, a cycle) throws an error naming the path of the field, e.g.
 * `encode(): value.clients is a Map; use a plain object or an array of pairs`. The bytes are
 * UTF-8 JSON, so `decode` also reads what `JSON.stringify` wrote.
 */

/** Thrown by {@link encode} and {@link decode}; the message names the field. */
export class EncodingError extends Error {
  override readonly name = "EncodingError";
}

/** The key that marks a byte array in the JSON text (a plain object may not use it). */
const BYTES_KEY = "$bytes";

/** Encodes plain data (see the module comment) as bytes; throws {@link EncodingError} naming the field that is not plain data. */
export function encode(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(toJson(value, "value", new Set())));
}

/** Decodes bytes made by {@link encode}. The caller states the type: nothing checks it (as with labgob). */
export function decode<T>(bytes: Uint8Array): T {
  if (!(bytes instanceof Uint8Array)) throw new EncodingError(`decode(): expected a Uint8Array, got ${describe(bytes)}`);
  if (bytes.length === 0) throw new EncodingError("decode(): no bytes (nothing was saved yet? check for an empty snapshot or state first)");
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new EncodingError(`decode(): these bytes were not made by encode() (${(e as Error).message})`);
  }
  return fromJson(parsed) as T;
}

function toJson(value: unknown, path: string, ancestors: Set<object>): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (!Number.isFinite(value)) throw new EncodingError(`encode(): ${path} is ${value}; only finite numbers can be encoded`);
      return value;
    case "object":
      break;
    default:
      throw new EncodingError(`encode(): ${path} is ${describe(value)}; only plain data can be encoded`);
  }
  if (value === null) return null;
  if (value instanceof Uint8Array) return { [BYTES_KEY]: toBase64(value) };
  if (ancestors.has(value)) throw new EncodingError(`encode(): ${path} refers back to itself (a cycle)`);
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((v, i) => toJson(v === undefined ? null : v, `${path}[${i}]`, ancestors));
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      const kind = describe(value);
      const hint = value instanceof Map ? "; use a plain object or an array of pairs" : value instanceof Set ? "; use an array" : "; use a plain object";
      throw new EncodingError(`encode(): ${path} is ${kind}${hint}`);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      if (k === BYTES_KEY) throw new EncodingError(`encode(): ${path} has a property named "${BYTES_KEY}", which encode() reserves for byte arrays`);
      out[k] = toJson(v, `${path}.${k}`, ancestors);
    }
    return out;
  } finally {
    ancestors.delete(value);
  }
}

function fromJson(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(fromJson);
  const obj = value as Record<string, unknown>;
  const b = obj[BYTES_KEY];
  if (typeof b === "string" && Object.keys(obj).length === 1) return fromBase64(b);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = fromJson(v);
  return out;
}

function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "function") return "a function";
  if (typeof value === "bigint") return "a bigint";
  if (typeof value === "symbol") return "a symbol";
  if (typeof value === "object" && value !== null) {
    const name = (value as object).constructor?.name;
    return name !== undefined && name !== "Object" ? `a ${name}` : "an object";
  }
  return String(value);
}

function toBase64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

function fromBase64(text: string): Uint8Array {
  const raw = atob(text);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}
