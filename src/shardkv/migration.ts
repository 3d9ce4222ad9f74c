/**
 * How the reference moves shards between groups (its own protocol; a solution may move them any
 * other way). Pull, then delete:
 *
 * 1. When a group applies configuration `num` that gives it shard `s` from group `g`, the shard is
 *    `pulling`; when it takes `s` away, `s` is `bepulled` there (frozen: no more writes).
 * 2. The new owner's leader asks `g`'s servers for the shard (`ShardKV.FetchShard`). Any server
 *    of `g` that has applied configuration `num` can answer: every replica froze the shard at the
 *    same log point, so they all hold the same data.
 * 3. The new owner puts the shard, and `g`'s duplicate table, into its own log (`insert`); from
 *    then on it serves the shard (`gcing`).
 * 4. It asks `g` to drop its copy (`ShardKV.DeleteShard`, through `g`'s log), and once `g` has,
 *    records that in its own log (`gcdone`): the shard is plainly `serving`.
 *
 * A group moves to the next configuration only when none of its shards is in the middle of a move,
 * so configurations are applied one at a time, in order, and every dependency points to an older
 * configuration: two groups that swap shards cannot wait for each other.
 *
 * @module
 */
import type { Err } from "./common.js";

/** Arguments of `ShardKV.FetchShard` and `ShardKV.DeleteShard`: shard `shard` as configuration `num` moves it. */
export interface ShardMoveArgs {
  readonly num: number;
  readonly shard: number;
}

/** Reply of `ShardKV.FetchShard`: the shard's pairs and the group's duplicate table, when `err` is "OK". */
export interface FetchShardReply {
  readonly err: Err | "ErrNotReady";
  readonly data: readonly (readonly [string, string])[];
  readonly dup: readonly (readonly [number, number])[];
}

/** Reply of `ShardKV.DeleteShard`: "OK" once the old owner no longer holds the shard. */
export interface DeleteShardReply {
  readonly err: Err | "ErrNotReady";
}

/** How often a leader retries pulling a shard, or asking for its deletion. */
export const MIGRATION_RETRY_MS = 50;
