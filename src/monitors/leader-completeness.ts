/**
 * Leader Completeness: an entry committed in a term is in the log of every leader of a later term.
 * Checked when a server is first seen leading a term (against every entry known committed in an
 * earlier term), and when an entry becomes known committed (against every leader of a later term):
 * a leader only appends (Leader Append-Only, checked on its own), so nothing else can break it.
 */
import type { CommitLedger } from "./commit-ledger.js";
import type { LogView } from "./shadow-log.js";
import type { Violation } from "./violation.js";

/**
 * Checks that `leader`, leader of `term` with log `view`, holds every entry of `ledger` in
 * `from..to` that was committed before `term`. Entries in the leader's snapshot are taken as held
 * (a snapshot holds only committed entries; State Machine Safety checks what it stands for).
 */
export function checkLeaderCompleteness(
  leader: number,
  term: number,
  view: LogView,
  ledger: CommitLedger,
  from = 1,
  to = ledger.maxIndex,
): Violation | undefined {
  for (let index = Math.max(from, view.snapshotIndex + 1); index <= to; index++) {
    const committed = ledger.at(index);
    if (committed === undefined || committed.committedBy >= term) continue;
    const held = view.termAt(index);
    if (held === committed.term) continue;
    const has = held === undefined ? `S${leader}'s log ends at index ${view.lastIndex}` : `S${leader} has an entry of T${held} there`;
    return {
      property: "Leader Completeness",
      summary: `S${leader} is leader of T${term} without the entry of T${committed.term} committed at index ${index}`,
      details: [
        `S${committed.server} was seen holding (${index}, T${committed.term}) committed in T${committed.committedBy}, before T${term}; ${has}.`,
      ],
      peers: committed.server === leader ? [leader] : [leader, committed.server],
      terms: [committed.term, committed.committedBy, term],
      indices: [index],
    };
  }
  return undefined;
}
