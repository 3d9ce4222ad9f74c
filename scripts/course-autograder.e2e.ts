/**
 * The Gradescope autograder end to end, in an emulated `/autograder` (AUTOGRADER_ROOT points
 * `setup.sh` and `run_autograder` at a temporary folder): build the archive, unpack it into
 * `source/`, run `setup.sh` (Node is already here, so it only runs `npm ci`, from the npm cache
 * where it can), then `run_autograder` on submissions: the reference (full score), the reference
 * with a planted bug (partial), the skeleton (0), one that does not type-check (0, with the
 * compiler's message), and a grader that cannot start (still a results.json).
 */
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { Ajv } from "ajv";
import { unzipSync } from "fflate";
import { afterAll, describe, expect, it } from "vitest";
import { writeSubmission } from "./lib/course/planted-bugs.js";
import { runCommand, stopAll } from "./lib/course/processes.js";

const ROOT = resolve(import.meta.dirname, "..");
const work = mkdtempSync(join(tmpdir(), "raftlab-autograder-e2e-"));
const ag = join(work, "autograder");
const zip = join(work, "autograder.zip");
const validate = new Ajv({ allErrors: true }).compile(JSON.parse(readFileSync(join(ROOT, "course/gradescope/results.schema.json"), "utf8")) as object);

afterAll(() => {
  stopAll();
  rmSync(work, { recursive: true, force: true });
});

interface Results {
  score: number;
  output: string;
  tests: { name: string; status: string; score?: number; max_score?: number; output: string; tags?: string[] }[];
}

/** The external attributes' Unix mode of each entry, read from the zip's central directory. */
function zipModes(bytes: Uint8Array): Map<string, number> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const modes = new Map<string, number>();
  for (let i = 0; i + 46 <= bytes.length; i++) {
    if (view.getUint32(i, true) !== 0x02014b50) continue;
    const nameLength = view.getUint16(i + 28, true);
    const name = Buffer.from(bytes.subarray(i + 46, i + 46 + nameLength)).toString("utf8");
    modes.set(name, view.getUint32(i + 38, true) >>> 16);
    i += 45 + nameLength;
  }
  return modes;
}

/** Puts `fill` in a fresh `submission/` and runs run_autograder; returns the results and the output. */
async function grade(fill: (dir: string) => void, args: string): Promise<{ results: Results; output: string; wallMs: number }> {
  const submission = join(ag, "submission");
  rmSync(submission, { recursive: true, force: true });
  mkdirSync(submission, { recursive: true });
  fill(submission);
  const r = await runCommand("bash", [join(ag, "source/run_autograder")], {
    cwd: ag,
    env: { AUTOGRADER_ROOT: ag, RAFTLAB_GRADE_ARGS: args },
    timeoutMs: 600_000,
  });
  expect(r.code, r.output.slice(-2000)).toBe(0);
  const results = JSON.parse(readFileSync(join(ag, "results/results.json"), "utf8")) as Results;
  const valid = validate(results);
  expect(validate.errors ?? []).toEqual([]);
  expect(valid).toBe(true);
  return { results, output: r.output, wallMs: r.wallMs };
}

