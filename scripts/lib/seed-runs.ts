/**
 * Running simulated tests over many seeds in parallel vitest workers, and reporting on the runs:
 * what `npm run stress` (and any runner of the same shape) is made of.
 *
 * Each worker is one `vitest run -t <pattern>` with `STRESS_SEEDS=<its seeds>`, so each matching
 * `simTest` loops over those seeds inside a single process (no per-run vitest start-up), appending
 * one JSON line per run to `STRESS_OUT` (see `StressRecord` in `src/harness/stress-record.ts`). The
 * runner tails those files. The steps, in order: {@link spawnWorkers}, {@link watchWorkers},
 * {@link diagnoseWorkers}, {@link printReport}.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomInt } from "node:crypto";
import { closeSync, createWriteStream, openSync, readSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import cliProgress from "cli-progress";
import type pc from "picocolors";
import type { StressRecord } from "../../src/harness/index.js";
import { onInterrupt } from "./interrupt.js";
import { sortRecords } from "./shards.js";

/** Colour functions (picocolors, possibly disabled). */
export type Colors = ReturnType<typeof pc.createColors>;

/** Failing runs listed on screen; all of them go to `<output>/failures.txt`. */
const MAX_FAILURES_SHOWN = 20;

/** `runs` distinct seeds: `base, base+1, ...` if a base is given, else fresh random 31-bit ones. */
export function pickSeeds(runs: number, base: number | undefined): number[] {
  if (base !== undefined) return Array.from({ length: runs }, (_, i) => base + i);
  const seeds = new Set<number>();
  while (seeds.size < runs) seeds.add(randomInt(1, 2 ** 31 - 1));
  return [...seeds];
}

/** Deals `seeds` round-robin to at most `workers` non-empty groups. */
export function splitSeeds(seeds: readonly number[], workers: number): number[][] {
  const groups: number[][] = Array.from({ length: Math.min(workers, seeds.length) }, () => []);
  seeds.forEach((s, i) => groups[i % groups.length]!.push(s));
  return groups;
}

/** One row of the summary table. */
export interface TestSummary {
  readonly test: string;
  readonly file: string;
  readonly runs: number;
  readonly failures: number;
  /** Virtual seconds per run: mean and (sample) standard deviation, over runs that report it. */
  readonly virtualMeanS: number;
  readonly virtualStdS: number;
  readonly wallMeanMs: number;
}

/** Groups run records by test, in order of first appearance. */
export function summarize(records: readonly StressRecord[]): TestSummary[] {
  const byTest = new Map<string, StressRecord[]>();
  for (const r of records) {
    const key = `${r.file}\u0000${r.fullName}`;
    let list = byTest.get(key);
    if (list === undefined) byTest.set(key, (list = []));
    list.push(r);
  }
  return [...byTest.values()].map((list) => {
    const first = list[0]!;
    const virtual = list.flatMap((r) => (r.virtualMs === undefined ? [] : [r.virtualMs / 1000]));
    const { mean, std } = meanStd(virtual);
    return {
      test: first.test,
      file: first.file,
      runs: list.length,
      failures: list.filter((r) => !r.ok).length,
      virtualMeanS: mean,
      virtualStdS: std,
      wallMeanMs: meanStd(list.map((r) => r.wallMs)).mean,
    };
  });
}

/**
 * One line per distinct note of the runs (`TestInfo.note`): how many runs made it, of which tests,
 * e.g. `  3 runs: linearizability check timed out, assuming history is ok (TestFoo4A: 2, TestBar4B: 1)`.
 */
export function formatNotes(records: readonly StressRecord[]): string[] {
  const byNote = new Map<string, Map<string, number>>();
  for (const r of records) {
    for (const note of new Set(r.notes ?? [])) {
      let tests = byNote.get(note);
      if (tests === undefined) byNote.set(note, (tests = new Map()));
      tests.set(r.test, (tests.get(r.test) ?? 0) + 1);
    }
  }
  return [...byNote].map(([note, tests]) => {
    const runs = [...tests.values()].reduce((a, b) => a + b, 0);
    const which = [...tests].map(([test, n]) => `${test}: ${n}`).join(", ");
    return `  ${runs} run${runs === 1 ? "" : "s"}: ${note} (${which})`;
  });
}

