/**
 * `npm run grade`: runs every test of the chosen parts N times on distinct seeds and scores them
 * with the points of `course/labs.json` (a test earns its points only if it passes every run).
 * With `--solution <dir>` it grades the student-owned files of <dir> (the manifest's patterns) in
 * a copy of this harness; `--results` writes Gradescope's results.json, `--md` a Markdown report.
 * The Gradescope autograder (`run_autograder`) is this script with `--gradescope`.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pc from "picocolors";
import { UsageError, isMain, runCli } from "./lib/cli.js";
import { blockedParts, formatGradeTable, gradeParts, toGradescope, toMarkdown, totals, type GradeReport } from "./lib/grade-report.js";
import { blockedExplore, exploreUnits, explorePlan, gradeExplore } from "./lib/grade-explore.js";
import { fitRuns } from "./lib/grade-budget.js";
import { declaredTests, planUnits, runUnits, type Unit } from "./lib/grade-run.js";
import { SubmissionError, assembleTree, findSubmissionRoot, typecheck } from "./lib/grade-tree.js";
import { interruptedBy, onInterrupt } from "./lib/interrupt.js";
import { GRADING_FILE, GradingConfigError, loadGrading, selectParts, type ExploreGrading, type GradedPart, type GradescopeSettings } from "./lib/grading.js";
import type { StressRecord } from "../src/harness/index.js";
import { ManifestError, type Manifest } from "./lib/handout-manifest.js";
import { labList, labsStarted, skeletonDigests } from "./lib/started-labs.js";
import { loadManifest } from "./lib/labs-registry.js";
import { pickSeeds } from "./lib/seed-runs.js";
import { shardOption, shardProblem, shardSeeds, writeShardResult, type MergedShards, type Shard } from "./lib/shards.js";

const USAGE = `Usage: npm run grade -- [options]

Runs every test of the chosen parts N times, each run on its own seed, and scores them with the
points of course/labs.json: a test earns its points only if it passes every run.

Options:
  --parts <list>      parts to grade, e.g. 3A,3B (default: every default part of the labs here;
                      extra parts such as "scenarios" and "cas" only when named)
  --runs <n>          runs per test (default: "runs" of course/grading.json)
  --seed <n>          use seeds n, n+1, ... (default: fresh random seeds)
  --solution <dir>    grade the student-owned files of <dir> (see handout.json) in a copy of this
                      harness: everything else, tests included, comes from here. <dir> may be a
                      student's checkout or this repository. Default: grade the files in place.
  --results <file>    write Gradescope's results.json
  --md <file>         write a Markdown report
  --workers <n>       test processes at a time (default 2, at most the CPUs)
  --wall-cap <s>      wall-clock cap per run in seconds (default: "wallCapSeconds" of the config)
  --deadline <s>      stop starting runs after s seconds; runs not done count as failed
  --explore           grade the explore component (default: as course/grading.json's "explore" says)
  --no-explore        leave the explore component out (the original parts alone)
  --explore-seeds <n> seeds per explore scenario (default: "explore.scenarioSeeds" of the config)
  --gradescope        take workers, deadline and visibility from the config's "gradescope" section
  --config <file>     another grading configuration
  --keep              keep the grading tree and the workers' output
  --shard <i/n>       run the i-th of n disjoint slices of the seeds (needs --seed) and write
                      --shard-out <file> (default grade-shard-<i>-of-<n>.json) for npm run merge-shards
  -h, --help          show this help

Exit status: 0 full score, 1 points lost, 2 bad usage or configuration, 3 grading failed.`;

/** Parsed command line. */
export interface GradeOptions {
  readonly parts: readonly string[] | undefined;
  readonly runs: number | undefined;
  readonly seed: number | undefined;
  readonly solution: string | undefined;
  readonly results: string | undefined;
  readonly md: string | undefined;
  readonly workers: number | undefined;
  readonly wallCapSeconds: number | undefined;
  readonly deadlineSeconds: number | undefined;
  readonly gradescope: boolean;
  readonly config: string | undefined;
  readonly keep: boolean;
  /** Grade the explore component: true, false, or undefined for the configuration's default. */
  readonly explore: boolean | undefined;
  readonly exploreSeeds: number | undefined;
  /** `--shard i/n`: only this slice of the seeds; its runs go to `shardOut`. */
  readonly shard?: Shard | undefined;
  readonly shardOut?: string | undefined;
}

