/**
 * kvsrv (Lab 2): your key/value server and its Clerk. Add exports of your own if you like.
 */
export type { GetArgs, GetReply, PutAppendArgs, PutAppendReply } from "./common.js";
export { Clerk, makeClerk } from "./client.js";
export { KVServer, startKVServer } from "./server.js";
