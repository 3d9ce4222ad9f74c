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

function isEncoded(v: unknown): v is Encoded {
  return (
    Array.isArray(v) &&
    v.length === 5 &&
    v.slice(0, 4).every((x) => Number.isInteger(x)) &&
    Array.isArray(v[4]) &&
    (v[4] as unknown[]).every((e) => Array.isArray(e) && e.length === 2 && Number.isInteger(e[0]))
  );
}
