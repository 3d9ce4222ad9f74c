/**
 * What crosses the network between a shard controller {@link Clerk} and a {@link ShardCtrler} (the
 * `common.go` of the lab), and the configuration they agree on.
 *
 * The controller manages a sequence of numbered configurations. Each says which replica group
 * (gid) serves each of the {@link NSHARDS} shards, and which servers make up each group.
 * Configuration 0 has no groups, and every shard on gid 0 (the invalid group).
 *
 * Every argument object carries the Clerk's `clientId` and a per-Clerk `requestId` that grows by one
 * per operation, so a server applies a retried Join, Leave or Move only once.
 *
 * @module
 */

/** The number of shards. */
export const NSHARDS = 10;

/**
 * One configuration: shard `s` is served by group `shards[s]` (0: no group), and `groups[gid]`
 * lists that group's server names. Plain data (it crosses the network); `groups` is keyed by the
 * gid in decimal, as JSON keys are strings. Please don't change this shape: the shard servers and
 * the testers read it.
 */
export interface Config {
  /** The configuration's number: 0, 1, 2, ... */
  readonly num: number;
  /** shard → gid, {@link NSHARDS} entries. */
  readonly shards: readonly number[];
  /** gid → the group's server names, in the order they were given to Join. */
  readonly groups: Readonly<Record<string, readonly string[]>>;
}

/** Configuration 0: no groups, every shard on gid 0. */
export function initialConfig(): Config {
  return { num: 0, shards: new Array<number>(NSHARDS).fill(0), groups: {} };
}

/** The gids of a configuration's groups, as numbers, ascending. */
export function gidsOf(config: Config): number[] {
  return Object.keys(config.groups)
    .map(Number)
    .sort((a, b) => a - b);
}

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
