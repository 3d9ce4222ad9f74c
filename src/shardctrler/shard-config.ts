/**
 * The shard controller's configurations (part of the `common.go` of the lab that says "Please
 * don't change this"): the number of shards, what a configuration holds, and configuration 0.
 * The shard servers and the testers read configurations in exactly this shape.
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
