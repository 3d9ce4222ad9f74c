import { randomInt } from "node:crypto";
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { it } from "vitest";
import { realClock } from "./globals.js";
import { formatLog } from "./log-format.js";
import { keptLogLines, logMaxLines } from "./log.js";
import { runSim, type SimOptions, type SimResult, type Simulation } from "./simulation.js";

/** What a simulated test body receives. */
export interface SimTestContext {
  /** The test's name, e.g. "TestInitialElection3A". */
  readonly name: string;
  /** The seed of this run. */
  readonly seed: number;
  /** The running simulation. */
  readonly sim: Simulation;
  /** Wall-clock ms since this run started. */
  wallMs(): number;
}

/** Options of {@link simTest}. */
export interface SimTestOptions {
  /** Virtual-time budget; default 120 s like the original tests. */
  readonly virtualBudgetMs?: number;
  /** Wall-clock budget per run; default from `SIM_REAL_BUDGET_MS`, else 120 s. */
  readonly realBudgetMs?: number;
}

/** Environment variables that steer simulated tests (documented in the README). */
export const SIM_ENV = {
  /** `SEED=<n>`: run with this seed instead of a fresh one. */
  seed: "SEED",
  /** `CHECK_DETERMINISM=1`: run every test twice with the same seed and compare the traces. */
  checkDeterminism: "CHECK_DETERMINISM",
  /** `LOG=1`: write every test's log to a file, not only failing ones. `LOG=0`: keep no log. */
  log: "LOG",
  /** `TIMELINE=1`: write an HTML timeline of every run (pass or fail) next to the logs. */
  timeline: "TIMELINE",
  /** `LOG_MAX_LINES=<n>`: keep only the last n lines of a run's log in memory (default 300 000). */
  logMaxLines: "LOG_MAX_LINES",
  /** Used by `npm run stress`: comma-separated seeds to run each test with, or `@<file>` of seeds. */
  stressSeeds: "STRESS_SEEDS",
  /** Used by `npm run stress`: a file that receives one JSON line per run. */
  stressOut: "STRESS_OUT",
} as const;

/** One line of the `STRESS_OUT` file: the outcome of one run of one test with one seed. */
export interface StressRecord {
  /** The name given to {@link simTest}. */
  readonly test: string;
  /** The describe names and the test name joined by spaces: what `-t` matches. */
  readonly fullName: string;
  /** The test file, relative to the working directory. */
  readonly file: string;
  readonly seed: number;
  readonly ok: boolean;
  /** Virtual ms at which the run ended (absent if it failed before starting). */
  readonly virtualMs?: number | undefined;
  /** Wall-clock ms of the run. */
  readonly wallMs: number;
  /** Failed runs: the error message (with seed and replay command). */
  readonly error?: string;
  /** Failed runs: the command that replays this run. */
  readonly replay?: string;
  /** Failed runs: the run's log file, if it logged anything. */
  readonly log?: string | undefined;
}

/** The folder where logs of failed runs are written. */
export const LOG_DIR = process.env["LOG_DIR"] ?? join(tmpdir(), "raftlab-logs");

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
export function simTest(
  name: string,
  body: (t: SimTestContext) => Promise<void>,
  options: SimTestOptions = {},
): void {
  it(name, async (ctx) => {
    const file = relative(process.cwd(), ctx.task.file.filepath);
    // What `-t` matches: the names of the enclosing describe blocks and the test, joined by spaces.
    const parts = [name];
    for (let s = ctx.task.suite; s !== undefined; s = s.suite) parts.unshift(s.name);
    const fullName = parts.join(" ");
    const stressSeeds = process.env[SIM_ENV.stressSeeds];
    if (stressSeeds !== undefined && stressSeeds !== "") {
      await runStress(name, fullName, file, body, options, parseSeeds(stressSeeds));
      return;
    }
    const envSeed = process.env[SIM_ENV.seed];
    const seed = envSeed !== undefined && envSeed !== "" ? parseSeed(envSeed) : freshSeed();
    if (process.env[SIM_ENV.checkDeterminism] === "1") {
      await checkDeterminism(name, file, body, options, seed, fullName);
    } else {
      await runOnce(name, file, body, options, seed, false, fullName);
    }
  });
}

