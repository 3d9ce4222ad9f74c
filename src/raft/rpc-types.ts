/**
 * The messages Raft peers exchange (extended Raft paper, Figure 2 and Figure 13), as plain data so
 * they can cross the simulated network. Field names follow the paper.
 */

/** One log entry: the command and the term in which a leader received it (Figure 2, "log[]"). */
export interface Entry {
  readonly term: number;
  readonly command: unknown;
}

/** RequestVote RPC arguments, sent by candidates to gather votes (Figure 2). */
export interface RequestVoteArgs {
  /** Candidate's term. */
  readonly term: number;
  /** Candidate requesting the vote. */
  readonly candidateId: number;
  /** Index of the candidate's last log entry (§5.4). */
  readonly lastLogIndex: number;
  /** Term of the candidate's last log entry (§5.4). */
  readonly lastLogTerm: number;
}

/** RequestVote RPC reply. */
export interface RequestVoteReply {
  /** The voter's current term, for the candidate to update itself. */
  readonly term: number;
  /** True means the candidate received the vote. */
  readonly voteGranted: boolean;
}

/** AppendEntries RPC arguments, sent by leaders to replicate entries and as heartbeats (Figure 2). */
export interface AppendEntriesArgs {
  /** Leader's term. */
  readonly term: number;
  /** So followers know who the leader is. */
  readonly leaderId: number;
  /** Index of the log entry immediately preceding the new ones. */
  readonly prevLogIndex: number;
  /** Term of the entry at prevLogIndex. */
  readonly prevLogTerm: number;
  /** Entries to store (empty for a heartbeat). */
  readonly entries: readonly Entry[];
  /** Leader's commitIndex. */
  readonly leaderCommit: number;
}

/**
 * AppendEntries RPC reply. When `success` is false because the logs did not match (not because the
 * term was stale), the follower adds a hint so the leader can back up a whole term at a time
 * (§5.3, "the follower can include the term of the conflicting entry and the first index it stores
 * for that term"), in the 6.5840 XTerm/XIndex/XLen form.
 */
export interface AppendEntriesReply {
  /** The follower's current term, for the leader to update itself. */
  readonly term: number;
  /** True if the follower contained an entry matching prevLogIndex and prevLogTerm. */
  readonly success: boolean;
  /** On a mismatch: the term of the follower's entry at prevLogIndex, or -1 if it has none there. */
  readonly xTerm: number;
  /** On a mismatch: the follower's first index holding xTerm (-1 when xTerm is -1). */
  readonly xIndex: number;
  /** On a mismatch: the follower's log length, i.e. its last index + 1. */
  readonly xLen: number;
}

/** InstallSnapshot RPC arguments (Figure 13), with the whole snapshot in one message. */
export interface InstallSnapshotArgs {
  /** Leader's term. */
  readonly term: number;
  /** So followers know who the leader is. */
  readonly leaderId: number;
  /** The snapshot replaces all entries up through and including this index. */
  readonly lastIncludedIndex: number;
  /** Term of lastIncludedIndex. */
  readonly lastIncludedTerm: number;
  /** The service's snapshot bytes. */
  readonly data: Uint8Array;
}

/** InstallSnapshot RPC reply. */
export interface InstallSnapshotReply {
  /** The follower's current term, for the leader to update itself. */
  readonly term: number;
}
