/**
 * `simTest`: a vitest test whose body runs in a deterministic simulation, with seeds, replay
 * commands, log and timeline files, the determinism check and the stress-runner protocol.
 */
import { randomInt } from "node:crypto";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { relative } from "node:path";
import { it } from "vitest";
import { realClock, runSim, type SimOptions, type SimResult, type Simulation } from "../sim/index.js";
import type { TestInfo } from "../tester/test-info.js";
import { artifactPath, runFolder, writeLog, writeTimeline, type RunName } from "./artifacts.js";
import { debugHooksFromEnv } from "./debug-record.js";
import { compareTraces } from "./determinism.js";
import { determinismCheckWanted, envSeed, logMaxLines, logMode, realBudgetMs, stressOut, stressSeeds, timelineWanted } from "./env.js";
import { replayCommand, withReplayInfo } from "./replay.js";
import type { StressRecord } from "./stress-record.js";
import { labCaller, reroutedWarning } from "./rerouted-globals.js";
import { WATCHDOG_GRACE_MS, watch } from "./watchdog.js";

/** What a simulated test body receives. */
export interface SimTestContext extends TestInfo {
  /** The running simulation. */
  readonly sim: Simulation;
}

/** Options of {@link simTest}. */
export interface SimTestOptions {
  /** Virtual-time budget; default 120 s like the original tests. */
  readonly virtualBudgetMs?: number;
  /** Wall-clock budget per run; default from `SIM_REAL_BUDGET_MS`, else 120 s. */
  readonly realBudgetMs?: number;
}

/** A test body. */
export type SimTestBody = (t: SimTestContext) => Promise<void>;

/** Everything that identifies one run of one test. */
export interface RunSpec extends RunName {
  readonly body: SimTestBody;
  readonly options: SimTestOptions;
  /** Keep the trace's text (for the determinism check). */
  readonly recordTrace: boolean;
  /** Called with the simulation before the body starts (a kept branch of the debugger applies its edits). */
  readonly attach?: (sim: Simulation) => void;
}

/** How one run ended. A failed run's error already carries the seed and the replay command. */
export type RunOutcome =
  | { readonly ok: true; readonly result: SimResult<void>; readonly notes: readonly string[] }
  | {
      readonly ok: false;
      readonly error: Error;
      readonly virtualMs: number | undefined;
      readonly logPath: string | undefined;
      readonly notes: readonly string[];
    };

/**
 * Wall-clock ms a run may take, unless `SIM_REAL_BUDGET_MS` or the test says otherwise. `npm run
 * grade`, `stress` and `explore` set the grader's tighter cap per run (`wallCapSeconds` of
 * course/grading.json); a plain `vitest run` on a slow or busy machine gets this much. A run that
 * still steps fails at this limit; one whose code never yields is stopped by the watchdog
 * {@link WATCHDOG_GRACE_MS} later.
 */
export const DEFAULT_REAL_BUDGET_MS = 120_000;

/** A fresh seed: a positive 31-bit integer from real randomness (outside any simulation). */
export function freshSeed(): number {
  return randomInt(1, 2 ** 31 - 1);
}

/**
 * Declares a vitest test whose body runs inside a deterministic simulation.
 *
 * - The seed comes from `SEED`, else it is fresh; a failure prints the seed and a one-line command
 *   that replays exactly this test with it, plus the path of the run's log file.
 * - `CHECK_DETERMINISM=1` runs the body twice with the same seed and fails at the first step where
 *   the two traces differ.
 * - `STRESS_SEEDS=a,b,c` or `STRESS_SEEDS=@seeds.txt` (set by `npm run stress`) runs the body once
 *   per seed, appending one {@link StressRecord} line per run to the file `STRESS_OUT`.
 */
export function simTest(name: string, body: SimTestBody, options: SimTestOptions = {}): void {
  it(name, async (ctx) => {
    const file = relative(process.cwd(), ctx.task.file.filepath);
    // What `-t` matches: the names of the enclosing describe blocks and the test, joined by spaces.
    const parts = [name];
    for (let s = ctx.task.suite; s !== undefined; s = s.suite) parts.unshift(s.name);
    const base = { name, fullName: parts.join(" "), file, body, options };
    const seeds = stressSeeds();
    if (seeds !== undefined) {
      await runStress(base, seeds);
      return;
    }
    const seed = envSeed() ?? freshSeed();
    if (determinismCheckWanted()) {
      await checkDeterminism({ ...base, seed });
      return;
    }
    const outcome = await runOnce({ ...base, seed, recordTrace: false });
    if (!outcome.ok) throw outcome.error;
  });
}

