/**
 * `npm run bench [-- --only sim,rpc,parts,porcupine,explore] [--repeat n]`: a readable performance report.
 *
 * - sim: raw simulator throughput (timer events per second; channel round trips per second).
 * - rpc: the original labrpc TestBenchmark (100 000 sequential RPCs on one end to a trivial handler).
 * - parts: the wall time of each lab part's tests (as `npm run test:<part>` runs them) next to the
 *   virtual time they simulate; Lab 5's three parts (5A, 5B, 5-challenges) add up to its row.
 * - kvops: Clerk operations per KV test (seed 1) next to the 2024 handout's sample counts.
 * - porcupine: the linearizability checker's benchmark (`scripts/bench-porcupine.ts`).
 * - explore: `npm run explore`'s throughput per lab part on 2 workers.
 * - debugger: `npm run debug`'s recording, step latency and branch time (`scripts/bench-debugger.ts`).
 * - commands: wall and CPU time of the test commands as a user types them (`npm run test:3A` …
 *   `test:4B`, `npm test`), medians over `--command-runs` runs.
 *
 * Timings are medians over `--repeat` runs where a run is cheap; test parts run once.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { cpus, freemem, loadavg, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import pc from "picocolors";
import type { StressRecord } from "../src/harness/index.js";
import { Channel, go, now, random, sleep } from "../src/runtime/index.js";
import { scenariosFileOfLab } from "../src/explore/scenarios/files.js";
import { runSim } from "../src/sim/index.js";
import { benchDebugger } from "./bench-debugger.js";
import { kvOpsRows, runKvSummaries } from "./bench-kv-ops.js";
import { UsageError, runCli } from "./lib/cli.js";
import { timeCommand, type CommandTime } from "./lib/command-times.js";
import { median } from "./lib/stats.js";

const c = pc.createColors(pc.isColorSupported && process.stdout.isTTY === true);

const SECTIONS = ["sim", "rpc", "parts", "kvops", "porcupine", "explore", "debugger", "commands"] as const;
type Section = (typeof SECTIONS)[number];

const USAGE = `Usage: npm run bench [-- --only <sections>] [--repeat <n>]

Sections (default: all, in this order):
  sim        simulator throughput: timer events/s (many sleeping tasks), channel round trips/s
  rpc        labrpc TestBenchmark: 100 000 sequential RPCs on one end; µs per RPC
  parts      wall time of each lab part's tests (sim, labrpc, 3A-3D, 4A, 4B, 5A, 5B, 5-challenges,
             porcupine) and the virtual time they simulate; parts without tests are skipped
  kvops      Clerk operations per KV test (seed 1) next to the Go handout's sample counts
  porcupine  the linearizability checker's benchmark (scripts/bench-porcupine.ts)
  explore    npm run explore's throughput per lab part on 2 workers: the part's explore scenario
             alone, then with its lab tests under the nemesis (runs per second, start-up included)
  debugger   npm run debug on a 120 virtual s run: recording cost, memory, step latency in
             Chromium, branch time (in-process, and through the vitest child on a long lab test)
  commands   wall and CPU time of npm run test:3A ... test:4B and of npm test, as typed (medians)

Options:
  --only <list>   comma-separated sections, e.g. --only sim,rpc
  --parts <list>  only these test parts, e.g. --parts sim,labrpc,3A
  --part-timeout <s>  stop a part that runs longer than this (default 900)
  --repeat <n>    repetitions of the cheap measurements; the median is shown (default 5)
  --explore-runs <n>  seeds per test in the explore section (default 10)
  --command-runs <n>  runs of each command in the commands section (default 3)
  -h, --help      show this help`;

/** Test parts, as in package.json's `test:<part>` scripts. */
const PARTS: ReadonlyArray<{ name: string; paths: string[]; filter?: string }> = [
  { name: "sim", paths: ["src/sim"] },
  { name: "labrpc", paths: ["src/labrpc"] },
  { name: "3A", paths: ["src/raft/raft-3a.test.ts"] },
  { name: "3B", paths: ["src/raft/raft-3b.test.ts"] },
  { name: "3C", paths: ["src/raft/raft-3c.test.ts"] },
  { name: "3D", paths: ["src/raft/raft-3d.test.ts"] },
  { name: "4A", paths: ["src/kvraft/kvraft-4a.test.ts", "src/kvraft/kvraft-4a-faults.test.ts"] },
  { name: "4B", paths: ["src/kvraft/kvraft-4b.test.ts", "src/kvraft/kvraft-4b-many-clients.test.ts"] },
  { name: "5A", paths: ["src/shardctrler/shardctrler.test.ts", "src/shardkv/shardkv-5a.test.ts"] },
  { name: "5B", paths: ["src/shardkv/shardkv-5b.test.ts", "src/shardkv/shardkv-5b-concurrent.test.ts"] },
  { name: "5-challenges", paths: ["src/shardkv/shardkv-challenge.test.ts"] },
  { name: "porcupine", paths: ["packages/porcupine", "src/models"] },
];


