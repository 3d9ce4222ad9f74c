/**
 * Sharded runs: `npm run stress|explore|grade -- ... --shard i/n` runs the i-th of n disjoint slices
 * of the same (test, seed) set, so that n machines (e.g. the jobs of a CI matrix) share the work,
 * and writes its runs to a shard result file; `npm run merge-shards -- <files>` merges the files of
 * all n shards into the report an unsharded run of the same set prints.
 *
 * The set is sliced by seed: every seed runs every selected test, so the seeds at positions
 * i-1, i-1+n, i-1+2n, ... of the run's seed list make the i-th slice. The seed list must be the
 * same in every shard, hence `--shard` needs `--seed` (random seeds would differ per machine).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { StressRecord } from "../../src/harness/index.js";
import { UsageError } from "./cli.js";

/** The i-th (1-based) of `count` slices. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** A `--shard` value is wrong; the message says what is expected. */
export class ShardError extends Error {
  override readonly name = "ShardError";
}

/** Parses `i/n` (1 ≤ i ≤ n). */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (m === null || !Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count < 1 || index < 1 || index > count) {
    throw new ShardError(`--shard must be i/n with 1 <= i <= n (the i-th of n slices, e.g. --shard 2/4), got "${text}"`);
  }
  return { index, count };
}

/** The seeds of `shard`: those at positions index-1, index-1+count, ... (all of them without a shard). */
export function shardSeeds(seeds: readonly number[], shard: Shard | undefined): number[] {
  if (shard === undefined) return [...seeds];
  return seeds.filter((_, i) => i % shard.count === shard.index - 1);
}

/** Checks what `--shard` needs; returns the problem, or undefined. */
export function shardProblem(shard: Shard | undefined, seed: number | undefined, runs: number): string | undefined {
  if (shard === undefined) return undefined;
  if (seed === undefined) return "--shard needs --seed: every shard must slice the same seeds (random ones differ on each machine)";
  if (shard.count > runs) return `--shard ${shard.index}/${shard.count} with ${runs} seeds: some shards would have no seed; use at most ${runs} shards`;
  return undefined;
}

/** Renders a shard as `i/n`. */
export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

/** What a shard result file holds: one tool's runs of one slice, and what identifies the whole set. */
export interface ShardResult {
  readonly format: typeof SHARD_FORMAT;
  /** The tool that ran it ("stress", "explore", "grade"). */
  readonly tool: string;
  /** The whole set as the tool describes it (pattern, paths, seeds, parts...): equal in every shard. */
  readonly set: Readonly<Record<string, unknown>>;
  readonly shard: Shard;
  /** Wall ms of this shard's run. */
  readonly wallMs: number;
  /** This shard's runs. */
  readonly records: readonly StressRecord[];
}

/** The arguments that define a stress or explore run's set (equal in all its shards). */
export function stressSet(opts: { readonly pattern: string; readonly paths: readonly string[]; readonly runs: number; readonly seed: number | undefined }): Record<string, unknown> {
  return { pattern: opts.pattern, paths: [...opts.paths], runs: opts.runs, seed: opts.seed };
}

/**
 * `--shard` on a command line: parsed and checked against the seeds (it needs `--seed`, and at
 * least one seed per shard); throws a UsageError saying what is wrong.
 */
export function shardOption(text: string | undefined, seed: number | undefined, runs: number): Shard | undefined {
  if (text === undefined) return undefined;
  let shard: Shard;
  try {
    shard = parseShard(text);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const problem = shardProblem(shard, seed, runs);
  if (problem !== undefined) throw new UsageError(problem);
  return shard;
}

/** Writes a finished shard's result file into its output folder and says where; returns the file. */
export function saveShard(tool: string, set: Record<string, unknown>, shard: Shard, run: { readonly records: readonly StressRecord[]; readonly wallMs: number }, outDir: string): string {
  const file = join(outDir, `shard-${shard.index}-of-${shard.count}.json`);
  writeShardResult(file, { tool, set, shard, wallMs: run.wallMs, records: run.records });
  console.log(`shard ${formatShard(shard)}: results in ${file} (merge all ${shard.count}: npm run merge-shards -- <their shard-*-of-${shard.count}.json>)`);
  return file;
}

/** The format tag of shard result files. */
export const SHARD_FORMAT = "raftlab-shard/1";

/** Writes a shard result file. */
export function writeShardResult(file: string, result: Omit<ShardResult, "format">): void {
  writeFileSync(file, JSON.stringify({ format: SHARD_FORMAT, ...result }) + "\n");
}

/** The merged runs of all shards of one set. */
export interface MergedShards {
  readonly tool: string;
  readonly set: Readonly<Record<string, unknown>>;
  /** Every run, in a canonical order (file, test, seed), as an unsharded run's report lists them. */
  readonly records: StressRecord[];
  /** The longest shard's wall ms (the shards run side by side). */
  readonly wallMs: number;
  readonly count: number;
}

/**
 * Reads the result files of the n shards of one set and merges them; throws a {@link ShardError}
 * naming the file and the problem if they are not exactly shards 1..n of one tool's one set.
 */
export function mergeShardResults(files: readonly string[]): MergedShards {
  if (files.length === 0) throw new ShardError("merge-shards needs the result files of all shards (shard-<i>-of-<n>.json in each shard's output folder)");
  const results = files.map((file) => readShardResult(file));
  const first = results[0]!;
  const setText = JSON.stringify(first.result.set);
  const seen = new Map<number, string>();
  for (const { file, result } of results) {
    if (result.tool !== first.result.tool) throw new ShardError(`${file} is a shard of npm run ${result.tool}, ${first.file} of npm run ${first.result.tool}: merge one tool's shards`);
    if (JSON.stringify(result.set) !== setText) {
      throw new ShardError(`${file} ran another set than ${first.file} (${JSON.stringify(result.set)} vs ${setText}): the shards must be run with the same arguments but --shard`);
    }
    if (result.shard.count !== first.result.shard.count) throw new ShardError(`${file} is shard ${formatShard(result.shard)}, ${first.file} ${formatShard(first.result.shard)}: not the same split`);
    const twin = seen.get(result.shard.index);
    if (twin !== undefined) throw new ShardError(`${file} and ${twin} are both shard ${formatShard(result.shard)}`);
    seen.set(result.shard.index, file);
  }
  const count = first.result.shard.count;
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length > 0) throw new ShardError(`missing shard${missing.length === 1 ? "" : "s"} ${missing.map((i) => `${i}/${count}`).join(", ")}: merge the result files of all ${count} shards`);
  return {
    tool: first.result.tool,
    set: first.result.set,
    records: sortRecords(results.flatMap((r) => r.result.records)),
    wallMs: Math.max(...results.map((r) => r.result.wallMs)),
    count,
  };
}

/** Runs in a canonical order: by file, then test (full name), then seed. */
export function sortRecords(records: readonly StressRecord[]): StressRecord[] {
  const key = (r: StressRecord): string => `${r.file}\u0000${r.fullName}`;
  return [...records].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.seed - b.seed));
}

function readShardResult(file: string): { file: string; result: ShardResult } {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new ShardError(`${file}: not a readable shard result file (${(e as Error).message})`);
  }
  const r = value as Partial<ShardResult> | null;
  if (r === null || typeof r !== "object" || r.format !== SHARD_FORMAT || typeof r.tool !== "string" || !Array.isArray(r.records) || typeof r.shard !== "object") {
    throw new ShardError(`${file}: not a shard result file (expected "format": "${SHARD_FORMAT}", written by --shard)`);
  }
  return { file, result: r as ShardResult };
}
