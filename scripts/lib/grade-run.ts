/**
 * Runs the graded tests: each test file's chosen tests over the chosen seeds, as vitest worker
 * processes of `seed-runs.ts` (one `simTest` loops over the seeds in one process), a few at a
 * time, with a progress bar.
 *
 * Beyond `npm run stress`, grading must never hang and must account for every run:
 * - a run that produces no result within the wall cap (plus a grace period) is taken as hung (a
 *   loop that never awaits cannot be stopped from inside): its worker is killed, the run fails
 *   with that reason, and the file's later tests start again in a new worker;
 * - a worker that dies, or a test file that does not load, fails the runs it did not report, with
 *   the end of the worker's output as the reason;
 * - past the deadline nothing new starts, workers are stopped, and the runs not done fail as "not
 *   run", so results are written before an outer timeout (Gradescope's) would score 0.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import cliProgress from "cli-progress";
import type { StressRecord } from "../../src/harness/index.js";
import { replayCommand } from "../../src/harness/replay.js";
import { interruptedBy, onInterrupt } from "./interrupt.js";
import { KILL_GRACE_MS, drain, killGroup, spawnWorkers, tail, type Colors, type Worker } from "./seed-runs.js";

/** Some tests of one test file, in the file's order, run over some seeds by one worker. */
export interface Unit {
  readonly file: string;
  /** Test names, in the order the file declares them (the order vitest runs them). */
  readonly tests: readonly string[];
  readonly seeds: readonly number[];
  /** Extra environment of its worker (the explore component's runs set explore mode). */
  readonly env?: Readonly<Record<string, string>>;
}

/** How to run the units. */
export interface RunOptions {
  /** The tree to run in (has node_modules). */
  readonly root: string;
  readonly units: readonly Unit[];
  /** Worker processes at a time. */
  readonly workers: number;
  /** Wall-clock cap of one run, in ms (also given to the simulation as its real-time budget). */
  readonly wallCapMs: number;
  /** Extra time a worker gets to start (load vitest and the test file) before its first result. */
  readonly startupGraceMs?: number;
  /** Epoch ms after which nothing new starts and running workers are stopped. */
  readonly deadline?: number | undefined;
  /** Where worker files go. */
  readonly outDir: string;
  readonly c: Colors;
  /** Keep the logs of failed runs (under outDir); else runs keep no log (the replay command gives it back). */
  readonly keepLogs?: boolean;
  /** Show a progress bar (on a terminal) or a line every 5 s. */
  readonly progress: boolean;
}

/** What the runs gave: one record per (test, seed) asked for, real or standing in for a run that could not report. */
export interface RunResult {
  readonly records: readonly StressRecord[];
  /** Whether the deadline stopped the grading. */
  readonly deadlineHit: boolean;
  /** Whether SIGINT, SIGTERM or SIGHUP stopped the grading (its workers are stopped, nothing is left running). */
  readonly interrupted: boolean;
  readonly wallMs: number;
}

const DEFAULT_STARTUP_GRACE_MS = 60_000;
const POLL_MS = 200;