export { UsageError } from "./lib/cli.js";

/** Parses the grader's arguments; undefined means --help. */
export function parseCli(argv: readonly string[]): GradeOptions | undefined {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      parts: { type: "string" },
      runs: { type: "string" },
      seed: { type: "string" },
      solution: { type: "string" },
      results: { type: "string" },
      md: { type: "string" },
      workers: { type: "string" },
      "wall-cap": { type: "string" },
      deadline: { type: "string" },
      gradescope: { type: "boolean" },
      config: { type: "string" },
      keep: { type: "boolean" },
      explore: { type: "boolean" },
      "no-explore": { type: "boolean" },
      "explore-seeds": { type: "string" },
      shard: { type: "string" },
      "shard-out": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) return undefined;
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}" (options start with --; parts go in --parts 3A,3B)`);
  const parts = values.parts?.split(",").map((p) => p.trim()).filter((p) => p !== "");
  if (parts !== undefined && parts.length === 0) throw new UsageError(`--parts needs a list such as 3A,3B`);
  const parsed: GradeOptions = {
    parts,
    runs: optionalInt(values.runs, "--runs", 1),
    seed: optionalInt(values.seed, "--seed", -(2 ** 53)),
    solution: values.solution,
    results: values.results,
    md: values.md,
    workers: optionalInt(values.workers, "--workers", 1),
    wallCapSeconds: optionalNumber(values["wall-cap"], "--wall-cap"),
    deadlineSeconds: optionalNumber(values.deadline, "--deadline"),
    gradescope: values.gradescope === true,
    config: values.config,
    keep: values.keep === true,
    explore: values["no-explore"] === true ? false : values.explore === true ? true : undefined,
    exploreSeeds: optionalInt(values["explore-seeds"], "--explore-seeds", 1),
    shard: shardOption(values.shard, optionalInt(values.seed, "--seed", -(2 ** 53)), Number.MAX_SAFE_INTEGER),
    shardOut: values["shard-out"],
  };
  if (values["no-explore"] === true && values.explore === true) throw new UsageError(`--explore and --no-explore contradict each other: give one`);
  return parsed;
}

function optionalInt(text: string | undefined, flag: string, min: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === "" || !Number.isSafeInteger(n) || n < min) throw new UsageError(`${flag} must be a whole number${min === 1 ? " >= 1" : ""}, got "${text}"`);
  return n;
}