function meanStd(xs: readonly number[]): { mean: number; std: number } {
  if (xs.length === 0) return { mean: NaN, std: NaN };
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.length < 2 ? 0 : xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1);
  return { mean, std: Math.sqrt(variance) };
}


/** Formats the summary table (columns aligned on the uncoloured text). */
export function formatTable(rows: readonly TestSummary[], c: Colors): string {
  const header = ["Test", "Runs", "Failed", "Virtual s (mean ± std)", "Wall ms (mean)"];
  const cells = rows.map((r) => [
    r.test,
    String(r.runs),
    String(r.failures),
    Number.isNaN(r.virtualMeanS) ? "-" : `${r.virtualMeanS.toFixed(2)} ± ${r.virtualStdS.toFixed(2)}`,
    r.wallMeanMs.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)));
  const line = (row: readonly string[]): string =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ");
  const out = [c.bold(line(header)), c.dim(widths.map((w) => "─".repeat(w)).join("  "))];
  rows.forEach((r, i) => {
    const text = line(cells[i]!);
    out.push(r.failures > 0 ? c.red(text) : c.green(text));
  });
  return out.join("\n");
}

/** A vitest worker process and what it has reported so far. */
export interface Worker {
  readonly index: number;
  readonly seeds: readonly number[];
  readonly outFile: string;
  readonly logFile: string;
  /** The current vitest process (a new one after a hung run stopped the previous one). */
  child: ChildProcess;
  /** Runs the watchdog stopped as hung (each ends its process). */
  hung: number;
  /** Starts the worker again, to go on after a hung run: the runs it has a record of are skipped. */
  readonly relaunch: () => void;
  /** Bytes of `outFile` consumed, and an incomplete last line. */
  offset: number;
  partial: string;
  records: number;
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** Why the process could not be started, if it could not. */
  spawnError: string | undefined;
}

/** Reads the complete JSON lines appended to a worker's STRESS_OUT file since the last call. */
export function drain(w: Worker): StressRecord[] {
  let fd: number;
  try {
    fd = openSync(w.outFile, "r");
  } catch {
    return []; // not created yet
  }
  const chunks: Buffer[] = [];
  try {
    const buf = Buffer.alloc(64 * 1024);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, w.offset);
      if (n === 0) break;
      chunks.push(Buffer.from(buf.subarray(0, n)));
      w.offset += n;
    }
  } finally {
    closeSync(fd);
  }
  const text = w.partial + Buffer.concat(chunks).toString("utf8");
  const lines = text.split("\n");
  w.partial = lines.pop() ?? "";
  const out: StressRecord[] = [];
  for (const l of lines) {
    if (l.trim() === "") continue;
    const r = JSON.parse(l) as StressRecord;
    if (r.hung === true) w.hung++;
    out.push(r);
  }
  w.records += out.length;
  return out;
}

/** What to run: a test name pattern over some seeds, in some test files. */
export interface RunPlan {
  /** Matched like vitest's `-t`. */
  readonly pattern: string;
  /** One group of seeds per worker. */
  readonly groups: readonly (readonly number[])[];
  /** Test files or folders (empty: all of the lab project). */
  readonly paths: readonly string[];
  /** The output folder: worker files and `logs/`. */
  readonly outDir: string;
  /** Extra environment variables for the workers (e.g. an exploration mode). */
  readonly env?: Readonly<Record<string, string>>;
  /** The tree to run the tests of (its `node_modules/.bin/vitest`, in it); default the working directory. */
  readonly cwd?: string;
}

