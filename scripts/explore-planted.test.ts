/**
 * `npm run explore` end to end on a planted bug (a mutant of the instructor-only catalog, planted in
 * a scratch copy): the failures grouped by property, a schedule recorded and shrunk, the shrunk
 * run's own replay command printed, and the kept test written among the student's files, where
 * vitest finds it and where it fails until the bug is fixed. Instructor-only, like the catalog.
 */
import { execFile, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { MUTANTS } from "../src/explore/mutants/catalog.js";
import { plantInScratch, removeScratch } from "../src/explore/mutants/plant.js";

const ROOT = resolve(import.meta.dirname, "..");

function tsx(cwd: string, args: readonly string[]): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    execFile(join(cwd, "node_modules/.bin/tsx"), [...args], { cwd, env: { ...process.env, NO_COLOR: "1" }, timeout: 240_000, maxBuffer: 32 << 20 }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, out: stdout + stderr });
    });
  });
}

describe("npm run explore on a planted bug", () => {
  it("on a planted bug: groups the failures by property, records a schedule, and shrinks it to a test file", async () => {
    const mutant = MUTANTS.find((m) => m.id === "no-election-restriction")!;
    const scratch = plantInScratch(ROOT, mutant);
    try {
      const out = join(scratch, "explore-out");
      const r = await tsx(scratch, ["scripts/explore.ts", "ExploreRaftAgreement3B", "-n", "4", "--seed", "1", "-p", "1", "-o", out, "--shrink-failures", "--max-shrink-runs", "80", "--", "src/explore/raft-scenarios.explore.test.ts"]);
      expect(r.code, r.out).toBe(1);
      expect(r.out).toContain("Failures by what broke (1 kind):");
      expect(r.out).toMatch(/Leader Completeness violated {2}\[safety\]/);
      expect(r.out).toMatch(/schedule: .*schedules\/ExploreRaftAgreement3B-seed\d\.json/);
      expect(r.out).toMatch(/shrunk to \d+ of \d+ faults in \d+ trial runs/);
      const shrunk = readdirSync(join(out, "shrunk"));
      const schedule = shrunk.find((f) => f.endsWith(".shrunk.json"));
      expect(schedule).toBeDefined();
      // The printed failure replays the shrunk run, not the original one.
      const replay = /replay the shrunk run: (.*)/.exec(r.out)?.[1];
      expect(replay).toMatch(/^EXPLORE_REPLAY=\S+\.shrunk\.json SEED=\d npx vitest run src\/explore\/raft-scenarios\.explore\.test\.ts -t '\^ExploreRaftAgreement3B\$'$/);
      expect(r.out).toContain(`    replay: ${replay}`);
      expect(r.out.slice(r.out.indexOf("and the run fails with:"))).not.toMatch(/replay: SEED=/);
      // The kept test is among the student's files, where vitest finds it (npm test runs src/**).
      const kept = readdirSync(join(scratch, "src/raft/kept"));
      expect(kept).toHaveLength(1);
      const text = readFileSync(join(scratch, "src/raft/kept", kept[0]!), "utf8");
      expect(text).toContain("Leader Completeness violated");
      expect(text).toContain('body: (t) => RAFT_SCENARIOS[SCHEDULE.test]!(t, { replay: { schedule: SCHEDULE, removed: new Set() } })');
      expect(existsSync(join(out, "shrunk", "logs"))).toBe(true);
      // The shrunk run's log replays the shrunk run too (its header, read by npm run logs).
      const logs = readdirSync(join(out, "shrunk", "logs"));
      expect(logs).toHaveLength(1);
      expect(readFileSync(join(out, "shrunk", "logs", logs[0]!, "run.log"), "utf8")).toContain(`# replay: ${replay}\n`);
      const run = spawnSync(join(ROOT, "node_modules/.bin/vitest"), ["run", "--project", "lab", `src/raft/kept/${kept[0]}`], { cwd: scratch, encoding: "utf8", timeout: 120_000, env: { ...process.env, NO_COLOR: "1" } });
      expect(run.stdout + run.stderr).toMatch(/Leader Completeness violated/);
      expect(run.stdout + run.stderr).toMatch(/1 failed/);
      expect(run.status).toBe(1);
    } finally {
      removeScratch(scratch);
    }
  });
});