describe("the Gradescope autograder, in an emulated /autograder", () => {
  it("is a zip with setup.sh and run_autograder (executable) at its root, the harness and the skeletons, and no solution", async () => {
    const r = await runCommand(join(ROOT, "node_modules/.bin/tsx"), ["scripts/handout.ts", "--autograder", zip], { cwd: ROOT, timeoutMs: 120_000 });
    expect(r.code, r.output).toBe(0);
    const bytes = new Uint8Array(readFileSync(zip));
    const files = unzipSync(bytes);
    const modes = zipModes(bytes);
    expect(modes.get("setup.sh")! & 0o777).toBe(0o755);
    expect(modes.get("run_autograder")! & 0o777).toBe(0o755);
    expect(modes.get("package.json")! & 0o777).toBe(0o644);
    for (const f of ["package.json", "package-lock.json", "handout.json", "course/grading.json", "course/labs.json", "scripts/grade.ts", "src/raft/tester.ts", "src/raft/raft.ts"]) expect(Object.keys(files)).toContain(f);
    for (const f of ["src/raft/log.ts", "src/raft/rules.ts", "src/kvraft/state-machine.ts", "scripts/handout.ts", "course/skeleton/src/raft/raft.ts"]) expect(Object.keys(files)).not.toContain(f);
    expect(Buffer.from(files["src/raft/raft.ts"]!).toString()).toBe(readFileSync(join(ROOT, "course/skeleton/src/raft/raft.ts"), "utf8"));
    for (const [name, data] of Object.entries(files)) {
      const dest = join(ag, "source", name);
      mkdirSync(dirname(dest), { recursive: true });
      writeFileSync(dest, data);
      if ((modes.get(name)! & 0o111) !== 0) chmodSync(dest, 0o755);
    }
  });

  it("setup.sh finds Node 20 and installs the locked dependencies", async () => {
    const r = await runCommand("bash", [join(ag, "source/setup.sh")], { cwd: join(ag, "source"), env: { AUTOGRADER_ROOT: ag, NPM_CI_FLAGS: "--prefer-offline" }, timeoutMs: 300_000 });
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/setup\.sh: node v20\.\d+\.\d+, npm \d+/);
    expect(r.output).toContain("setup.sh: done");
  });

  it("gives the reference full score, found inside a folder of its own as a repository upload would be", async () => {
    const { results } = await grade((dir) => writeSubmission(ROOT, join(dir, "my-raftlab")), "--runs 1 --seed 1 --workers 2");
    expect(results.tests).toHaveLength(75 + 17); // 75 lab tests; 2 explore entries per part of Labs 2-5, but one for 5A (no scenario)
    expect(results.tests.every((t) => t.status === "passed")).toBe(true);
    expect(results.score).toBe(415); // 335 for the original parts, 80 for the explore component (20 per lab)
  });

  it("gives a planted bug (Raft.snapshot does nothing) partial credit: the tests it breaks lose their points, with the failing seed's replay command", async () => {
    const { results } = await grade((dir) => writeSubmission(ROOT, dir, "no-snapshot"), "--runs 1 --seed 1 --workers 2 --parts 3A,3D");
    // 3A passes; of 3D, the five tests that check the log's size fail on every seed (AllCrash and
    // Init do not check it, in Go either): 15 + 5 + 5 of 45 in the original parts.
    const original = results.tests.filter((t) => !(t.tags ?? []).includes("explore"));
    expect(original.reduce((a, t) => a + (t.score ?? 0), 0)).toBe(25);
    const failed = original.filter((t) => t.status === "failed").map((t) => t.name);
    expect(failed).toEqual(["3D TestSnapshotBasic3D", "3D TestSnapshotInstall3D", "3D TestSnapshotInstallUnreliable3D", "3D TestSnapshotInstallCrash3D", "3D TestSnapshotInstallUnCrash3D"]);
    const basic = results.tests.find((t) => t.name === "3D TestSnapshotBasic3D")!;
    expect(basic).toMatchObject({ score: 0, max_score: 4 });
    expect(basic.output).toMatch(/^0\/1 runs passed[\s\S]*First failure \(seed 1\):\nLog size too large[\s\S]*replay: SEED=1 npx vitest run src\/raft\/raft-3d\.test\.ts -t '\^TestSnapshotBasic3D\$'/);
    expect(results.tests.filter((t) => t.name.startsWith("3A ")).every((t) => t.status === "passed")).toBe(true);
  });

  it("gives the skeleton 0", async () => {
    const { results } = await grade((dir) => cpSync(join(ROOT, "course/skeleton"), dir, { recursive: true }), "--runs 1 --seed 1 --workers 2");
    expect(results.score).toBe(0);
    expect(results.tests).toHaveLength(75 + 17);
    expect(results.tests.find((t) => t.name.startsWith("3A "))!.output).toContain("not implemented: Raft.getState (3A)");
    expect(results.tests.find((t) => t.name.startsWith("2 "))!.output).toContain("not implemented: Clerk.putAppend (Put, Lab 2)");
  });

  it("gives a submission that does not type-check 0, with the compiler's message first", async () => {
    const { results } = await grade((dir) => writeSubmission(ROOT, dir, "type-error"), "--runs 1 --seed 1");
    expect(results.score).toBe(0);
    expect(results.tests[0]).toMatchObject({ name: "Type check (npm run typecheck)", status: "failed" });
    expect(results.tests[0]!.score).toBeUndefined();
    expect(results.tests[0]!.output).toMatch(/src\/raft\/raft\.ts\(\d+,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/);
    expect(results.tests.slice(1).every((t) => t.score === 0)).toBe(true);
  });

  it("still writes results.json when the grader cannot start", async () => {
    const { results } = await grade((dir) => writeSubmission(ROOT, dir), "--runs none");
    expect(results.score).toBe(0);
    expect(results.tests).toEqual([]);
    expect(results.output).toMatch(/^The autograder failed before it could grade this submission \(exit 2\)\. Please tell the course staff\.[\s\S]*--runs must be a whole number/);
  });
});
