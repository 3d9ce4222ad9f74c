/**
 * The controller's rebalancing: given the shard assignment of the last configuration and the groups
 * of the next, an assignment that spreads the shards over the groups as evenly as possible (counts
 * differ by at most one) while moving as few shards as possible. A pure function of its arguments
 * (gids are visited in ascending order, shards by index), so every replica computes the same one.
 *
 * @module
 */
import { NSHARDS } from "./common.js";

/**
 * The new shard → gid assignment for the groups `gids` (any order), starting from `shards`.
 *
 * 1. Shards on a group that is no longer there (or on gid 0) are free.
 * 2. Each group's target is ⌊NSHARDS/g⌋ or one more; the larger targets go to the groups that hold
 *    the most shards already (ties: smaller gid), so that as few shards as possible move.
 * 3. Groups above their target release their highest-numbered shards; the free shards, lowest first,
 *    go to the groups below their target, smallest gid first.
 */
export function rebalance(shards: readonly number[], gids: readonly number[]): number[] {
  if (shards.length !== NSHARDS) throw new Error(`rebalance: ${shards.length} shards, expected ${NSHARDS}`);
  const sorted = [...new Set(gids)].sort((a, b) => a - b);
  if (sorted.length === 0) return new Array<number>(NSHARDS).fill(0);
  const next = [...shards];
  const owned = new Map<number, number[]>(sorted.map((g) => [g, []]));
  const free: number[] = [];
  next.forEach((gid, shard) => {
    const list = owned.get(gid);
    if (list === undefined) free.push(shard);
    else list.push(shard);
  });
  const base = Math.floor(NSHARDS / sorted.length);
  const extra = NSHARDS % sorted.length;
  const byLoad = [...sorted].sort((a, b) => owned.get(b)!.length - owned.get(a)!.length || a - b);
  const target = new Map<number, number>(byLoad.map((g, rank) => [g, base + (rank < extra ? 1 : 0)]));
  for (const g of sorted) {
    const list = owned.get(g)!;
    while (list.length > target.get(g)!) free.push(list.pop()!);
  }
  free.sort((a, b) => a - b);
  for (const g of sorted) {
    const list = owned.get(g)!;
    while (list.length < target.get(g)!) {
      const shard = free.shift();
      if (shard === undefined) throw new Error("rebalance: ran out of free shards (targets do not add up)");
      list.push(shard);
      next[shard] = g;
    }
  }
  if (free.length > 0) throw new Error(`rebalance: shards ${free.join(" ")} left unassigned`);
  return next;
}