function optionalNumber(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a number of seconds > 0, got "${text}"`);
  return n;
}

/** The harness this script belongs to: the folder above scripts/. */
const HARNESS = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Grades as `opts` asks; resolves to the exit status. */
export async function grade(opts: GradeOptions, harnessRoot = HARNESS): Promise<number> {
  const started = Date.now();
  const c = pc.createColors(pc.isColorSupported && process.stdout.isTTY === true && !opts.gradescope);
  const { manifest } = loadManifest(harnessRoot);
  const config = loadGrading(harnessRoot, opts.config);
  const choice = opts.parts === undefined && !opts.gradescope && opts.shard === undefined ? chooseLabs(harnessRoot, manifest, opts.solution, config.parts) : undefined;
  const parts = selectParts(config, opts.parts, choice?.labs ?? manifest.labs.map((l) => l.lab));
  if (parts.length === 0) throw new GradingConfigError(`no part to grade: name some with --parts (${config.parts.map((p) => p.part).join(", ")})`);
  const labs = labsFor(parts, manifest.labs);
  const runs = opts.runs ?? config.runs;
  const workers = Math.max(1, opts.workers ?? (opts.gradescope ? config.gradescope.workers : Math.min(2, availableParallelism())));
  const wallCapMs = (opts.wallCapSeconds ?? config.wallCapSeconds) * 1000;
  const deadlineSeconds = opts.deadlineSeconds ?? (opts.gradescope ? config.gradescope.deadlineSeconds : undefined);
  const deadline = deadlineSeconds === undefined ? undefined : started + deadlineSeconds * 1000;
  const seeds = pickSeeds(runs, opts.seed);
  const shardProblemText = shardProblem(opts.shard, opts.seed, runs);
  if (shardProblemText !== undefined) throw new GradingConfigError(shardProblemText);
  const ownSeeds = shardSeeds(seeds, opts.shard);
  const testCount = parts.reduce((n, p) => n + p.tests.size, 0);
  const exploreOn = config.explore !== undefined && (opts.explore ?? config.explore.byDefault);
  if (opts.explore === true && config.explore === undefined) throw new GradingConfigError(`--explore: ${opts.config ?? GRADING_FILE} has no "explore" section`);
  const exploreSeeds = {
    scenario: pickSeeds(opts.exploreSeeds ?? config.explore?.scenarioSeeds ?? 1, opts.seed),
    labTest: pickSeeds(config.explore?.labTestSeeds ?? 1, opts.seed),
  };
  const exploreCounts = { scenario: exploreSeeds.scenario.length, labTest: exploreSeeds.labTest.length };
  // A shard runs its slice of the seeds as given (a budget fitted per shard would break the merge).
  const fitted = deadline !== undefined && runs > config.budget.minRuns && opts.shard === undefined;

  console.log(
    `${c.bold("grade")} parts ${c.cyan(parts.map((p) => p.part).join(","))} (${testCount} tests), ${runs} run${runs === 1 ? "" : "s"} each` +
      (fitted ? ` (or as many as fit the deadline, at least ${config.budget.minRuns})` : "") +
      ` (seeds ${opts.seed === undefined ? "random" : `${seeds[0]}..${seeds[seeds.length - 1]}`}), ${workers} worker${workers === 1 ? "" : "s"}, ` +
      `wall cap ${wallCapMs / 1000} s per run${deadlineSeconds !== undefined ? `, deadline ${deadlineSeconds} s` : ""}`,
  );
  if (exploreOn) {
    console.log(
      `${c.bold("explore component")}: each part's explore scenario on ${exploreCounts.scenario} seed${exploreCounts.scenario === 1 ? "" : "s"}, ` +
        `its lab tests under the nemesis on ${exploreCounts.labTest}, monitors on`,
    );
  }

  if (choice !== undefined) console.log(c.dim(choice.note));

  const work = mkdtempSync(join(tmpdir(), "raftlab-grade-"));
  // From here on a signal must not kill the process outright (Node's default), which would leave
  // the scratch folder and the grading tree behind: it marks the run interrupted; each step checks,
  // each batch of runs stops its workers, and the finally below removes both.
  const offInterruptGuard = onInterrupt(() => {});
  let root = harnessRoot;
  let cleanup = (): void => {};
  const warnings: string[] = [];
  let report: GradeReport;
  try {
    if (opts.solution !== undefined) {
      let tree;
      try {
        tree = assembleTree({ harnessRoot, manifest, solution: opts.solution, labs, workDir: work });
      } catch (e) {
        if (!(e instanceof SubmissionError)) throw e;
        report = blocked(parts, runs, seeds, started, opts, { check: "Submission", output: e.message }, undefined, warnings, exploreOn ? config.explore : undefined, exploreCounts);
        return finish(report, opts, config.gradescope, c);
      }
      root = tree.root;
      cleanup = tree.cleanup;
      warnings.push(...tree.warnings);
      console.log(c.dim(`grading ${tree.studentFiles.length} student-owned files of ${opts.solution} in ${opts.keep ? root : "a copy of this harness"}`));
    }

    const tc = await typecheck(root, 180_000);
    if (interruptedBy() !== undefined) {
      console.log(c.yellow("interrupted during the type check; nothing was graded"));
      return 130;
    }
    const blocking = !tc.ok && config.typecheck === "required";
    if (!tc.ok) console.log((blocking ? c.red : c.yellow)(`type check failed${blocking ? ": every test scores 0" : " (tests run anyway)"}:\n${indent(firstLines(tc.output, 20))}`));
    if (blocking) {
      report = blocked(parts, runs, seeds, started, opts, { check: "Type check (npm run typecheck)", output: tc.output }, tc, warnings, exploreOn ? config.explore : undefined, exploreCounts);
      return finish(report, opts, config.gradescope, c);
    }

    const fileTests = testsByFile(root, parts);
    const runOpts = { root, workers, wallCapMs, deadline, c, keepLogs: opts.keep, progress: !opts.gradescope };
    let out = 0;
    const runBatch = (units: Unit[]) => runUnits({ ...runOpts, units, outDir: join(work, `runs-${out++}`) });
    // Ctrl-C or SIGTERM stops every worker of the batch under way: report it and stop grading.
    const stopped = (batch: { readonly interrupted?: boolean; readonly records: readonly StressRecord[] } | undefined): boolean => {
      if (batch?.interrupted !== true) return false;
      console.log(c.yellow(`interrupted: every worker was stopped; ${batch.records.filter((r) => !r.error?.startsWith("not run:")).length} runs of the last batch had finished`));
      return true;
    };
    const declared = (f: string): string[] => (existsSync(join(root, f)) ? declaredTests(readFileSync(join(root, f), "utf8")) : []);
    // A shard grades its slice of the lab tests' seeds; the explore component is graded whole, by an
    // unsharded run (merging shards could not split its all-or-nothing entries).
    if (exploreOn && opts.shard !== undefined) console.log(c.dim("--shard: the explore component is left out of shards; grade it in one run without --shard"));
    const items = exploreOn && opts.shard === undefined ? explorePlan(config.explore!, parts, declared) : [];

    // The lab tests: with a deadline, first one run of each, timed; then the explore component;
    // then as many more runs as fit (never fewer than the floor). Without one, every run at once.
    const labRecords: StressRecord[] = [];
    let deadlineHit = false;
    let planned = runs;
    const budgetNotes: string[] = [];
    if (fitted) {
      const first = await runBatch(planUnits(root, fileTests, seeds.slice(0, 1), workers));
      if (stopped(first)) return 130;
      labRecords.push(...first.records);
      deadlineHit ||= first.deadlineHit;
      const exploreRun = items.length > 0 ? await runBatch(exploreUnits(items, exploreSeeds.scenario, exploreSeeds.labTest, workers)) : undefined;
      if (stopped(exploreRun)) return 130;
      deadlineHit ||= exploreRun?.deadlineHit ?? false;
      const fit = fitRuns({
        firstRuns: first.records,
        firstWallMs: first.wallMs,
        units: planUnits(root, fileTests, seeds.slice(0, 1), workers).length,
        workers,
        msLeft: deadline! - Date.now(),
        runs,
        minRuns: config.budget.minRuns,
      });
      planned = fit.runs;
      budgetNotes.push(fit.note);
      console.log(c.dim(fit.note));
      if (planned > 1 && !deadlineHit) {
        const rest = await runBatch(planUnits(root, fileTests, seeds.slice(1, planned), workers));
        if (stopped(rest)) return 130;
        labRecords.push(...rest.records);
        deadlineHit ||= rest.deadlineHit;
      }
      report = gradeReport(
        [...gradeParts(parts, planned, labRecords), ...gradeExplore(items, exploreRun?.records ?? [], exploreCounts)],
        { runs: planned, seeds: seeds.slice(0, planned), started, opts, warnings },
        { typecheck: { ok: tc.ok, output: tc.output, blocking: false }, blocker: undefined, deadlineHit, budget: budgetNotes.join("\n") },
      );
      return finish(report, opts, config.gradescope, c);
    }
    const run = await runBatch(planUnits(root, fileTests, ownSeeds, workers));
    if (stopped(run)) return 130;
    const exploreRun = items.length > 0 ? await runBatch(exploreUnits(items, exploreSeeds.scenario, exploreSeeds.labTest, workers)) : undefined;
    if (stopped(exploreRun)) return 130;
    report = gradeReport(
      [...gradeParts(parts, ownSeeds.length, run.records), ...gradeExplore(items, exploreRun?.records ?? [], exploreCounts)],
      { runs: ownSeeds.length, seeds: ownSeeds, started, opts, warnings },
      {
        typecheck: { ok: tc.ok, output: tc.output, blocking: false },
        blocker: undefined,
        deadlineHit: run.deadlineHit || (exploreRun?.deadlineHit ?? false),
      },
    );
    if (opts.shard !== undefined) {
      const file = opts.shardOut ?? `grade-shard-${opts.shard.index}-of-${opts.shard.count}.json`;
      writeShardResult(file, { tool: "grade", set: gradeSet(opts, parts, runs), shard: opts.shard, wallMs: Date.now() - started, records: run.records });
      console.log(c.dim(`shard ${opts.shard.index}/${opts.shard.count}: runs in ${file} (npm run merge-shards -- <the ${opts.shard.count} shard files>)`));
    }
    return finish(report, opts, config.gradescope, c);
  } finally {
    if (opts.keep) console.log(c.dim(`kept: ${work}${root !== harnessRoot ? ` and ${root}` : ""}`));
    else {
      cleanup();
      rmSync(work, { recursive: true, force: true });
    }
    offInterruptGuard();
  }
}

