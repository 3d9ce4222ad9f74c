/**
 * kvraft (Lab 4): your fault-tolerant key/value service and its Clerk. Add exports of your own if
 * you like.
 */
export type { CasArgs, CasReply, Err, GetArgs, GetReply, PutAppendArgs, PutAppendReply } from "./common.js";
export { Clerk, makeClerk } from "./client.js";
export { KVServer, startKVServer } from "./server.js";
