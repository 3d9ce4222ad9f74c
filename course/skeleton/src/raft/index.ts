/**
 * Raft (Lab 3): what other code imports from `src/raft` (your KV server imports `labRaft` and the
 * API types from here). Add exports of your own if you like.
 */
export type { ApplyMsg, MakeRaft, RaftInspection, RaftPeer, RaftState, StartResult } from "./api.js";
export { Persister } from "./persister.js";
export { make, Raft } from "./raft.js";
export type * from "./rpc-types.js";
export { labRaft, raftService, type RaftServerFactory } from "./service.js";
