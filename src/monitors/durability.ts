/**
 * The durability monitors: what stable storage must guarantee once a server may send before its
 * own write is durable (the leader's parallel write, thesis §10.2.1).
 *
 * - **Durable Commit**: a leader's commitIndex never exceeds what a majority holds durably. A leader
 *   that counts itself at its last index while that entry is still on its way to disk breaks it
 *   (a crash of the leader and of the one follower that had it loses a committed entry).
 * - **Durable Acknowledgement**: no success reply leaves a server before what it acknowledges is
 *   durable there: an AppendEntries success covering index i needs entry i durable; a vote for
 *   candidate c in term T needs term T and the vote for c durable (§3.8).
 *
 * They judge durable states that the run's storage model provides (a server's log as of its last
 * durable save, with its term and vote), so they are independent of how a Raft encodes its state.
 * Like the other monitors, they only read.
 */
import type { LogView } from "./shadow-log.js";
import type { Violation } from "./violation.js";

/** What a server holds durably: its log as of its last durable save, and its term and vote. */
export interface DurableState extends LogView {
  readonly currentTerm: number;
  readonly votedFor: number | null;
}

/** Whether `durable` holds the entry that `log` has at `index` (a snapshot past it holds it too). */
function holds(durable: DurableState | undefined, log: LogView, index: number): boolean {
  if (index <= 0) return true;
  if (durable === undefined) return false;
  if (index <= durable.snapshotIndex) return true; // a snapshot holds committed entries only
  return index <= durable.lastIndex && durable.termAt(index) === log.termAt(index);
}

/** Describes a durable state in a few words, for the evidence. */
function describe(server: number, d: DurableState | undefined): string {
  if (d === undefined) return `S${server}: nothing durable`;
  return `S${server}: durably T${d.currentTerm}, log through ${d.lastIndex}${d.snapshotIndex > 0 ? ` (snapshot ${d.snapshotIndex})` : ""}`;
}

/**
 * Durable Commit, for leader `leader` of `term` whose log is `log` and whose commitIndex is
 * `commitIndex`: a violation unless a majority of `durable` (every server's durable state, by
 * index) holds the leader's entry at commitIndex.
 */
export function checkDurableCommit(
  leader: number,
  term: number,
  commitIndex: number,
  log: LogView,
  durable: readonly (DurableState | undefined)[],
): Violation | undefined {
  if (commitIndex < log.snapshotIndex) return undefined; // committed before the leader's snapshot: long settled
  const holders = durable.map((d, i) => (holds(d, log, commitIndex) ? i : -1)).filter((i) => i >= 0);
  if (2 * holders.length > durable.length) return undefined;
  return {
    property: "Durable Commit",
    summary: `S${leader}, leader of T${term}, committed through index ${commitIndex}, but only ${holders.length} of ${durable.length} servers hold that entry durably (${holders.map((i) => `S${i}`).join(" ") || "none"})`,
    details: durable.map((d, i) => describe(i, d)),
    peers: [leader],
    terms: [term],
    indices: [commitIndex],
  };
}

/**
 * Durable Acknowledgement of an AppendEntries success from `server`, which tells the leader that it
 * stores the leader's log through `index`, whose entry there has term `entryTerm`.
 */
export function checkAppendAcknowledged(server: number, index: number, entryTerm: number, durable: DurableState | undefined): Violation | undefined {
  if (index <= 0 || (durable !== undefined && (index <= durable.snapshotIndex || (index <= durable.lastIndex && durable.termAt(index) === entryTerm)))) {
    return undefined;
  }
  return {
    property: "Durable Acknowledgement",
    summary: `S${server} replied success to an AppendEntries through index ${index} (an entry of T${entryTerm}) before that entry was durable there`,
    details: [describe(server, durable)],
    peers: [server],
    terms: [entryTerm],
    indices: [index],
  };
}

/** Durable Acknowledgement of a vote that `server` granted to `candidate` in `term`. */
export function checkVoteAcknowledged(server: number, candidate: number, term: number, durable: DurableState | undefined): Violation | undefined {
  if (durable !== undefined && (durable.currentTerm > term || (durable.currentTerm === term && durable.votedFor === candidate))) return undefined;
  return {
    property: "Durable Acknowledgement",
    summary: `S${server} granted its vote to S${candidate} in T${term} before that term and vote were durable there`,
    details: [describe(server, durable)],
    peers: [server, candidate],
    terms: [term],
    indices: [],
  };
}
