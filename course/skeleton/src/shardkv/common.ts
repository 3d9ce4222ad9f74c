/**
 * What crosses the network between the shard Clerk and the shard servers, and between servers of
 * different groups (the `common.go` of the lab). Like Raft's messages, these must be plain data.
 * You may add fields, types and constants (5B: the RPCs that move shards between groups).
 *
 * @module
 */
export { key2shard } from "./key2shard.js";

/** The outcome of a request. */
export type Err = "OK" | "ErrNoKey" | "ErrWrongGroup" | "ErrWrongLeader";

/** Arguments of `ShardKV.PutAppend`: `op` is "Put" or "Append". */
export interface PutAppendArgs {
  readonly key: string;
  readonly value: string;
  readonly op: "Put" | "Append";
  // You'll have to add definitions here.
}

/** Reply of `ShardKV.PutAppend`. */
export interface PutAppendReply {
  readonly err: Err;
}

/** Arguments of `ShardKV.Get`. */
export interface GetArgs {
  readonly key: string;
  // You'll have to add definitions here.
}

/** Reply of `ShardKV.Get`. */
export interface GetReply {
  readonly err: Err;
  readonly value: string;
}
