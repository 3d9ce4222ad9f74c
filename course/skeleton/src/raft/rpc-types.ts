/**
 * The messages your Raft peers exchange. The network copies them as plain data (objects, arrays,
 * strings, finite numbers, booleans, null, Uint8Array): no class instances, no functions, no Maps.
 * The field names are yours to choose; the interface names are used by `raft.ts` and `service.ts`.
 * Figure 2 of the extended Raft paper says what each message needs; Figure 13 the snapshot's.
 */

/** Arguments of the RequestVote RPC, sent by candidates to gather votes. */
export interface RequestVoteArgs {
  // Your data here (3A, 3B).
}

/** Reply of the RequestVote RPC. */
export interface RequestVoteReply {
  // Your data here (3A).
}

/** Arguments of the AppendEntries RPC: sent by leaders to replicate log entries, and as heartbeats. */
export interface AppendEntriesArgs {
  // Your data here (3A, 3B).
}

/**
 * Reply of the AppendEntries RPC. (3C: to back up quickly over a follower's conflicting entries,
 * the follower can say where its log stops matching, e.g. the term of its conflicting entry, the
 * first index it stores for that term, and its log length: the handout's XTerm, XIndex and XLen.)
 */
export interface AppendEntriesReply {
  // Your data here (3A, 3B, 3C).
}

/** Arguments of the InstallSnapshot RPC: a leader sends a follower its whole snapshot in one message. */
export interface InstallSnapshotArgs {
  // Your data here (3D).
}

/** Reply of the InstallSnapshot RPC. */
export interface InstallSnapshotReply {
  // Your data here (3D).
}