/** What defines a grading set (equal in all its shards). */
function gradeSet(opts: GradeOptions, parts: readonly GradedPart[], runs: number): Record<string, unknown> {
  return { parts: parts.map((p) => p.part), runs, seed: opts.seed, solution: opts.solution === undefined ? null : resolve(opts.solution), config: opts.config ?? null };
}

/**
 * Prints the report of the merged shards of a grading set (`npm run merge-shards`): the table an
 * unsharded `npm run grade` of the same set prints; resolves to its exit status.
 */
export function printMergedGrade(merged: MergedShards, harnessRoot = HARNESS): number {
  const set = merged.set as { parts: string[]; runs: number; seed: number; config: string | null };
  const c = pc.createColors(pc.isColorSupported && process.stdout.isTTY === true);
  const { manifest } = loadManifest(harnessRoot);
  const config = loadGrading(harnessRoot, set.config ?? undefined);
  const parts = selectParts(config, set.parts, manifest.labs.map((l) => l.lab));
  const opts = parseCli(["--parts", set.parts.join(","), "--runs", String(set.runs), "--seed", String(set.seed)])!;
  const report = gradeReport(gradeParts(parts, set.runs, merged.records), { runs: set.runs, seeds: pickSeeds(set.runs, set.seed), started: Date.now() - merged.wallMs, opts, warnings: [] }, {
    typecheck: { ok: true, output: "", blocking: false },
    blocker: undefined,
    deadlineHit: false,
  });
  return finish(report, opts, config.gradescope, c);
}

