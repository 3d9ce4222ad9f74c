/**
 * What crosses the network between the controller's Clerk and its servers (the `common.go` of the
 * lab). Like Raft's messages, these must be plain data. You may add fields (e.g. to detect
 * duplicate requests), types and constants. The configuration itself is in `shard-config.ts`:
 * please don't change it.
 *
 * @module
 */
export { NSHARDS, gidsOf, initialConfig, type Config } from "./shard-config.js";
import type { Config } from "./shard-config.js";

/** The outcome of a request. */
export type Err = "OK" | "ErrWrongLeader";

/** Arguments of `ShardCtrler.Join`: new groups, gid (non-zero, unique) → server names. */
export interface JoinArgs {
  readonly servers: Readonly<Record<string, readonly string[]>>;
  // You may add fields here (5A).
}

/** Arguments of `ShardCtrler.Leave`. */
export interface LeaveArgs {
  readonly gids: readonly number[];
}

/** Arguments of `ShardCtrler.Move`. */
export interface MoveArgs {
  readonly shard: number;
  readonly gid: number;
}

/** Arguments of `ShardCtrler.Query`: -1 (or a number past the latest) asks for the latest. */
export interface QueryArgs {
  readonly num: number;
}

/** Reply of Join, Leave and Move. */
export interface ChangeReply {
  readonly wrongLeader: boolean;
  readonly err: Err;
}

/** Reply of Query. */
export interface QueryReply {
  readonly wrongLeader: boolean;
  readonly err: Err;
  readonly config: Config;
}
