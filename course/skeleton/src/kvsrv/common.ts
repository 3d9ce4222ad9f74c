/**
 * What crosses the network between a Clerk and the key/value server (the `common.go` of Lab 2).
 * These must be plain data. There is no error field: the server always answers, and the only
 * failure a Clerk sees is a lost request or reply. You may add fields, types and constants.
 *
 * @module
 */

/** Arguments of `KVServer.Put` and `KVServer.Append`. */
export interface PutAppendArgs {
  readonly key: string;
  readonly value: string;
  // You'll have to add definitions here.
  // Field names must be plain data: numbers, strings, booleans, arrays, plain objects.
}

/** Reply of `KVServer.Put` and `KVServer.Append`. */
export interface PutAppendReply {
  /** For an Append: the value of the key before it. */
  readonly value: string;
}

/** Arguments of `KVServer.Get`. */
export interface GetArgs {
  readonly key: string;
  // You'll have to add definitions here.
}

/** Reply of `KVServer.Get`. */
export interface GetReply {
  readonly value: string;
}
