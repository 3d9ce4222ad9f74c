/**
 * shardkv: the sharded key/value service of Lab 5 (replica groups that each serve some shards and
 * hand them over as the controller's configuration changes), its Clerk, and its tester.
 */
export { key2shard, type Err, type GetArgs, type GetReply, type PutAppendArgs, type PutAppendReply } from "./common.js";
export { Clerk, makeClerk } from "./client.js";
export { ShardKV, startServer } from "./server.js";
