/**
 * `npm run merge-shards -- <shard result files>`: merges the result files of the n shards of one
 * `npm run stress|explore|grade -- ... --shard i/n` set into the report an unsharded run of the
 * same set prints (the logic is in `scripts/lib/shards.ts`; see docs/sharded-runs.md).
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import pc from "picocolors";
import { UsageError, isMain, runCli } from "./lib/cli.js";
import { formatFailureGroups } from "./lib/explore-report.js";
import { printReport } from "./lib/seed-runs.js";
import { mergeShardResults, ShardError } from "./lib/shards.js";
import { printMergedGrade } from "./grade.js";
import { timestamp } from "./stress.js";

const USAGE = `Usage: npm run merge-shards -- <shard result file>... [-o <dir>]

Merges the result files (shard-<i>-of-<n>.json, in each shard's output folder) of all n shards of
one npm run stress, explore or grade set (the same arguments but --shard i/n) and prints the report
an unsharded run of that set prints: the same table, notes, failures and verdicts (wall times are
those the shards measured). The exit status is the unsharded run's: 0 only if every run passed
(stress, explore) or every test earned its points (grade).

Options:
  -o, --output <dir>  folder for the merged failure list (default <tool>-out/<date>-merged)
  -h, --help          show this help

Example (docs/sharded-runs.md):
  npm run stress -- 3A -n 1000 --seed 1 --shard 1/4 -o out/1    # on machine 1, and so on to 4/4
  npm run merge-shards -- out/*/shard-*-of-4.json`;

interface MergeOptions {
  readonly files: readonly string[];
  readonly output: string | undefined;
}

function parseMergeCli(argv: readonly string[]): MergeOptions | undefined {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { output: { type: "string", short: "o" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help === true) return undefined;
  if (positionals.length === 0) throw new UsageError("name the result files of all shards");
  return { files: positionals, output: values.output };
}

/** Merges and prints; resolves to the exit status an unsharded run would have had. */
export async function mergeShards(opts: MergeOptions): Promise<number> {
  const c = pc.createColors(pc.isColorSupported && process.stdout.isTTY === true);
  let merged;
  try {
    merged = mergeShardResults(opts.files);
  } catch (e) {
    if (!(e instanceof ShardError)) throw e;
    console.error(c.red(`error: ${e.message}`));
    return 2;
  }
  console.log(`${c.bold("merge-shards")} ${merged.count} shards of npm run ${merged.tool}: ${merged.records.length} runs`);
  if (merged.tool === "grade") return printMergedGrade(merged);
  const set = merged.set as { pattern: string; paths: string[] };
  const outDir = resolve(opts.output ?? join(`${merged.tool}-out`, `${timestamp()}-merged`));
  mkdirSync(outDir, { recursive: true });
  const watched = { records: merged.records, tests: new Set(merged.records.map((r) => `${r.file} ${r.fullName}`)), stopping: undefined, wallMs: merged.wallMs };
  return printReport(watched, [], {
    pattern: set.pattern,
    paths: set.paths,
    outDir,
    c,
    ...(merged.tool === "explore" ? { sections: (rs: Parameters<typeof formatFailureGroups>[0]) => formatFailureGroups(rs, c) } : {}),
  });
}

if (isMain(import.meta.url)) await runCli(USAGE, () => parseMergeCli(process.argv.slice(2)), mergeShards);
