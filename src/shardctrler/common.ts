/**
 * What crosses the network between a shard controller {@link Clerk} and a {@link ShardCtrler} (the
 * `common.go` of the lab), and the configuration they agree on.
 *
 * The controller manages a sequence of numbered configurations (see `shard-config.ts`). Each says
 * which replica group (gid) serves each shard, and which servers make up each group.
 *
 * Every argument object carries the Clerk's `clientId` and a per-Clerk `requestId` that grows by one
 * per operation, so a server applies a retried Join, Leave or Move only once.
 *
 * @module
 */

export { NSHARDS, gidsOf, initialConfig, type Config } from "./shard-config.js";
import type { Config } from "./shard-config.js";

/** The outcome of a request. */
export type Err = "OK" | "ErrWrongLeader";

/** The fields that name one operation of one Clerk. */
export interface RequestId {
  /** Unique per Clerk; the same for all its requests. */
  readonly clientId: number;
  /** 1, 2, 3, … per Clerk; a retry re-sends the same number. */
  readonly requestId: number;
}

/** Arguments of `ShardCtrler.Join`: new groups, gid (non-zero, unique) → server names. */
export interface JoinArgs extends RequestId {
  readonly servers: Readonly<Record<string, readonly string[]>>;
}

/** Arguments of `ShardCtrler.Leave`: the gids of the groups that leave. */
export interface LeaveArgs extends RequestId {
  readonly gids: readonly number[];
}

/** Arguments of `ShardCtrler.Move`: put `shard` on group `gid`. */
export interface MoveArgs extends RequestId {
  readonly shard: number;
  readonly gid: number;
}

/** Arguments of `ShardCtrler.Query`: configuration `num`; -1 (or too large): the latest. */
export interface QueryArgs extends RequestId {
  readonly num: number;
}

/** Reply of Join, Leave and Move. */
export interface ChangeReply {
  readonly wrongLeader: boolean;
  readonly err: Err;
}

/** Reply of Query: `config` is meaningful when `err` is "OK". */
export interface QueryReply {
  readonly wrongLeader: boolean;
  readonly err: Err;
  readonly config: Config;
}

/** How long a server waits for a submitted operation to be applied before it answers ErrWrongLeader. */
export const APPLY_TIMEOUT_MS = 500;