/** Labs of the parts, and the labs they need. */
/**
 * The labs a grade with no `--parts` covers: those the student has started (some student file
 * differs from the skeleton), or every lab when none or all are started or the skeleton is unknown;
 * `note` says which and why.
 */
export function chooseLabs(harnessRoot: string, manifest: Manifest, solution: string | undefined, graded: readonly GradedPart[]): { labs: number[]; note: string } {
  const all = manifest.labs.map((l) => l.lab);
  const skeleton = skeletonDigests(harnessRoot);
  if (skeleton === undefined) return { labs: all, note: `grading every lab (${labList(all)}): this tree does not record its skeleton, so which labs you started is unknown; --parts 3A,3B picks parts` };
  let studentRoot = harnessRoot;
  if (solution !== undefined) {
    try {
      studentRoot = findSubmissionRoot(resolve(solution), manifest);
    } catch {
      return { labs: all, note: `grading every lab (${labList(all)})` }; // the submission's problem is reported when its tree is built
    }
  }
  const { started, untouched } = labsStarted(manifest, studentRoot, skeleton);
  if (started.length === 0) return { labs: all, note: `grading every lab (${labList(all)}): none is started yet (every student file is as handed out)` };
  if (untouched.length === 0) return { labs: all, note: `grading ${labList(all)} (all started)` };
  return {
    labs: [...started],
    note:
      `grading ${labList(started)} (started); ${labList(untouched)} untouched: ` +
      `${untouched.length === 1 ? "its skeleton is" : "their skeletons are"} unchanged, pass --parts to grade ${untouched.length === 1 ? "it" : "them"} (e.g. --parts ${graded.filter((p) => p.lab === untouched[0] && p.byDefault).map((p) => p.part).join(",")})`,
  };
}

function labsFor(parts: readonly GradedPart[], labs: readonly { lab: number; needs: readonly number[] }[]): number[] {
  const out = new Set<number>();
  const add = (n: number): void => {
    if (out.has(n)) return;
    out.add(n);
    for (const need of labs.find((l) => l.lab === n)?.needs ?? []) add(need);
  };
  for (const p of parts) add(p.lab);
  return [...out].sort((a, b) => a - b);
}

/** Each part's tests, by the file that declares them (a test no file declares goes with the part's first file, to fail as not found). */
function testsByFile(root: string, parts: readonly GradedPart[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of parts) {
    const declared = new Map(p.files.map((f) => [f, existsSync(join(root, f)) ? declaredTests(readFileSync(join(root, f), "utf8")) : []]));
    for (const test of p.tests.keys()) {
      const file = p.files.find((f) => declared.get(f)!.includes(test)) ?? p.files[0]!;
      let list = out.get(file);
      if (list === undefined) out.set(file, (list = []));
      list.push(test);
    }
  }
  return out;
}