/**
 * The command that replays one test with `seed`. `fullName` is what vitest's `-t` matches: the
 * enclosing describe names and the test name joined by spaces (just the name for a top-level test).
 */
export function replayCommand(file: string, fullName: string, seed: number): string {
  const pattern = `^${fullName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`;
  return `SEED=${seed} npx vitest run ${file} -t ${shellQuote(pattern)}`;
}

/** Quotes `text` for a POSIX shell. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

async function runOnce(
  name: string,
  file: string,
  body: (t: SimTestContext) => Promise<void>,
  options: SimTestOptions,
  seed: number,
  recordTrace: boolean,
  fullName = name,
): Promise<SimResult<void>> {
  const logMode = process.env[SIM_ENV.log];
  const timeline = process.env[SIM_ENV.timeline] === "1";
  const simOptions: SimOptions = {
    ...options,
    recordTrace,
    log: logMode !== "0" || timeline,
  };
  let sim: Simulation | undefined;
  // The real clock: inside the run `performance.now` is virtual.
  const wallStart = realClock.now();
  try {
    const result = await runSim(
      seed,
      (s) => {
        sim = s;
        return body({ name, seed, sim: s, wallMs: () => realClock.now() - wallStart });
      },
      simOptions,
    );
    if (logMode === "1" && sim !== undefined) {
      const path = writeLog(name, fullName, file, seed, sim);
      console.log(`log: ${path}`);
    }
    if (timeline && sim !== undefined) {
      const path = await writeTimeline(name, seed, sim, undefined);
      if (path !== undefined) console.log(`timeline: ${path}`);
    }
    return result;
  } catch (error) {
    const logPath = sim !== undefined && sim.logs.length > 0 ? writeLog(name, fullName, file, seed, sim) : undefined;
    const timelinePath =
      timeline && sim !== undefined ? await writeTimeline(name, seed, sim, { time: sim.now(), message: String(error instanceof Error ? error.message : error) }) : undefined;
    const wrapped = withReplayInfo(error, fullName, file, seed, logPath, timelinePath);
    failedRuns.set(wrapped, { virtualMs: sim?.now(), logPath });
    throw wrapped;
  }
}

/** Where a failed run stopped and where its log went, keyed by the error {@link runOnce} threw (for stress records). */
const failedRuns = new WeakMap<object, { virtualMs: number | undefined; logPath: string | undefined }>();

/** Writes the last `LOG_MAX_LINES` lines of `sim`'s log, under a header naming the test and seed. */
function writeLog(name: string, fullName: string, file: string, seed: number, sim: Simulation): string {
  mkdirSync(LOG_DIR, { recursive: true });
  const path = join(LOG_DIR, `${name}-seed${seed}.log`);
  const kept = keptLogLines(sim);
  const header = [`${fullName}  seed ${seed}`, `replay: ${replayCommand(file, fullName, seed)}`];
  if (kept.dropped > 0) {
    header.push(`truncated: the first ${kept.dropped} lines were dropped; these are the last ${logMaxLines()} (LOG_MAX_LINES)`);
  }
  writeFileSync(path, formatLog(kept.logs, header));
  return path;
}

/**
 * Writes the HTML timeline of `sim`'s run (`TIMELINE=1`) and returns its path; a failure to do so
 * is reported but must not hide the test's own outcome.
 */