/** Starts one vitest process per seed group; each writes its records to `worker-<i>.jsonl`. */
export function spawnWorkers(plan: RunPlan): Worker[] {
  return plan.groups.map((group, index) => {
    const outFile = join(plan.outDir, `worker-${index}.jsonl`);
    const logFile = join(plan.outDir, `worker-${index}.out`);
    // Seeds go through a file: thousands of them would not fit in one environment variable.
    const seedFile = join(plan.outDir, `worker-${index}.seeds`);
    writeFileSync(seedFile, group.join("\n") + "\n");
    writeFileSync(outFile, "");
    const log = createWriteStream(logFile);
    const w: Worker = {
      index,
      seeds: group,
      outFile,
      logFile,
      child: launch(plan, seedFile, outFile, log),
      offset: 0,
      partial: "",
      records: 0,
      exit: undefined,
      spawnError: undefined,
      hung: 0,
      relaunch: () => {
        w.child = launch(plan, seedFile, outFile, log);
        w.exit = undefined;
      },
    };
    return w;
  });
}

/** One `vitest run` over a seed file; its output goes to `log`. */
function launch(plan: RunPlan, seedFile: string, outFile: string, log: NodeJS.WritableStream): ChildProcess {
  const cwd = plan.cwd ?? process.cwd();
  const vitest = resolve(cwd, "node_modules/.bin/vitest");
  const args = [
    "run",
    "--project",
    "lab",
    "--reporter=dot",
    "-t",
    plan.pattern,
    "--maxWorkers",
    "1",
    // Each test loops over all of this worker's seeds; every run is bounded by the simulator's
    // own budgets and its watchdog, so vitest's per-test timeout must not cut the loop short.
    "--testTimeout",
    "0",
    ...plan.paths,
  ];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...plan.env,
    STRESS_SEEDS: `@${seedFile}`,
    STRESS_OUT: outFile,
    LOG_DIR: join(plan.outDir, "logs"),
    // Colours would only clutter the worker output files.
    NO_COLOR: "1",
    FORCE_COLOR: "0",
  };
  const child = spawn(vitest, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  return child;
}

/** What the workers reported, once they have all exited. */
export interface WatchResult {
  readonly records: StressRecord[];
  /** The distinct tests that reported (file and full name). */
  readonly tests: ReadonlySet<string>;
  /** Why the runner stopped the workers early, if it did. */
  readonly stopping: "bail" | "interrupt" | undefined;
  /** Wall ms from the start of watching. */
  readonly wallMs: number;
}

/**
 * Follows the workers until they exit: collects their records, shows progress (a bar on a
 * terminal, a line every 5 s otherwise), prints each failure as it comes, stops them all on the
 * first failure with `bail` or on Ctrl+C.
 */
