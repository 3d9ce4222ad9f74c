/**
 * `npm run explore`: adversarial runs beyond the faithful tests. Runs the explore scenarios and the
 * lab tests whose checks stay sound under extra faults, each under a nemesis whose fault plan is
 * drawn per seed, over many seeds in parallel vitest workers (the machinery of `npm run stress`,
 * in `scripts/lib/seed-runs.ts`), and groups failures by what broke. `--shrink` takes a failure's
 * schedule and removes faults while it still fails the same way.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { basename, join, resolve } from "node:path";
import pc from "picocolors";
import { describeFaultPlan } from "../src/explore/fault-plan.js";
import { LAB_TESTS_UNDER_NEMESIS } from "../src/explore/lab-tests.js";
import { labTestFiles } from "./lib/labs-registry.js";
import { EXPLORE_ENV } from "../src/explore/mode.js";
import { describeFault, parseScheduleFile, type FaultEvent, type ScheduleFile } from "../src/explore/schedule.js";
import { SCENARIOS, SCENARIO_FILES } from "../src/explore/scenarios/index.js";
import type { StressRecord } from "../src/harness/index.js";
import { exploreReplay, failureKind, formatFailureGroups, groupFailures } from "./lib/explore-report.js";
import { isScenario, runTarget, scheduleFile, type RunTarget } from "./lib/explore-runs.js";
import { gradersCapEnv } from "./lib/grading.js";
import { keptDir, keptTestFile, keptTestName } from "./lib/kept-test.js";
import { saveShard, shardSeeds, stressSet } from "./lib/shards.js";
import { diagnoseWorkers, pickSeeds, printReport, shortPath, spawnWorkers, splitSeeds, watchWorkers, type Colors } from "./lib/seed-runs.js";
import { shrinkFaults } from "./lib/shrink.js";
import { isMain, runCli } from "./lib/cli.js";
import { UsageError, parseCli as parseStressCli, sanitize, timestamp, type StressOptions } from "./stress.js";

const USAGE = `Usage: npm run explore -- <pattern> [options] [-- <test file or folder>...]
       npm run explore -- --shrink <schedule.json> [--max-shrink-runs <n>] [-o <dir>]

Runs the explore scenarios (${Object.keys(SCENARIOS).join(", ")}) and the lab
tests whose checks stay sound under extra faults (src/explore/lab-tests.ts), whose names match
<pattern> (a regular expression, matched like vitest's -t), once per seed, each under a nemesis
whose fault plan is drawn from the seed. Prints the stress table, the failures grouped by what
broke (the safety property a monitor found violated, or the test's message), and each failing
seed with its replay command and fault schedule.

Options (as npm run stress, plus):
  -n, --runs <n>           seeds per matching test (default 10)
  -p, --workers <n>        parallel vitest processes (default 2)
      --seed <n>           use seeds n, n+1, ..., n+runs-1
      --bail               stop at the first failing run
      --shard <i/n>        run the i-th of n slices of the seeds (needs --seed; see npm run stress)
  -o, --output <dir>       output folder (default explore-out/<date>-<pattern>)
      --shrink-failures    shrink the first failure of each kind once the runs are done
      --shrink <file>      shrink the failing run of a schedule file (written under <output>/schedules)
      --max-shrink-runs <n> trial runs a shrink may make (default 300)
      --no-schedules       do not record the failures' schedules (saves a run per kind of failure)
  -h, --help               show this help

Examples:
  npm run explore -- 3C -n 50
  npm run explore -- 'ExploreKV4' -n 200 -p 2 --seed 1 --shrink-failures
  npm run explore -- --shrink explore-out/20260101-3C/schedules/ExploreRaftPersistence3C-seed17.json`;

/** Options only explore has, besides those of the stress runner. */
export interface ExploreExtras {
  shrink: string | undefined;
  shrinkFailures: boolean;
  maxShrinkRuns: number;
  /** Skip recording the failures' schedules (`npm run mutants` only counts runs). */
  noSchedules: boolean;
}

