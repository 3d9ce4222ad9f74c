import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

/** Runs one test of the hang fixture in a child vitest, with a 2 s real-time budget. */
function runHang(test: string): { code: number | null; signal: string | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), "raftlab-hang-"));
  const config = join(dir, "vitest.fixture.config.mjs");
  writeFileSync(config, `export default { test: { root: ${JSON.stringify(ROOT)}, include: ["src/harness/fixtures/hang.fixture.ts"], pool: "forks" } };\n`);
  const r = spawnSync("npx", ["vitest", "run", "--config", config, "--root", ROOT, "-t", `^${test}$`], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, LOG_DIR: join(dir, "logs"), NO_COLOR: "1", SIM_REAL_BUDGET_MS: "2000", SEED: "77" },
    // Far beyond the 2 s budget and the watchdog's grace: reaching it means the run hung for good.
    timeout: 90_000,
    killSignal: "SIGKILL",
  });
  return { code: r.status, signal: r.signal, out: `${r.stdout}\n${r.stderr}` };
}

describe("the watchdog stops a run whose code never yields", () => {
  it("a synchronous loop: names test, seed, virtual time and the loop's TypeScript line", () => {
    const { code, signal, out } = runHang("TestSpinsForever");
    expect(signal, out).toBeNull(); // ended by itself, not by the timeout above
    expect(code, out).not.toBe(0);
    expect(out).toContain("hung: TestSpinsForever: the run passed its wall-clock limit of 7 s");
    expect(out).toContain("[seed 77, virtual time 0.300s]");
    expect(out).toMatch(/at spinUntilElected \(.*src\/harness\/fixtures\/hang\.fixture\.ts:10:\d+\)/);
    expect(out).toContain("replay: SEED=77 npx vitest run src/harness/fixtures/hang.fixture.ts -t '^TestSpinsForever$'");
    expect(out).toContain("limit:  7 s of wall time per run (SIM_REAL_BUDGET_MS=2000)");
  }, 120_000);

  it("a promise loop that never waits on virtual time: the stack is the loop's, not Node's", () => {
    const { signal, out } = runHang("TestAwaitsOnlySettledPromises");
    expect(signal, out).toBeNull();
    expect(out).toContain("hung: TestAwaitsOnlySettledPromises");
    expect(out).toContain("[seed 77, virtual time 0.100s]");
    expect(out).toMatch(/at .*src\/harness\/fixtures\/hang\.fixture\.ts:27:\d+\)/);
    expect(out).not.toMatch(/at .*\(node:internal/);
  }, 120_000);
});
