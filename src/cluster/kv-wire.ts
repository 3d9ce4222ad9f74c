/**
 * The KV and Raft RPC shapes real cluster mode relies on, declared here rather than taken from
 * the lab's types: a student's `common.ts` and `rpc-types.ts` are theirs to shape, so the node
 * speaks the field names the labs suggest (Figure 2's `term` and `leaderId`; `key`, `value`,
 * `expected`, `clientId`, `requestId` and the `err` strings of the KV lab) and reads replies
 * defensively. A KV server that names its ids otherwise still serves every request, only without
 * exactly-once across HTTP retries; a Raft whose AppendEntries lacks `leaderId` gives no leader
 * hint, and the node then tries each node in turn.
 */

/** The ids that name a request in the KV servers' duplicate table. */
export interface RequestIds {
  readonly clientId: number;
  readonly requestId: number;
}

/** What the node sends to `KVServer.Get`, `.Put`, `.Append` and `.Cas`. */
export type KvWireArgs =
  | ({ readonly key: string } & RequestIds)
  | ({ readonly key: string; readonly value: string } & RequestIds)
  | ({ readonly key: string; readonly expected: string; readonly value: string } & RequestIds);

/** A KV server's reply, as far as the node reads it. */
export interface KvWireReply {
  /** "OK", "ErrNoKey" or "ErrWrongLeader" (the lab's Err values). */
  readonly err: string;
  /** Get: the value. */
  readonly value?: string;
  /** Cas: whether it swapped. */
  readonly ok?: boolean;
}

/** What the node reads of an AppendEntries or InstallSnapshot request (Figure 2's names). */
export interface LeaderRequest {
  readonly term?: unknown;
  readonly leaderId?: unknown;
}

/** What the node reads of their replies. */
export interface TermReply {
  readonly term?: unknown;
}