/** Runs one test once and reports how it went; writes its log and timeline as asked. */
export async function runOnce(spec: RunSpec): Promise<RunOutcome> {
  const mode = logMode();
  const timeline = timelineWanted();
  const envBudget = realBudgetMs();
  const budget = spec.options.realBudgetMs ?? envBudget ?? DEFAULT_REAL_BUDGET_MS;
  const maxLines = logMaxLines();
  const debug = await debugHooksFromEnv(spec);
  const simOptions: SimOptions = {
    realBudgetMs: budget,
    ...(maxLines === undefined ? {} : { logMaxLines: maxLines }),
    ...spec.options,
    recordTrace: spec.recordTrace,
    onClockAdvance: (virtualMs) => watchdog.step(virtualMs),
    onRerouted: (global, stack) => {
      const where = warned.has(global) ? undefined : labCaller(stack);
      if (where === undefined) return;
      warned.add(global);
      const warning = reroutedWarning(global, where);
      notes.push(warning);
      console.warn(`warning: ${warning}`);
    },
    // The determinism check hashes log lines, so it needs them kept.
    log: mode !== "off" || timeline || spec.recordTrace || debug !== undefined,
  };
  let sim: Simulation | undefined;
  const notes: string[] = [];
  const warned = new Set<string>();
  // The real clock: inside the run `performance.now` is virtual.
  const wallStart = realClock.now();
  const watchdog = await watch({
    test: spec.name,
    fullName: spec.fullName,
    file: spec.file,
    seed: spec.seed,
    replay: replayCommand(spec.file, spec.fullName, spec.seed),
    limitMs: budget + WATCHDOG_GRACE_MS,
    limitSource:
      spec.options.realBudgetMs !== undefined
        ? "this test's realBudgetMs option"
        : envBudget !== undefined
          ? `SIM_REAL_BUDGET_MS=${envBudget}`
          : `the default; set SIM_REAL_BUDGET_MS=<ms> to change it`,
    stressOut: stressSeeds() !== undefined ? stressOut() : undefined,
  });
  try {
    const result = await runSim(
      spec.seed,
      (s) => {
        sim = s;
        debug?.attach(s);
        spec.attach?.(s);
        const t: SimTestContext = {
          name: spec.name,
          seed: spec.seed,
          sim: s,
          wallMs: () => realClock.now() - wallStart,
          note: (text) => void notes.push(text),
          artifactPath: (name) => artifactPath(spec, name),
        };
        return spec.body(t);
      },
      simOptions,
    );
    debug?.finish({ ok: true, traceHash: result.traceHash, wallMs: result.wallMs });
    watchdog.stop();
    if (mode === "always" && sim !== undefined) console.log(`log: ${writeLog(spec, sim)}`);
    if (timeline && sim !== undefined) {
      const path = await writeTimeline(spec, sim, undefined);
      if (path !== undefined) console.log(`timeline: ${path}`);
    }
    return { ok: true, result, notes };
  } catch (error) {
    watchdog.stop();
    const logPath = sim !== undefined && sim.log.entries.length > 0 ? writeLog(spec, sim) : undefined;
    const message = error instanceof Error ? error.message : String(error);
    if (sim !== undefined) debug?.finish({ ok: false, error: message, traceHash: sim.trace.hash, wallMs: realClock.now() - wallStart });
    const timelinePath = timeline && sim !== undefined ? await writeTimeline(spec, sim, { time: sim.now(), message }) : undefined;
    return {
      ok: false,
      error: withReplayInfo(error, spec.file, spec.fullName, spec.seed, { logPath, timelinePath, notes, folder: existingFolder(spec) }),
      virtualMs: sim?.now(),
      logPath,
      notes,
    };
  }
}

/**
 * Runs a test twice with the same seed, recording both traces, and throws (with the replay
 * command) at the first step where they differ. What `CHECK_DETERMINISM=1` does for every
 * {@link simTest}; exported so the checker itself can be tested.
 */
export async function checkDeterminism(spec: Omit<RunSpec, "recordTrace">): Promise<void> {
  const first = await runOnce({ ...spec, recordTrace: true });
  if (!first.ok) throw first.error;
  const second = await runOnce({ ...spec, recordTrace: true });
  if (!second.ok) throw second.error;
  const divergence = compareTraces(first.result, second.result);
  if (divergence !== undefined) throw withReplayInfo(new Error(divergence), spec.file, spec.fullName, spec.seed);
  const steps = first.result.traceLines?.length ?? 0;
  console.log(`determinism check passed: ${spec.name} seed ${spec.seed} ran twice with the same ${steps} trace steps (hash ${first.result.traceHash})`);
}

/** The stress runner's protocol: one run per seed, one {@link StressRecord} line per run. */
async function runStress(base: Omit<RunSpec, "seed" | "recordTrace">, seeds: readonly number[]): Promise<void> {
  const out = stressOut();
  const failures: string[] = [];
  // A worker restarted after a hung run (the watchdog stops the whole process) goes on from there.
  const done = out === undefined ? new Set<number>() : recordedSeeds(out, base.file, base.fullName);
  for (const seed of seeds) {
    if (done.has(seed)) continue;
    const start = realClock.now();
    const outcome = await runOnce({ ...base, seed, recordTrace: false });
    const common = {
      test: base.name,
      fullName: base.fullName,
      file: base.file,
      seed,
      wallMs: realClock.now() - start,
      ...(outcome.notes.length > 0 ? { notes: outcome.notes } : {}),
    };
    let record: StressRecord;
    if (outcome.ok) {
      record = { ...common, ok: true, virtualMs: outcome.result.virtualMs };
    } else {
      failures.push(outcome.error.message);
      record = {
        ...common,
        ok: false,
        virtualMs: outcome.virtualMs,
        error: outcome.error.message,
        replay: replayCommand(base.file, base.fullName, seed),
        log: outcome.logPath,
      };
    }
    if (out !== undefined) appendFileSync(out, JSON.stringify(record) + "\n");
  }
  if (failures.length > 0) {
    throw new Error(`${failures.length} of ${seeds.length} seeds failed; first:\n${failures[0]}`);
  }
}

/** The seeds of this test that the stress file already has a record of. */
function recordedSeeds(out: string, file: string, fullName: string): Set<number> {
  const seeds = new Set<number>();
  if (!existsSync(out)) return seeds;
  for (const line of readFileSync(out, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    try {
      const r = JSON.parse(line) as StressRecord;
      if (r.file === file && r.fullName === fullName) seeds.add(r.seed);
    } catch {
      // a line cut short by a killed process
    }
  }
  return seeds;
}

/** The run's folder of files, if something was written to it. */
function existingFolder(run: RunName): string | undefined {
  const dir = runFolder(run);
  return existsSync(dir) ? dir : undefined;
}
