/**
 * What crosses the network between a {@link Clerk} and the {@link KVServer} (the `common.go` of
 * Lab 2). There is no error field: the single server always answers, and a lost request or reply
 * is all a Clerk has to handle. A Put or Append carries the Clerk's `clientId` and a per-Clerk
 * `requestId` that grows by one per Put or Append: together they name the operation, so the server
 * can recognise a retry and answer it without executing it again.
 *
 * @module
 */

/** Arguments of `KVServer.Put` and `KVServer.Append`. */
export interface PutAppendArgs {
  readonly key: string;
  readonly value: string;
  /** Random per Clerk; the same for all its requests. */
  readonly clientId: number;
  /** 1, 2, 3, … per Clerk; a retry re-sends the same number. */
  readonly requestId: number;
}

/** Reply of `KVServer.Put` and `KVServer.Append`: for an Append, the value before it ("" for a Put). */
export interface PutAppendReply {
  readonly value: string;
}

/** Arguments of `KVServer.Get`. */
export interface GetArgs {
  readonly key: string;
}

/** Reply of `KVServer.Get`: the key's value, "" if it has none. */
export interface GetReply {
  readonly value: string;
}
