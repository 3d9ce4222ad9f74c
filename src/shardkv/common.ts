/**
 * What crosses the network between a shard {@link Clerk} and a {@link ShardKV} server, and between
 * the servers of different groups when a shard moves (the `common.go` of the lab).
 *
 * Every client argument object carries the Clerk's `clientId` and a per-Clerk `requestId` that
 * grows by one per operation, so that a write is applied once even when it is retried at another
 * group after its shard moved.
 *
 * @module
 */
export { key2shard } from "./key2shard.js";

/** The outcome of a request, as in the original lab. */
export type Err = "OK" | "ErrNoKey" | "ErrWrongGroup" | "ErrWrongLeader";

/** The fields that name one operation of one Clerk. */
export interface RequestId {
  readonly clientId: number;
  readonly requestId: number;
}

/** Arguments of `ShardKV.PutAppend`: `op` is "Put" or "Append". */
export interface PutAppendArgs extends RequestId {
  readonly key: string;
  readonly value: string;
  readonly op: "Put" | "Append";
}

/** Reply of `ShardKV.PutAppend`. */
export interface PutAppendReply {
  readonly err: Err;
}

/** Arguments of `ShardKV.Get`. */
export interface GetArgs extends RequestId {
  readonly key: string;
}

/** Reply of `ShardKV.Get`: `value` is "" unless `err` is "OK". */
export interface GetReply {
  readonly err: Err;
  readonly value: string;
}

/** The servers poll the controller for a new configuration about this often (the handout's 100 ms). */
export const POLL_CONFIG_MS = 100;

/** How long a server waits for a submitted operation to be applied before it answers ErrWrongLeader. */
export const APPLY_TIMEOUT_MS = 500;
