/**
 * `npm run mutants`: the harness's own mutation score. Plants each bug of the catalog
 * (`src/explore/mutants/catalog.ts`) in a scratch copy of the repository, runs `npm run explore` on
 * its part (the explore scenario first; the lab tests under the nemesis only if the scenario missed
 * it) and the faithful lab tests of that part, and prints which are caught, after how many runs,
 * how many seconds, and by which check.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import pc from "picocolors";
import { UsageError, runCli } from "./lib/cli.js";
import { onInterrupt } from "./lib/interrupt.js";
import { MUTANTS, type Implementation, type LabPart, type Mutant } from "../src/explore/mutants/catalog.js";
import { plantInScratch, removeScratch } from "../src/explore/mutants/plant.js";
import { SCENARIO_FILES } from "../src/explore/scenarios/index.js";
import type { StressRecord } from "../src/harness/index.js";
import { failureKind } from "./lib/explore-report.js";
import { loadRegistry, type GradedPart } from "./lib/labs-registry.js";

const USAGE = `Usage: npm run mutants [-- --only <ids>] [--impl <name>] [--fast] [--seeds <n>] [--lab-seeds <n>] [-o <dir>]

Plants each mutant of src/explore/mutants/catalog.ts in a scratch copy of the repository and runs
npm run explore on its lab part with seeds 1..<seeds> (default 20), stopping at the first failure:
the part's explore scenario first, then its lab tests under the nemesis if the scenario missed it.
Then the part's faithful lab tests (npm run stress, seeds 1..<lab-seeds>, default 3; 0 skips them).
Prints, per mutant: caught or not, by which check, runs and wall seconds to the first failure.

Options:
  --only <ids>      comma-separated mutant ids
  --impl <name>     only the mutants of one Raft: reference (the lab's) or student-style
                    (src/explore/student-style/raft.ts, swapped in for the lab's); default both
  --fast            only the fast subset (the mutants npm test plants)
  --seeds <n>       explore seeds per test (default 20)
  --lab-seeds <n>   seeds of the faithful lab tests (default 3; 0: skip them)
  -o <dir>          output folder (default mutants-out/); report.json goes there`;

/** How one stage (explore, or the lab tests) went on one mutant. */
interface StageResult {
  readonly caught: boolean;
  /** The failure's kind (the property, or the test's message), if caught. */
  readonly by: string | undefined;
  readonly kind: "safety" | "liveness" | undefined;
  /** Runs up to and including the first failure (all runs if none failed). */
  readonly runs: number;
  /** Wall seconds of those runs (the simulated runs themselves, not vitest's start-up). */
  readonly runSeconds: number;
  /** Wall seconds of the whole stage, start-up included. */
  readonly stageSeconds: number;
  /** The first failing test and seed. */
  readonly first: string | undefined;
}

/** What `npm run mutants` found for one mutant. */
interface MutantResult {
  readonly mutant: Pick<Mutant, "id" | "part" | "title" | "equivalent" | "kind"> & { readonly implementation: Implementation };
  readonly explore: StageResult & { readonly stage: "scenario" | "lab tests under the nemesis" | "lab tests (no scenario)" | "unit test" | undefined };
  readonly lab: StageResult | undefined;
}

