/**
 * shardctrler: the shard controller of Lab 5 (a Raft-replicated service that assigns shards to
 * replica groups), its Clerk, and its tester.
 */
export { NSHARDS, gidsOf, initialConfig, type ChangeReply, type Config, type Err, type JoinArgs, type LeaveArgs, type MoveArgs, type QueryArgs, type QueryReply } from "./common.js";
export { CLERK_RETRY_MS, Clerk, makeClerk } from "./client.js";
export { ShardCtrler, startServer } from "./server.js";