/** The test names a test file declares with `simTest("Name", ...)`, in order. */
export function declaredTests(source: string): string[] {
  return [...source.matchAll(/\bsimTest\(\s*["'`]([^"'`]+)["'`]/g)].map((m) => m[1]!);
}

/** Escapes `text` for a regular expression. */
function reEscape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The units of work: each file's chosen tests (in declaration order), its seeds split into `chunks` parts. */
export function planUnits(root: string, tests: ReadonlyMap<string, readonly string[]>, seeds: readonly number[], chunks: number): Unit[] {
  const units: Unit[] = [];
  const groups = Array.from({ length: Math.max(1, Math.min(chunks, seeds.length)) }, () => [] as number[]);
  seeds.forEach((s, i) => groups[i % groups.length]!.push(s));
  for (const [file, names] of tests) {
    let declared: string[];
    try {
      declared = declaredTests(readFileSync(join(root, file), "utf8"));
    } catch {
      declared = [];
    }
    // Declared ones in file order, then any the file does not declare (they will fail as not found).
    const ordered = [...declared.filter((t) => names.includes(t)), ...names.filter((t) => !declared.includes(t))];
    for (const g of groups) units.push({ file, tests: ordered, seeds: g });
  }
  return units;
}

interface Running {
  readonly unit: Unit;
  readonly worker: Worker;
  readonly startedAt: number;
  lastProgressAt: number;
  readonly seen: Set<string>;
  killedFor?: "hang" | "deadline";
  /** The record of a run the watchdog stopped as hung (which ended the worker's process). */
  hungRun?: StressRecord;
  killTimer?: NodeJS.Timeout;
  exited: boolean;
}

const key = (test: string, seed: number): string => `${test}\u0000${seed}`;

/** Runs all units; resolves when every run has a record. */
export async function runUnits(opts: RunOptions): Promise<RunResult> {
  const { c } = opts;
  const started = Date.now();
  const records: StressRecord[] = [];
  const queue: Unit[] = [...opts.units];
  const total = opts.units.reduce((n, u) => n + u.tests.length * u.seeds.length, 0);
  const running = new Set<Running>();
  let failed = 0;
  let deadlineHit = false;
  let spawned = 0;
  mkdirSync(opts.outDir, { recursive: true });

  const bar =
    opts.progress && process.stdout.isTTY === true
      ? new cliProgress.SingleBar(
          { format: `{bar} {value}/{total} runs | {failedText} | {duration_formatted}`, barsize: 30, hideCursor: true, clearOnComplete: true },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  bar?.start(total, 0, { failedText: c.green("0 failed") });
  let lastLine = started;
  const progress = (): void => {
    const failedText = failed > 0 ? c.red(`${failed} failed`) : c.green("0 failed");
    if (bar !== undefined) bar.update(records.length, { failedText });
    else if (opts.progress && Date.now() - lastLine >= 5000) {
      lastLine = Date.now();
      console.log(`Done ${records.length}/${total}; ${records.length - failed} ok, ${failed} failed`);
    }
  };
  const add = (r: StressRecord): void => {
    records.push(r);
    if (!r.ok) failed++;
  };
  const synthetic = (unit: Unit, test: string, seed: number, error: string): StressRecord => ({
    test,
    fullName: test,
    file: unit.file,
    seed,
    ok: false,
    wallMs: 0,
    error,
    replay: replayCommand(unit.file, test, seed),
  });

  const start = (unit: Unit): void => {
    const dir = join(opts.outDir, `unit-${spawned++}`);
    mkdirSync(join(dir, "logs"), { recursive: true });
    const pattern = `^(${unit.tests.map(reEscape).join("|")})$`;
    const [worker] = spawnWorkers({
      pattern,
      groups: [unit.seeds],
      paths: [unit.file],
      outDir: dir,
      cwd: opts.root,
      env: { SIM_REAL_BUDGET_MS: String(opts.wallCapMs), ...(opts.keepLogs === true ? {} : { LOG: "0" }), ...unit.env },
    });
    const r: Running = { unit, worker: worker!, startedAt: Date.now(), lastProgressAt: Date.now(), seen: new Set(), exited: false };
    running.add(r);
    worker!.child.on("error", (e) => {
      worker!.spawnError = e.message;
      r.exited = true;
    });
    worker!.child.on("exit", (code, signal) => {
      worker!.exit ??= { code, signal };
      r.exited = true;
      if (r.killTimer !== undefined) clearTimeout(r.killTimer);
      killGroup(worker!.child); // whatever is left in its process group
    });
  };

  let interrupted = false;
  const onSignal = (): void => {
    if (interrupted) return;
    interrupted = true;
    for (const u of queue.splice(0)) {
      for (const t of u.tests) for (const s of u.seeds) add(synthetic(u, t, s, "not run: grading was interrupted"));
    }
    for (const r of running) stop(r, "deadline");
  };
  const offInterrupt = onInterrupt(onSignal);
  // Interrupted before this batch began (between two batches): it starts nothing.
  if (interruptedBy() !== undefined) onSignal();

  const stop = (r: Running, why: "hang" | "deadline"): void => {
    if (r.killedFor !== undefined) return;
    r.killedFor = why;
    killGroup(r.worker.child);
    r.killTimer = setTimeout(() => {
      try {
        if (r.worker.child.pid !== undefined) process.kill(-r.worker.child.pid, "SIGKILL");
      } catch {
        // gone already
      }
    }, KILL_GRACE_MS);
  };

  /** A worker has exited: account for the runs it did not report, and restart what a hang cut short. */
  const settle = (r: Running): void => {
    running.delete(r);
    for (const rec of drain(r.worker)) accept(r, rec);
    const missing: { test: string; seed: number }[] = [];
    for (const test of r.unit.tests) for (const seed of r.unit.seeds) if (!r.seen.has(key(test, seed))) missing.push({ test, seed });
    if (missing.length === 0) return;
    if (r.killedFor === "deadline") {
      const why = interrupted ? "grading was interrupted" : "the grading deadline passed before this run finished";
      for (const m of missing) add(synthetic(r.unit, m.test, m.seed, `not run: ${why}`));
      return;
    }
    if (r.killedFor === "hang" || r.hungRun !== undefined) {
      // Tests run in file order and each over its seeds in order: without the watchdog's record of
      // the hung run, the first missing run is the one that hung.
      const hung = r.hungRun ?? missing[0]!;
      if (r.hungRun === undefined) {
        add(
          synthetic(
            r.unit,
            hung.test,
            hung.seed,
            `this run gave no result within the wall-clock cap of ${(opts.wallCapMs / 1000).toFixed(0)} s (plus a grace period) and was stopped: ` +
              `a loop that never awaits (or waits on real time) keeps the simulation from ever advancing`,
          ),
        );
      }
      for (const m of missing.filter((m) => m.test === hung.test && m.seed !== hung.seed)) {
        add(synthetic(r.unit, m.test, m.seed, `not run: an earlier run of ${hung.test} (seed ${hung.seed}) hung`));
      }
      const rest = r.unit.tests.slice(r.unit.tests.indexOf(hung.test) + 1).filter((t) => missing.some((m) => m.test === t));
      if (rest.length > 0) queue.unshift({ ...r.unit, tests: rest });
      return;
    }
    const exit = r.worker.exit ?? { code: null, signal: null };
    const how = r.worker.spawnError !== undefined ? `could not start (${r.worker.spawnError})` : exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    const tail = outputTail(r.worker.logFile);
    for (const m of missing) {
      const hint = r.seen.size === 0 ? ` (did ${r.unit.file} fail to load, or does it not declare ${m.test}?)` : "";
      const output = tail === "" ? "" : `; its output ended with:\n${tail}`;
      add(synthetic(r.unit, m.test, m.seed, `the test process ${how} without a result for this run${hint}${output}`));
    }
  };

  const accept = (r: Running, rec: StressRecord): void => {
    const k = key(rec.test, rec.seed);
    if (!r.unit.tests.includes(rec.test) || r.seen.has(k)) return; // not ours (the pattern matched another test), or a repeat
    r.seen.add(k);
    if (rec.hung === true) r.hungRun = rec;
    r.lastProgressAt = Date.now();
    add(rec);
  };

  const startupGrace = opts.startupGraceMs ?? DEFAULT_STARTUP_GRACE_MS;
  const hangGrace = Math.max(5_000, opts.wallCapMs * 0.25);
  await new Promise<void>((done) => {
    const tick = (): void => {
      const now = Date.now();
      if (!deadlineHit && opts.deadline !== undefined && now >= opts.deadline) {
        deadlineHit = true;
        for (const u of queue.splice(0)) {
          for (const t of u.tests) for (const s of u.seeds) add(synthetic(u, t, s, "not run: the grading deadline passed before this run started"));
        }
        for (const r of running) stop(r, "deadline");
      }
      for (const r of [...running]) {
        for (const rec of drain(r.worker)) accept(r, rec);
        if (r.exited) {
          settle(r);
          continue;
        }
        const limit = r.seen.size === 0 ? startupGrace + opts.wallCapMs + hangGrace : opts.wallCapMs + hangGrace;
        if (now - r.lastProgressAt > limit) stop(r, "hang");
      }
      while (!deadlineHit && !interrupted && running.size < opts.workers && queue.length > 0) start(queue.shift()!);
      progress();
      if (running.size === 0 && queue.length === 0) {
        clearInterval(timer);
        done();
      }
    };
    const timer = setInterval(tick, POLL_MS);
    tick();
  });
  offInterrupt();
  bar?.stop();
  return { records, deadlineHit, interrupted, wallMs: Date.now() - started };
}

/** The last lines of a worker's output, indented. */
function outputTail(file: string, lines = 12): string {
  return tail(file, lines);
}
