/**
 * shardkv (Lab 5): your sharded key/value service and its Clerk. Add exports of your own if you like.
 */
export { key2shard, type Err, type GetArgs, type GetReply, type PutAppendArgs, type PutAppendReply } from "./common.js";
export { Clerk, makeClerk } from "./client.js";
export { ShardKV, startServer } from "./server.js";
