/**
 * `npm run bench:porcupine [-- --quick] [--runs n]`: the checker's figures next to Go porcupine's.
 *
 * 1. Whole process: the built CLI (`node packages/porcupine/bin/porcupine.js check …`), a fresh
 *    process per run, on the six kv files and on one trivial file.
 * 2. In process: every public history, parsed once, checked after a warm-up, with the default
 *    (pruned) search and with Go's search (`strategy: "wgl"`).
 * 3. Hard histories (src/models/hard-histories.ts): each checked in a child process of its own,
 *    which reports the check's time, its verdict and the process's peak RSS.
 *
 * Every figure is a median over runs. Verdicts are compared with `expected.json` (public files)
 * or with what the generator knows (hard histories); a wrong verdict aborts the bench.
 *
 * Go's figures (Go cannot be run here): in-process sums measured with Go porcupine v1.3.0 (Go 1.19,
 * GOMAXPROCS=2; sums of per-file medians of 5, median over 5 runs: 103 etcd files 624 ms, 6 kv
 * files 218 ms, the 4 kv no-partition checks 5.2 s; see packages/porcupine/README.md, "Figures");
 * the whole-process time of the six kv files and the 220-operation hard history from issue 14,
 * both measured on this machine kind. Go was not run on the other hard histories.
 */

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { checkEvents, type CheckOptions, type CheckResult, type Event, type Model } from "porcupine";
import { etcdModel } from "../src/models/etcd.js";
import { generateHardHistory, type HardHistoryOptions } from "../src/models/hard-histories.js";
import { parseJepsenEtcdLog, parseKvLog } from "porcupine/models";
import { kvModel, kvNoPartitionModel } from "../src/models/kv.js";
import { expectedVerdicts, PORCUPINE_DATA_DIR, readDataFile } from "../src/models/test-data.js";
import { median } from "./lib/stats.js";

type AnyModel = Model<unknown, unknown, unknown>;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BIN = path.join(ROOT, "packages/porcupine/bin/porcupine.js");

/** Go's figures on this machine kind. */
const GO = {
  /** Spec §7.2: sums of per-file medians, GOMAXPROCS=2 (ms). */
  etcdMs: 623.6,
  kvMs: 217.7,
  kvNoPartitionMs: 5156,
  /** Issue 14: the whole process on the six kv files (s). */
  cliSixKvS: 0.28,
  /** Issue 14: a linearizable single-key history, 220 operations, 22 clients (s, GB). */
  hard220S: 42,
  hard220Gb: 4,
};

/** Whole-process goals of issue 14. */
const GOAL = { cliRatio: 1.2, trivialS: 0.2 };

const KV_FILES = ["c01-ok.txt", "c01-bad.txt", "c10-ok.txt", "c10-bad.txt", "c50-ok.txt", "c50-bad.txt"];

/** What the bench runs; see {@link benchPorcupine}. */
export interface BenchOptions {
  /** Skip the slow parts: the no-partition set and Go's search on the hard histories. */
  quick?: boolean;
  /** Runs per measurement (hard histories: at most 3). Default 5. */
  runs?: number;
}

// ---------------------------------------------------------------------------------------------
// Formatting

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) =>
    r.map((cell, i) => (i > 0 && /^[-\d.≈<>]/.test(cell) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join("  ").trimEnd(),
  );
}

const s3 = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;
const ms1 = (ms: number): string => `${ms.toFixed(1)} ms`;
const ratio = (x: number): string => x.toFixed(2);
const mb = (kb: number, exact = true): string => `${exact ? "" : "<= "}${Math.round(kb / 1024)} MB`;
const load = (): string => loadavg().map((x) => x.toFixed(2)).join(" ");

// ---------------------------------------------------------------------------------------------
// 1. Whole process

function verdictOf(file: string): CheckResult {
  const e = expectedVerdicts().find((v) => path.basename(v.file) === file);
  if (e === undefined) throw new Error(`bench: ${file} is not in expected.json`);
  return e.linearizable ? "ok" : "illegal";
}

/** GNU time, when there is one: it gives the CPU time of the whole process. */
const TIME = ["/usr/bin/time", "/bin/time"].find((t) => existsSync(t));

/** One run of the built CLI: wall ms, and CPU ms (user + system) when {@link TIME} is there. */
interface CliRun {
  wall: number;
  cpu: number | undefined;
}

