/**
 * Sharded runs end to end: for npm run stress and grade (explore: scripts/explore-shards.test.ts), the report that
 * `npm run merge-shards` prints from 4 shards (`--shard 1/4` ... `4/4`) equals the report of one
 * unsharded run of the same set, but for the wall times each run measures itself.
 */
import { symlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { grade, type GradeOptions } from "./grade.js";
import { mergeShards } from "./merge-shards.js";
import { masked, report, unshardedAndMerged } from "./lib/merged-report.js";
import { stress, type StressOptions } from "./stress.js";
import { TempDirs, writeTree } from "./lib/temp-tree.js";

const ROOT = resolve(import.meta.dirname, "..");
const temps = new TempDirs("raftlab-sharded-");
afterEach(() => {
  vi.restoreAllMocks();
  temps.removeAll();
});

describe("merge-shards: the merged report of 4 shards equals the unsharded run's", () => {
  it("npm run stress", async () => {
    const opts = (shard: string | undefined, output: string): StressOptions => ({
      pattern: "^TestInitialElection3A$",
      runs: 8,
      workers: 1,
      seed: 1,
      bail: false,
      output,
      paths: ["src/raft/raft-3a.test.ts"],
      shard: shard === undefined ? undefined : { index: Number(shard[0]), count: 4 },
    });
    const { unsharded, merged } = await unshardedAndMerged(temps, mergeShards, (shard, out) => stress(opts(shard, out)), (out, i) => join(out, `shard-${i}-of-4.json`));
    expect(unsharded.text).toContain("TestInitialElection3A     8       0");
    expect(unsharded.text).toMatch(/^8 passed, 0 failed in [\d.]+s/m);
    expect(merged.code).toBe(unsharded.code);
    expect(masked(merged.text)).toBe(masked(unsharded.text));
  }, 600_000);

  it("npm run grade (a fixture harness where one seed fails a test)", async () => {
    const h = temps.make();
    symlinkSync(join(ROOT, "node_modules"), join(h, "node_modules"), "dir");
    const harness = JSON.stringify(join(ROOT, "src/harness/index.js"));
    writeTree(h, {
      "vitest.config.ts": 'import { defineConfig } from "vitest/config";\nexport default defineConfig({ test: { pool: "forks", projects: [{ extends: true, test: { name: "lab", include: ["src/**/*.test.ts"] } }] } });\n',
      "course/labs.json": JSON.stringify({ format: "raftlab-labs/1", labs: [{ lab: 1, title: "Arithmetic", folder: "src/lab", student: { include: ["src/lab/**"], exclude: ["src/lab/*.test.ts"] }, parts: [{ part: "1A", title: "add and mul", files: ["src/lab/lab.test.ts"], tests: { TestAdd1A: 2, TestMul1A: 3 } }] }] }),
      "course/grading.json": JSON.stringify({ format: "raftlab-grading/1", runs: 8, wallCapSeconds: 20, typecheck: "required" }),
      "tsconfig.json": JSON.stringify({ compilerOptions: { target: "es2022", module: "nodenext", moduleResolution: "nodenext", strict: true, noEmit: true, skipLibCheck: true, types: ["node"] }, include: ["src"] }),
      "src/lab/lab.test.ts": [
        `import { simTest } from ${harness};`,
        'import { add, mul } from "./impl.js";',
        'simTest("TestAdd1A", async () => { if (add(2, 3) !== 5) throw new Error("add"); });',
        'simTest("TestMul1A", async (t) => { if (mul(t.seed, 3) !== t.seed * 3) throw new Error(`mul(${t.seed}, 3) = ${mul(t.seed, 3)}`); });',
      ].join("\n"),
      "src/lab/impl.ts": "export function add(a: number, b: number): number {\n  return a + b;\n}\nexport function mul(a: number, b: number): number {\n  return a * b + (a === 6 ? 1 : 0);\n}\n",
    });
    const base: GradeOptions = { parts: undefined, runs: 8, seed: 1, solution: undefined, results: undefined, md: undefined, workers: 1, wallCapSeconds: undefined, deadlineSeconds: undefined, gradescope: false, config: undefined, keep: false, explore: undefined, exploreSeeds: undefined };
    const one = (shard: string | undefined, out: string) =>
      grade(shard === undefined ? base : { ...base, shard: { index: Number(shard[0]), count: 4 }, shardOut: join(out, "shard.json") }, h);
    const unsharded = await report(() => one(undefined, temps.make()));
    const files: string[] = [];
    for (let i = 1; i <= 4; i++) {
      const out = temps.make();
      await report(() => one(`${i}/4`, out));
      files.push(join(out, "shard.json"));
    }
    const { printMergedGrade } = await import("./grade.js");
    const { mergeShardResults } = await import("./lib/shards.js");
    const merged = await report(async () => printMergedGrade(mergeShardResults(files), h));
    expect(unsharded.text).toContain("TestMul1A");
    expect(unsharded.text).toMatch(/seed 6: mul\(6, 3\) = 19/);
    expect(unsharded.code).toBe(1);
    expect(merged.code).toBe(1);
    expect(masked(merged.text)).toBe(masked(unsharded.text));
  }, 600_000);
});
