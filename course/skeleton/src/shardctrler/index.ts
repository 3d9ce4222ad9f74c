/**
 * shardctrler (Lab 5A): your shard controller and its Clerk. Add exports of your own if you like.
 */
export { NSHARDS, gidsOf, initialConfig, type ChangeReply, type Config, type Err, type JoinArgs, type LeaveArgs, type MoveArgs, type QueryArgs, type QueryReply } from "./common.js";
export { Clerk, makeClerk } from "./client.js";
export { ShardCtrler, startServer } from "./server.js";
