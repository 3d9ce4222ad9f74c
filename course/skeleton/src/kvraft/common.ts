/**
 * What crosses the network between a Clerk and the KV servers (the `common.go` of the lab). Like
 * Raft's messages, these must be plain data. You may add fields, types and constants.
 *
 * @module
 */

/** The outcome of a request, as in the original lab. */
export type Err = "OK" | "ErrNoKey" | "ErrWrongLeader";

/** Arguments of `KVServer.Get`. */
export interface GetArgs {
  readonly key: string;
  // You'll have to add definitions here (4A).
}

/** Reply of `KVServer.Get`. */
export interface GetReply {
  readonly err: Err;
  readonly value: string;
}

/** Arguments of `KVServer.Put` and `KVServer.Append`. */
export interface PutAppendArgs {
  readonly key: string;
  readonly value: string;
  // You'll have to add definitions here (4A).
}

/** Reply of `KVServer.Put` and `KVServer.Append`. */
export interface PutAppendReply {
  readonly err: Err;
}

/**
 * Arguments of `KVServer.Cas`, compare-and-swap (beyond the original lab): set `key` to `value` if
 * it holds `expected` ("" for a missing key). TestCasDuplicateRequest builds these itself and sends
 * the same request twice, so keep these fields (you may add more): `clientId` and `requestId`
 * name one operation of one Clerk, so a server can tell a retry from a new request.
 */
export interface CasArgs {
  readonly key: string;
  readonly expected: string;
  readonly value: string;
  readonly clientId: number;
  readonly requestId: number;
}

/** Reply of `KVServer.Cas`: `ok` says whether the value was written (when `err` is "OK"). */
export interface CasReply {
  readonly err: Err;
  readonly ok: boolean;
}
