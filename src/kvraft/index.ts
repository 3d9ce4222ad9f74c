/**
 * kvraft: a fault-tolerant key/value service replicated with Raft (lab 4), its Clerk, and its
 * tester.
 */
export type { CasArgs, CasReply, Err, GetArgs, GetReply, PutAppendArgs, PutAppendReply } from "./common.js";
export { Clerk, makeClerk } from "./client.js";
export { KVServer, startKVServer } from "./server.js";
export { KVStateMachine, isCommand, type ApplyResult, type Command } from "./state-machine.js";
