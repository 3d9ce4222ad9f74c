/**
 * The rules of the Raft protocol, as pure functions of the state they read (extended Raft paper,
 * "In Search of an Understandable Consensus Algorithm", Figure 2 and §5, §7).
 *
 * Nothing here knows about time, randomness, the network or the persister: `raft.ts` is the shell
 * that calls these rules when timers fire and messages arrive, and does the I/O they imply. The only
 * mutation is {@link acceptEntries}, which edits the log it is given.
 */
import { assertInvariant } from "./invariant.js";
import type { RaftLog } from "./log.js";
import type { AppendEntriesArgs, AppendEntriesReply, Entry, RequestVoteArgs } from "./rpc-types.js";

/**
 * Whether a candidate's log is at least as up-to-date as the voter's (§5.4.1): the log whose last
 * entry has the later term is more up-to-date; with equal last terms, the longer log is.
 */
export function isAtLeastAsUpToDate(
  candidate: { readonly lastLogTerm: number; readonly lastLogIndex: number },
  voter: { readonly lastLogTerm: number; readonly lastLogIndex: number },
): boolean {
  if (candidate.lastLogTerm !== voter.lastLogTerm) return candidate.lastLogTerm > voter.lastLogTerm;
  return candidate.lastLogIndex >= voter.lastLogIndex;
}

/** What a voter knows when it decides on a vote (after updating its term to the request's). */
export interface VoterState {
  readonly currentTerm: number;
  /** Candidate voted for in currentTerm, or null. */
  readonly votedFor: number | null;
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
}

/**
 * RequestVote receiver rules (Figure 2): reply false if the request's term is older than ours
 * (§5.1); grant the vote if we have not voted for someone else in this term and the candidate's log
 * is at least as up-to-date as ours (§5.2, §5.4). The caller has already adopted a newer term from
 * the request ("Rules for Servers: All Servers").
 */
export function shouldGrantVote(voter: VoterState, args: RequestVoteArgs): boolean {
  if (args.term < voter.currentTerm) return false;
  if (voter.votedFor !== null && voter.votedFor !== args.candidateId) return false;
  return isAtLeastAsUpToDate(args, voter);
}

/** The follower's hint for the leader when its log does not match (see {@link AppendEntriesReply}). */
export interface ConflictHint {
  readonly xTerm: number;
  readonly xIndex: number;
  readonly xLen: number;
}

/** What a follower knows, besides its log, when it accepts entries (after following the request's leader). */
export interface FollowerState {
  /** The follower's id. */
  readonly me: number;
  readonly currentTerm: number;
  /** Entries through this index are committed: they are never deleted. */
  readonly commitIndex: number;
}

/** The outcome of {@link acceptEntries}. */
export type AcceptResult =
  | {
      readonly success: true;
      /** Index of the last entry the request carried: what the follower now surely matches up to. */
      readonly lastNewIndex: number;
      /** Whether the log changed (so it must be persisted before replying). */
      readonly changed: boolean;
    }
  | { readonly success: false; readonly hint: ConflictHint };

/**
 * AppendEntries receiver steps 2-4 (Figure 2), for a request whose term is current:
 * - reply false if the log does not contain an entry at prevLogIndex whose term matches
 *   prevLogTerm (§5.3), with a hint to back up quickly;
 * - if an existing entry conflicts with a new one (same index, different terms), delete it and
 *   all that follow it (§5.3);
 * - append any new entries not already in the log.
 *
 * Entries that are already present are left alone: the request may be an old, reordered one, and
 * truncating on it would lose entries that a newer request added (and that the leader may already
 * count as replicated). Entries at or below our snapshot are committed, so they match the leader's
 * (Log Matching, Leader Completeness) and are skipped.
 *
 * Invariant: a committed entry is never deleted. The leader of the request's term holds every
 * committed entry (Leader Completeness), so a conflict at or below `follower.commitIndex` is a bug
 * (typically, committing an entry of an earlier term by counting replicas, Figure 8): this throws a
 * RaftInvariantError naming the indices instead of deleting it (as etcd's `raftLog.maybeAppend` panics).
 */