/** Takes explore's own options out of `argv`; the rest is the stress runner's command line. */
export function splitExploreArgs(argv: readonly string[]): { extras: ExploreExtras; rest: string[] } {
  const extras: ExploreExtras = { shrink: undefined, shrinkFailures: false, maxShrinkRuns: 300, noSchedules: false };
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      rest.push(...argv.slice(i));
      break;
    }
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("-")) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === "--shrink") extras.shrink = value();
    else if (a.startsWith("--shrink=")) extras.shrink = a.slice("--shrink=".length);
    else if (a === "--shrink-failures") extras.shrinkFailures = true;
    else if (a === "--no-schedules") extras.noSchedules = true;
    else if (a === "--max-shrink-runs") {
      const n = Number(value());
      if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--max-shrink-runs must be a positive integer`);
      extras.maxShrinkRuns = n;
    } else rest.push(a);
  }
  return { extras, rest };
}

/** The test names explore runs: every scenario and every lab test under the nemesis. */
export function exploreTestNames(): string[] {
  return [...Object.keys(SCENARIOS), ...Object.values(LAB_TESTS_UNDER_NEMESIS).flat()];
}

/** The -t pattern: the user's pattern, restricted to explore's tests (a lookahead keeps vitest's "matches anywhere"). */
export function explorePattern(user: string): string {
  return `^(?=.*(?:${user}))(?:${exploreTestNames().join("|")})$`;
}

/** Runs explore as `opts` and `extras` ask (the command line's work); resolves to the exit status. */
export async function explore(opts: StressOptions, extras: ExploreExtras): Promise<number> {
  const c = pc.createColors(pc.isColorSupported && process.stdout.isTTY === true);
  const matching = exploreTestNames().filter((n) => new RegExp(opts.pattern).test(n));
  const paths = opts.paths.length > 0 ? opts.paths : [...SCENARIO_FILES, ...labTestFiles(process.cwd())];
  const groups = splitSeeds(shardSeeds(pickSeeds(opts.runs, opts.seed), opts.shard), opts.workers);
  const outDir = resolve(opts.output ?? join("explore-out", `${timestamp()}-${sanitize(opts.pattern)}`));
  mkdirSync(join(outDir, "logs"), { recursive: true });
  console.log(
    `${c.bold("explore")} ${c.cyan(opts.pattern)}: ${matching.length} test${matching.length === 1 ? "" : "s"} ` +
      `(${plural(matching.filter((n) => SCENARIOS[n] !== undefined).length, "scenario")}), ${opts.runs} seed${opts.runs === 1 ? "" : "s"} each` +
      (opts.seed !== undefined ? ` (${opts.seed}..${opts.seed + opts.runs - 1})` : " (random)") +
      `, ${groups.length} worker${groups.length === 1 ? "" : "s"}` +
      (opts.workers > availableParallelism() ? c.yellow(` (more than the ${availableParallelism()} CPUs)`) : ""),
  );
  console.log(c.dim(`output: ${shortPath(outDir)}`));
  const pattern = explorePattern(opts.pattern);
  const workers = spawnWorkers({ pattern, groups, paths, outDir, env: { ...gradersCapEnv(process.cwd()), [EXPLORE_ENV.mode]: "1" } });
  const watched = await watchWorkers(workers, { runs: opts.runs, bail: opts.bail, c, expectedTests: matching.length });
  // Lab tests replay in explore mode only with the variable set: say so in every replay command.
  const records = watched.records.map((r) => (r.ok ? r : { ...r, replay: exploreReplay(r) }));
  const problems = diagnoseWorkers(workers, watched);
  const code = printReport({ ...watched, records }, problems, {
    pattern: opts.pattern,
    paths,
    outDir,
    c,
    sections: (rs) => formatFailureGroups(rs, c),
  });
  if (opts.shard !== undefined) saveShard("explore", stressSet(opts), opts.shard, { ...watched, records }, outDir);
  if (!extras.noSchedules) await saveSchedules(records, outDir, extras, c);
  return code;
}

/**
 * Records the schedule of the first failure of each kind (by running it again: the same seed gives
 * the same run), and shrinks it if asked.
 */
async function saveSchedules(records: readonly StressRecord[], outDir: string, extras: ExploreExtras, c: Colors): Promise<void> {
  const groups = groupFailures(records).slice(0, 8);
  if (groups.length === 0) return;
  console.log(c.bold("Fault schedules (the first failure of each kind):"));
  for (const g of groups) {
    const r = g.runs[0]!;
    const target: RunTarget = { file: r.file, test: r.fullName, seed: r.seed };
    try {
      const run = await runTarget(target);
      if (run.ok || run.plan === undefined) {
        console.log(c.yellow(`  ${r.test} seed ${r.seed}: ran again ${run.ok ? "and passed" : "without a nemesis"}: no schedule`));
        continue;
      }
      const file = writeSchedule(join(outDir, "schedules"), scheduleFile(target, run));
      console.log(`  ${g.key}: ${r.test} seed ${r.seed}, ${run.faults.length} faults; ${describeFaultPlan(run.plan)}`);
      console.log(`    schedule: ${shortPath(file)}   shrink: npm run explore -- --shrink ${shortPath(file)}`);
      if (extras.shrinkFailures) await shrink(file, extras.maxShrinkRuns, join(outDir, "shrunk"), c);
    } catch (e) {
      console.log(c.red(`  ${r.test} seed ${r.seed}: could not record its schedule: ${(e as Error).message}`));
    }
  }
  console.log();
}

function writeSchedule(dir: string, schedule: ScheduleFile): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${schedule.test.replace(/\W+/g, "_")}-seed${schedule.seed}.json`);
  writeFileSync(file, JSON.stringify(schedule, null, 1) + "\n");
  return file;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** The kinds of faults, for trying to remove all of one kind at once. */
