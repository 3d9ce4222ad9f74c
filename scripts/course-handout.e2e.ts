/**
 * End to end, as an instructor and a student would: build a handout (`npm run handout -- --out
 * ... --git`), install it (`npm ci`, from the npm cache where it can), type-check it, run a part on
 * the skeleton (it fails within seconds, naming the missing piece), run the demo, grade the
 * skeleton (0), drop the reference in (every test passes, the demo tells its story), grade it (full
 * score), and grade from this repository with --solution: the handout checkout (full), this
 * repository itself (full), and a checkout whose tests were edited to pass (0: the tests come from
 * the harness).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Ajv } from "ajv";
import { afterAll, describe, expect, it } from "vitest";
import { classify } from "./lib/course/config.js";
import { writeSubmission } from "./lib/course/planted-bugs.js";
import { runCommand, stopAll } from "./lib/course/processes.js";

const ROOT = resolve(import.meta.dirname, "..");
const TSX = join(ROOT, "node_modules/.bin/tsx");
const work = mkdtempSync(join(tmpdir(), "raftlab-handout-e2e-"));
const out = join(work, "raftlab");
const validate = new Ajv().compile(JSON.parse(readFileSync(join(ROOT, "course/gradescope/results.schema.json"), "utf8")) as object);

afterAll(() => {
  stopAll();
  rmSync(work, { recursive: true, force: true });
});

/** `npm run <script> -- args` in the handout. */
const npmRun = (script: string, args: readonly string[], timeoutMs: number, cwd = out) => runCommand("npm", ["run", "--silent", script, "--", ...args], { cwd, timeoutMs });
const results = (file: string) => JSON.parse(readFileSync(file, "utf8")) as { score: number; tests: { name: string; status: string; score?: number; max_score?: number }[] };

