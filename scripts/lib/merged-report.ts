/**
 * For the tests of sharded runs (scripts/sharded-runs.test.ts, scripts/explore-shards.test.ts):
 * what a run prints as its report, and that report without what differs between any two runs.
 */
import { vi } from "vitest";
import type { TempDirs } from "./temp-tree.js";

/** What `run` prints from its report on (the first blank line) on, and its exit status. */
export async function report(run: () => Promise<number>): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
  const code = await run();
  spy.mockRestore();
  const from = lines.findIndex((l) => l === "");
  return { code, text: lines.slice(from).join("\n") };
}

/** The report without what differs between any two runs: measured wall times, output folders, CPU. */
export function masked(text: string): string {
  return text
    .split("\n")
    .map((l) =>
      l
        .replace(/^(Test\s.*Wall ms \(mean\))$/, "$1")
        .replace(/^(\S+\s+\d+\s+\d+\s+(?:[\d.]+ ± [\d.]+|-))\s+[\d.]+$/, "$1  <wall>")
        .replace(/ in [\d.]+s; output in .*$/, " in <wall>")
        .replace(/^graded in .*$/, "graded in <wall>"),
    )
    .join("\n");
}

/** Runs `one(shard)` for the unsharded set and for shards 1/4..4/4, then `merge`s the shard files (`mergeShards`). */
export async function unshardedAndMerged(
  temps: TempDirs,
  merge: (opts: { files: string[]; output: string }) => Promise<number>,
  one: (shard: string | undefined, out: string) => Promise<number>,
  shardFile: (out: string, i: number) => string,
): Promise<{ unsharded: { code: number; text: string }; merged: { code: number; text: string } }> {
  const unsharded = await report(() => one(undefined, temps.make()));
  const files: string[] = [];
  for (let i = 1; i <= 4; i++) {
    const out = temps.make();
    await report(() => one(`${i}/4`, out));
    files.push(shardFile(out, i));
  }
  const merged = await report(() => merge({ files, output: temps.make() }));
  return { unsharded, merged };
}