function faultCategory(f: FaultEvent): string {
  if (f.point === "scheduler") return `scheduled ${f.kind}`;
  return f.kind === "delay" ? `delay (${f.why})` : `${f.kind} at ${f.point}`;
}

/** The fault ids by kind (see {@link faultCategory}). */
function categories(faults: readonly FaultEvent[]): number[][] {
  const byKind = new Map<string, number[]>();
  for (const f of faults) byKind.set(faultCategory(f), [...(byKind.get(faultCategory(f)) ?? []), f.id]);
  return [...byKind.values()];
}

/** `npm run explore -- --shrink <file>`: returns the exit code (0: shrunk; 1: it did not fail as recorded). */
async function shrink(file: string, maxRuns: number, outDir: string, c: Colors): Promise<number> {
  const schedule = parseScheduleFile(readFileSync(file, "utf8"), file);
  const target: RunTarget = { file: schedule.file, test: schedule.test, seed: schedule.seed };
  const where = isScenario(target) ? "in this process" : "in a vitest child per trial (slower)";
  console.log(`${c.bold("shrink")} ${schedule.test} seed ${schedule.seed}: ${schedule.faults.length} faults, runs ${where}`);
  console.log(c.dim(`  plan: ${describeFaultPlan(schedule.plan)}`));
  const replay = (removed: ReadonlySet<number>) => runTarget(target, { replay: { schedule, removed } });
  const full = await replay(new Set());
  if (full.ok) {
    console.log(c.red(`  replaying the whole schedule passes: the failure does not reproduce (was the code changed since it was recorded?)`));
    return 1;
  }
  const goal = failureKind(full.error ?? "");
  console.log(`  fails with: ${c.red(goal.key)} [${goal.kind}]`);
  const started = Date.now();
  const result = await shrinkFaults(
    schedule.faults.map((f) => f.id),
    async (removed) => {
      const run = await replay(removed);
      return !run.ok && failureKind(run.error ?? "").key === goal.key;
    },
    {
      maxRuns,
      categories: categories(schedule.faults),
      onTrial: (t) => {
        if (t.runs % 10 === 0) console.log(c.dim(`  ${t.runs} trials so far`));
      },
    },
  );
  const keptIds = new Set(result.kept);
  const removed = new Set(schedule.faults.filter((f) => !keptIds.has(f.id)).map((f) => f.id));
  mkdirSync(outDir, { recursive: true });
  const base = join(outDir, `${schedule.test.replace(/\W+/g, "_")}-seed${schedule.seed}`);
  const shrunkFile = `${base}.shrunk.json`;
  writeFileSync(shrunkFile, JSON.stringify({ ...schedule, removed: [...removed] }, null, 1) + "\n");
  // The shrunk run once more, with its log (and a timeline with TIMELINE=1), for the student. Its
  // variables are set as its replay command sets them, so that its log's header replays it.
  const final = await withEnv({ [EXPLORE_ENV.replay]: shrunkFile, ...(isScenario(schedule) ? {} : { [EXPLORE_ENV.mode]: "1" }) }, () =>
    runTarget(target, { replay: { schedule, removed }, logDir: join(outDir, "logs") }),
  );
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `  shrunk to ${c.bold(String(result.kept.length))} of ${schedule.faults.length} faults in ${result.runs} trial runs (${secs} s)` +
      (result.minimal ? ", each of them needed:" : ` (trial budget spent: maybe not minimal; --max-shrink-runs):`),
  );
  for (const f of schedule.faults.filter((f) => keptIds.has(f.id))) console.log(`  ${describeFault(f)}`);
  // The printed failure carries the replay command of the run that failed: the shrunk one's, not the original's.
  const shrunkReplay = replayShrunk(schedule, shrunkFile);
  const failure = withReplay(final.error ?? full.error ?? "", shrunkReplay);
  console.log(`  and the run fails with:\n${failure.split("\n").map((l) => `    ${l}`).join("\n")}`);
  console.log(`  shrunk schedule: ${shortPath(shrunkFile)}`);
  console.log(`  replay the shrunk run: ${shrunkReplay}`);
  if (isScenario(target)) {
    const name = keptTestName(schedule);
    const testFile = join(keptDir(schedule.test), `${name}.test.ts`);
    if (existsSync(testFile)) {
      console.log(c.yellow(`  kept test: ${testFile} exists already; the new one is beside the schedule: ${shortPath(`${base}.test.ts`)}`));
      writeFileSync(`${base}.test.ts`, keptTestFile(schedule, result.kept, failure));
    } else {
      mkdirSync(keptDir(schedule.test), { recursive: true });
      writeFileSync(testFile, keptTestFile(schedule, result.kept, failure));
      console.log(`  kept test: ${testFile} (among your files: npm test runs it, and it fails until the bug is fixed)`);
      console.log(c.dim(`    run it alone: npx vitest run ${testFile}   (TIMELINE=1 for its timeline; delete the file to drop it)`));
    }
  }
  console.log();
  return 0;
}

