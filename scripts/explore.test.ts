/**
 * `npm run explore`: its command line, how it classifies and groups failures, the shrinking
 * algorithm, and the runner end to end (a passing run on the reference; a failing one on a planted bug is in
 * explore-planted.test.ts, which plants a mutant of the instructor-only catalog).
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pc from "picocolors";
import { describe, expect, it } from "vitest";
import { KV_SCENARIOS_FILE, RAFT_SCENARIOS_FILE } from "../src/explore/scenarios/files.js";
import type { StressRecord } from "../src/harness/index.js";
import { explorePattern, exploreTestNames, splitExploreArgs } from "./explore.js";
import { exploreReplay, failureKind, formatFailureGroups, groupFailures } from "./lib/explore-report.js";
import { shrinkFaults } from "./lib/shrink.js";

const ROOT = resolve(import.meta.dirname, "..");

function tsx(cwd: string, args: readonly string[]): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    execFile(join(cwd, "node_modules/.bin/tsx"), [...args], { cwd, env: { ...process.env, NO_COLOR: "1" }, timeout: 240_000, maxBuffer: 32 << 20 }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, out: stdout + stderr });
    });
  });
}

const record = (over: Partial<StressRecord>): StressRecord => ({ test: "ExploreRaftPersistence3C", fullName: "ExploreRaftPersistence3C", file: "src/explore/raft-scenarios.explore.test.ts", seed: 1, ok: false, wallMs: 10, ...over });

describe("explore's command line", () => {
  it("takes its own options out and leaves the stress runner's", () => {
    expect(splitExploreArgs(["3C", "-n", "5", "--shrink-failures", "--max-shrink-runs", "9", "--", "x.ts"])).toEqual({
      extras: { shrink: undefined, shrinkFailures: true, maxShrinkRuns: 9, noSchedules: false },
      rest: ["3C", "-n", "5", "--", "x.ts"],
    });
    expect(splitExploreArgs(["--shrink", "s.json"]).extras.shrink).toBe("s.json");
    expect(() => splitExploreArgs(["--shrink"])).toThrow("--shrink needs a value");
    expect(() => splitExploreArgs(["--max-shrink-runs", "0"])).toThrow("--max-shrink-runs must be a positive integer");
  });

  it("restricts the user's pattern to explore's tests, keeping vitest's match-anywhere", () => {
    const re = new RegExp(explorePattern("3C"));
    expect(re.test("ExploreRaftPersistence3C")).toBe(true);
    expect(re.test("TestFigure8Unreliable3C")).toBe(true);
    expect(re.test("ExploreRaftAgreement3B")).toBe(false);
    expect(re.test("TestSpeed4A")).toBe(false);
    expect(exploreTestNames()).not.toContain("TestCount3B");
  });
});

describe("what broke", () => {
  it("is the property a monitor found violated, or the message with its numbers taken out; liveness apart", () => {
    expect(failureKind("Leader Completeness violated: S2 is leader of T5 without...\n  more")).toEqual({ key: "Leader Completeness violated", kind: "safety" });
    // Lab 5's sharding properties, like Raft's.
    expect(failureKind("Intact Handoff violated: shard 5 arrived in group 101 (configuration 3) without ...\n  more")).toEqual({ key: "Intact Handoff violated", kind: "safety" });
    expect(failureKind("not implemented: Raft.getState (3A), in src/raft/raft.ts\n  (the safety monitors ...)")).toEqual({ key: "not implemented: Raft.getState (3A), in src/raft/raft.ts", kind: "safety" });
    expect(failureKind("apply error: commit index=2 server=2 106 != server=1 102")).toEqual({ key: "apply error: commit index=N server=N N != server=N N", kind: "safety" });
    expect(failureKind("one(1000000123) failed to reach agreement")).toEqual({ key: "one(N) failed to reach agreement", kind: "liveness" });
    // A message whose values follow on their own lines is named whole, not by a first line cut at "wanted:".
    const wrong = 'get wrong value, key 3, wanted:\nx 0 3 yx 0 3 y\n, got\nx 0 3 y\n\n  seed:   5\n  replay: SEED=5 npx vitest run f -t T';
    expect(failureKind(wrong)).toEqual({ key: "get wrong value, key N, wanted: ..., got ...", kind: "safety" });
    expect(failureKind("liveness: client 3 did not complete").kind).toBe("liveness");
  });

  it("groups failures, largest group first, with the first run's replay (in explore mode for lab tests)", () => {
    const rs = [
      record({ seed: 1, error: "Election Safety violated: S0 and S1 ...", replay: "SEED=1 npx vitest run a -t x" }),
      record({ seed: 2, error: "one(5) failed to reach agreement", test: "TestFigure83C", file: "src/raft/raft-3c.test.ts", replay: "SEED=2 npx vitest run b -t y" }),
      record({ seed: 3, error: "Election Safety violated: S2 and S1 ...", replay: "SEED=3 npx vitest run a -t x" }),
      record({ seed: 4, ok: true }),
    ];
    expect(groupFailures(rs).map((g) => [g.key, g.kind, g.runs.length])).toEqual([
      ["Election Safety violated", "safety", 2],
      ["one(N) failed to reach agreement", "liveness", 1],
    ]);
    const text = formatFailureGroups(rs, pc.createColors(false)).join("\n");
    expect(text).toContain("Failures by what broke (2 kinds):");
    expect(text).toContain("Election Safety violated  [safety]  2 runs (ExploreRaftPersistence3C: 2)");
    expect(text).toContain("first: TestFigure83C seed 2: RAFTLAB_EXPLORE=1 SEED=2 npx vitest run b -t y");
    expect(exploreReplay(rs[0]!)).toBe("SEED=1 npx vitest run a -t x");
  });
});

describe("shrinkFaults", () => {
  it("finds the faults a failure needs (1-minimal), trying whole kinds first", async () => {
    const ids = Array.from({ length: 40 }, (_, i) => i);
    const needed = [3, 17, 31];
    let runs = 0;
    const result = await shrinkFaults(
      ids,
      async (removed) => {
        runs++;
        return needed.every((id) => !removed.has(id));
      },
      { maxRuns: 500, categories: [ids.filter((i) => i % 2 === 0), ids.filter((i) => i >= 32)] },
    );
    expect(result).toEqual({ kept: needed, runs, minimal: true });
    expect(runs).toBeLessThan(100);
  });

  it("stops at its trial budget and says the result may not be minimal", async () => {
    const result = await shrinkFaults([1, 2, 3, 4, 5, 6, 7, 8], async (removed) => !removed.has(5), { maxRuns: 3 });
    expect(result.runs).toBe(3);
    expect(result.minimal).toBe(false);
    expect(result.kept).toContain(5);
  });
});

describe("npm run explore (end to end)", () => {
  it("prints its usage, and refuses bad options with exit code 2", async () => {
    const help = await tsx(ROOT, ["scripts/explore.ts", "--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toContain("npm run explore -- --shrink <schedule.json>");
    const bad = await tsx(ROOT, ["scripts/explore.ts", "3C", "-n", "zero"]);
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('error: --runs must be an integer, got "zero"');
    const missing = await tsx(ROOT, ["scripts/explore.ts", "--shrink", "/nonexistent/s.json"]);
    expect(missing.code).not.toBe(0);
    expect(missing.out).toContain("/nonexistent/s.json");
  });

  it("runs scenarios on the reference: each run prints its fault plan; the table; exit 0", async () => {
    const dir = mkdtempSync(join(tmpdir(), "explore-ok-"));
    // With Lab 4 here, a KV scenario too (a Lab 3 handout has Lab 3's scenarios alone).
    const kv = existsSync(join(ROOT, KV_SCENARIOS_FILE));
    const [pattern, files] = kv ? ["ExploreRaftElection3A|ExploreKV4A", [RAFT_SCENARIOS_FILE, KV_SCENARIOS_FILE]] : ["ExploreRaftElection3A|ExploreRaftAgreement3B", [RAFT_SCENARIOS_FILE]];
    const { code, out } = await tsx(ROOT, ["scripts/explore.ts", pattern, "-n", "2", "--seed", "1", "-p", "1", "-o", dir, "--", ...files]);
    expect(out).toContain(`explore ${pattern}: 2 tests (2 scenarios), 2 seeds each (1..2), 1 worker`);
    expect(out).toMatch(/ExploreRaftElection3A\s+2\s+0\s/);
    expect(out).toContain("4 passed, 0 failed");
    expect(code).toBe(0);
    const worker = readFileSync(join(dir, "worker-0.out"), "utf8");
    expect(worker).toMatch(/explore: ExploreRaftElection3A seed=1: drop /);
    expect(worker).toMatch(kv ? /explore: ExploreKV4A seed=2: drop / : /explore: ExploreRaftAgreement3B seed=2: drop /);
  });

});
