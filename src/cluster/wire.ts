/**
 * The peer protocol's frames: `[u32 length][u8 kind][u32 id][payload]`, big-endian, where
 * `length` counts everything after itself and the payload is a value in V8's serialization format
 * (Node's `v8.serialize`: plain objects, arrays, strings, numbers, booleans, null and Uint8Array
 * round-trip exactly; every node runs the same Node, and the format is backward compatible).
 *
 * What may be sent is what labrpc lets cross the simulated network: the transport checks
 * arguments and replies with labrpc's codec (`encode`) first, so a value that the simulation
 * rejects is rejected here too, with the same message naming the field.
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

/** One decoded frame. */
export interface Frame {
  readonly kind: number;
  readonly id: number;
  readonly payload: unknown;
}

/** Encodes one frame. */
export function encodeFrame(kind: FrameKind, id: number, payload: unknown): Buffer {
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
      frames.push({ kind: frame.readUInt8(4), id: frame.readUInt32BE(5), payload: deserialize(frame.subarray(HEADER)) });
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
