/**
 * `npm run explore -- ... --shard i/n`: the report `npm run merge-shards` prints from 4 shards equals
 * the report of one unsharded run of the same set, but for the measured wall times (explore is left
 * out of Lab-3-only handouts with its KV scenario, hence a file of its own).
 */
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { explore } from "./explore.js";
import { mergeShards } from "./merge-shards.js";
import { masked, unshardedAndMerged } from "./lib/merged-report.js";
import { TempDirs } from "./lib/temp-tree.js";
import type { StressOptions } from "./stress.js";

const temps = new TempDirs("raftlab-explore-shards-");
afterEach(() => {
  vi.restoreAllMocks();
  temps.removeAll();
});

describe("merge-shards: the merged report of 4 shards equals the unsharded run's", () => {
  it("npm run explore", async () => {
    const opts = (shard: string | undefined, output: string): StressOptions => ({
      pattern: "ExploreRaftElection3A",
      runs: 4,
      workers: 1,
      seed: 1,
      bail: false,
      output,
      paths: [],
      shard: shard === undefined ? undefined : { index: Number(shard[0]), count: 4 },
    });
    const extras = { shrink: undefined, shrinkFailures: false, maxShrinkRuns: 1, noSchedules: true };
    const { unsharded, merged } = await unshardedAndMerged(temps, mergeShards, (shard, out) => explore(opts(shard, out), extras), (out, i) => join(out, `shard-${i}-of-4.json`));
    expect(unsharded.text).toMatch(/^4 passed, 0 failed in [\d.]+s/m);
    expect(merged.code).toBe(unsharded.code);
    expect(masked(merged.text)).toBe(masked(unsharded.text));
  }, 600_000);

});
