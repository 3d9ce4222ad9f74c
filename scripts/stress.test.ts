import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pc from "picocolors";
import { describe, expect, it } from "vitest";
import type { StressRecord } from "../src/harness/index.js";
import { formatNotes, formatTable, parseCli, pickSeeds, splitSeeds, summarize, UsageError } from "./stress.js";

/** Runs `npm run stress -- ...args` (through tsx directly) and returns its exit code and output. */
function runStress(args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    execFile(
      resolve("node_modules/.bin/tsx"),
      ["scripts/stress.ts", ...args],
      { env: { ...process.env, ...env, NO_COLOR: "1" }, timeout: 120_000, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        done({ code, out: stdout + stderr });
      },
    );
  });
}

const SIM_TESTS = "src/harness/sim-test.test.ts";

describe("stress runner (end to end)", () => {
  it("runs a pattern with -n 4 over 2 workers, prints the table and exits 0", async () => {
    const dir = mkdtempSync(join(tmpdir(), "stress-ok-"));
    const { code, out } = await runStress(["SimPingPong|SimSleepersFinish", "-n", "4", "-o", dir, "--", SIM_TESTS]);
    expect(out).toContain("4 seeds per test (random), 2 workers");
    expect(out).toMatch(/Test\s+Runs\s+Failed\s+Virtual s \(mean ± std\)\s+Wall ms \(mean\)/);
    expect(out).toMatch(/SimPingPong\s+4\s+0\s+0\.\d\d ± 0\.\d\d\s+\d+\.\d/);
    expect(out).toMatch(/SimSleepersFinish\s+4\s+0\s+1\.00 ± 0\.00\s+\d+\.\d/);
    expect(out).toContain("8 passed, 0 failed");
    expect(code).toBe(0);
    // Each worker got two distinct seeds and ran both tests with each.
    const records = ["worker-0.jsonl", "worker-1.jsonl"].flatMap((f) =>
      readFileSync(join(dir, f), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as StressRecord),
    );
    expect(records).toHaveLength(8);
    expect(new Set(records.map((r) => r.seed)).size).toBe(4);
    expect(readdirSync(join(dir, "logs"))).toEqual([]);
  });

  it("reports failing seeds with replay commands and logs, and exits non-zero", async () => {
    const dir = mkdtempSync(join(tmpdir(), "stress-fail-"));
    const { code, out } = await runStress(
      ["SimStressFixture", "-n", "4", "--seed", "100", "-o", dir, "--", SIM_TESTS],
      { STRESS_FIXTURE_FAIL: "1" },
    );
    expect(out).toContain("4 seeds per test (100..103)");
    expect(out).toMatch(/SimStressFixture\s+4\s+2\s/);
    expect(out).toContain("Failed runs (2):");
    for (const seed of [101, 103]) {
      expect(out).toContain(`SimStressFixture seed ${seed}: fixture failure for odd seed ${seed}`);
      expect(out).toContain(`replay: SEED=${seed} npx vitest run ${SIM_TESTS} -t '^simTest SimStressFixture$'`);
      expect(out).toContain(join(dir, "logs", `SimStressFixture-seed${seed}`, "run.log"));
      expect(readFileSync(join(dir, "logs", `SimStressFixture-seed${seed}`, "run.log"), "utf8")).toContain(
        `TEST tester fixture seed ${seed}`,
      );
    }
    expect(out).not.toContain("seed 100:");
    expect(readdirSync(join(dir, "logs")).sort()).toEqual(["SimStressFixture-seed101", "SimStressFixture-seed103"]);
    expect(out).toContain("2 passed, 2 failed");
    expect(code).toBe(1);
  });

  it("a run that never yields: the watchdog stops it, the runner names it and goes on with the other seeds", async () => {
    const dir = mkdtempSync(join(tmpdir(), "stress-hang-"));
    const { code, out } = await runStress(["SimStressFixture", "-n", "4", "--seed", "1", "-p", "1", "-o", dir, "--", SIM_TESTS], {
      STRESS_FIXTURE_HANG: "2",
      SIM_REAL_BUDGET_MS: "2000",
    });
    expect(out).toContain("SimStressFixture seed 2: hung: SimStressFixture: the run passed its wall-clock limit of 7 s");
    expect(out).toContain("3 passed, 1 failed");
    expect(code).toBe(1);
  }, 120_000);

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`${signal} mid-run (a worker stuck in a loop): says it was interrupted and leaves no process behind`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "stress-signal-"));
      const child = spawn(resolve("node_modules/.bin/tsx"), ["scripts/stress.ts", "SimStressFixture", "-n", "2", "--seed", "1", "-p", "1", "-o", dir, "--", SIM_TESTS], {
        env: { ...process.env, NO_COLOR: "1", STRESS_FIXTURE_HANG: "1", SIM_REAL_BUDGET_MS: "60000" },
      });
      let out = "";
      child.stdout.on("data", (b: Buffer) => (out += b.toString()));
      child.stderr.on("data", (b: Buffer) => (out += b.toString()));
      const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
      // Wait until the worker's test process runs (it then spins on seed 1 for good).
      const workerEnv = `STRESS_OUT=${join(dir, "worker-0.jsonl")}`;
      for (let i = 0; i < 600 && processesUsing(workerEnv).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 3000));
      expect(processesUsing(workerEnv).length, out).toBeGreaterThanOrEqual(2); // vitest and its test process
      child.kill(signal);
      const code = await exited;
      expect(out).toContain("interrupted before any run finished");
      expect(out).not.toContain("no simulated test matched");
      expect(code).toBe(130);
      // Stopped processes may take a moment to be reaped.
      for (let i = 0; i < 50 && processesUsing(dir).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(processesUsing(dir)).toEqual([]);
    }, 120_000);
  }

  it("exits non-zero when the pattern matches no simulated test", async () => {
    const dir = mkdtempSync(join(tmpdir(), "stress-none-"));
    const { code, out } = await runStress(["NoTestIsCalledThis", "-n", "2", "-o", dir, "--", SIM_TESTS]);
    expect(out).toContain('error: no simulated test matched "NoTestIsCalledThis"');
    expect(code).toBe(1);
  });

  it("prints usage for --help and rejects bad arguments with exit code 2", async () => {
    const help = await runStress(["--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toContain("Usage: npm run stress -- <pattern>");
    const bad = await runStress(["x", "-n", "zero"]);
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('error: --runs must be an integer, got "zero"');
  });
});

