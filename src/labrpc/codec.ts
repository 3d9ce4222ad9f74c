/**
 * The labgob analogue: what may cross the simulated network, and how much of it there is.
 *
 * Only plain data may be sent: plain objects (prototype `Object.prototype` or `null`), arrays,
 * strings, finite numbers, booleans, `null` and `Uint8Array`. Object properties whose value is
 * `undefined` are dropped (as JSON would). Anything else (a function, a class instance whose methods
 * would be lost, a Map, a Date, a bigint, NaN, a cycle...) is a programming error, reported with the
 * path of the offending field so it is easy to fix.
 *
 * Encoding returns a deep copy (so sender and receiver never share an object) and the size of the
 * value's JSON encoding in bytes (a byte array counts its length plus 4), which the network adds to
 * its byte count.
 */

/** Thrown when a value cannot cross the network; the message names the field path. */
export class EncodeError extends Error {
  override readonly name = "EncodeError";
}

/** A deep copy of `value` and its encoded size. */
export interface Encoded<T> {
  readonly copy: T;
  readonly bytes: number;
}

/**
 * Checks that `value` is plain data, and returns a deep copy and its encoded size. `path` names the
 * value in error messages, e.g. `"Raft.AppendEntries args"`.
 */
export function encode<T>(value: T, path: string): Encoded<T> {
  const state = { bytes: 0, ancestors: new Set<object>() };
  const copy = copyValue(value, path, state) as T;
  return { copy, bytes: state.bytes };
}

interface WalkState {
  bytes: number;
  readonly ancestors: Set<object>;
}

function copyValue(value: unknown, path: string, st: WalkState): unknown {
  switch (typeof value) {
    case "string":
      st.bytes += stringBytes(value);
      return value;
    case "number":
      if (!Number.isFinite(value)) {
        throw new EncodeError(`${path} is ${value}: only finite numbers can be sent`);
      }
      st.bytes += numberBytes(value);
      return value;
    case "boolean":
      st.bytes += value ? 4 : 5;
      return value;
    case "undefined":
      throw new EncodeError(`${path} is undefined: send null, or leave the property out`);
    case "bigint":
      throw new EncodeError(`${path} is a bigint: send a number or a string instead`);
    case "function":
      throw new EncodeError(`${path} is a function: functions cannot cross the network, send data`);
    case "symbol":
      throw new EncodeError(`${path} is a symbol: symbols cannot cross the network`);
    case "object":
      break;
  }
  if (value === null) {
    st.bytes += 4;
    return null;
  }
  const obj = value as object;
  if (obj instanceof Uint8Array) {
    st.bytes += obj.length + 4;
    return obj.slice();
  }
  if (st.ancestors.has(obj)) {
    throw new EncodeError(`${path} refers back to an object that contains it (a cycle): send a tree of plain data`);
  }
  st.ancestors.add(obj);
  let result: unknown;
  if (Array.isArray(obj)) {
    const out = new Array<unknown>(obj.length);
    st.bytes += 2 + Math.max(0, obj.length - 1);
    for (let i = 0; i < obj.length; i++) out[i] = copyValue(obj[i], `${path}[${i}]`, st);
    result = out;
  } else {
    const proto = Object.getPrototypeOf(obj) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      throw new EncodeError(`${path} is ${describeNonPlain(obj)}: only plain objects can be sent (methods and prototypes would be lost)`);
    }
    const out: Record<string, unknown> = {};
    let fields = 0;
    st.bytes += 2;
    for (const key of Object.keys(obj)) {
      const v = (obj as Record<string, unknown>)[key];
      if (v === undefined) continue;
      st.bytes += stringBytes(key) + 1 + (fields > 0 ? 1 : 0);
      out[key] = copyValue(v, `${path}.${key}`, st);
      fields++;
    }
    result = out;
  }
  st.ancestors.delete(obj);
  return result;
}

function describeNonPlain(obj: object): string {
  if (obj instanceof Map) return "a Map (send an array of [key, value] pairs or a plain object)";
  if (obj instanceof Set) return "a Set (send an array)";
  if (obj instanceof Date) return "a Date (send date.getTime())";
  if (ArrayBuffer.isView(obj) || obj instanceof ArrayBuffer) return `a ${obj.constructor.name} (send a Uint8Array)`;
  if (obj instanceof Promise) return "a Promise (await it first)";
  const name = (obj.constructor as { name?: string } | undefined)?.name;
  return name ? `an instance of class ${name}` : "an object with a custom prototype";
}

function stringBytes(s: string): number {
  // Fast path for the common case: no character that JSON escapes or encodes as several bytes.
  return /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/.test(s) ? s.length + 2 : Buffer.byteLength(JSON.stringify(s));
}

function numberBytes(n: number): number {
  return String(n).length;
}