/** Formats a rate with a thousands separator, e.g. `1 234 567`. */
function rate(x: number): string {
  return Math.round(x)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, " ");
}

function heading(text: string): void {
  console.log(`\n${c.bold(c.cyan(text))}`);
}

/** Prints rows as an aligned table; the first row is the header. Numbers are right-aligned. */
function table(rows: readonly (readonly string[])[]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  rows.forEach((r, k) => {
    const line = r
      .map((cell, i) => (i > 0 && /^[-\d]/.test(cell) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
    console.log(k === 0 ? c.bold(`  ${line}`) : `  ${line}`);
  });
}

// ---------------------------------------------------------------------------------------------
// (a) simulator throughput

/** `tasks` tasks each sleeping random 1..100 ms until `untilMs` of virtual time. */
async function sleepers(tasks: number, untilMs: number): Promise<{ events: number; wallMs: number; virtualMs: number }> {
  const r = await runSim(1, async () => {
    let running = tasks;
    const done = new Channel<void>(tasks);
    for (let i = 0; i < tasks; i++) {
      go(`sleeper-${i}`, async () => {
        while (now() < untilMs) await sleep(random.between(1, 100));
        running--;
        done.trySend();
      });
    }
    while (running > 0) await done.recv();
  });
  return { events: r.events, wallMs: r.wallMs, virtualMs: r.virtualMs };
}

/** `n` round trips between two tasks over unbuffered channels; with `sleepMs` > 0 each side sleeps too. */
async function pingPong(n: number, sleepMs: number): Promise<{ events: number; wallMs: number }> {
  const r = await runSim(1, async () => {
    const ping = new Channel<number>();
    const pong = new Channel<number>();
    go("ponger", async () => {
      for await (const x of ping) {
        if (sleepMs > 0) await sleep(sleepMs);
        await pong.send(x + 1);
      }
    });
    let x = 0;
    for (let i = 0; i < n; i++) {
      await ping.send(x);
      x = await pong.recv();
    }
    ping.close();
  });
  return { events: r.events, wallMs: r.wallMs };
}

async function benchSim(repeat: number): Promise<void> {
  heading("(a) Simulator throughput");
  const rows: string[][] = [["workload", "events", "virtual s", "wall ms (median)", "rate (median)"]];

  await sleepers(100, 5_000); // warm-up (JIT)
  for (const [tasks, until] of [
    [100, 60_000],
    [1000, 10_000],
  ] as const) {
    const runs = [];
    for (let i = 0; i < repeat; i++) runs.push(await sleepers(tasks, until));
    const first = runs[0]!;
    rows.push([
      `${tasks} tasks sleeping 1..100 ms`,
      rate(first.events),
      (first.virtualMs / 1000).toFixed(1),
      median(runs.map((r) => r.wallMs)).toFixed(1),
      `${rate(median(runs.map((r) => (r.events / r.wallMs) * 1000)))} events/s`,
    ]);
  }

  const n = 100_000;
  await pingPong(10_000, 0);
  const plain = [];
  for (let i = 0; i < repeat; i++) plain.push(await pingPong(n, 0));
  rows.push([
    `channel ping-pong, no timers`,
    "0",
    "0.0",
    median(plain.map((r) => r.wallMs)).toFixed(1),
    `${rate(median(plain.map((r) => (n / r.wallMs) * 1000)))} round trips/s`,
  ]);
  const m = 20_000;
  const timed = [];
  for (let i = 0; i < repeat; i++) timed.push(await pingPong(m, 1));
  rows.push([
    `channel ping-pong, 1 ms sleep per trip`,
    rate(timed[0]!.events),
    (m / 1000).toFixed(1),
    median(timed.map((r) => r.wallMs)).toFixed(1),
    `${rate(median(timed.map((r) => (m / r.wallMs) * 1000)))} round trips/s`,
  ]);
  table(rows);
}

// ---------------------------------------------------------------------------------------------
// (b) labrpc benchmark

async function benchRpc(repeat: number): Promise<void> {
  heading("(b) Simulated RPCs: labrpc TestBenchmark (100 000 sequential RPCs on one end)");
  let labrpc: typeof import("../src/labrpc/index.js");
  try {
    labrpc = await import("../src/labrpc/index.js");
  } catch (e) {
    console.log(c.yellow(`  skipped: src/labrpc could not be loaded (${(e as Error).message.split("\n")[0]})`));
    return;
  }
  const n = 100_000;
  const once = async (): Promise<{ wallMs: number; virtualMs: number }> => {
    const r = await runSim(1, async () => {
      const net = new labrpc.Network();
      const server = new labrpc.Server();
      server.addService(new labrpc.Service("JunkServer", { Handler2: (args: number) => `handler2-${args}` }));
      net.addServer("server99", server);
      const end = net.makeEnd("end1-99");
      net.connect("end1-99", "server99");
      net.enable("end1-99", true);
      for (let i = 0; i < n; i++) {
        const reply = await end.call<string>("JunkServer.Handler2", 111);
        if (reply !== "handler2-111") throw new Error(`wrong reply ${String(reply)}`);
      }
      if (net.getTotalCount() !== n) throw new Error(`expected ${n} RPCs, network counted ${net.getTotalCount()}`);
    }, { virtualBudgetMs: 10 * n }); // each round trip takes 2 ms of virtual time (LABRPC.MIN_DELAY each way)
    return { wallMs: r.wallMs, virtualMs: r.virtualMs };
  };
  await once(); // warm-up
  const runs = [];
  const reps = Math.max(1, Math.min(repeat, 3));
  for (let i = 0; i < reps; i++) runs.push(await once());
  const wall = median(runs.map((r) => r.wallMs));
  table([
    ["RPCs", "wall ms (median of " + reps + ")", "µs per RPC", "RPCs/s", "virtual ms"],
    [rate(n), wall.toFixed(0), ((wall * 1000) / n).toFixed(2), rate((n / wall) * 1000), runs[0]!.virtualMs.toFixed(0)],
  ]);
  console.log(c.dim("  (Go labrpc, same test: 22 µs per RPC, \"march 2016, rtm laptop\"; reliable network: each round trip is 2 virtual ms, 1 ms each way)"));
}

// ---------------------------------------------------------------------------------------------
// (c) test parts

interface PartResult {
  readonly passed: number;
  readonly failed: number;
  readonly wallMs: number;
  readonly virtualMs: number;
  readonly simRuns: number;
}

/**
 * Runs one part's tests as `npm run test:<part>` does (with the config's workers), with one fresh
 * seed through the STRESS_SEEDS/STRESS_OUT contract so that simulated tests report their virtual time.
 */
function runPart(
  paths: readonly string[],
  filter: string | undefined,
  timeoutMs: number,
): Promise<PartResult | "no-tests" | { error: string }> {
  const dir = mkdtempSync(join(tmpdir(), "raftlab-bench-"));
  const out = join(dir, "runs.jsonl");
  const args = ["run", "--project", "lab", "--reporter=dot", "--reporter=./scripts/summary-reporter.ts", ...paths];
  if (filter !== undefined) args.push("-t", filter);
  const seed = 1 + Math.floor(Math.random() * (2 ** 31 - 2));
  const env = { ...process.env, STRESS_SEEDS: String(seed), STRESS_OUT: out, LOG_DIR: join(dir, "logs"), NO_COLOR: "1" };
  const start = performance.now();
  return new Promise((done) => {
    const child = spawn(resolve("node_modules/.bin/vitest"), args, { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, "SIGTERM"); // vitest and its workers
      } catch {
        // already gone
      }
    }, timeoutMs);
    let text = "";
    child.stdout.on("data", (d: Buffer) => (text += d.toString()));
    child.stderr.on("data", (d: Buffer) => (text += d.toString()));
    child.on("error", (e) => done({ error: e.message }));
    child.on("exit", () => {
      clearTimeout(timer);
      const wallMs = performance.now() - start;
      let records: StressRecord[] = [];
      if (existsSync(out)) {
        records = readFileSync(out, "utf8")
          .split("\n")
          .filter((l) => l.trim() !== "")
          .map((l) => JSON.parse(l) as StressRecord);
      }
      rmSync(dir, { recursive: true, force: true });
      if (timedOut) return done({ error: `timed out after ${timeoutMs / 1000} s (--part-timeout)` });
      if (text.includes("error: no test ran")) return done("no-tests");
      const m = /(\d+) passed, (\d+) failed/.exec(text);
      if (m === null) return done({ error: text.trim().split("\n").slice(-5).join(" | ") });
      done({
        passed: Number(m[1]),
        failed: Number(m[2]),
        wallMs,
        virtualMs: records.reduce((a, r) => a + (r.virtualMs ?? 0), 0),
        simRuns: records.length,
      });
    });
  });
}