/** Runs the built CLI once and checks its verdict lines against expected.json. */
function cliOnce(files: string[], dir: string): CliRun {
  const paths = files.map((f) => path.join(PORCUPINE_DATA_DIR, "kv", f));
  const times = path.join(dir, "time.txt");
  const [cmd, args] = TIME ? [TIME, ["-f", "%U %S", "-o", times, process.execPath, BIN, "check", ...paths]] : [process.execPath, [BIN, "check", ...paths]];
  const t0 = performance.now();
  const res = spawnSync(cmd, args, { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  const wall = performance.now() - t0;
  const lines = res.stdout.trim().split("\n");
  files.forEach((f, i) => {
    const want = verdictOf(f);
    if (!lines[i]?.includes(`  ${want}  `)) throw new Error(`bench: the CLI said ${JSON.stringify(lines[i])} for ${f}, expected ${want}\n${res.stderr}`);
  });
  let cpu: number | undefined;
  if (TIME) {
    const [user, sys] = readFileSync(times, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
    cpu = (user! + sys!) * 1000;
  }
  return { wall, cpu };
}

function wholeProcess(runs: number): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), "bench-porcupine-"));
  try {
    cliOnce(["c01-ok.txt"], dir); // warm the file cache
    const measure = (files: string[]): { wall: number; cpu: number | undefined } => {
      const rs = Array.from({ length: runs + 2 }, () => cliOnce(files, dir));
      const cpus = rs.flatMap((r) => (r.cpu === undefined ? [] : [r.cpu]));
      return { wall: median(rs.map((r) => r.wall)), cpu: cpus.length > 0 ? median(cpus) : undefined };
    };
    const six = measure(KV_FILES);
    const trivial = measure(["c01-ok.txt"]);
    const r = six.wall / 1000 / GO.cliSixKvS;
    const cpu = (x: { cpu: number | undefined }): string => (x.cpu === undefined ? "-" : s3(x.cpu));
    return [
      `1. whole process: node ${path.relative(ROOT, BIN)} check FILE..., a fresh process per run (median of ${runs + 2});`,
      `   CPU = user + system time of the process${TIME ? "" : " (no /usr/bin/time here: not measured)"}; Go: wall time, issue 14`,
      ...table([
        ["", "TS wall", "TS CPU", "Go", "TS/Go wall", "TS/Go CPU", "goal"],
        [
          "six kv files (c01, c10, c50; ok and bad)",
          s3(six.wall),
          cpu(six),
          `${GO.cliSixKvS.toFixed(3)} s`,
          ratio(r),
          six.cpu === undefined ? "-" : ratio(six.cpu / 1000 / GO.cliSixKvS),
          `<= ${GOAL.cliRatio} x Go: ${r <= GOAL.cliRatio ? "met" : "not met"} (wall)`,
        ],
        ["one trivial file (c01-ok, 58 ops)", s3(trivial.wall), cpu(trivial), "a few ms", "", "", `< ${GOAL.trivialS} s: ${trivial.wall / 1000 < GOAL.trivialS ? "met" : "not met"} (wall)`],
      ]).map((l) => `   ${l}`),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// 2. In process

interface BenchSet {
  name: string;
  goMs: number;
  model: AnyModel;
  files: { name: string; events: Event<unknown>[]; expected: CheckResult }[];
}

function loadSets(includeNoPartition: boolean): BenchSet[] {
  const etcdFiles = readdirSync(path.join(PORCUPINE_DATA_DIR, "jepsen")).filter((f) => f.endsWith(".log")).sort();
  const etcd: BenchSet = {
    name: "etcd (103 files)",
    goMs: GO.etcdMs,
    model: etcdModel as unknown as AnyModel,
    files: etcdFiles.map((f) => ({
      name: f,
      events: parseJepsenEtcdLog(readDataFile(`jepsen/${f}`), f) as Event<unknown>[],
      // etcd_095.log is empty and untested in Go (not in expected.json): trivially ok.
      expected: f === "etcd_095.log" ? "ok" : verdictOf(f),
    })),
  };
  const kvFile = (f: string) => ({ name: f, events: parseKvLog(readDataFile(`kv/${f}`), f) as Event<unknown>[], expected: verdictOf(f) });
  const sets: BenchSet[] = [etcd, { name: "kv (6 files)", goMs: GO.kvMs, model: kvModel as unknown as AnyModel, files: KV_FILES.map(kvFile) }];
  if (includeNoPartition) {
    sets.push({
      name: "kv no-partition (c01, c10)",
      goMs: GO.kvNoPartitionMs,
      model: kvNoPartitionModel as unknown as AnyModel,
      files: KV_FILES.slice(0, 4).map(kvFile),
    });
  }
  return sets;
}

/** Checks every file of a set once: wall ms and CPU ms (this process's user + system time). */
function runSet(set: BenchSet, options: CheckOptions): { wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (const f of set.files) {
    const r = checkEvents(set.model, f.events, options);
    if (r !== f.expected) throw new Error(`bench: ${f.name} gave ${r}, expected ${f.expected}`);
  }
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

async function inProcess(runs: number, includeNoPartition: boolean): Promise<string[]> {
  const rows: string[][] = [["", "TS pruned wall", "CPU", "TS/Go", "TS Go's search wall", "CPU", "TS/Go", "Go"]];
  for (const set of loadSets(includeNoPartition)) {
    const cells: string[] = [set.name];
    for (const strategy of ["pruned", "wgl"] as const) {
      runSet(set, { strategy }); // warm-up (JIT)
      const rs: { wall: number; cpu: number }[] = [];
      for (let i = 0; i < runs; i++) {
        rs.push(runSet(set, { strategy }));
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const wall = median(rs.map((r) => r.wall));
      cells.push(ms1(wall), ms1(median(rs.map((r) => r.cpu))), ratio(wall / set.goMs));
    }
    cells.push(ms1(set.goMs));
    rows.push(cells);
  }
  return [
    `2. in process: sum over the files of checkEvents, after a warm-up (median of ${runs}); TS/Go on wall time; Go: spec §7.2`,
    ...table(rows).map((l) => `   ${l}`),
  ];
}

// ---------------------------------------------------------------------------------------------
// 3. Hard histories

interface HardCase {
  name: string;
  shape: HardHistoryOptions;
  /** Go's figures for this shape, when known (issue 14). */
  go?: { s: number; gb: number };
}

const HARD: HardCase[] = [
  { name: "22 clients x 10 ops, 1 key", shape: { clients: 22, opsPerClient: 10, keys: 1, seed: 1 }, go: { s: GO.hard220S, gb: GO.hard220Gb } },
  { name: "22 clients x 10 ops, 1 key, stale read", shape: { clients: 22, opsPerClient: 10, keys: 1, seed: 1, violation: "stale-read" } },
  { name: "20 clients x 40 ops, 1 key", shape: { clients: 20, opsPerClient: 40, keys: 1, seed: 4 } },
  { name: "30 clients x 40 ops, 5 keys", shape: { clients: 30, opsPerClient: 40, keys: 5, seed: 2 } },
  { name: "30 clients x 40 ops, 5 keys, stale read", shape: { clients: 30, opsPerClient: 40, keys: 5, seed: 2, violation: "stale-read" } },
  { name: "40 clients x 40 ops, 3 keys, 60% long", shape: { clients: 40, opsPerClient: 40, keys: 3, seed: 3, longShare: 0.6 } },
  { name: "40 clients x 40 ops, 3 keys, 60% long, stale read", shape: { clients: 40, opsPerClient: 40, keys: 3, seed: 3, longShare: 0.6, violation: "stale-read" } },
  { name: "40 clients x 40 ops, 1 key, 80% long", shape: { clients: 40, opsPerClient: 40, keys: 1, seed: 5, longShare: 0.8 } },
];

/** What a child process reports. */
interface ChildResult {
  result: CheckResult;
  ms: number;
  steps: number;
  configurations: number;
  maxRssKb: number;
  /** False when only getrusage's maxRSS was available: an upper bound (it includes the parent's). */
  rssExact: boolean;
  stop?: string;
}

/** The child: plain Node and the built package, nothing else loaded, so that its RSS is the check's. */
const CHILD = `
import { readFileSync } from "node:fs";
import { checkOperationsDetailed } from "porcupine";
import { kvModel } from "porcupine/models";
const { file, options } = JSON.parse(process.env.BENCH_CHILD);
const ops = JSON.parse(readFileSync(file, "utf8"));
const t0 = performance.now();
const r = checkOperationsDetailed(kvModel, ops, options);
const ms = performance.now() - t0;
// Peak RSS: VmHWM of this process image (getrusage's maxRSS would include the parent's, inherited
// through fork and exec).
let maxRssKb = process.resourceUsage().maxRSS;
let rssExact = false;
try {
  const m = /VmHWM:\\s+(\\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  if (m) [maxRssKb, rssExact] = [Number(m[1]), true];
} catch {}
process.stdout.write(JSON.stringify({ result: r.result, ms, steps: r.stats.stepCalls, configurations: r.stats.configurations,
  maxRssKb, rssExact, stop: r.stop?.message }));
`;

function child(file: string, options: CheckOptions): ChildResult {
  const res = spawnSync(process.execPath, ["--input-type=module", "-e", CHILD], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, BENCH_CHILD: JSON.stringify({ file, options }) },
    maxBuffer: 1 << 20,
  });
  if (res.status !== 0) throw new Error(`bench: the child process failed (${res.status ?? res.signal}):\n${res.stderr}`);
  return JSON.parse(res.stdout) as ChildResult;
}

/** Step budget of Go's search (our port, `strategy: "wgl"`) on each hard history. */
const WGL_STEPS = 2_000_000;

function hardHistories(runs: number, quick: boolean): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), "bench-porcupine-"));
  const header = ["history", "ops", "hot-key ops", "verdict", "TS time", "TS peak RSS", "TS steps"];
  if (!quick) header.push(`Go's search, our port (${WGL_STEPS / 1e6} M steps)`);
  header.push("Go time", "Go memory", "Go/TS time", "Go/TS memory");
  const rows: string[][] = [header];
  const notes: string[] = [];
  try {
    for (const c of HARD) {
      const h = generateHardHistory(c.shape);
      const file = path.join(dir, "history.json");
      writeFileSync(file, JSON.stringify(h.operations));
      const expected: CheckResult = h.linearizable ? "ok" : "illegal";
      const results = Array.from({ length: Math.min(runs, 3) }, () => child(file, {}));
      for (const r of results) if (r.result !== expected) throw new Error(`bench: ${c.name} gave ${r.result}, expected ${expected}`);
      const ms = median(results.map((r) => r.ms));
      const rss = Math.max(...results.map((r) => r.maxRssKb));
      const exact = results.every((r) => r.rssExact);
      const hot = h.operations.filter((o) => o.input.key === "0").length;
      const row = [c.name, String(h.operations.length), String(hot), expected, ms1(ms), mb(rss, exact), String(results[0]!.steps)];
      if (!quick) {
        const w = child(file, { strategy: "wgl", maxSteps: WGL_STEPS });
        if (w.result !== "unknown" && w.result !== expected) throw new Error(`bench: Go's search gave ${w.result} on ${c.name}, expected ${expected}`);
        row.push(`${w.result} after ${(w.steps / 1e6).toFixed(1)} M steps, ${s3(w.ms)}, ${mb(w.maxRssKb, w.rssExact)}`);
      }
      row.push(
        c.go ? `${c.go.s} s` : "-",
        c.go ? `${c.go.gb} GB` : "-",
        c.go ? `${Math.round((c.go.s * 1000) / ms)} x` : "-",
        c.go ? `${Math.round((c.go.gb * 2 ** 20) / rss)} x` : "-",
      );
      rows.push(row);
      if (c.go && !quick) {
        const w = child(file, { strategy: "wgl" });
        notes.push(
          `   ${c.name}, Go's search (our port) with no step budget: ${w.result} after ${s3(w.ms)}, ${(w.steps / 1e6).toFixed(1)} M steps, ` +
            `peak RSS ${mb(w.maxRssKb, w.rssExact)}${w.stop ? ` (${w.stop})` : ""}`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return [
    `3. hard histories (src/models/hard-histories.ts), one child process per check (median time of ${Math.min(runs, 3)}, highest peak RSS);`,
    `   Go: issue 14, for the 220-operation single-key shape (Go was not run on the others)`,
    ...table(rows).map((l) => `   ${l}`),
    ...notes,
  ];
}

// ---------------------------------------------------------------------------------------------

/** Runs the benchmark; returns printable lines. */
export async function benchPorcupine(options: BenchOptions = {}): Promise<string[]> {
  const runs = options.runs ?? 5;
  const quick = options.quick ?? false;
  const before = load();
  const lines = [
    `porcupine bench (node ${process.version}; load average ${before} before)`,
    ...wholeProcess(runs),
    "",
    ...(await inProcess(runs, !quick)),
    "",
    ...hardHistories(runs, quick),
    "",
    `load average after: ${load()}`,
  ];
  return lines;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { quick: { type: "boolean" }, runs: { type: "string" }, help: { type: "boolean", short: "h" } } });
  if (values.help) {
    console.log("Usage: npm run bench:porcupine [-- --quick] [--runs n]\n  --quick   skip the no-partition set and Go's search on the hard histories\n  --runs n  runs per measurement (default 5)");
  } else {
    const runs = values.runs === undefined ? 5 : Number(values.runs);
    if (!Number.isInteger(runs) || runs < 1) {
      console.error(`bench:porcupine: --runs must be a positive integer, got ${JSON.stringify(values.runs)}`);
      process.exitCode = 2;
    } else {
      for (const line of await benchPorcupine({ quick: values.quick === true, runs })) console.log(line);
    }
  }
}
