/**
 * The explore component of the grade, end to end on planted bugs: the four mutants of the catalog
 * that pass every original lab test (a Figure 8 commit by counting replicas, a vote or a
 * candidate's term not persisted, a truncation on a stale AppendEntries) each lose points by
 * default, with the first failing seed, the property that broke and the replay command in
 * results.json; the reference keeps full marks on the same seeds. Lab 5: the reference keeps full
 * marks on 5A and 5B with their explore entries, and a shard served before its data arrived loses
 * the 5B scenario's points.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { MUTANTS } from "../src/explore/mutants/catalog.js";
import { RAFT_SCENARIO_NAMES, type RaftPart } from "../src/explore/scenarios/aims.js";
import { grade, type GradeOptions } from "./grade.js";
import { writeMutantSubmission, writeSubmission } from "./lib/course/planted-bugs.js";

const ROOT = resolve(import.meta.dirname, "..");
const work = mkdtempSync(join(tmpdir(), "raftlab-grade-explore-e2e-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Results {
  score: number;
  tests: { name: string; status: string; score?: number; max_score?: number; output: string; tags?: string[] }[];
  extra_data: { max_score: number };
}

/** Grades `solution` on `parts` with one run per lab test and seeds from 1 (the explore component as configured). */
async function gradeIt(name: string, solution: string, parts: string[]): Promise<{ status: number; results: Results; output: string }> {
  const file = join(work, `${name}.json`);
  const lines: string[] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void lines.push(args.join(" ")));
  const opts: GradeOptions = {
    parts, runs: 1, seed: 1, solution, results: file, md: undefined, workers: 2, wallCapSeconds: undefined, deadlineSeconds: undefined,
    gradescope: false, config: undefined, keep: false, explore: undefined, exploreSeeds: undefined,
  };
  try {
    const status = await grade(opts, ROOT);
    return { status, results: JSON.parse(readFileSync(file, "utf8")) as Results, output: lines.join("\n") };
  } finally {
    spy.mockRestore();
  }
}

const HARD = ["figure8-commit-by-counting", "vote-not-persisted", "candidate-term-not-persisted", "truncate-on-stale-append"];

describe("the explore component catches what the original tests miss", () => {
  it("the reference: full marks on parts 3B and 3C with the explore component", async () => {
    const dir = join(work, "reference");
    writeSubmission(ROOT, dir);
    const { status, results, output } = await gradeIt("reference", dir, ["3B", "3C"]);
    expect(status, output).toBe(0);
    expect(results.score).toBe(results.extra_data.max_score);
    console.info(`reference: ${results.score}/${results.extra_data.max_score}`);
    expect(results.tests.filter((t) => t.tags?.includes("explore")).map((t) => t.name)).toEqual([
      "3B+explore ExploreRaftAgreement3B", "3B+explore 3B lab tests under the nemesis (8)", "3C+explore ExploreRaftPersistence3C", "3C+explore 3C lab tests under the nemesis (8)",
    ]);
  });

  it("Lab 5: the reference keeps full marks on 5A and 5B with their explore entries; a shard served before its data arrived loses the 5B scenario's points", async () => {
    const dir = join(work, "reference-lab5");
    writeSubmission(ROOT, dir);
    const ref = await gradeIt("reference-lab5", dir, ["5A", "5B"]);
    expect(ref.status, ref.output).toBe(0);
    expect(ref.results.score).toBe(ref.results.extra_data.max_score);
    expect(ref.results.tests.filter((t) => t.tags?.includes("explore")).map((t) => t.name)).toEqual([
      "5A+explore 5A lab tests under the nemesis (3)", "5B+explore ExploreShardKV5B", "5B+explore 5B lab tests under the nemesis (8)",
    ]);
    console.info(`reference, 5A and 5B: ${ref.results.score}/${ref.results.extra_data.max_score}`);

    const mutant = MUTANTS.find((m) => m.id === "shard-served-before-its-data")!;
    const bad = join(work, mutant.id);
    writeMutantSubmission(ROOT, bad, mutant);
    const { status, results, output } = await gradeIt(mutant.id, bad, ["5B"]);
    expect(status, output).toBe(1);
    const scenario = results.tests.find((t) => t.name === "5B+explore ExploreShardKV5B")!;
    expect(scenario, output).toMatchObject({ status: "failed", score: 0 });
    expect(scenario.output).toMatch(/violated: Intact Handoff violated \[safety\]/);
    expect(scenario.output).toMatch(/replay: SEED=\d+ npx vitest run src\/explore\/shardkv-scenarios\.explore\.test\.ts -t '\^ExploreShardKV5B\$'/);
    console.info(`${mutant.id}: ${results.score}/${results.extra_data.max_score}; ${scenario.name} ${scenario.score}/${scenario.max_score}: ${/First failure[^\n]*\n[^\n]*/.exec(scenario.output)?.[0].replace("\n", " ")}`);
  });

  for (const id of HARD) {
    it(`${id}: loses the explore scenario's points, with the seed, the property and the replay`, async () => {
      const mutant = MUTANTS.find((m) => m.id === id)!;
      const dir = join(work, id);
      writeMutantSubmission(ROOT, dir, mutant);
      const { status, results, output } = await gradeIt(id, dir, [mutant.part]);
      expect(status, output).toBe(1);
      expect(results.score).toBeLessThan(results.extra_data.max_score);
      const scenario = results.tests.find((t) => t.name === `${mutant.part}+explore ${RAFT_SCENARIO_NAMES[mutant.part as RaftPart]}`)!;
      expect(scenario, output).toMatchObject({ status: "failed", score: 0 });
      expect(scenario.output).toMatch(/First failure \(seed \d+\):/);
      expect(scenario.output).toMatch(/violated: .* \[(safety|liveness)\]/);
      expect(scenario.output).toMatch(/replay: SEED=\d+ npx vitest run src\/explore\/raft-scenarios\.explore\.test\.ts -t '\^ExploreRaft(Agreement3B|Persistence3C)\$'/);
      // For the record (the measurements of docs/grading-explore.md): what the grade said.
      console.info(`${id}: ${results.score}/${results.extra_data.max_score}; ${scenario.name} ${scenario.score}/${scenario.max_score}: ${/First failure[^\n]*\n[^\n]*/.exec(scenario.output)?.[0].replace("\n", " ")}`);
      expect(output).not.toMatch(/type check failed/);
      expect(output).toMatch(new RegExp(`Part ${mutant.part}\\+explore: .*  \\d+/\\d+\\n`));
    });
  }
});
