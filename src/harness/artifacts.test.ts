import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseLog } from "../debug/log-reader.js";
import { dlog } from "../runtime/index.js";
import { runSim, type RunLog } from "../sim/index.js";

const ROOT = resolve(import.meta.dirname, "../..");

/** Runs the fixture file in a child vitest with `env`; returns its exit code and output. */
function runFixture(env: Record<string, string>): { code: number | null; out: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "raftlab-simtest-"));
  // Own config: the repository's projects do not include fixtures.
  const config = join(dir, "vitest.fixture.config.mjs");
  writeFileSync(config, `export default { test: { root: ${JSON.stringify(ROOT)}, include: ["src/harness/fixtures/sim-test-files.fixture.ts"], pool: "forks" } };\n`);
  const r = spawnSync("npx", ["vitest", "run", "--config", config, "--root", ROOT], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, LOG_DIR: join(dir, "logs"), NO_COLOR: "1", ...env },
    timeout: 120_000,
  });
  return { code: r.status, out: `${r.stdout}\n${r.stderr}`, dir };
}

describe("simTest log files, end to end (child vitest)", () => {
  it("writes the log of a failing test only, in the run's folder, names it in the failure, and it reads back", () => {
    const { code, out, dir } = runFixture({ TIMELINE: "", LOG: "" });
    expect(code, out).toBe(1);
    const logDir = join(dir, "logs");
    // The passing test keeps its log in memory only: one folder, the failing run's.
    const folders = readdirSync(logDir);
    expect(folders.map((f) => f.replace(/seed\d+/, "seedN"))).toEqual(["TestDeliberateFailure-seedN"]);
    const folder = join(logDir, folders[0] ?? "");
    expect(readdirSync(folder)).toEqual(["run.log"]);
    const logFile = join(folder, "run.log");
    expect(out).toContain(`files:  ${folder}  (run.log)`);
    expect(out).toContain(`log:    ${logFile}  (view: npm run logs -- ${logFile})`);
    expect(out).toMatch(/seed:\s+\d+/);
    expect(out).not.toContain("timeline:");
    // Printed once, not once per reporter.
    expect(out.split("deliberate failure for the log-file check").length - 1, out).toBeLessThanOrEqual(2);
    const parsed = parseLog(readFileSync(logFile, "utf8"));
    expect(parsed.comments[0]).toMatch(/^TestDeliberateFailure {2}seed \d+$/);
    expect(parsed.comments[1]).toMatch(/^replay: SEED=\d+ npx vitest run /);
    expect(parsed.entries).toHaveLength(54);
    expect(parsed.entries[0]).toEqual({ time: 0, peer: 0, topic: "LEAD", message: "leader for T1", mark: { kind: "role", role: "leader", term: 1 } });
    expect(parsed.entries.at(-1)).toEqual({ time: 500, peer: "tester", topic: "TEST", message: "checking one leader\nsecond line of a multi-line message" });
  });

  it("a replayed explore run's log header replays that run: explore mode and its schedule (a shrunk run's) in front", () => {
    const { out, dir } = runFixture({ RAFTLAB_EXPLORE: "1", EXPLORE_REPLAY: join(ROOT, "explore-out/x/shrunk/T-seed4.shrunk.json"), TIMELINE: "", LOG: "" });
    const folders = readdirSync(join(dir, "logs"));
    expect(folders, out).toHaveLength(1);
    const header = parseLog(readFileSync(join(dir, "logs", folders[0] ?? "", "run.log"), "utf8")).comments.join("\n");
    expect(header).toMatch(/replay: RAFTLAB_EXPLORE=1 EXPLORE_REPLAY=explore-out\/x\/shrunk\/T-seed4\.shrunk\.json SEED=\d+ npx vitest run /);
    const plain = runFixture({ TIMELINE: "", LOG: "" });
    const plainHeader = parseLog(readFileSync(join(plain.dir, "logs", readdirSync(join(plain.dir, "logs"))[0] ?? "", "run.log"), "utf8")).comments.join("\n");
    expect(plainHeader).toMatch(/replay: SEED=\d+ npx vitest run /);
  });

  it("TIMELINE=1 writes a timeline for every run, prints its path, and names it on failure", () => {
    const { code, out, dir } = runFixture({ TIMELINE: "1", LOG: "" });
    expect(code, out).toBe(1);
    const folders = readdirSync(join(dir, "logs")).sort();
    expect(folders.map((f) => f.replace(/seed\d+/, "seedN"))).toEqual(["TestDeliberateFailure-seedN", "TestPassesQuietly-seedN"]);
    const pages = folders.map((f) => join(dir, "logs", f, "timeline.html"));
    for (const p of pages) expect(out).toContain(p);
    expect(out).toMatch(/timeline: .*TestDeliberateFailure-seed\d+\/timeline\.html/);
    const page = readFileSync(pages[0] ?? "", "utf8");
    expect(page).toContain("deliberate failure for the log-file check");
    expect(page).toContain("seed ");
  });
});

describe("the in-memory log cap (LOG_MAX_LINES)", () => {
  it("keeps the last lines and counts the dropped ones", async () => {
    let kept: ReturnType<RunLog["kept"]> | undefined;
    let peak = 0;
    await runSim(
      1,
      async (sim) => {
        for (let i = 0; i < 1000; i++) {
          dlog(0, "INFO", `line ${i}`);
          peak = Math.max(peak, sim.log.entries.length);
        }
        kept = sim.log.kept();
      },
      { log: true, logMaxLines: 100 },
    );
    expect(peak).toBeLessThanOrEqual(125);
    expect(kept?.entries).toHaveLength(100);
    expect(kept?.dropped).toBe(900);
    expect(kept?.entries[0]?.message).toBe("line 900");
  });

  it("writes a header that says the log was truncated", () => {
    const { out, dir } = runFixture({ LOG_MAX_LINES: "10", TIMELINE: "", LOG: "" });
    const folders = readdirSync(join(dir, "logs"));
    expect(folders, out).toHaveLength(1);
    const parsed = parseLog(readFileSync(join(dir, "logs", folders[0] ?? "", "run.log"), "utf8"));
    expect(parsed.entries).toHaveLength(10);
    expect(parsed.comments.join("\n")).toContain("truncated: the first 44 lines were dropped");
    expect(existsSync(join(dir, "logs"))).toBe(true);
  });
});
