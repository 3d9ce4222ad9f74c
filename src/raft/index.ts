/**
 * Raft (Lab 3): leader election, log replication, persistence and log compaction.
 * Use {@link make} to create a peer and {@link raftService} to expose its RPCs on a labrpc server.
 */
export type { ApplyMsg, MakeRaft, RaftInspection, RaftPeer, RaftState, StartResult } from "./api.js";
export { MemoryPersister, Persister } from "./persister.js";
export { make, Raft, TIMING, type Role } from "./raft.js";
export { RaftLog } from "./log.js";
export type * from "./rpc-types.js";
export { labRaft, raftService, type RaftServerFactory } from "./service.js";
export { decodeState, encodeState, type PersistentState } from "./state-codec.js";