export async function watchWorkers(
  workers: readonly Worker[],
  options: { runs: number; bail: boolean; c: Colors; /** How many tests the runner expects to match (for the progress total from the start). */ expectedTests?: number },
): Promise<WatchResult> {
  const { c } = options;
  const records: StressRecord[] = [];
  const tests = new Set<string>();
  let failed = 0;
  let stopping: "bail" | "interrupt" | undefined;
  const exited = workers.map(
    (w) =>
      new Promise<void>((done) => {
        const follow = (): void => {
          const child = w.child;
          const hungBefore = w.hung;
          child.on("error", (e) => {
            w.exit ??= { code: -1, signal: null };
            w.spawnError = e.message;
            done();
          });
          // "exit", not "close": a leftover vitest fork could hold the pipes open after vitest died.
          child.on("exit", (code, signal) => {
            w.exit ??= { code, signal };
            killGroup(child); // reap anything left in the worker's process group
            poll();
            if (w.hung > hungBefore && stopping === undefined) {
              // The watchdog stopped a hung run with its process: go on with the runs after it.
              w.relaunch();
              follow();
              return;
            }
            done();
          });
        };
        follow();
      }),
  );
  const stopAll = (why: "bail" | "interrupt"): void => {
    if (stopping !== undefined) return;
    stopping = why;
    for (const w of workers) {
      if (w.exit !== undefined) continue;
      killGroup(w.child);
      // A process stuck in a loop that never yields may not die of SIGTERM.
      setTimeout(() => killGroup(w.child, "SIGKILL"), KILL_GRACE_MS).unref();
    }
  };
  const offInterrupt = onInterrupt(() => stopAll("interrupt"));

  const bars =
    process.stdout.isTTY === true
      ? new cliProgress.MultiBar(
          {
            format: `{bar} {value}/{total} runs | {failedText} | {tests} tests | {duration_formatted}`,
            barsize: 30,
            hideCursor: true,
            clearOnComplete: true,
            stopOnComplete: false,
          },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  const expected = options.runs * Math.max(1, options.expectedTests ?? 1);
  const bar = bars?.create(expected, 0, { failedText: c.green("0 failed"), tests: 0 });
  const started = Date.now();
  let lastPlain = started;
  const say = (text: string): void => {
    if (bars !== undefined) bars.log(text + "\n");
    else console.log(text);
  };

  const poll = (): void => {
    for (const w of workers) {
      for (const r of drain(w)) {
        records.push(r);
        tests.add(`${r.file}\u0000${r.fullName}`);
        if (!r.ok) {
          failed++;
          say(`${c.red("FAIL")} ${r.test} seed ${r.seed}: ${firstLine(r.error ?? "")}`);
          if (options.bail) stopAll("bail");
        }
      }
    }
    // The expected total from the start; more only if more tests matched than the runner could tell.
    const total = Math.max(expected, records.length, options.runs * Math.max(1, tests.size));
    const failedText = failed > 0 ? c.red(`${failed} failed`) : c.green("0 failed");
    if (bar !== undefined) {
      bar.setTotal(total);
      bar.update(records.length, { failedText, tests: tests.size });
    } else if (Date.now() - lastPlain >= 5000) {
      lastPlain = Date.now();
      console.log(`Done ${records.length}/${total}; ${records.length - failed} ok, ${failed} failed`);
    }
  };

  const timer = setInterval(poll, 200);
  try {
    await Promise.all(exited);
  } finally {
    clearInterval(timer);
    offInterrupt();
  }
  poll();
  bars?.stop();
  return { records, tests, stopping, wallMs: Date.now() - started };
}

/**
 * Problems with the workers themselves: a worker that could not start, died, or ended without
 * reporting all its runs (unless the runner stopped it), or failed though all its runs passed.
 */
export function diagnoseWorkers(workers: readonly Worker[], watched: WatchResult): string[] {
  const { records, tests, stopping } = watched;
  const problems: string[] = [];
  for (const w of workers) {
    const exit = w.exit ?? { code: null, signal: null };
    const expected = tests.size * w.seeds.length;
    const missing = expected - w.records;
    const workerFailures = records.filter((r) => !r.ok && w.seeds.includes(r.seed)).length;
    const how = exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    const where = shortPath(w.logFile);
    if (stopping !== undefined && exit.code !== 0) continue;
    if (w.spawnError !== undefined) {
      problems.push(`worker ${w.index} could not start: ${w.spawnError}`);
    } else if (exit.signal !== null || (exit.code !== 0 && exit.code !== 1) || missing > 0) {
      problems.push(`worker ${w.index} ${how} after ${w.records} of ${expected} runs; output: ${where}\n${tail(w.logFile)}`);
    } else if (exit.code === 1 && workerFailures === 0 && w.records > 0) {
      problems.push(
        `worker ${w.index} exited with code 1 though all its runs passed (a matching non-simulated test ` +
          `failed, or a test file failed to load); output: ${where}\n${tail(w.logFile)}`,
      );
    }
  }
  return problems;
}

/** How failures are described and grouped in the report. */
export interface ReportOptions {
  readonly pattern: string;
  readonly paths: readonly string[];
  readonly outDir: string;
  readonly c: Colors;
  /** Extra sections printed after the table (e.g. failures grouped by what broke). */
  readonly sections?: (records: readonly StressRecord[]) => string[];
}

/** Prints the table, the notes, the failures and the closing line; returns the exit code. */
export function printReport(watched: WatchResult, problems: readonly string[], options: ReportOptions): number {
  const { stopping } = watched;
  // A canonical order (not the workers' finishing order): the same runs give the same report,
  // whether run at once or in shards (npm run merge-shards).
  const records = sortRecords(watched.records);
  const { c, outDir } = options;
  const logDir = join(outDir, "logs");
  console.log();
  const secs = (watched.wallMs / 1000).toFixed(1);
  if (records.length === 0 && stopping === "interrupt") {
    console.log(c.yellow(`interrupted before any run finished (after ${secs}s); every worker was stopped.`));
    return 130;
  }
  if (records.length === 0) {
    console.log(
      c.red(`error: no simulated test matched "${options.pattern}"`) +
        (options.paths.length > 0 ? c.red(` in ${options.paths.join(" ")}`) : "") +
        `. The pattern is matched like vitest's -t against "describe names + test name"; only tests declared with simTest() can be stressed.`,
    );
    for (const p of problems) console.log(c.red(p));
    return 1;
  }

  console.log(formatTable(summarize(records), c));
  console.log();
  const notes = formatNotes(records);
  if (notes.length > 0) console.log([c.bold("Notes (runs that passed or failed with these remarks):"), ...notes, ""].join("\n"));
  for (const line of options.sections?.(records) ?? []) console.log(line);
  const failures = records.filter((r) => !r.ok);
  if (failures.length > 0) {
    const describe = (r: StressRecord): string[] => [
      `  ${r.test} seed ${r.seed}: ${firstLine(r.error ?? "")}`,
      `    replay: ${r.replay ?? ""}`,
      ...(r.log !== undefined ? [`    log:    ${shortPath(r.log)}`] : []),
    ];
    const listFile = join(outDir, "failures.txt");
    writeFileSync(listFile, failures.flatMap(describe).join("\n") + "\n");
    console.log(c.bold(c.red(`Failed runs (${failures.length}):`)));
    for (const r of failures.slice(0, MAX_FAILURES_SHOWN)) console.log(describe(r).join("\n"));
    if (failures.length > MAX_FAILURES_SHOWN) {
      console.log(`  ... and ${failures.length - MAX_FAILURES_SHOWN} more: see ${shortPath(listFile)}`);
    }
    console.log();
  }
  for (const p of problems) console.log(c.red(`error: ${p}`));
  if (stopping === "bail") console.log(c.yellow(`stopped at the first failure (--bail); ${records.length} runs finished.`));
  if (stopping === "interrupt") console.log(c.yellow(`interrupted; ${records.length} runs finished.`));
  const ok = failures.length === 0 && problems.length === 0 && stopping === undefined;
  console.log(
    (ok ? c.green : c.red)(
      `${records.length - failures.length} passed, ${failures.length} failed` +
        (problems.length > 0 ? `, ${problems.length} worker problem${problems.length === 1 ? "" : "s"}` : ""),
    ) +
      c.dim(` in ${secs}s; output in ${shortPath(outDir)}` + (failures.length > 0 ? `, logs of failed runs in ${shortPath(logDir)}` : "")),
  );
  if (stopping === "interrupt") return 130;
  return ok ? 0 : 1;
}

/** After SIGTERM, how long a worker gets before SIGKILL (a busy loop may not die of SIGTERM). */
export const KILL_GRACE_MS = 3_000;

/** Sends `signal` (default SIGTERM) to a worker's process group (vitest and its fork; spawned detached for this). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** `path` relative to the working directory when it is inside it, else absolute. */
export function shortPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === "" ? "." : rel.startsWith("..") ? path : rel;
}

function firstLine(text: string): string {
  return text.split("\n", 1)[0] ?? "";
}

/** The last non-blank lines of a worker's output file, indented, for crash reports ("" if unreadable). */
export function tail(file: string, lines = 15): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return "";
  }
  return text
    .trimEnd()
    .split("\n")
    .filter((l) => l.trim() !== "")
    .slice(-lines)
    .map((l) => `    | ${l}`)
    .join("\n");
}