export function acceptEntries(
  log: RaftLog,
  args: Pick<AppendEntriesArgs, "prevLogIndex" | "prevLogTerm" | "entries">,
  follower: FollowerState,
): AcceptResult {
  let prevLogIndex = args.prevLogIndex;
  let entries: readonly Entry[] = args.entries;
  const lastNewIndex = prevLogIndex + entries.length;
  if (prevLogIndex < log.snapshotIndex) {
    // Skip what the snapshot covers; the snapshot's last entry then plays prevLog.
    entries = entries.slice(log.snapshotIndex - prevLogIndex);
    prevLogIndex = log.snapshotIndex;
  } else if (log.termAt(prevLogIndex) !== args.prevLogTerm) {
    return { success: false, hint: conflictHint(log, prevLogIndex) };
  }

  let changed = false;
  for (const [i, entry] of entries.entries()) {
    const index = prevLogIndex + 1 + i;
    if (log.termAt(index) === entry.term) continue; // same index and term: same entry (§5.3)
    if (index <= log.lastIndex()) {
      // A conflict: drop it and all after it, unless it is committed.
      assertInvariant(index > follower.commitIndex, { peer: follower.me, term: follower.currentTerm }, () => {
        const ours = log.termAt(index) ?? "?";
        return `AppendEntries after ${args.prevLogIndex}/T${args.prevLogTerm} conflicts at index ${index} (T${ours} here, T${entry.term} in the request), but commitIndex is ${follower.commitIndex}: a committed entry would be deleted`;
      });
      log.truncate(index);
    }
    for (const newEntry of entries.slice(i)) log.append(newEntry); // no spread: requests may be long
    changed = true;
    break;
  }
  return { success: true, lastNewIndex, changed };
}

/**
 * The hint a follower returns when its log has no entry matching (prevLogIndex, prevLogTerm)
 * (§5.3, end; 6.5840's XTerm/XIndex/XLen):
 * - no entry at prevLogIndex at all: xTerm = -1, xIndex = -1, xLen = log length;
 * - otherwise xTerm = the term found there and xIndex = the first index of that term in our log.
 */
export function conflictHint(log: RaftLog, prevLogIndex: number): ConflictHint {
  const xLen = log.lastIndex() + 1;
  const xTerm = log.termAt(prevLogIndex);
  if (xTerm === undefined || prevLogIndex <= log.snapshotIndex) return { xTerm: -1, xIndex: -1, xLen };
  return { xTerm, xIndex: log.firstIndexOfTermAt(prevLogIndex), xLen };
}

/**
 * The leader's new nextIndex for a follower that rejected an AppendEntries with `hint` (§5.3):
 * - the follower's log is too short: continue right after its end (xLen);
 * - the leader has entries of xTerm: continue after its last entry of xTerm (the follower's entries
 *   of that term up to there may match);
 * - the leader has no entry of xTerm: none of the follower's entries of xTerm can match, so
 *   continue from the first of them (xIndex).
 * A result at or below the leader's snapshot means the follower needs an InstallSnapshot.
 */
export function nextIndexAfterConflict(leaderLog: RaftLog, hint: ConflictHint): number {
  if (hint.xTerm === -1) return hint.xLen;
  const last = leaderLog.lastIndexOfTerm(hint.xTerm);
  return last !== undefined ? last + 1 : hint.xIndex;
}

/**
 * The leader's commitIndex given how far each server's log matches its own (Figure 2, Rules for
 * Servers, Leaders): the largest N > commitIndex such that a majority of matchIndex[i] >= N and
 * log[N].term == currentTerm. Entries of earlier terms are never committed by counting replicas
 * (§5.4.2, Figure 8); they become committed along with a current-term entry after them.
 *
 * @param matchIndex for every server, including the leader itself (its own last index)
 */
export function advanceCommitIndex(
  matchIndex: readonly number[],
  log: RaftLog,
  currentTerm: number,
  commitIndex: number,
): number {
  // The highest index that a majority has: the median of the sorted match indices.
  const sorted = [...matchIndex].sort((a, b) => b - a);
  const majorityMatch = sorted[Math.floor(matchIndex.length / 2)] ?? 0;
  // Terms never decrease along the log, so if this entry is not of currentTerm, none below is.
  if (majorityMatch > commitIndex && log.termAt(majorityMatch) === currentTerm) return majorityMatch;
  return commitIndex;
}

/** The reply to an AppendEntries whose term is stale (§5.1): no hint, just our term. */
export function staleTermReply(currentTerm: number): AppendEntriesReply {
  return { term: currentTerm, success: false, xTerm: -1, xIndex: -1, xLen: -1 };
}
