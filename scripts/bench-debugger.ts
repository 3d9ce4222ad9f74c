/**
 * The step debugger's figures for `npm run bench -- --only debugger`:
 *
 * - a long run (120 virtual s: 5 Raft peers with snapshots on an unreliable network, a client
 *   submitting commands, a server crashed and restarted every few seconds) recorded in this
 *   process: its wall time with and without the recorder (the same trace hash, asserted), the
 *   recording's size and the heap it holds;
 * - step latency in Chromium on that recording (the exported page, from disk): random jumps,
 *   single steps, and a "run until" that scans every step;
 * - branch time: the long run re-executed with one edit (in this process), and the way
 *   `npm run debug` does it, a vitest child per run, on the longest lab test
 *   (TestSnapshotInstallUnreliable3D, about 50 virtual s): the recording, then a branch.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { chromium } from "playwright-core";
import type { Edit } from "../src/debugger/edits.js";
import { findTest } from "../src/debugger/find-test.js";
import { renderPage } from "../src/debugger/page.js";
import { Recorder } from "../src/debugger/recorder.js";
import type { Recording } from "../src/debugger/recording.js";
import { recordInChild } from "../src/debugger/run-child.js";
import { makeRaftTester } from "../src/raft/tester.js";
import { now, random, sleep } from "../src/runtime/index.js";
import { realClock, runSim, type Simulation } from "../src/sim/index.js";

/** Virtual ms of the long run. */
export const LONG_RUN_MS = 120_000;
const SEED = 1;
const CHROMIUM = "/usr/bin/chromium";

/** The long run's body (see the module comment). */
async function longRun(): Promise<void> {
  const ts = makeRaftTester({ name: "BenchDebuggerLongRun", seed: SEED, wallMs: () => 0, note: () => {} }, { servers: 5, reliable: false, snapshot: true });
  try {
    ts.begin("Bench (debugger): 120 s of commands, crashes and restarts");
    let down: number | undefined;
    for (let i = 0; now() < LONG_RUN_MS - 6000; i++) {
      await ts.one(1000 + i, 3, true);
      if (i % 25 === 24) {
        if (down !== undefined) {
          ts.start1(down);
          ts.connect(down);
          down = undefined;
        } else {
          down = random.int(5);
          ts.crash1(down);
        }
      }
      await sleep(random.between(10, 60));
    }
    if (down !== undefined) {
      ts.start1(down);
      ts.connect(down);
    }
    await sleep(LONG_RUN_MS - now());
    ts.end();
  } finally {
    ts.cleanup();
  }
}

/** Runs the long run, recorded with `edits` or not recorded; returns the run's figures (and the recording). */
async function runLong(record: boolean, edits: readonly Edit[] = []): Promise<{ wallMs: number; hash: string; events: number; recording?: Recording }> {
  const recorder = record ? new Recorder({ name: "BenchDebuggerLongRun", fullName: "BenchDebuggerLongRun", file: "scripts/bench-debugger.ts", seed: SEED }, { edits }) : undefined;
  const start = realClock.now();
  const r = await runSim(
    SEED,
    (sim: Simulation) => {
      recorder?.attach(sim);
      return longRun();
    },
    { log: true, virtualBudgetMs: LONG_RUN_MS + 10_000, realBudgetMs: 600_000 },
  );
  const wallMs = realClock.now() - start;
  const recording = recorder?.finish({ ok: true, traceHash: r.traceHash, wallMs });
  return { wallMs, hash: r.traceHash, events: r.events, ...(recording === undefined ? {} : { recording }) };
}

