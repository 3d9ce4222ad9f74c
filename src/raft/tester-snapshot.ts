/**
 * The 3D applier's snapshot format: the last included index and the tester's copy of the log
 * through it (index 0 is null), as JSON bytes. Raft treats snapshots as opaque, so only the tester
 * reads these (Go's applierSnap uses gob for the same two values).
 */

/** Encodes a snapshot of `xlog[0..lastIncludedIndex]`. */
export function encodeSnapshot(lastIncludedIndex: number, xlog: readonly unknown[]): Uint8Array {
  return new TextEncoder().encode(JSON.stringify([lastIncludedIndex, xlog]));
}

/** Decodes {@link encodeSnapshot}'s bytes, or returns undefined if they are not such a snapshot. */
export function decodeSnapshot(bytes: Uint8Array): { lastIncludedIndex: number; xlog: unknown[] } | undefined {
  try {
    const v: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (!Array.isArray(v) || v.length !== 2) return undefined;
    const [lastIncludedIndex, xlog] = v as [unknown, unknown];
    if (!Number.isSafeInteger(lastIncludedIndex) || !Array.isArray(xlog)) return undefined;
    return { lastIncludedIndex: lastIncludedIndex as number, xlog: xlog as unknown[] };
  } catch {
    return undefined;
  }
}