function blocked(
  parts: readonly GradedPart[],
  runs: number,
  seeds: readonly number[],
  started: number,
  opts: GradeOptions,
  blocker: { check: string; output: string },
  tc: { ok: boolean; output: string } | undefined,
  warnings: string[],
  explore: ExploreGrading | undefined,
  exploreCounts: { scenario: number; labTest: number },
): GradeReport {
  const why = `not run: ${blocker.check} failed (see that entry)`;
  const items = explore === undefined ? [] : explorePlan(explore, parts, () => []);
  const graded = [...blockedParts(parts, runs, why), ...blockedExplore(items, exploreCounts, why)];
  return gradeReport(graded, { runs, seeds, started, opts, warnings }, {
    typecheck: tc === undefined ? undefined : { ...tc, blocking: true },
    blocker,
    deadlineHit: false,
  });
}

/** A report of `graded` parts: their totals, the run's settings and costs, and how it ended. */
function gradeReport(
  graded: GradeReport["parts"],
  run: { runs: number; seeds: readonly number[]; started: number; opts: GradeOptions; warnings: string[] },
  ending: Pick<GradeReport, "typecheck" | "blocker" | "deadlineHit"> & { budget?: string },
): GradeReport {
  return {
    parts: graded,
    ...totals(graded),
    runs: run.runs,
    seeds: run.seeds,
    wallMs: Date.now() - run.started,
    cpuMs: cpuMs(),
    solution: run.opts.solution,
    ...ending,
    warnings: run.warnings,
  };
}

/** Prints the table, writes the requested files; the exit status. */
function finish(report: GradeReport, opts: GradeOptions, gs: Pick<GradescopeSettings, "visibility" | "stdoutVisibility">, c: ReturnType<typeof pc.createColors>): number {
  console.log();
  if (report.blocker !== undefined) console.log(c.red(`${report.blocker.check} failed, so no test ran:\n${indent(firstLines(report.blocker.output, 30))}\n`));
  for (const w of report.warnings) console.log(c.yellow(`warning: ${w}`));
  if (report.budget !== undefined) console.log(c.dim(report.budget));
  console.log(formatGradeTable(report, c));
  const cpu = report.cpuMs === undefined ? "" : `, ${(report.cpuMs / 1000).toFixed(1)} s CPU`;
  console.log(c.dim(`graded in ${(report.wallMs / 1000).toFixed(1)} s wall${cpu}`));
  if (opts.results !== undefined) {
    mkdirSync(dirname(resolve(opts.results)), { recursive: true });
    writeFileSync(opts.results, JSON.stringify(toGradescope(report, gs), null, 2) + "\n");
    console.log(c.dim(`results.json: ${opts.results}`));
  }
  if (opts.md !== undefined) {
    mkdirSync(dirname(resolve(opts.md)), { recursive: true });
    writeFileSync(opts.md, toMarkdown(report));
    console.log(c.dim(`report: ${opts.md}`));
  }
  return report.blocker === undefined && report.score >= report.maxScore ? 0 : 1;
}

/** CPU time of this process and the children it waited for (Linux: /proc/self/stat), in ms. */
function cpuMs(): number | undefined {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 14-17 of proc(5) (utime, stime, cutime, cstime) are 12-15 after the state field.
    const ticks = [11, 12, 13, 14].reduce((a, i) => a + Number(fields[i]), 0);
    const r = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
    const hz = Number(r.stdout.trim()) || 100;
    return Number.isFinite(ticks) ? (ticks / hz) * 1000 : undefined;
  } catch {
    return undefined;
  }
}

function firstLines(text: string, n: number): string {
  const lines = text.split("\n");
  return lines.length <= n ? text : [...lines.slice(0, n), `... (${lines.length - n} more lines)`].join("\n");
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
}

/** Grades, turning a bad configuration into exit code 2 and any other error into 3 (with its stack). */
async function gradeOrExplain(opts: GradeOptions): Promise<number> {
  try {
    return await grade(opts);
  } catch (e) {
    if (e instanceof GradingConfigError || e instanceof ManifestError) {
      console.error(`error: ${e.message}`);
      return 2;
    }
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    return 3;
  }
}

if (isMain(import.meta.url)) await runCli(USAGE, () => parseCli(process.argv.slice(2)), gradeOrExplain);
