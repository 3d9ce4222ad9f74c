/**
 * What the sharding monitor reports (Lab 5): which property of a sharded service broke, who was
 * involved, and how it reads in a failure message (in the shape of the Raft properties' messages).
 */
import { formatTime } from "../sim/index.js";

/** The safety properties of a sharded key/value service that the monitor checks at every step. */
export const SHARDING_PROPERTIES = {
  "Single Owner": "a shard accepts writes in at most one group for a given configuration",
  "Intact Handoff":
    "a shard's state arrives in its new group exactly as it left the old one (the same pairs, and every duplicate-table entry: nothing lost, nothing applied twice)",
  "Configuration Agreement": "the replicas of a group apply the same configurations, in the same order (one at a time), at the same log index",
} as const;

/** One of {@link SHARDING_PROPERTIES}. */
export type ShardingProperty = keyof typeof SHARDING_PROPERTIES;

/** A broken sharding property, as the monitor found it. */
export interface ShardingViolation {
  readonly property: ShardingProperty;
  /** What happened, in one sentence, naming groups, servers, configurations and shards. */
  readonly summary: string;
  /** Further lines of evidence, if any. */
  readonly details?: readonly string[];
  /** The groups involved (gids). */
  readonly gids: readonly number[];
  /** The configurations involved. */
  readonly configs: readonly number[];
  /** The shards involved. */
  readonly shards: readonly number[];
}

/** The failure message of a violation found at virtual time `time` (ms). */
export function shardingViolationMessage(v: ShardingViolation, time: number): string {
  const who = [
    `groups ${v.gids.join(" ")}`,
    v.configs.length > 0 ? `configs ${v.configs.join(" ")}` : undefined,
    v.shards.length > 0 ? `shards ${v.shards.join(" ")}` : undefined,
    `virtual time ${formatTime(time)}`,
  ].filter((s) => s !== undefined);
  return [
    `${v.property} violated: ${v.summary}`,
    ...(v.details ?? []).map((d) => `  ${d}`),
    `  ${v.property} (sharding): ${SHARDING_PROPERTIES[v.property]}.`,
    `  ${who.join(" · ")}`,
  ].join("\n");
}
