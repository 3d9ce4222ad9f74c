/**
 * Encoding of Raft's persistent state (Figure 2: currentTerm, votedFor, log[]; §7: the snapshot's
 * last index and term) as bytes for the {@link Persister}.
 *
 * The encoding is compact JSON, because its size matters: 3D fails when it reaches 2000 bytes and
 * the KV tests bound it by 8 x maxraftstate. So it is a tuple rather than an object with field names,
 * and each entry is a `[term, command]` pair:
 *
 * ```
 * [currentTerm, votedFor, snapshotIndex, snapshotTerm, [[term, command], ...]]
 * [3, 1, 10, 2, [[2, "x"], [3, 42]]]
 * ```
 * with votedFor `-1` for "no vote" and the log holding the entries after the snapshot. Commands must
 * be JSON data (which is what may cross the network anyway).
 */
import type { Entry } from "./rpc-types.js";

/** Raft's persistent state. */
export interface PersistentState {
  readonly currentTerm: number;
  /** Candidate voted for in currentTerm, or null. */
  readonly votedFor: number | null;
  /** Index of the last entry the snapshot covers (0 if none). */
  readonly snapshotIndex: number;
  /** Term of that entry (0 if none). */
  readonly snapshotTerm: number;
  /** The entries after the snapshot. */
  readonly entries: readonly Entry[];
}

type Encoded = [number, number, number, number, [number, unknown][]];

/** Encodes `state` as compact JSON bytes. */
export function encodeState(state: PersistentState): Uint8Array {
  const tuple: Encoded = [
    state.currentTerm,
    state.votedFor ?? -1,
    state.snapshotIndex,
    state.snapshotTerm,
    state.entries.map((e) => [e.term, e.command]),
  ];
  return new TextEncoder().encode(JSON.stringify(tuple));
}

/**
 * Decodes bytes made by {@link encodeState}; `undefined` for empty bytes (a fresh server). Throws on
 * anything else that is not such an encoding: that is a bug, not a condition to recover from.
 */
export function decodeState(bytes: Uint8Array): PersistentState | undefined {
  if (bytes.length === 0) return undefined;
  const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
  if (!isEncoded(value)) throw new Error("decodeState: bytes do not hold Raft state");
  const [currentTerm, votedFor, snapshotIndex, snapshotTerm, log] = value;
  return {
    currentTerm,
    votedFor: votedFor < 0 ? null : votedFor,
    snapshotIndex,
    snapshotTerm,
    entries: log.map(([term, command]) => ({ term, command })),
  };
}

/**
 * Encodes state exactly as {@link encodeState} does, but re-encodes only the entries that changed
 * since the previous call. Raft persists on every change of its log, and in 3C the log grows to
 * thousands of entries with no snapshot: re-encoding all of them each time made persisting the
 * bulk of a test's run time. This keeps each entry's bytes and reuses them for as long as the log
 * holds the same (immutable) entry object at the same index, so a save costs about one copy of
 * the bytes.
 */
export class StateEncoder {
  private readonly utf8 = new TextEncoder();
  /** Index of the entry before `cached[0]`. */
  private base = 0;
  /** The entries whose encodings fill `bytes` from {@link HEAD_ROOM} on, in order (compared by identity: entries are never mutated). */
  private cached: Entry[] = [];
  /** `ends[i]` = offset in `bytes` just past the encoding of `cached[i]` (encodings are comma-separated). */
  private ends: number[] = [];
  /** The head's room, then the entries' encodings, then room for the closing "]]". */
  private bytes = new Uint8Array(1024);

  /**
   * The bytes {@link encodeState} would return for `state`, as a view of the encoder's buffer: valid
   * until the next call (a persister copies what it keeps, as `Persister.save` does). Each save
   * used to copy the whole state into a new array; now only what changed is written.
   */
  encode(state: PersistentState): Uint8Array {
    this.sync(state.snapshotIndex, state.entries);
    const head = this.utf8.encode(
      `[${state.currentTerm},${state.votedFor ?? -1},${state.snapshotIndex},${state.snapshotTerm},[`,
    );
    if (head.length > HEAD_ROOM) throw new RangeError(`StateEncoder: a head of ${head.length} bytes does not fit its ${HEAD_ROOM} bytes of room`);
    const end = this.bodyEnd();
    this.reserve(end + CLOSE.length);
    this.bytes.set(head, HEAD_ROOM - head.length);
    this.bytes.set(CLOSE, end);
    return this.bytes.subarray(HEAD_ROOM - head.length, end + CLOSE.length);
  }

  /** Offset just past the last entry's encoding. */
  private bodyEnd(): number {
    return this.ends.at(-1) ?? HEAD_ROOM;
  }

  /** Makes the cache hold exactly `entries`, the entries after `snapshotIndex`. */
  private sync(snapshotIndex: number, entries: readonly Entry[]): void {
    // Forget what a snapshot has absorbed (or everything, if the snapshot went backwards).
    const drop = snapshotIndex - this.base;
    if (drop < 0 || drop > this.cached.length) {
      this.keep(0);
    } else if (drop > 0) {
      const cut = this.ends[drop - 1]! + 1 - HEAD_ROOM; // bytes dropped, including the comma
      this.bytes.copyWithin(HEAD_ROOM, HEAD_ROOM + cut, this.bodyEnd());
      this.cached = this.cached.slice(drop);
      this.ends = this.ends.slice(drop).map((e) => e - cut);
    }
    this.base = snapshotIndex;
    // Keep the longest unchanged prefix, then encode the rest.
    let same = 0;
    while (same < this.cached.length && same < entries.length && this.cached[same] === entries[same]) same++;
    this.keep(same);
    for (let i = same; i < entries.length; i++) this.push(entries[i]!);
  }

  private keep(n: number): void {
    this.cached.length = n;
    this.ends.length = n;
  }

  /** Makes `bytes` at least `size` long, keeping its contents. */
  private reserve(size: number): void {
    if (size <= this.bytes.length) return;
    const bigger = new Uint8Array(Math.max(2 * this.bytes.length, size));
    bigger.set(this.bytes.subarray(0, this.bodyEnd()));
    this.bytes = bigger;
  }

  private push(entry: Entry): void {
    const sep = this.ends.length > 0 ? "," : "";
    const encoded = this.utf8.encode(sep + JSON.stringify([entry.term, entry.command]));
    const at = this.bodyEnd();
    this.reserve(at + encoded.length);
    this.bytes.set(encoded, at);
    this.cached.push(entry);
    this.ends.push(at + encoded.length);
  }
}

/** Room kept before the entries for the head (`[term,vote,snapshotIndex,snapshotTerm,[`: 4 numbers of at most 17 characters). */
const HEAD_ROOM = 80;
const CLOSE = new TextEncoder().encode("]]");

function isEncoded(v: unknown): v is Encoded {
  return (
    Array.isArray(v) &&
    v.length === 5 &&
    v.slice(0, 4).every((x) => Number.isInteger(x)) &&
    Array.isArray(v[4]) &&
    (v[4] as unknown[]).every((e) => Array.isArray(e) && e.length === 2 && Number.isInteger(e[0]))
  );
}