/** Subtotals over the lab parts, with the Go original's real time for the same tests (handouts; spec §9). */
const LAB_GROUPS: ReadonlyArray<{ label: string; parts: readonly string[]; go: string }> = [
  { label: "Raft (3A-3D)", parts: ["3A", "3B", "3C", "3D"], go: "about 6 min" },
  { label: "KV (4A-4B)", parts: ["4A", "4B"], go: "about 400 s" },
  { label: "all lab tests", parts: ["3A", "3B", "3C", "3D", "4A", "4B"], go: "about 15 min" },
  // shardctrler 5.9 s and shardkv 174.0 s in the 2024 handout's sample runs.
  { label: "Sharded KV (5A, 5B, challenges)", parts: ["5A", "5B", "5-challenges"], go: "about 180 s" },
];

async function benchParts(only: readonly string[] | undefined, timeoutMs: number): Promise<void> {
  heading("(c) Test parts: wall time vs simulated time (each part run once, as npm run test:<part>)");
  const rows: string[][] = [["part", "tests", "wall s", "virtual s", "virtual/wall", "Go original"]];
  const done = new Map<string, PartResult>();
  let wall = 0;
  let virtual = 0;
  for (const part of PARTS) {
    if (only !== undefined && !only.includes(part.name)) continue;
    const present = part.paths.filter((p) => existsSync(p));
    if (present.length === 0) {
      rows.push([part.name, "skipped: no test folder yet", "", "", ""]);
      continue;
    }
    const t0 = performance.now();
    const r = await runPart(present, part.filter, timeoutMs);
    // A line per part as it finishes (parts can take minutes); the aligned table follows.
    console.log(c.dim(`  ${part.name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`));
    if (r === "no-tests") {
      rows.push([part.name, "skipped: no tests yet", "", "", ""]);
      continue;
    }
    if ("error" in r) {
      rows.push([part.name, `error: ${r.error.slice(0, 100)}`, "", "", ""]);
      continue;
    }
    done.set(part.name, r);
    wall += r.wallMs;
    virtual += r.virtualMs;
    const tests = `${r.passed} passed` + (r.failed > 0 ? `, ${r.failed} FAILED` : "");
    rows.push([
      part.name,
      tests,
      (r.wallMs / 1000).toFixed(1),
      r.simRuns > 0 ? (r.virtualMs / 1000).toFixed(1) : "-",
      r.simRuns > 0 ? `${(r.virtualMs / r.wallMs).toFixed(1)}×` : "-",
    ]);
  }
  rows.push(["total", "", (wall / 1000).toFixed(1), (virtual / 1000).toFixed(1), wall > 0 ? `${(virtual / wall).toFixed(1)}×` : "-"]);
  for (const g of LAB_GROUPS) {
    const rs = g.parts.map((p) => done.get(p));
    if (rs.some((r) => r === undefined)) continue; // only when every part of the group ran
    const sum = (f: (r: PartResult) => number): number => rs.reduce((a, r) => a + f(r!), 0);
    const [w, v, n] = [sum((r) => r.wallMs), sum((r) => r.virtualMs), sum((r) => r.passed + r.failed)];
    rows.push([g.label, `${n} tests`, (w / 1000).toFixed(1), (v / 1000).toFixed(1), `${(v / w).toFixed(1)}×`, g.go]);
  }
  table(rows);
  console.log(
    c.dim(
      "  wall includes vitest start-up (about 1 s per part) and runs files on the config's 2 workers;\n" +
        "  virtual s sums the simulated time of the simTest runs (plain tests report none).",
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// (d) porcupine

async function benchKvOps(timeoutMs: number): Promise<void> {
  heading("(d) KV operation counts: the reference solution, seed 1, next to the 2024 handout's sample");
  try {
    const summaries = await runKvSummaries(1, timeoutMs);
    table(kvOpsRows(summaries));
    console.log(c.dim("  Go's clients loop flat out, as these do; docs/conformance.md explains the ratios outside 0.5-2."));
  } catch (e) {
    console.log(c.red(`  failed: ${(e as Error).message}`));
  }
}

// ---------------------------------------------------------------------------------------------
// (e) explore

/** Runs `npm run explore` on one part with `runs` seeds over 2 workers; returns its runs and wall time. */
function runExplore(part: string, paths: readonly string[], runs: number): Promise<{ runs: number; failed: number; wallMs: number; runMs: number } | { error: string }> {
  const dir = mkdtempSync(join(tmpdir(), "raftlab-bench-explore-"));
  const args = ["scripts/explore.ts", `${part}$`, "-n", String(runs), "--seed", "1", "-p", "2", "--no-schedules", "-o", dir, "--", ...paths];
  const start = performance.now();
  return new Promise((done) => {
    const child = spawn(resolve("node_modules/.bin/tsx"), args, { env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    child.stdout.on("data", (d: Buffer) => (text += d.toString()));
    child.stderr.on("data", (d: Buffer) => (text += d.toString()));
    child.on("error", (e) => done({ error: e.message }));
    child.on("exit", () => {
      const wallMs = performance.now() - start;
      const records = readdirSync(dir)
        .filter((f) => /^worker-\d+\.jsonl$/.test(f))
        .flatMap((f) => readFileSync(join(dir, f), "utf8").split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as StressRecord));
      rmSync(dir, { recursive: true, force: true });
      if (records.length === 0) return done({ error: text.trim().split("\n").slice(-3).join(" | ") });
      done({ runs: records.length, failed: records.filter((r) => !r.ok).length, wallMs, runMs: records.reduce((a, r) => a + r.wallMs, 0) });
    });
  });
}

/** The lab test files of each part, for the explore section. */
const EXPLORE_PARTS: ReadonlyArray<{ part: string; scenario: string; labFiles: string[] }> = [
  { part: "3A", scenario: "ExploreRaftElection3A", labFiles: ["src/raft/raft-3a.test.ts"] },
  { part: "3B", scenario: "ExploreRaftAgreement3B", labFiles: ["src/raft/raft-3b.test.ts"] },
  { part: "3C", scenario: "ExploreRaftPersistence3C", labFiles: ["src/raft/raft-3c.test.ts"] },
  { part: "3D", scenario: "ExploreRaftSnapshots3D", labFiles: ["src/raft/raft-3d.test.ts"] },
  { part: "4A", scenario: "ExploreKV4A", labFiles: ["src/kvraft/kvraft-4a.test.ts", "src/kvraft/kvraft-4a-faults.test.ts"] },
  { part: "4B", scenario: "ExploreKV4B", labFiles: ["src/kvraft/kvraft-4b.test.ts", "src/kvraft/kvraft-4b-many-clients.test.ts"] },
];

async function benchExplore(runs: number): Promise<void> {
  heading(`(e) npm run explore: runs per second on 2 workers (scenario: seeds 1..${10 * runs}; with lab tests: seeds 1..${runs} per test)`);
  const scenariosFile = (part: string): string => scenariosFileOfLab(Number.parseInt(part, 10));
  const rows: string[][] = [["part", "scenario runs", "wall s", "runs/s", "(runs only)", "with lab tests: runs", "wall s", "runs/s", "(runs only)", "failed"]];
  for (const p of EXPLORE_PARTS) {
    const alone = await runExplore(p.part, [scenariosFile(p.part)], 10 * runs);
    const all = await runExplore(p.part, [scenariosFile(p.part), ...p.labFiles], runs);
    console.log(c.dim(`  ${p.part} done`));
    // runs/s counts vitest's start-up; "runs only" divides by the runs' own wall time, over 2 workers.
    const cells = (r: Awaited<ReturnType<typeof runExplore>>): string[] =>
      "error" in r
        ? [`error: ${r.error.slice(0, 60)}`, "", "", ""]
        : [String(r.runs), (r.wallMs / 1000).toFixed(1), ((r.runs / r.wallMs) * 1000).toFixed(1), ((r.runs / (r.runMs / 2)) * 1000).toFixed(1)];
    const failed = ("error" in alone ? 0 : alone.failed) + ("error" in all ? 0 : all.failed);
    rows.push([p.part, ...cells(alone), ...cells(all), String(failed)]);
  }
  table(rows);
  console.log(
    c.dim(
      "  scenario: the part's explore scenario alone; with lab tests: plus the part's lab tests under the nemesis\n" +
        "  (src/explore/lab-tests.ts). runs/s includes vitest's start-up; (runs only) is the runs' own time on 2 workers.",
    ),
  );
}

async function benchPorcupineSection(): Promise<void> {
  heading("(d) Porcupine (linearizability checker)");
  const path = resolve("scripts/bench-porcupine.ts");
  if (!existsSync(path)) {
    console.log(c.yellow("  skipped: scripts/bench-porcupine.ts does not exist yet"));
    return;
  }
  // Through a URL so that the type checker does not require the file to exist.
  const mod = (await import(pathToFileURL(path).href)) as { benchPorcupine?: () => Promise<string[]> };
  if (typeof mod.benchPorcupine !== "function") {
    console.log(c.yellow("  skipped: scripts/bench-porcupine.ts does not export benchPorcupine()"));
    return;
  }
  for (const line of await mod.benchPorcupine()) console.log(`  ${line}`);
}

// ---------------------------------------------------------------------------------------------

function machine(): void {
  const cpu = cpus();
  console.log(c.bold("raftlab benchmark"));
  console.log(
    `  node ${process.version}, ${process.platform}/${process.arch}, ` +
      `${cpu.length} CPU${cpu.length === 1 ? "" : "s"} (${cpu[0]?.model.trim() ?? "unknown"}), ` +
      `${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM (${(freemem() / 2 ** 30).toFixed(1)} free)`,
  );
  console.log(c.dim(`  ${new Date().toISOString()}`));
}

/** The bench's command line, read. */
interface BenchOptions {
  readonly only: readonly string[];
  readonly repeat: number;
  readonly partTimeoutS: number;
  readonly exploreRuns: number;
  readonly parts: readonly string[] | undefined;
  readonly commandRuns: number;
}

/** Reads the command line (undefined means `--help`); a mistake is a UsageError naming it. */
function parseBenchCli(argv: readonly string[]): BenchOptions | undefined {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      only: { type: "string" },
      parts: { type: "string" },
      "part-timeout": { type: "string" },
      repeat: { type: "string" },
      "explore-runs": { type: "string" },
      "command-runs": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) return undefined;
  const only = (values.only ?? SECTIONS.join(",")).split(",").map((s) => s.trim()).filter((s) => s !== "");
  const unknown = only.filter((s) => !(SECTIONS as readonly string[]).includes(s));
  const repeat = Number(values.repeat ?? "5");
  const partTimeoutS = Number(values["part-timeout"] ?? "900");
  const exploreRuns = Number(values["explore-runs"] ?? "10");
  const commandRuns = Number(values["command-runs"] ?? "3");
  const parts = values.parts?.split(",").map((s) => s.trim());
  const unknownParts = (parts ?? []).filter((p) => !PARTS.some((q) => q.name === p));
  const problem =
    unknown.length > 0
      ? `unknown section(s): ${unknown.join(", ")}`
      : unknownParts.length > 0
        ? `unknown part(s): ${unknownParts.join(", ")}`
        : !Number.isSafeInteger(repeat) || repeat < 1
          ? "--repeat must be a positive integer"
          : !(partTimeoutS > 0)
            ? "--part-timeout must be a positive number of seconds"
            : !Number.isSafeInteger(exploreRuns) || exploreRuns < 1
              ? "--explore-runs must be a positive integer"
              : !Number.isSafeInteger(commandRuns) || commandRuns < 1
                ? "--command-runs must be a positive integer"
                : undefined;
  if (problem !== undefined) throw new UsageError(problem);
  return { only, repeat, partTimeoutS, exploreRuns, parts, commandRuns };
}

/** The commands of the commands section, as a user types them, with the goals of issue 20 (2 cores). */
const COMMANDS: ReadonlyArray<{ command: string; goal?: string }> = [
  { command: "npm run test:3A", goal: "≤ 2 s" },
  { command: "npm run test:3B" },
  { command: "npm run test:3C" },
  { command: "npm run test:3D" },
  { command: "npm run test:4A" },
  { command: "npm run test:4B" },
  { command: "npm test", goal: "≤ 40 s" },
];

async function benchCommands(runs: number, timeoutMs: number): Promise<void> {
  heading(`(f) Test commands: wall and CPU time as typed (median of ${runs}; CPU = user + system of all processes)`);
  const rows: string[][] = [["command", "wall s", "CPU s", "runs' wall s", "goal (2 idle cores)"]];
  let partsWall = 0;
  for (const { command, goal } of COMMANDS) {
    const times: CommandTime[] = [];
    for (let i = 0; i < runs; i++) times.push(await timeCommand(command, process.cwd(), timeoutMs));
    const failed = times.find((t) => t.code !== 0);
    if (failed !== undefined) {
      rows.push([command, `failed (exit ${failed.code}): ${failed.tail.split("\n").pop() ?? ""}`, "", "", ""]);
      continue;
    }
    const wall = median(times.map((t) => t.wallMs)) / 1000;
    if (command.startsWith("npm run test:")) partsWall += wall;
    rows.push([command, wall.toFixed(1), (median(times.map((t) => t.cpuMs)) / 1000).toFixed(1), times.map((t) => (t.wallMs / 1000).toFixed(1)).join(" "), goal ?? ""]);
  }
  rows.push(["3A-4B in all", partsWall.toFixed(1), "", "", "≤ 25 s"]);
  table(rows);
  console.log(c.dim(`  load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}: wall times grow with other work on the cores, CPU times hardly`));
}

async function runBench(opts: BenchOptions): Promise<number> {
  const { only, repeat, partTimeoutS, exploreRuns, parts, commandRuns } = opts;
  const want = (s: Section): boolean => only.includes(s);
  machine();
  if (want("sim")) await benchSim(repeat);
  if (want("rpc")) await benchRpc(repeat);
  if (want("parts")) await benchParts(parts, partTimeoutS * 1000);
  if (want("kvops")) await benchKvOps(partTimeoutS * 1000);
  if (want("porcupine")) await benchPorcupineSection();
  if (want("explore")) await benchExplore(exploreRuns);
  if (want("debugger")) await benchDebugger({ heading, table: (rows) => table(rows), note: (t) => console.log(c.dim(t)) });
  if (want("commands")) await benchCommands(commandRuns, partTimeoutS * 1000);
  console.log();
  return 0;
}

await runCli(USAGE, () => parseBenchCli(process.argv.slice(2)), runBench);
