/** `--shard i/n` and the merging of shard result files (scripts/lib/shards.ts), without processes. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { StressRecord } from "../../src/harness/index.js";
import { mergeShardResults, parseShard, shardProblem, shardSeeds, sortRecords, writeShardResult, type Shard } from "./shards.js";
import { TempDirs } from "./temp-tree.js";

const temps = new TempDirs("raftlab-shards-");
afterEach(() => temps.removeAll());

const record = (test: string, seed: number, ok = true): StressRecord => ({ test, fullName: test, file: "src/x.test.ts", seed, ok, virtualMs: seed * 10, wallMs: 1 });

describe("--shard i/n", () => {
  it("parses i/n and explains anything else", () => {
    expect(parseShard("2/4")).toEqual({ index: 2, count: 4 });
    for (const bad of ["0/4", "5/4", "2", "a/b", "2/0", "-1/3", ""]) expect(() => parseShard(bad)).toThrow(/--shard must be i\/n with 1 <= i <= n/);
  });

  it("slices the seeds into disjoint shards that cover them all", () => {
    const seeds = Array.from({ length: 10 }, (_, i) => 100 + i);
    const slices = [1, 2, 3, 4].map((index) => shardSeeds(seeds, { index, count: 4 }));
    expect(slices).toEqual([[100, 104, 108], [101, 105, 109], [102, 106], [103, 107]]);
    expect(slices.flat().sort()).toEqual(seeds);
    expect(shardSeeds(seeds, undefined)).toEqual(seeds);
  });

  it("needs --seed and at least one seed per shard", () => {
    expect(shardProblem({ index: 1, count: 2 }, undefined, 10)).toMatch(/--shard needs --seed/);
    expect(shardProblem({ index: 1, count: 20 }, 1, 10)).toMatch(/some shards would have no seed; use at most 10 shards/);
    expect(shardProblem({ index: 1, count: 2 }, 1, 10)).toBeUndefined();
    expect(shardProblem(undefined, undefined, 10)).toBeUndefined();
  });
});

describe("merging shard result files", () => {
  const set = { pattern: "X", paths: [], runs: 4, seed: 1 };
  function write(dir: string, shard: Shard, records: StressRecord[], extra: Partial<{ tool: string; set: Record<string, unknown> }> = {}): string {
    const file = join(dir, `shard-${shard.index}-of-${shard.count}.json`);
    writeShardResult(file, { tool: extra.tool ?? "stress", set: extra.set ?? set, shard, wallMs: 100 * shard.index, records });
    return file;
  }

  it("merges all shards into the runs in canonical order, the longest shard's wall time", () => {
    const dir = temps.make();
    const a = write(dir, { index: 1, count: 2 }, [record("TB", 3), record("TA", 1)]);
    const b = write(dir, { index: 2, count: 2 }, [record("TA", 4), record("TB", 2, false)]);
    const merged = mergeShardResults([b, a]);
    expect(merged.records.map((r) => `${r.test}:${r.seed}`)).toEqual(["TA:1", "TA:4", "TB:2", "TB:3"]);
    expect(merged).toMatchObject({ tool: "stress", set, wallMs: 200, count: 2 });
    expect(sortRecords(merged.records)).toEqual(merged.records);
  });

  it("refuses a missing or repeated shard, another set, another tool, and files that are not shard results", () => {
    const dir = temps.make();
    const one = write(dir, { index: 1, count: 3 }, []);
    const two = write(dir, { index: 2, count: 3 }, []);
    expect(() => mergeShardResults([one, two])).toThrow(/missing shard 3\/3: merge the result files of all 3 shards/);
    expect(() => mergeShardResults([one, one, two])).toThrow(/are both shard 1\/3/);
    const other = write(temps.make(), { index: 3, count: 3 }, [], { set: { ...set, seed: 2 } });
    expect(() => mergeShardResults([one, two, other])).toThrow(/ran another set than .*the same arguments but --shard/);
    const explore = write(temps.make(), { index: 3, count: 3 }, [], { tool: "explore" });
    expect(() => mergeShardResults([one, two, explore])).toThrow(/is a shard of npm run explore, .* of npm run stress/);
    const junk = join(dir, "junk.json");
    writeFileSync(junk, "{}");
    expect(() => mergeShardResults([junk])).toThrow(/not a shard result file/);
    expect(() => mergeShardResults([])).toThrow(/needs the result files of all shards/);
  });
});