/** Runs `args` with tsx in `cwd`; resolves when it exits. */
function tsx(cwd: string, args: readonly string[]): Promise<{ code: number | null; out: string; seconds: number }> {
  const start = Date.now();
  return new Promise((done) => {
    const child = spawn(join(cwd, "node_modules/.bin/tsx"), [...args], { cwd, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    // Ctrl+C or kill: stop the run in the scratch copy (it stops its own workers), then exit,
    // which removes the scratch copy (see plantInScratch).
    const off = onInterrupt((signal) => {
      child.kill(signal);
      child.once("exit", () => process.exit(130));
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (code) => {
      off();
      done({ code, out, seconds: (Date.now() - start) / 1000 });
    });
  });
}

/** The records of a stress/explore output folder, in the order they were written. */
function records(dir: string): StressRecord[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^worker-\d+\.jsonl$/.test(f))
    .flatMap((f) =>
      readFileSync(join(dir, f), "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l) as StressRecord),
    );
}

/** Sums up a stage from its records (one worker, so in the order run). */
function stage(rs: readonly StressRecord[], stageSeconds: number): StageResult {
  const firstFail = rs.findIndex((r) => !r.ok);
  const upTo = firstFail < 0 ? rs : rs.slice(0, firstFail + 1);
  const failed = firstFail < 0 ? undefined : rs[firstFail]!;
  const kind = failed === undefined ? undefined : failureKind(failed.error ?? "");
  return {
    caught: failed !== undefined,
    by: kind?.key,
    kind: kind?.kind,
    runs: upTo.length,
    runSeconds: upTo.reduce((a, r) => a + r.wallMs, 0) / 1000,
    stageSeconds,
    first: failed === undefined ? undefined : `${failed.test} seed ${failed.seed}`,
  };
}

/** The lab test files of a part (course/labs.json). */
function labFiles(root: string, part: LabPart): string[] {
  return [...gradedPart(root, part).files];
}

/**
 * A pattern matching exactly the graded tests of a part (course/labs.json): a part's tests need not
 * end with its name (Lab 2's memory tests do not).
 */
function partTests(root: string, part: LabPart): string {
  return `^(${[...gradedPart(root, part).tests.keys()].join("|")})$`;
}

function gradedPart(root: string, part: LabPart): GradedPart {
  const graded = loadRegistry(root).parts.find((p) => p.part === part);
  if (graded === undefined) throw new Error(`part ${part} of a mutant is not in course/labs.json`);
  return graded;
}

async function runMutant(root: string, m: Mutant, seeds: number, labSeeds: number, outDir: string): Promise<MutantResult> {
  const dir = plantInScratch(root, m);
  try {
    if (m.part === "5A") return await runLab5Mutant(dir, m, seeds, outDir);
    const exploreOut = join(outDir, m.id, "explore");
    const pattern = `${m.part}$`;
    const common = ["-n", String(seeds), "--seed", "1", "-p", "1", "--bail", "--no-schedules"];
    const s1 = await tsx(dir, ["scripts/explore.ts", pattern, ...common, "-o", exploreOut, "--", ...SCENARIO_FILES]);
    let explore: MutantResult["explore"] = { ...stage(records(exploreOut), s1.seconds), stage: undefined };
    if (explore.caught) explore = { ...explore, stage: "scenario" };
    else if (m.unitTest !== undefined) explore = await runUnitTest(dir, m.unitTest, explore);
    else if (m.equivalent === undefined) {
      const labOut = join(outDir, m.id, "explore-lab");
      const s2 = await tsx(dir, ["scripts/explore.ts", pattern, ...common, "-o", labOut, "--", ...labFiles(root, m.part)]);
      const second = stage(records(labOut), s2.seconds);
      explore = {
        ...second,
        runs: explore.runs + second.runs,
        runSeconds: explore.runSeconds + second.runSeconds,
        stageSeconds: explore.stageSeconds + second.stageSeconds,
        stage: second.caught ? "lab tests under the nemesis" : undefined,
      };
    }
    let lab: StageResult | undefined;
    if (labSeeds > 0) {
      const labOut = join(outDir, m.id, "lab");
      const s = await tsx(dir, ["scripts/stress.ts", partTests(root, m.part), "-n", String(labSeeds), "--seed", "1", "-p", "1", "-o", labOut, "--", ...labFiles(root, m.part)]);
      lab = stage(records(labOut), s.seconds);
    }
    const mutant = { id: m.id, part: m.part, title: m.title, implementation: m.implementation ?? "reference", ...(m.kind === undefined ? {} : { kind: m.kind }), ...(m.equivalent === undefined ? {} : { equivalent: m.equivalent }) };
    return { mutant, explore, lab };
  } finally {
    removeScratch(dir);
  }
}

/**
 * The unit test that catches a mutant explore cannot show (`Mutant.unitTest`), after the explore
 * scenarios missed it: caught when the test fails. Its run counts as one more run.
 */
async function runUnitTest(dir: string, unit: NonNullable<Mutant["unitTest"]>, missed: StageResult): Promise<MutantResult["explore"]> {
  const s = await tsx(dir, ["node_modules/vitest/vitest.mjs", "run", "--project", "lab", unit.file, "-t", unit.test]);
  const caught = s.code !== 0 && /\b[1-9]\d* failed\b/.test(s.out);
  return {
    caught,
    by: caught ? `unit test: ${unit.test}` : undefined,
    kind: caught ? "safety" : undefined,
    runs: missed.runs + 1,
    runSeconds: missed.runSeconds + s.seconds,
    stageSeconds: missed.stageSeconds + s.seconds,
    first: caught ? `${unit.file} -t "${unit.test}"` : undefined,
    stage: caught ? "unit test" : undefined,
  };
}

/**
 * A 5A mutant (the controller has no explore scenario; its mutants are measured by the lab tests,
 * monitors on): its part's lab tests (course/labs.json), seeds
 * 1..`seeds`, stopping at the first failure, stand in for the explore stage.
 */
async function runLab5Mutant(dir: string, m: Mutant, seeds: number, outDir: string): Promise<MutantResult> {
  const out = join(outDir, m.id, "lab");
  const s = await tsx(dir, ["scripts/stress.ts", partTests(dir, m.part), "-n", String(seeds), "--seed", "1", "-p", "1", "--bail", "-o", out, "--", ...labFiles(dir, m.part)]);
  const r = stage(records(out), s.seconds);
  const explore = { ...r, stage: r.caught ? ("lab tests (no scenario)" as const) : undefined };
  const mutant = { id: m.id, part: m.part, title: m.title, implementation: m.implementation ?? "reference", ...(m.kind === undefined ? {} : { kind: m.kind }), ...(m.equivalent === undefined ? {} : { equivalent: m.equivalent }) };
  return { mutant, explore, lab: undefined };
}

function table(results: readonly MutantResult[], labSeeds: number): string[] {
  const header = ["Mutant", "Impl", "Kind", "Part", "Explore", "Caught by", "Runs", "Run s", "Wall s", ...(labSeeds > 0 ? [`Lab tests (${labSeeds} seeds)`] : [])];
  const rows = results.map((r) => {
    const e = r.explore;
    const verdict = r.mutant.equivalent !== undefined ? (e.caught ? "CAUGHT (equivalent?!)" : "equivalent") : e.caught ? `caught (${e.stage})` : "MISSED";
    const lab = labSeeds === 0 ? [] : r.lab === undefined ? ["(the Explore column)"] : [r.lab.caught ? `caught: ${r.lab.by} (${r.lab.runs} runs)` : `missed (${r.lab.runs} runs)`];
    return [r.mutant.id, r.mutant.implementation, r.mutant.kind ?? "-", r.mutant.part, verdict, e.by ?? "-", String(e.runs), e.runSeconds.toFixed(2), e.stageSeconds.toFixed(1), ...lab];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (row: readonly string[]): string => row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(header), widths.map((w) => "─".repeat(w)).join("  "), ...rows.map(line)];
}

/** Per implementation and kind of bug: mutants caught, and the most runs explore needed for one. */
function kindTable(results: readonly MutantResult[]): string[] {
  const groups = new Map<string, MutantResult[]>();
  for (const r of results.filter((x) => x.mutant.equivalent === undefined)) {
    const key = `${r.mutant.implementation}\t${r.mutant.kind ?? "-"}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const rows = [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([key, rs]) => {
    const [impl, kind] = key.split("\t") as [string, string];
    const caught = rs.filter((r) => r.explore.caught);
    const most = caught.length === 0 ? "-" : String(Math.max(...caught.map((r) => r.explore.runs)));
    return `  ${impl.padEnd(14)} ${kind.padEnd(28)} ${`${caught.length}/${rs.length} caught`.padEnd(12)} most runs to the first failure: ${most}`;
  });
  return ["Per implementation and kind:", ...rows];
}

/** The mutants runner's command line, read. */
interface MutantsOptions {
  readonly seeds: number;
  readonly labSeeds: number;
  readonly only: readonly string[] | undefined;
  readonly impl: Implementation | undefined;
  readonly fast: boolean;
  readonly output: string | undefined;
}

/** Reads the command line (undefined means `--help`); a mistake is a UsageError naming it. */
function parseMutantsCli(argv: readonly string[]): MutantsOptions | undefined {
  const { values } = parseArgs({
    args: [...argv],
    options: { only: { type: "string" }, impl: { type: "string" }, fast: { type: "boolean" }, seeds: { type: "string" }, "lab-seeds": { type: "string" }, output: { type: "string", short: "o" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help === true) return undefined;
  const seeds = Number(values.seeds ?? "20");
  const labSeeds = Number(values["lab-seeds"] ?? "3");
  const only = values.only?.split(",").map((s) => s.trim());
  const unknown = (only ?? []).filter((id) => !MUTANTS.some((m) => m.id === id));
  if (unknown.length > 0) throw new UsageError(`unknown mutant(s): ${unknown.join(", ")} (see src/explore/mutants/catalog.ts)`);
  if (!Number.isSafeInteger(seeds) || seeds < 1 || !Number.isSafeInteger(labSeeds) || labSeeds < 0) throw new UsageError("--seeds must be >= 1 and --lab-seeds >= 0");
  const impl = values.impl;
  if (impl !== undefined && impl !== "reference" && impl !== "student-style") throw new UsageError(`--impl must be reference or student-style, not ${impl}`);
  return { seeds, labSeeds, only, impl, fast: values.fast === true, output: values.output };
}

async function runMutants(opts: MutantsOptions): Promise<number> {
  const { seeds, labSeeds, only } = opts;
  const root = resolve(".");
  // A tree without the student-style Raft (a handout) runs the reference's mutants only.
  const chosen = MUTANTS.filter(
    (m) => (only === undefined || only.includes(m.id)) && (!opts.fast || m.fast !== undefined) && (opts.impl === undefined || (m.implementation ?? "reference") === opts.impl) && existsSync(join(root, m.file)),
  );
  const outDir = resolve(opts.output ?? "mutants-out");
  mkdirSync(outDir, { recursive: true });
  console.log(pc.bold(`mutants: ${chosen.length} of ${MUTANTS.length}, explore seeds 1..${seeds}${labSeeds > 0 ? `, lab tests seeds 1..${labSeeds}` : ""}`));
  const results: MutantResult[] = [];
  for (const m of chosen) {
    const r = await runMutant(root, m, seeds, labSeeds, outDir);
    results.push(r);
    const e = r.explore;
    const what = e.caught ? `caught by ${e.by} after ${e.runs} runs (${e.runSeconds.toFixed(2)} s of runs, ${e.stageSeconds.toFixed(1)} s wall)` : `not caught in ${e.runs} runs`;
    console.log(`  ${m.id} (${m.part}): ${what}${m.equivalent !== undefined ? " [equivalent mutant]" : ""}`);
  }
  console.log();
  for (const l of table(results, labSeeds)) console.log(l);
  writeFileSync(join(outDir, "report.json"), JSON.stringify(results, null, 1) + "\n");
  const labTestsOnly = new Set(MUTANTS.filter((m) => m.labTestsOnly !== undefined).map((m) => m.id));
  const missed = results.filter((r) => r.mutant.equivalent === undefined && !r.explore.caught && !(labTestsOnly.has(r.mutant.id) && r.lab?.caught === true));
  const surprising = results.filter((r) => r.mutant.equivalent !== undefined && r.explore.caught);
  console.log();
  for (const l of kindTable(results)) console.log(l);
  console.log();
  for (const r of results.filter((x) => x.mutant.equivalent !== undefined)) console.log(pc.dim(`  ${r.mutant.id} is equivalent: ${r.mutant.equivalent}`));
  console.log(
    `${results.length - missed.length - surprising.length} of ${results.length} as expected` +
      (missed.length > 0 ? pc.red(`; missed: ${missed.map((r) => r.mutant.id).join(", ")}`) : "") +
      (surprising.length > 0 ? pc.red(`; "equivalent" but caught: ${surprising.map((r) => r.mutant.id).join(", ")}`) : "") +
      `; report: ${join(outDir, "report.json")}`,
  );
  return missed.length > 0 || surprising.length > 0 ? 1 : 0;
}

await runCli(USAGE, () => parseMutantsCli(process.argv.slice(2)), runMutants);
