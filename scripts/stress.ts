/**
 * `npm run stress -- <test name pattern> -n <runs> [-p <workers>]`: runs every simulated test whose
 * name matches the pattern once per seed, for `runs` distinct seeds spread over `workers` vitest
 * processes, with live progress, a summary table and the replay command of every failing seed.
 * The built-in counterpart of the 6.824 TA scripts `dstest.py` and `go-test-many.sh`; the
 * machinery (workers, progress, report) is in `scripts/lib/seed-runs.ts`.
 */
import { mkdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import pc from "picocolors";
import { UsageError, isMain, runCli } from "./lib/cli.js";
import { countMatchingTests } from "./lib/declared-tests.js";
import { gradersCapEnv } from "./lib/grading.js";
import { diagnoseWorkers, pickSeeds, printReport, shortPath, spawnWorkers, splitSeeds, watchWorkers } from "./lib/seed-runs.js";
import { saveShard, shardOption, shardSeeds, stressSet, type Shard } from "./lib/shards.js";

export { formatNotes, formatTable, pickSeeds, splitSeeds, summarize, type TestSummary } from "./lib/seed-runs.js";

const USAGE = `Usage: npm run stress -- <pattern> [options] [-- <test file or folder>...]

Runs every simulated test (simTest) whose name matches <pattern> once per seed, for many seeds,
in parallel vitest workers; prints a summary table and how to replay each failing seed.
<pattern> is a regular expression matched like vitest's -t (describe names + test name).

Options:
  -n, --runs <n>      seeds to run each matching test with (default 10)
  -p, --workers <n>   parallel vitest processes (default 2)
      --seed <n>      use seeds n, n+1, ..., n+runs-1 instead of random ones
      --bail          stop at the first failing run
      --shard <i/n>   run the i-th of n disjoint slices of the seeds (needs --seed); writes
                      <output>/shard-<i>-of-<n>.json for npm run merge-shards (docs/sharded-runs.md)
  -o, --output <dir>  output folder (default stress-out/<date>-<pattern>)
  -h, --help          show this help

Files and folders after -- restrict which test files are loaded (much faster start-up), e.g.
  npm run stress -- 3A -n 200 -- src/raft
  npm run stress -- 'TestBackup3B$' -n 50 -p 2 --seed 1000 --bail -- src/raft

Output: progress while running; then per test: runs, failures, virtual seconds per run (mean ± std)
and wall ms per run (mean); then each failing seed with its replay command and log file. Logs are
kept for failed runs only, under <output>/logs. Exit code 0 only if every run passed.`;

/** Parsed command line of the stress runner. */
export interface StressOptions {
  readonly pattern: string;
  readonly runs: number;
  readonly workers: number;
  readonly seed: number | undefined;
  readonly bail: boolean;
  readonly output: string | undefined;
  /** Test files or folders given after `--`. */
  readonly paths: readonly string[];
  /** `--shard i/n`: only this slice of the seeds. */
  readonly shard?: Shard | undefined;
}

export { UsageError } from "./lib/cli.js";

/** Parses the stress runner's arguments (without `node` and the script); undefined means `--help`. */
export function parseCli(argv: readonly string[]): StressOptions | undefined {
  const { values, positionals, tokens } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    tokens: true,
    options: {
      runs: { type: "string", short: "n" },
      workers: { type: "string", short: "p" },
      seed: { type: "string" },
      bail: { type: "boolean" },
      output: { type: "string", short: "o" },
      shard: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) return undefined;
  // Positionals after `--` are path filters; before it, the single pattern.
  const terminator = tokens.find((t) => t.kind === "option-terminator");
  const before = terminator === undefined ? positionals : positionals.slice(0, positionalsBefore(tokens, terminator.index));
  const paths = terminator === undefined ? [] : positionals.slice(before.length);
  if (before.length !== 1) {
    throw new UsageError(before.length === 0 ? "missing the test name pattern" : `expected one pattern, got: ${before.join(" ")}`);
  }
  const pattern = before[0]!;
  try {
    new RegExp(pattern);
  } catch (e) {
    throw new UsageError(`the pattern is not a valid regular expression: ${(e as Error).message}`);
  }
  const runs = positiveInt(values.runs ?? "10", "--runs");
  const workers = positiveInt(values.workers ?? "2", "--workers");
  const seed = values.seed === undefined ? undefined : integer(values.seed, "--seed");
  const shard = shardOption(values.shard, seed, runs);
  return { pattern, runs, workers, seed, bail: values.bail === true, output: values.output, paths, shard };
}

function positionalsBefore(tokens: ReadonlyArray<{ kind: string; index: number }>, end: number): number {
  return tokens.filter((t) => t.kind === "positional" && t.index < end).length;
}

function integer(text: string, flag: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isSafeInteger(n)) throw new UsageError(`${flag} must be an integer, got "${text}"`);
  return n;
}

function positiveInt(text: string, flag: string): number {
  const n = integer(text, flag);
  if (n < 1) throw new UsageError(`${flag} must be at least 1, got ${n}`);
  return n;
}

/** Runs the stress test described by `opts`; resolves to the process exit code. */
export async function stress(opts: StressOptions): Promise<number> {
  const c = pc.createColors(pc.isColorSupported && process.stdout.isTTY === true);
  const groups = splitSeeds(shardSeeds(pickSeeds(opts.runs, opts.seed), opts.shard), opts.workers);
  const outDir = resolve(opts.output ?? join("stress-out", `${timestamp()}-${sanitize(opts.pattern)}`));
  mkdirSync(join(outDir, "logs"), { recursive: true });
  console.log(
    `${c.bold("stress")} ${c.cyan(opts.pattern)}${opts.paths.length > 0 ? ` in ${opts.paths.join(" ")}` : ""}: ` +
      `${opts.runs} seed${opts.runs === 1 ? "" : "s"} per test` +
      (opts.seed !== undefined ? ` (${opts.seed}..${opts.seed + opts.runs - 1})` : " (random)") +
      `, ${groups.length} worker${groups.length === 1 ? "" : "s"}` +
      (opts.workers > availableParallelism() ? c.yellow(` (more than the ${availableParallelism()} CPUs)`) : ""),
  );
  console.log(c.dim(`output: ${shortPath(outDir)}`));

  const expected = countMatchingTests(process.cwd(), opts.pattern, opts.paths);
  const workers = spawnWorkers({ pattern: opts.pattern, groups, paths: opts.paths, outDir, env: gradersCapEnv(process.cwd()) });
  const watched = await watchWorkers(workers, { runs: opts.runs, bail: opts.bail, c, expectedTests: expected });
  const problems = diagnoseWorkers(workers, watched);
  const code = printReport(watched, problems, { pattern: opts.pattern, paths: opts.paths, outDir, c });
  if (opts.shard !== undefined) saveShard("stress", stressSet(opts), opts.shard, watched, outDir);
  return code;
}

/** `YYYYMMDD-HHMMSS` of the local time, for output folder names. */
export function timestamp(): string {
  const d = new Date();
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** A pattern made safe for a folder name. */
export function sanitize(pattern: string): string {
  return pattern.replace(/[^A-Za-z0-9_-]+/g, "_").slice(0, 40) || "all";
}

if (isMain(import.meta.url)) await runCli(USAGE, () => parseCli(process.argv.slice(2)), stress);
