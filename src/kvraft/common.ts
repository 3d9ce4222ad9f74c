/**
 * What crosses the network between a {@link Clerk} and a {@link KVServer} (the `common.go` of the
 * lab). Every argument object carries the Clerk's `clientId` and a per-Clerk `requestId` that grows
 * by one per operation: together they name an operation, so a server can recognise a retry of an
 * operation it has already applied and not apply it twice.
 *
 * @module
 */

/** The outcome of a request, as in the original lab. */
export type Err = "OK" | "ErrNoKey" | "ErrWrongLeader";

/** The fields that name one operation of one Clerk. */
export interface RequestId {
  /** Random per Clerk; the same for all its requests. */
  readonly clientId: number;
  /** 1, 2, 3, … per Clerk; a retry re-sends the same number. */
  readonly requestId: number;
}

/** Arguments of `KVServer.Get`. */
export interface GetArgs extends RequestId {
  readonly key: string;
}

/** Reply of `KVServer.Get`: `value` is "" when `err` is not "OK". */
export interface GetReply {
  readonly err: Err;
  readonly value: string;
}

/** Arguments of `KVServer.Put` and `KVServer.Append`. */
export interface PutAppendArgs extends RequestId {
  readonly key: string;
  readonly value: string;
}

/** Reply of `KVServer.Put` and `KVServer.Append`. */
export interface PutAppendReply {
  readonly err: Err;
}

/** Arguments of `KVServer.Cas`: set `key` to `value` if it holds `expected` ("" for a missing key). */
export interface CasArgs extends RequestId {
  readonly key: string;
  readonly expected: string;
  readonly value: string;
}

/** Reply of `KVServer.Cas`: `ok` says whether the value was written (meaningful when `err` is "OK"). */
export interface CasReply {
  readonly err: Err;
  readonly ok: boolean;
}

/** How long a server waits for a submitted operation to be applied before it answers ErrWrongLeader. */
export const APPLY_TIMEOUT_MS = 500;
