/**
 * The shard controller's tester: a port of 6.5840's `src/shardctrler/config.go` and of the check
 * helpers of its `test_test.go`, in virtual time, with the original's messages.
 *
 * - `config.ts`: the cluster (servers, crash and restart, Clerks, subtests);
 * - here: `check`, `checkSameConfig`, and the minimal-transfer checks.
 *
 * @module
 */
import { NSHARDS, type Config as ShardConfig } from "./shard-config.js";
import type { Clerk } from "./client.js";
import type { Config } from "./config.js";

export { Config, withConfig } from "./config.js";

/** Go's `%v` of a slice: `[a b c]`. */
export function goSlice(items: readonly unknown[]): string {
  return `[${items.join(" ")}]`;
}

/**
 * Go's `check(t, groups, ck)`: the latest configuration has exactly `groups`, every shard on one of
 * them (when there are any), and the shards spread evenly (max ≤ min + 1).
 */
export async function check(cfg: Config, groups: readonly number[], ck: Clerk): Promise<void> {
  const c = await ck.query(-1);
  const have = Object.keys(c.groups);
  if (have.length !== groups.length) cfg.fatal(`wanted ${groups.length} groups, got ${have.length}`);
  // are the groups as expected?
  for (const g of groups) if (c.groups[String(g)] === undefined) cfg.fatal(`missing group ${g}`);
  // any un-allocated shards?
  if (groups.length > 0) {
    c.shards.forEach((g, s) => {
      if (c.groups[String(g)] === undefined) cfg.fatal(`shard ${s} -> invalid group ${g}`);
    });
  }
  // more or less balanced sharding?
  const counts = new Map<number, number>();
  for (const g of c.shards) counts.set(g, (counts.get(g) ?? 0) + 1);
  let min = 257;
  let max = 0;
  for (const g of have) {
    const n = counts.get(Number(g)) ?? 0;
    if (n < min) min = n;
    if (n > max) max = n;
  }
  if (max > min + 1) cfg.fatal(`max ${max} too much larger than min ${min}`);
}

/** Go's `check_same_config(t, c1, c2)`. */
export function checkSameConfig(cfg: Config, c1: ShardConfig, c2: ShardConfig): void {
  if (c1.num !== c2.num) cfg.fatal("Num wrong");
  if (c1.shards.length !== NSHARDS || c1.shards.some((g, s) => c2.shards[s] !== g)) cfg.fatal("Shards wrong");
  if (Object.keys(c1.groups).length !== Object.keys(c2.groups).length) cfg.fatal("number of Groups is wrong");
  for (const [gid, sa] of Object.entries(c1.groups)) {
    const sa1 = c2.groups[gid];
    if (sa1 === undefined || sa1.length !== sa.length) cfg.fatal("len(Groups) wrong");
    sa.forEach((name, j) => {
      if (sa1[j] !== name) cfg.fatal("Groups wrong");
    });
  }
}

/** Go's check that a group kept the servers it joined with: `wrong servers for gid %v: %v\n`. */
export function checkServers(cfg: Config, c: ShardConfig, gid: number, expected: readonly string[]): void {
  const sa = c.groups[String(gid)] ?? [];
  if (sa.length !== expected.length || sa.some((name, j) => name !== expected[j])) cfg.fatal(`wrong servers for gid ${gid}: ${goSlice(sa)}\n`);
}

/**
 * The shards that break minimal transfer between `before` and `after` for the groups `gids`: a shard
 * on one of them in `after` that was not on it in `before` (`moved: "into"`), or, for a Leave, a
 * shard on one of them in `before` that is elsewhere in `after` (`moved: "away"`).
 */
export function nonMinimalShards(before: ShardConfig, after: ShardConfig, gids: Iterable<number>, moved: "into" | "away"): number[] {
  const watched = new Set(gids);
  const bad: number[] = [];
  for (let s = 0; s < NSHARDS; s++) {
    if (moved === "into" && watched.has(after.shards[s]!) && before.shards[s] !== after.shards[s]) bad.push(s);
    if (moved === "away" && watched.has(before.shards[s]!) && before.shards[s] !== after.shards[s]) bad.push(s);
  }
  return bad;
}

/**
 * The minimal-transfer check of the `MinimalTransfer*` subtests as Go writes it: over gids
 * 1..`npara`. Those groups never exist in those tests (the configuration holds 100..190 or
 * 1000..1009, plus 11..15), so this check cannot fail there; it is kept for fidelity, and
 * {@link checkMinimalTransferEffective} is the one that can.
 */
export function checkMinimalTransferAsWritten(
  cfg: Config,
  before: ShardConfig,
  after: ShardConfig,
  npara: number,
  moved: "into" | "away",
  message: string,
): void {
  const gids = Array.from({ length: npara }, (_, i) => i + 1);
  if (nonMinimalShards(before, after, gids, moved).length > 0) cfg.fatal(message);
}

/**
 * The check the `MinimalTransfer*` subtests mean, over the groups that really hold shards (those of
 * `before` that are still in `after`): none of them gains a shard after Joins (`"into"`), none
 * loses one after Leaves of other groups (`"away"`). Named as such in its message.
 */
export function checkMinimalTransferEffective(cfg: Config, before: ShardConfig, after: ShardConfig, moved: "into" | "away", message: string): void {
  const kept = Object.keys(before.groups)
    .map(Number)
    .filter((g) => after.groups[String(g)] !== undefined);
  const bad = nonMinimalShards(before, after, kept, moved);
  if (bad.length > 0) {
    cfg.fatal(
      `${message} (effective minimal-transfer check, added by raftlab: Go's check looks at gids that hold no shard here): ` +
        `shards ${goSlice(bad)} were on ${goSlice(bad.map((s) => before.shards[s]))} and are now on ${goSlice(bad.map((s) => after.shards[s]))}`,
    );
  }
}