/** A full garbage collection (the flag set at run time), for heap figures. */
function collector(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

function quantiles(xs: number[]): { median: number; p95: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { median: at(0.5), p95: at(0.95), max: s[s.length - 1]! };
}

/** Page-side measurements: each returns the wall ms of every call (a layout included). */
const TIMED = `const timed = (f) => { const a = performance.now(); f(); void document.body.offsetHeight; return performance.now() - a; };`;
const JUMPS = `(() => { ${TIMED} const api = window.__debuggerApi; const n = api.events(); let x = 12345;
  const rnd = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: 200 }, () => timed(() => api.go(Math.floor(rnd() * n)))); })()`;
const STEPS = `(() => { ${TIMED} const api = window.__debuggerApi; api.go(Math.floor(api.events() / 2));
  return Array.from({ length: 300 }, () => timed(() => api.stepBy(1))); })()`;
const UNTIL = `(() => { ${TIMED} const api = window.__debuggerApi; api.go(0); return [timed(() => api.runUntil("S0.term > 100000"))]; })()`;

/** Step latencies measured inside Chromium on `recording` (the exported page, opened from disk). */
async function stepLatency(
  recording: Recording,
): Promise<{ loadMs: number; jump: number[]; jumpCpu: number; step: number[]; stepCpu: number; untilMs: number; untilCpu: number } | { error: string }> {
  if (!existsSync(CHROMIUM)) return { error: `no ${CHROMIUM} (apt-get install chromium)` };
  const dir = mkdtempSync(join(tmpdir(), "raftlab-bench-debugger-"));
  const browser = await chromium.launch({ executablePath: CHROMIUM });
  try {
    const file = join(dir, "long-run.html");
    writeFileSync(file, renderPage({ mode: "static", title: "bench", recording }));
    const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
    const t0 = Date.now();
    await page.goto(`file://${file}`, { timeout: 300_000 });
    await page.waitForFunction("window.__debuggerReady === true", null, { timeout: 300_000 });
    const loadMs = Date.now() - t0;
    // Strings, so that the bundler's helpers (tsx names functions) do not leak into the page. The
    // renderer's main-thread CPU time (CDP's ThreadTime) is taken around each batch: unlike wall
    // time it does not grow with the load of a shared machine.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Performance.enable");
    const thread = async (): Promise<number> => {
      const { metrics } = (await cdp.send("Performance.getMetrics")) as { metrics: { name: string; value: number }[] };
      return (metrics.find((m) => m.name === "ThreadTime")?.value ?? NaN) * 1000;
    };
    const batch = async (script: string): Promise<{ wall: number[]; cpuMs: number }> => {
      const before = await thread();
      const wall = (await page.evaluate(script)) as number[];
      return { wall, cpuMs: (await thread()) - before };
    };
    const jump = await batch(JUMPS);
    const step = await batch(STEPS);
    const until = await batch(UNTIL);
    return { loadMs, jump: jump.wall, jumpCpu: jump.cpuMs / jump.wall.length, step: step.wall, stepCpu: step.cpuMs / step.wall.length, untilMs: until.wall[0]!, untilCpu: until.cpuMs };
  } catch (e) {
    return { error: (e as Error).message };
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Prints the section (headings and tables are the bench's). */
export async function benchDebugger(print: { heading(text: string): void; table(rows: string[][]): void; note(text: string): void }): Promise<void> {
  print.heading(`(f) npm run debug: recording, step latency and branch time on a ${LONG_RUN_MS / 1000} s run`);
  const gc = collector();
  const plain = await runLong(false);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const rec = await runLong(true);
  gc();
  const heapHeld = process.memoryUsage().heapUsed - heapBefore;
  const recording = rec.recording!;
  if (rec.hash !== plain.hash) throw new Error(`the recorded long run has another trace hash (${rec.hash}) than the plain one (${plain.hash})`);
  const json = JSON.stringify(recording).length;
  print.table([
    ["long run", "events fired", "wall s plain", "wall s recorded", "steps", "recorded events", "messages", "peer changes", "JSON MB", "heap held MB"],
    [
      `${LONG_RUN_MS / 1000} virtual s`,
      String(plain.events),
      (plain.wallMs / 1000).toFixed(1),
      (rec.wallMs / 1000).toFixed(1),
      String(recording.steps.length),
      String(recording.events.length) + (recording.eventsDropped > 0 ? ` (+${recording.eventsDropped} dropped)` : ""),
      String(recording.messages.length),
      String(recording.changes.length),
      (json / 1e6).toFixed(1),
      (heapHeld / 1e6).toFixed(1),
    ],
  ]);
  print.note(`  same trace hash with and without the recorder: ${rec.hash}`);

  const lat = await stepLatency(recording);
  if ("error" in lat) print.note(`  step latency: skipped (${lat.error})`);
  else {
    const j = quantiles(lat.jump);
    const s = quantiles(lat.step);
    print.table([
      ["in Chromium (exported page)", "wall median ms", "wall p95 ms", "wall max ms", "main-thread CPU ms (mean)"],
      ["jump to a random event (200)", j.median.toFixed(1), j.p95.toFixed(1), j.max.toFixed(1), lat.jumpCpu.toFixed(1)],
      ["step forward (300)", s.median.toFixed(1), s.p95.toFixed(1), s.max.toFixed(1), lat.stepCpu.toFixed(1)],
      ["run until (scans every step)", lat.untilMs.toFixed(0), "", "", lat.untilCpu.toFixed(0)],
      ["page load (parse + index)", String(lat.loadMs), "", "", ""],
    ]);
  }

  // A branch: the long run again with one message dropped half-way.
  const m = recording.messages.find((x) => x.sentAt > LONG_RUN_MS / 2 && x.method === "Raft.AppendEntries" && x.deliverAt !== undefined && x.lost !== true)!;
  const drop: Edit = { kind: "drop", point: "request", method: m.method, from: m.from, to: m.to, at: m.sentAt, nth: m.nth };
  const branch = await runLong(true, [drop]);
  const root = resolve(".");
  const target = findTest(root, "TestSnapshotInstallUnreliable3D");
  let child = "";
  try {
    const t0 = realClock.now();
    const base = await recordInChild({ root, target, seed: SEED, edits: [] });
    const t1 = realClock.now();
    const mm = base.messages.find((x) => x.sentAt > base.outcome.virtualMs / 2 && x.deliverAt !== undefined && x.lost !== true)!;
    await recordInChild({ root, target, seed: SEED, edits: [{ kind: "drop", point: "request", method: mm.method, from: mm.from, to: mm.to, at: mm.sentAt, nth: mm.nth }] });
    const t2 = realClock.now();
    const mb = (JSON.stringify(base).length / 1e6).toFixed(1);
    child =
      `${target.name} seed ${SEED} (${(base.outcome.virtualMs / 1000).toFixed(1)} virtual s; ${base.steps.length} steps, ${base.events.length} events, ` +
      `${base.messages.length} messages, ${mb} MB of JSON): recorded in ${((t1 - t0) / 1000).toFixed(1)} s, a branch in ${((t2 - t1) / 1000).toFixed(1)} s (vitest start-up included)`;
  } catch (e) {
    child = `${target.name}: ${(e as Error).message.split("\n", 1)[0]}`;
  }
  print.table([
    ["branch (one message dropped half-way)", "wall s"],
    [`long run re-executed from its seed, in-process, recorded`, (branch.wallMs / 1000).toFixed(1)],
  ]);
  print.note(`  through npm run debug's child process: ${child}`);
  print.note("  Wall times are of a machine shared with other work; steps are recorded, so only a branch re-executes.");
}
