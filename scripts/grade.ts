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
import { declaredTests, planUnits, runUnits } from "./lib/grade-run.js";
import { SubmissionError, assembleTree, typecheck } from "./lib/grade-tree.js";
import { GradingConfigError, loadGrading, selectParts, type GradedPart, type GradescopeSettings } from "./lib/grading.js";
import { ManifestError } from "./lib/handout-manifest.js";
import { loadManifest } from "./lib/labs-registry.js";
import { pickSeeds } from "./lib/seed-runs.js";

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
  --gradescope        take workers, deadline and visibility from the config's "gradescope" section
  --config <file>     another grading configuration
  --keep              keep the grading tree and the workers' output
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
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) return undefined;
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}" (options start with --; parts go in --parts 3A,3B)`);
  const parts = values.parts?.split(",").map((p) => p.trim()).filter((p) => p !== "");
  if (parts !== undefined && parts.length === 0) throw new UsageError(`--parts needs a list such as 3A,3B`);
  return {
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
  };
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
  const parts = selectParts(config, opts.parts, manifest.labs.map((l) => l.lab));
  if (parts.length === 0) throw new GradingConfigError(`no part to grade: name some with --parts (${config.parts.map((p) => p.part).join(", ")})`);
  const labs = labsFor(parts, manifest.labs);
  const runs = opts.runs ?? config.runs;
  const workers = Math.max(1, opts.workers ?? (opts.gradescope ? config.gradescope.workers : Math.min(2, availableParallelism())));
  const wallCapMs = (opts.wallCapSeconds ?? config.wallCapSeconds) * 1000;
  const deadlineSeconds = opts.deadlineSeconds ?? (opts.gradescope ? config.gradescope.deadlineSeconds : undefined);
  const deadline = deadlineSeconds === undefined ? undefined : started + deadlineSeconds * 1000;
  const seeds = pickSeeds(runs, opts.seed);
  const testCount = parts.reduce((n, p) => n + p.tests.size, 0);
  const work = mkdtempSync(join(tmpdir(), "raftlab-grade-"));

  console.log(
    `${c.bold("grade")} parts ${c.cyan(parts.map((p) => p.part).join(","))} (${testCount} tests), ${runs} run${runs === 1 ? "" : "s"} each ` +
      `(seeds ${opts.seed === undefined ? "random" : `${seeds[0]}..${seeds[seeds.length - 1]}`}), ${workers} worker${workers === 1 ? "" : "s"}, ` +
      `wall cap ${wallCapMs / 1000} s per run${deadlineSeconds !== undefined ? `, deadline ${deadlineSeconds} s` : ""}`,
  );

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
        report = blocked(parts, runs, seeds, started, opts, { check: "Submission", output: e.message }, undefined, warnings);
        return finish(report, opts, config.gradescope, c);
      }
      root = tree.root;
      cleanup = tree.cleanup;
      warnings.push(...tree.warnings);
      console.log(c.dim(`grading ${tree.studentFiles.length} student-owned files of ${opts.solution} in ${opts.keep ? root : "a copy of this harness"}`));
    }

    const tc = await typecheck(root, 180_000);
    const blocking = !tc.ok && config.typecheck === "required";
    if (!tc.ok) console.log((blocking ? c.red : c.yellow)(`type check failed${blocking ? ": every test scores 0" : " (tests run anyway)"}:\n${indent(firstLines(tc.output, 20))}`));
    if (blocking) {
      report = blocked(parts, runs, seeds, started, opts, { check: "Type check (npm run typecheck)", output: tc.output }, tc, warnings);
      return finish(report, opts, config.gradescope, c);
    }

    const fileTests = testsByFile(root, parts);
    const units = planUnits(root, fileTests, seeds, workers);
    const run = await runUnits({ root, units, workers, wallCapMs, deadline, outDir: join(work, "runs"), c, keepLogs: opts.keep, progress: !opts.gradescope });
    report = gradeReport(gradeParts(parts, runs, run.records), { runs, seeds, started, opts, warnings }, {
      typecheck: { ok: tc.ok, output: tc.output, blocking: false },
      blocker: undefined,
      deadlineHit: run.deadlineHit,
    });
    return finish(report, opts, config.gradescope, c);
  } finally {
    if (opts.keep) console.log(c.dim(`kept: ${work}${root !== harnessRoot ? ` and ${root}` : ""}`));
    else {
      cleanup();
      rmSync(work, { recursive: true, force: true });
    }
  }
}

/** Labs of the parts, and the labs they need. */
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
): GradeReport {
  const graded = blockedParts(parts, runs, `not run: ${blocker.check} failed (see that entry)`);
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
  ending: Pick<GradeReport, "typecheck" | "blocker" | "deadlineHit">,
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
