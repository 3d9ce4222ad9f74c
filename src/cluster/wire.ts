/**
 * The peer protocol's frames: `[u32 length][u8 kind][u32 id][payload]`, big-endian, where
 * `length` counts everything after itself. The payload is UTF-8 JSON when the kind byte has its
 * {@link JSON_PAYLOAD} bit set, else a value in V8's serialization format (Node's `v8.serialize`:
 * plain objects, arrays, strings, numbers, booleans, null and Uint8Array round-trip exactly; every
 * node runs the same Node, and the format is backward compatible). JSON is for values it carries
 * exactly (`sendable.ts` tells which: Raft's and the KV server's messages but for snapshots); on a
 * message of one entry it is several times cheaper to make and read than V8's format.
 *
 * What may be sent is what labrpc lets cross the simulated network: the transport checks
 * arguments and replies as labrpc's codec does (`sendable.ts`, which falls back on labrpc's
 * `encode`) first, so a value that the simulation rejects is rejected here too, with the same
 * message naming the field.
 */
import { deserialize, serialize } from "node:v8";

/** Frame kinds. A connection starts with HELLO from the dialing node, answered by WELCOME or REJECT. */
export const FRAME = {
  /** payload {@link Hello}. */
  HELLO: 1,
  /** payload null: the link is up. */
  WELCOME: 2,
  /** payload a string saying why the link was refused. */
  REJECT: 3,
  /** payload {@link Request}; `id` names the call. */
  REQUEST: 4,
  /** payload the reply; `id` is the call's. */
  REPLY: 5,
  /** payload {@link CallError}; `id` is the call's. */
  ERROR: 6,
} as const;

/** One of {@link FRAME}'s values. */
export type FrameKind = (typeof FRAME)[keyof typeof FRAME];

/** What the dialing node says first. Ids are 1..N. */
export interface Hello {
  readonly from: number;
  readonly to: number;
  /** The dialer's `--peers`, which must be the acceptor's too. */
  readonly peers: readonly string[];
}

/** A call: `"Service.Method"` and its arguments. */
export interface Request {
  readonly m: string;
  readonly a: unknown;
}

/** Why a call got no reply: the method does not exist (a bug of the caller) or its handler failed. */
export interface CallError {
  readonly kind: "unknown-method" | "handler-failed";
  readonly message: string;
}

/** Frames above this size are refused (a snapshot of the KV state is far smaller). */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

const HEADER = 9;

/** The bit of the kind byte that marks a JSON payload. */
export const JSON_PAYLOAD = 0x80;

/** One decoded frame. */
export interface Frame {
  readonly kind: number;
  readonly id: number;
  readonly payload: unknown;
}

/**
 * Encodes one frame, its payload as JSON if `format` is "json" (the caller has checked that JSON
 * carries it exactly), else in V8's format.
 */
export function encodeFrame(kind: FrameKind, id: number, payload: unknown, format: "json" | "binary" = "binary"): Buffer {
  if (format === "json") return encodeJsonFrame(kind, id, JSON.stringify(payload));
  const body = serialize(payload);
  if (body.length + 5 > MAX_FRAME_BYTES) {
    throw new RangeError(`a ${body.length}-byte message is above the peer protocol's limit of ${MAX_FRAME_BYTES} bytes`);
  }
  const head = Buffer.allocUnsafe(HEADER);
  head.writeUInt32BE(body.length + 5, 0);
  head.writeUInt8(kind, 4);
  head.writeUInt32BE(id >>> 0, 5);
  return Buffer.concat([head, body], HEADER + body.length);
}

/** Encodes one frame whose payload is `text`, a value already in JSON. */
export function encodeJsonFrame(kind: FrameKind, id: number, text: string): Buffer {
  const bytes = Buffer.byteLength(text);
  if (bytes + 5 > MAX_FRAME_BYTES) {
    throw new RangeError(`a ${bytes}-byte message is above the peer protocol's limit of ${MAX_FRAME_BYTES} bytes`);
  }
  const frame = Buffer.allocUnsafe(HEADER + bytes);
  frame.writeUInt32BE(bytes + 5, 0);
  frame.writeUInt8(kind | JSON_PAYLOAD, 4);
  frame.writeUInt32BE(id >>> 0, 5);
  frame.write(text, HEADER, bytes, "utf8");
  return frame;
}

/** Decodes a frame's payload (see the module comment). */
function decodePayload(frame: Buffer): unknown {
  return (frame[4]! & JSON_PAYLOAD) !== 0 ? JSON.parse(frame.toString("utf8", HEADER)) : deserialize(frame.subarray(HEADER));
}

/** Splits a byte stream into frames. Throws on a frame above {@link MAX_FRAME_BYTES} (the peer is broken). */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  /** Adds received bytes and returns the frames they complete. */
  push(chunk: Buffer): Frame[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Frame[] = [];
    for (;;) {
      if (this.buffered < 4) break;
      const length = this.peekLength();
      if (length < 5 || length > MAX_FRAME_BYTES) {
        throw new RangeError(`peer sent a frame of ${length} bytes (the limit is ${MAX_FRAME_BYTES}): not a raftlab peer, or a broken one`);
      }
      if (this.buffered < 4 + length) break;
      const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
      const frame = all.subarray(0, 4 + length);
      const rest = all.subarray(4 + length);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      frames.push({ kind: frame.readUInt8(4) & ~JSON_PAYLOAD, id: frame.readUInt32BE(5), payload: decodePayload(frame) });
    }
    return frames;
  }

  private peekLength(): number {
    const first = this.chunks[0]!;
    if (first.length >= 4) return first.readUInt32BE(0);
    const joined = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [joined];
    return joined.readUInt32BE(0);
  }
}
