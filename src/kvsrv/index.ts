/**
 * kvsrv: the single key/value server of Lab 2, with exactly-once Put and Append over a lossy
 * network, and its Clerk.
 */
export type { GetArgs, GetReply, PutAppendArgs, PutAppendReply } from "./common.js";
export { Clerk, makeClerk } from "./client.js";
export { KVServer, startKVServer } from "./server.js";