describe("a handout, from build to grade", () => {
  it("is built as a fresh git repository with one commit and no solution file", async () => {
    const r = await runCommand(TSX, ["scripts/handout.ts", "--out", out, "--git"], { cwd: ROOT, timeoutMs: 120_000 });
    expect(r.output).toMatch(/wrote .*raftlab: labs 2,3,4,5: \d+ files, \d+ KiB; 19 skeletons, 26 solution files left out; leak check: \d+ code lines of the solution, none in the handout/);
    expect(r.code).toBe(0);
    const log = await runCommand("git", ["log", "--oneline"], { cwd: out, timeoutMs: 10_000 });
    expect(log.output.trim().split("\n")).toEqual([expect.stringMatching(/raftlab handout: labs 2, 3, 4, 5$/)]);
    for (const f of classify(ROOT).solution) {
      if (existsSync(join(out, f))) expect(readFileSync(join(out, f), "utf8")).toBe(readFileSync(join(ROOT, "course/skeleton", f), "utf8"));
    }
  });

  it("installs (npm ci, preferring the npm cache) and type-checks", async () => {
    const ci = await runCommand("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: out, timeoutMs: 300_000 });
    expect(ci.code, ci.output).toBe(0);
    // The install scripts it needs are approved (package.json's allowScripts): no warning to puzzle over.
    expect(ci.output).not.toContain("not yet covered by allowScripts");
    const tc = await npmRun("typecheck", [], 120_000);
    expect(tc.code, tc.output).toBe(0);
  });

  it("fails test:3A on the skeleton within seconds, naming the missing piece", async () => {
    const r = await npmRun("test:3A", [], 120_000);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain("not implemented: Raft.getState (3A), in src/raft/raft.ts");
    expect(r.output).toMatch(/^0 passed, \d+ failed/m);
    expect(r.wallMs).toBeLessThan(30_000);
  });

  it("fails test:2 on the skeleton, naming the missing piece", async () => {
    const r = await npmRun("test:2", [], 180_000);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain("not implemented: Clerk.putAppend (Put, Lab 2), in src/kvsrv/client.ts");
    expect(r.output).toMatch(/^0 passed, 10 failed/m);
  });

  it("fails test:5A on the skeletons, naming the missing piece (the skeleton Raft's, first)", async () => {
    const r = await npmRun("test:5A", [], 180_000);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain("not implemented: Raft.getState (3A), in src/raft/raft.ts");
    expect(r.output).toMatch(/^0 passed, 5 failed/m);
  });

  it("runs the demo, which says plainly that the labs are not implemented yet", async () => {
    const r = await npmRun("demo", [], 120_000);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain("The labs are not implemented yet, so there is no story to tell: the demo stopped at Raft.getState (3A), in src/raft/raft.ts.");
  });

  it("grades the skeleton 0, quickly", async () => {
    const file = join(work, "skeleton.json");
    const r = await npmRun("grade", ["--runs", "1", "--results", file], 300_000);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/Total: 0\/415/); // 335 for the original parts, 80 for the explore component (20 per lab)
    const res = results(file);
    expect(validate(res)).toBe(true);
    expect(res.score).toBe(0);
    expect(res.tests).toHaveLength(75 + 17); // 75 lab tests; 2 explore entries per part of Labs 2-5, but one for 5A (its lab tests: the controller has no scenario)
    expect(res.tests.every((t) => t.status === "failed")).toBe(true);
  });

  it("passes every test once the reference is installed as a student would: its code files only, not its unit tests", async () => {
    // A student's solution is the lab code (their own helper files included), not the reference's tests of its internals.
    for (const f of classify(ROOT).solution.filter((f) => !f.endsWith(".test.ts"))) {
      mkdirSync(join(out, f, ".."), { recursive: true });
      cpSync(join(ROOT, f), join(out, f));
    }
    const tc = await npmRun("typecheck", [], 120_000);
    expect(tc.code, tc.output).toBe(0);
    // Every lab's tests, Lab 5's included: allow for a loaded machine.
    const r = await runCommand("npm", ["test"], { cwd: out, timeoutMs: 780_000 });
    expect(r.output).toMatch(/^\d+ passed, 0 failed$/m);
    expect(r.code, r.output.slice(-3000)).toBe(0);
    const demo = await npmRun("demo", [], 120_000);
    expect(demo.code, demo.output).toBe(0);
    expect(demo.output).toMatch(/Porcupine checked the \d+ operations .*: yes\./);
  });

  it("grades the reference in the handout with full score", async () => {
    const file = join(work, "reference.json");
    const r = await npmRun("grade", ["--runs", "1", "--results", file, "--md", join(work, "reference.md")], 600_000);
    expect(r.output).toMatch(/Total: 415\/415/);
    expect(r.code).toBe(0);
    const res = results(file);
    expect(validate(res)).toBe(true);
    expect(res.score).toBe(415);
    expect(readFileSync(join(work, "reference.md"), "utf8")).toContain("# raftlab grade: 415/415");
  });

  it("from this repository, --solution grades a checkout's files, and this repository itself, in the pristine harness", async () => {
    const fromRepo = (solution: string) => npmRun("grade", ["--solution", solution, "--parts", "2,3A,4A", "--runs", "1"], 600_000, ROOT);
    const checkout = await fromRepo(out);
    // 60 + 15 + 55 for 2, 3A and 4A, and 20 + 4 + 10 for the explore entries of 2, 3A and 4A.
    expect(checkout.output).toMatch(/Total: 164\/164/);
    expect(checkout.code).toBe(0);
    const self = await fromRepo(ROOT);
    expect(self.output).toMatch(/Total: 164\/164/);
    expect(self.code).toBe(0);
  });

  it("gives a Lab 2 solution without duplicate detection less than full points", async () => {
    const planted = join(work, "kvsrv-no-dedup");
    writeSubmission(ROOT, planted, "kvsrv-no-dedup");
    const r = await npmRun("grade", ["--solution", planted, "--parts", "2", "--runs", "1"], 300_000, ROOT);
    const total = /Total: (\d+)\/80/.exec(r.output); // 60 for the part, 20 for its explore entries
    expect(total, r.output.slice(-2000)).not.toBeNull();
    expect(Number(total![1])).toBeLessThan(80);
    expect(r.output).toContain("TestUnreliable2");
    expect(r.code).toBe(1);
  });

  it("gives a Lab 5 solution that serves shards before their data arrives less than full points", async () => {
    const planted = join(work, "shardkv-serve-before-data");
    writeSubmission(ROOT, planted, "shardkv-serve-before-data");
    const r = await npmRun("grade", ["--solution", planted, "--parts", "5B", "--runs", "1"], 600_000, ROOT);
    const total = /Total: (\d+)\/66/.exec(r.output); // 51 for the part, 15 for its explore entries
    expect(total, r.output.slice(-2000)).not.toBeNull();
    expect(Number(total![1])).toBeLessThan(66);
    expect(r.output).toContain("Intact Handoff violated");
    expect(r.code).toBe(1);
  });

  it("does not let a submission pass by editing the tests: the harness's tests are the ones run", async () => {
    const cheat = join(work, "cheat");
    mkdirSync(join(cheat, "src/raft"), { recursive: true });
    cpSync(join(ROOT, "course/skeleton/src/raft"), join(cheat, "src/raft"), { recursive: true });
    writeFileSync(
      join(cheat, "src/raft/raft-3a.test.ts"),
      'import { simTest } from "../harness/index.js";\nfor (const n of ["TestInitialElection3A", "TestReElection3A", "TestManyElections3A"]) simTest(n, async () => {});\n',
    );
    const r = await npmRun("grade", ["--solution", cheat, "--parts", "3A", "--runs", "1"], 300_000, ROOT);
    expect(r.output).toMatch(/Total: 0\/19/); // 15 for 3A, 4 for its explore entries
    expect(r.output).toContain("not implemented: Raft.getState (3A)");
    expect(r.code).toBe(1);
  });
});
