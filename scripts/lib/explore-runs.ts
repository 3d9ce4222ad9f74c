/**
 * Single explore runs, for capturing a failed run's schedule and for shrinking it: an explore
 * scenario runs in this process (a run takes tens of milliseconds); a lab test under the nemesis
 * runs in a vitest child (it is declared inside a test file), through the stress protocol.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { FaultPlan } from "../../src/explore/fault-plan.js";
import { EXPLORE_ENV, readScheduleOut, type ReplaySpec } from "../../src/explore/mode.js";
import type { FaultEvent, ScheduleFile } from "../../src/explore/schedule.js";
import { SCENARIOS, scenarioFile } from "../../src/explore/scenarios/index.js";
import { runOnce, type StressRecord } from "../../src/harness/index.js";

/** How one run went, with the schedule it ran. */
export interface ExploreRun {
  readonly ok: boolean;
  /** The error message (with seed and replay command) of a failed run. */
  readonly error: string | undefined;
  readonly plan: FaultPlan | undefined;
  readonly faults: readonly FaultEvent[];
}

/** What to run: a test (an explore scenario or a lab test) with a seed, maybe replaying a schedule. */
export interface RunTarget {
  readonly file: string;
  /** The test's full name (what -t matches); a scenario's is its name. */
  readonly test: string;
  readonly seed: number;
}

/** Whether `target` is an explore scenario (run in-process) rather than a lab test. */
export function isScenario(target: Pick<RunTarget, "file" | "test">): boolean {
  return scenarioFile(target.test) === target.file;
}

/** Options of {@link runTarget}. */
export interface RunOptions {
  readonly replay?: ReplaySpec | undefined;
  /** Keep the run's artifacts: its log on failure (and a timeline with TIMELINE=1) under `logDir`. */
  readonly logDir?: string;
}

/** Runs `target` once; see the module comment. */
export async function runTarget(target: RunTarget, options: RunOptions = {}): Promise<ExploreRun> {
  return isScenario(target) ? runScenario(target, options) : runLabTest(target, options);
}

async function runScenario(target: RunTarget, options: RunOptions): Promise<ExploreRun> {
  const scenario = SCENARIOS[target.test]!;
  const faults: FaultEvent[] = [];
  let plan: FaultPlan | undefined;
  const saved = { log: process.env["LOG"], logDir: process.env["LOG_DIR"] };
  // Trial runs keep no log (hundreds of them); a kept run writes its artifacts where asked.
  if (options.logDir === undefined) process.env["LOG"] = "0";
  else process.env["LOG_DIR"] = options.logDir;
  const quiet = console.log;
  console.log = () => {};
  try {
    const outcome = await runOnce({
      name: target.test,
      fullName: target.test,
      file: target.file,
      seed: target.seed,
      options: {},
      recordTrace: false,
      body: (t) => scenario(t, { replay: options.replay, onFault: (f) => void faults.push(f), onPlan: (p) => void (plan = p) }),
    });
    return { ok: outcome.ok, error: outcome.ok ? undefined : outcome.error.message, plan, faults };
  } finally {
    console.log = quiet;
    restoreEnv("LOG", saved.log);
    restoreEnv("LOG_DIR", saved.logDir);
  }
}

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/** A lab test runs in a vitest child, in explore mode, recording its schedule. */
async function runLabTest(target: RunTarget, options: RunOptions): Promise<ExploreRun> {
  const dir = mkdtempSync(join(tmpdir(), "raftlab-explore-run-"));
  try {
    const out = join(dir, "record.jsonl");
    const scheduleOut = join(dir, "schedule.jsonl");
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      [EXPLORE_ENV.mode]: "1",
      [EXPLORE_ENV.scheduleOut]: scheduleOut,
      STRESS_SEEDS: String(target.seed),
      STRESS_OUT: out,
      LOG_DIR: options.logDir ?? join(dir, "logs"),
      NO_COLOR: "1",
    };
    if (options.replay !== undefined) {
      const replayFile = join(dir, "replay.json");
      writeFileSync(replayFile, JSON.stringify({ ...options.replay.schedule, removed: [...options.replay.removed] }));
      env[EXPLORE_ENV.replay] = replayFile;
    }
    const pattern = `^${target.test.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`;
    const r = spawnSync(resolve("node_modules/.bin/vitest"), ["run", "--project", "lab", "--reporter=dot", "-t", pattern, target.file], {
      env,
      encoding: "utf8",
      timeout: 300_000,
    });
    const records = existsSync(out)
      ? readFileSync(out, "utf8")
          .split("\n")
          .filter((l) => l.trim() !== "")
          .map((l) => JSON.parse(l) as StressRecord)
      : [];
    const record = records[0];
    if (record === undefined) {
      throw new Error(`the run of ${target.test} seed ${target.seed} reported nothing; vitest said:\n${(r.stdout + r.stderr).trim().split("\n").slice(-15).join("\n")}`);
    }
    const schedule = existsSync(scheduleOut) ? readScheduleOut(readFileSync(scheduleOut, "utf8"), scheduleOut) : undefined;
    return { ok: record.ok, error: record.error, plan: schedule?.plan, faults: schedule?.faults ?? [] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The schedule file of a run. */
export function scheduleFile(target: RunTarget, run: ExploreRun): ScheduleFile {
  if (run.plan === undefined) throw new Error(`${target.test} seed ${target.seed} started no nemesis: it has no schedule`);
  return {
    version: 1,
    file: target.file,
    test: target.test,
    seed: target.seed,
    plan: run.plan,
    ...(run.error !== undefined ? { failure: run.error.split("\n", 1)[0] ?? "" } : {}),
    faults: run.faults,
  };
}