/** Runs `body` with `vars` set in this process's environment, then puts the old values back. */
async function withEnv<T>(vars: Record<string, string>, body: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await body();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** The command that replays a shrunk schedule: the scenario's or lab test's run with only the faults left. */
export function replayShrunk(schedule: Pick<ScheduleFile, "file" | "test" | "seed">, shrunkFile: string): string {
  const mode = isScenario(schedule) ? "" : `${EXPLORE_ENV.mode}=1 `;
  return `${mode}${EXPLORE_ENV.replay}=${shortPath(shrunkFile)} SEED=${schedule.seed} npx vitest run ${schedule.file} -t '^${schedule.test}$'`;
}

/** `error` with its `replay:` line (if any) replaced by `replay`. */
export function withReplay(error: string, replay: string): string {
  return /^\s*replay: .*$/m.test(error) ? error.replace(/^(\s*)replay: .*$/m, (_, indent: string) => `${indent}replay: ${replay}`) : `${error}\n  replay: ${replay}`;
}

/** What the command line asks for: a shrink of a saved schedule, or explore runs. */
type ExploreCommand =
  | { readonly kind: "shrink"; readonly schedule: string; readonly maxRuns: number; readonly dir: string }
  | { readonly kind: "explore"; readonly opts: StressOptions; readonly extras: ExploreExtras };

/** Parses explore's command line (undefined means `--help`). */
function parseCommand(argv: readonly string[]): ExploreCommand | undefined {
  const parsed = splitExploreArgs([...argv]);
  if (parsed.extras.shrink !== undefined) {
    const out = parsed.rest.includes("-o") ? parsed.rest[parsed.rest.indexOf("-o") + 1] : undefined;
    const dir = resolve(out ?? join("explore-out", `shrink-${basename(parsed.extras.shrink, ".json")}`));
    return { kind: "shrink", schedule: parsed.extras.shrink, maxRuns: parsed.extras.maxShrinkRuns, dir };
  }
  const opts = parseStressCli(parsed.rest);
  return opts === undefined ? undefined : { kind: "explore", opts, extras: parsed.extras };
}

if (isMain(import.meta.url)) {
  await runCli(USAGE, () => parseCommand(process.argv.slice(2)), (cmd) =>
    cmd.kind === "shrink" ? shrink(cmd.schedule, cmd.maxRuns, cmd.dir, pc.createColors(process.stdout.isTTY === true)) : explore(cmd.opts, cmd.extras),
  );
}
