/**
 * Benchmark of the porcupine checker on the shared test histories, against the Go figures of
 * `../shared/spec/porcupine.md` §7.2 (sum of per-file medians on the same kind of 2-vCPU VM).
 *
 * Per set: parse every file once, warm up once, then time the whole set 5 times and report the
 * median total (wall clock and process CPU time; CPU time is steadier on a shared machine).
 * Run: `npx tsx scripts/bench-porcupine.ts` (add `--quick` to skip the slow no-partition set).
 */

import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { checkEvents, type CheckResult, type Event, type Model } from "porcupine";
import { etcdModel } from "../src/models/etcd.js";
import { parseJepsenEtcdLog, parseKvLog } from "../src/models/history-files.js";
import { kvModel, kvNoPartitionModel } from "../src/models/kv.js";
import { PORCUPINE_DATA_DIR, readDataFile } from "../src/models/test-data.js";

type AnyModel = Model<unknown, unknown, unknown>;

interface BenchSet {
  name: string;
  /** Go's sum of per-file medians at GOMAXPROCS=2, in ms (spec §7.2). */
  goMs: number;
  model: AnyModel;
  files: { name: string; events: Event<unknown>[]; expected: CheckResult }[];
}

const RUNS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function loadSets(includeNoPartition: boolean): BenchSet[] {
  const etcdFiles = readdirSync(path.join(PORCUPINE_DATA_DIR, "jepsen")).filter((f) => f.endsWith(".log")).sort();
  const linearizableEtcd = new Set([2, 5, 7, 18, 25, 31, 38, 45, 48, 49, 51, 53, 56, 67, 75, 76, 80, 87, 92, 95, 98, 100, 101, 102]);
  const etcd: BenchSet = {
    name: "etcd (103 files, etcdModel)",
    goMs: 623.6,
    model: etcdModel as unknown as AnyModel,
    files: etcdFiles.map((f) => ({
      name: f,
      events: parseJepsenEtcdLog(readDataFile(`jepsen/${f}`), f) as Event<unknown>[],
      expected: linearizableEtcd.has(Number(/\d+/.exec(f)![0])) ? "ok" : "illegal",
    })),
  };
  const kvFile = (f: string) => ({
    name: f,
    events: parseKvLog(readDataFile(`kv/${f}`), f) as Event<unknown>[],
    expected: (f.includes("-ok") ? "ok" : "illegal") as CheckResult,
  });
  const kv: BenchSet = {
    name: "kv (6 files, kvModel)",
    goMs: 217.7,
    model: kvModel as unknown as AnyModel,
    files: ["c01-ok.txt", "c01-bad.txt", "c10-ok.txt", "c10-bad.txt", "c50-ok.txt", "c50-bad.txt"].map(kvFile),
  };
  const sets = [etcd, kv];
  if (includeNoPartition) {
    sets.push({
      name: "kv no-partition (c01, c10)",
      goMs: 5156,
      model: kvNoPartitionModel as unknown as AnyModel,
      files: ["c01-ok.txt", "c01-bad.txt", "c10-ok.txt", "c10-bad.txt"].map(kvFile),
    });
  }
  return sets;
}

function runSet(set: BenchSet): { wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (const f of set.files) {
    const r = checkEvents(set.model, f.events);
    if (r !== f.expected) throw new Error(`bench: ${f.name} gave ${r}, expected ${f.expected}`);
  }
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

/** Runs the benchmark; returns printable lines. */
export async function benchPorcupine(options: { includeNoPartition?: boolean } = {}): Promise<string[]> {
  const lines: string[] = [
    `porcupine bench: median of ${RUNS} runs after 1 warm-up; Go = sum of per-file medians, GOMAXPROCS=2 (spec §7.2)`,
  ];
  for (const set of loadSets(options.includeNoPartition ?? true)) {
    runSet(set); // warm-up (JIT)
    const walls: number[] = [];
    const cpus: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const { wall, cpu } = runSet(set);
      walls.push(wall);
      cpus.push(cpu);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const wall = median(walls);
    const cpu = median(cpus);
    lines.push(
      `${set.name.padEnd(30)} TS ${wall.toFixed(1).padStart(8)} ms wall (cpu ${cpu.toFixed(1)} ms, runs ${walls
        .map((w) => w.toFixed(0))
        .join("/")})   Go ${set.goMs.toFixed(1).padStart(7)} ms   TS/Go ${(wall / set.goMs).toFixed(2)}`,
    );
  }
  return lines;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const line of await benchPorcupine({ includeNoPartition: !process.argv.includes("--quick") })) console.log(line);
}
