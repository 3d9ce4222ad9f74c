/**
 * Leader Append-Only: while a server leads a term, entries in its log are never overwritten or
 * deleted; it only appends. (Its snapshot may move: compacting committed entries deletes nothing
 * the log stands for.)
 */
import type { LogChange, LogView } from "./shadow-log.js";
import type { Violation } from "./violation.js";

/**
 * Checks one change of the log of `leader`, which led `term` both before and after the change;
 * `view` is its log after it.
 */
export function checkLeaderAppendOnly(leader: number, term: number, change: LogChange, view: LogView): Violation | undefined {
  const { from, previousTerm, previousLastIndex } = change;
  if (from > previousLastIndex) return undefined; // only appended (or compacted)
  const now = view.termAt(from);
  const summary =
    now !== undefined && from <= view.lastIndex
      ? `S${leader}, leader of T${term}, overwrote its entry at index ${from} (T${previousTerm ?? "?"}) with one of T${now}`
      : `S${leader}, leader of T${term}, deleted its entries ${from}..${previousLastIndex} (its log now ends at ${view.lastIndex})`;
  return {
    property: "Leader Append-Only",
    summary,
    peers: [leader],
    terms: now !== undefined && previousTerm !== undefined ? [term, previousTerm, now] : [term],
    indices: from < previousLastIndex ? [from, previousLastIndex] : [from],
  };
}