describe("stress runner (pieces)", () => {
  it("parses the pattern, options and path filters", () => {
    expect(parseCli(["3A", "-n", "50", "-p", "3", "--seed", "7", "--bail", "--", "src/raft", "src/kvraft"])).toEqual({
      pattern: "3A",
      runs: 50,
      workers: 3,
      seed: 7,
      bail: true,
      output: undefined,
      paths: ["src/raft", "src/kvraft"],
    });
    expect(parseCli(["TestBasic"])).toMatchObject({ runs: 10, workers: 2, seed: undefined, bail: false, paths: [] });
    expect(parseCli(["-h"])).toBeUndefined();
    expect(() => parseCli([])).toThrow(UsageError);
    expect(() => parseCli(["a", "b"])).toThrow("expected one pattern, got: a b");
    expect(() => parseCli(["x", "-n", "0"])).toThrow("--runs must be at least 1");
    expect(() => parseCli(["x", "-p", "1.5"])).toThrow("--workers must be an integer");
    expect(() => parseCli(["(unclosed"])).toThrow("not a valid regular expression");
    expect(() => parseCli(["x", "--nope"])).toThrow(/Unknown option '--nope'/);
  });

  it("picks distinct seeds, consecutive from a base", () => {
    expect(pickSeeds(4, 10)).toEqual([10, 11, 12, 13]);
    const random = pickSeeds(500, undefined);
    expect(new Set(random).size).toBe(500);
    expect(random.every((s) => Number.isSafeInteger(s) && s > 0)).toBe(true);
  });

  it("splits seeds over workers without empty groups", () => {
    expect(splitSeeds([1, 2, 3, 4, 5], 2)).toEqual([
      [1, 3, 5],
      [2, 4],
    ]);
    expect(splitSeeds([1], 4)).toEqual([[1]]);
  });

  it("summarizes runs per test with mean ± std", () => {
    const rec = (test: string, seed: number, ok: boolean, virtualMs: number | undefined, wallMs: number): StressRecord => ({
      test,
      fullName: `suite ${test}`,
      file: "a.test.ts",
      seed,
      ok,
      virtualMs,
      wallMs,
    });
    const rows = summarize([rec("A", 1, true, 1000, 10), rec("B", 1, false, undefined, 5), rec("A", 2, false, 3000, 30)]);
    expect(rows).toEqual([
      { test: "A", file: "a.test.ts", runs: 2, failures: 1, virtualMeanS: 2, virtualStdS: Math.SQRT2, wallMeanMs: 20 },
      { test: "B", file: "a.test.ts", runs: 1, failures: 1, virtualMeanS: NaN, virtualStdS: NaN, wallMeanMs: 5 },
    ]);
    const table = formatTable(rows, pc.createColors(false)).split("\n");
    expect(table[0]).toBe("Test  Runs  Failed  Virtual s (mean ± std)  Wall ms (mean)");
    expect(table[2]).toBe("A        2       1             2.00 ± 1.41            20.0");
    expect(table[3]).toBe("B        1       1                       -             5.0");
  });

  it("counts the runs that made each note, per test", () => {
    const rec = (test: string, seed: number, notes?: string[]): StressRecord => ({
      test,
      fullName: test,
      file: "a.test.ts",
      seed,
      ok: true,
      wallMs: 1,
      ...(notes === undefined ? {} : { notes }),
    });
    const gaveUp = "linearizability check timed out, assuming history is ok";
    expect(formatNotes([rec("A", 1, [gaveUp, gaveUp]), rec("A", 2), rec("B", 1, [gaveUp]), rec("A", 3, [gaveUp])])).toEqual([
      `  3 runs: ${gaveUp} (A: 2, B: 1)`,
    ]);
    expect(formatNotes([rec("A", 1)])).toEqual([]);
  });
});

/** Live processes whose command line or environment mentions `text` (Linux /proc). */
function processesUsing(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (/^\d+ \(.*\) Z/.test(stat)) continue; // a zombie is dead, only not yet reaped
      const seen = readFileSync(`/proc/${entry}/environ`, "utf8") + readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (seen.includes(text)) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}