async function writeTimeline(
  name: string,
  seed: number,
  sim: Simulation,
  failure: { time: number; message: string } | undefined,
): Promise<string | undefined> {
  try {
    // Loaded only when asked for: the page builder is debug tooling, not part of every test run.
    const { renderTimeline } = await import("../debug/timeline.js");
    mkdirSync(LOG_DIR, { recursive: true });
    const path = join(LOG_DIR, `${name}-seed${seed}.html`);
    const kept = keptLogLines(sim);
    const subtitle = `seed ${seed} · ${failure === undefined ? "passed" : "failed"}${kept.dropped > 0 ? ` · first ${kept.dropped} log lines dropped (LOG_MAX_LINES)` : ""}`;
    writeFileSync(path, renderTimeline(kept.logs, { title: name, subtitle, ...(failure === undefined ? {} : { failure }) }));
    return path;
  } catch (e) {
    console.warn(`timeline: could not write the timeline of ${name} (seed ${seed}): ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

/** Re-throws `error` with the seed, the replay command and the log path appended to its message. */
function withReplayInfo(
  error: unknown,
  fullName: string,
  file: string,
  seed: number,
  logPath: string | undefined,
  timelinePath?: string,
): Error {
  const base = error instanceof Error ? error : new Error(String(error));
  const lines = [
    base.message,
    `  seed:   ${seed}`,
    `  replay: ${replayCommand(file, fullName, seed)}`,
  ];
  if (logPath !== undefined) lines.push(`  log:    ${logPath}  (view: npm run logs -- ${logPath})`);
  if (timelinePath !== undefined) lines.push(`  timeline: ${timelinePath}`);
  const wrapped = new Error(lines.join("\n"), { cause: base });
  wrapped.stack = `${lines.join("\n")}\n${(base.stack ?? "").split("\n").slice(1).join("\n")}`;
  return wrapped;
}

/**
 * Runs `body` twice with `seed`, recording both traces, and throws (with the replay command) at the
 * first step where they differ. What `CHECK_DETERMINISM=1` does for every {@link simTest}; exported
 * so the checker itself can be tested.
 */
export async function checkDeterminism(
  name: string,
  file: string,
  body: (t: SimTestContext) => Promise<void>,
  options: SimTestOptions,
  seed: number,
  fullName = name,
): Promise<void> {
  const first = await runOnce(name, file, body, options, seed, true, fullName);
  const second = await runOnce(name, file, body, options, seed, true, fullName);
  const divergence = compareTraces(first, second);
  if (divergence === undefined) return;
  throw withReplayInfo(new Error(divergence), fullName, file, seed, undefined);
}

/**
 * Compares the recorded traces of two runs (run with `recordTrace`). Returns undefined when they are
 * identical, else a message naming the first step at which they diverge, with some context.
 */
export function compareTraces(
  first: Pick<SimResult<unknown>, "traceHash" | "traceLines">,
  second: Pick<SimResult<unknown>, "traceHash" | "traceLines">,
): string | undefined {
  const a = first.traceLines ?? [];
  const b = second.traceLines ?? [];
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  if (i === n && a.length === b.length && first.traceHash === second.traceHash) return undefined;
  const context = a.slice(Math.max(0, i - 3), i).map((l) => `      ${l}`);
  return [
    `nondeterminism: two runs with the same seed diverged at trace step ${i} of ${a.length}/${b.length}`,
    `    last common steps:`,
    ...context,
    `    first run:  ${a[i] ?? "(end of trace)"}`,
    `    second run: ${b[i] ?? "(end of trace)"}`,
    `  Something outside the simulation leaked in: real time, real randomness, iteration over a`,
    `  structure whose order depends on something else, or state shared between runs (module globals).`,
  ].join("\n");
}

async function runStress(
  name: string,
  fullName: string,
  file: string,
  body: (t: SimTestContext) => Promise<void>,
  options: SimTestOptions,
  seeds: number[],
): Promise<void> {
  const out = process.env[SIM_ENV.stressOut];
  const failures: string[] = [];
  for (const seed of seeds) {
    const start = performance.now();
    let record: StressRecord;
    try {
      const r = await runOnce(name, file, body, options, seed, false, fullName);
      record = { test: name, fullName, file, seed, ok: true, virtualMs: r.virtualMs, wallMs: performance.now() - start };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      failures.push(message);
      const info = error instanceof Error ? failedRuns.get(error) : undefined;
      record = {
        test: name,
        fullName,
        file,
        seed,
        ok: false,
        virtualMs: info?.virtualMs,
        wallMs: performance.now() - start,
        error: message,
        replay: replayCommand(file, fullName, seed),
        log: info?.logPath,
      };
    }
    if (out !== undefined) appendFileSync(out, JSON.stringify(record) + "\n");
  }
  if (failures.length > 0) {
    throw new Error(`${failures.length} of ${seeds.length} seeds failed; first:\n${failures[0]}`);
  }
}

function parseSeed(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new Error(`SEED must be an integer, got "${text}"`);
  return n;
}

/** Parses `STRESS_SEEDS`: comma-separated seeds, or `@<file>` naming a file of seeds (too many for an env var). */
function parseSeeds(text: string): number[] {
  const list = text.startsWith("@") ? readFileSync(text.slice(1), "utf8") : text;
  return list
    .split(/[\s,]+/)
    .filter((s) => s !== "")
    .map(parseSeed);
}
