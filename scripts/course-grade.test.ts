/**
 * The grader: its configuration, the scoring rule, results.json (checked against Gradescope's
 * schema), the Markdown report, the runner on real worker processes (flaky, hanging and broken test
 * files, the deadline) and `grade()` on a small fixture harness (a submission's edited tests do not
 * count; one that does not type-check scores 0).
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync, symlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { Ajv } from "ajv";
import pc from "picocolors";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { StressRecord } from "../src/harness/index.js";
import { UsageError, grade, parseCli } from "./grade.js";
import { blockedParts, formatGradeTable, gradeParts, toGradescope, toMarkdown, totals, type GradeReport } from "./lib/grade-report.js";
import { fitRuns } from "./lib/grade-budget.js";
import { exploreUnits, explorePlan, gradeExplore, type ExploreItem } from "./lib/grade-explore.js";
import { declaredTests, planUnits, runUnits } from "./lib/grade-run.js";
import { GRADING_FILE, GradingConfigError, gradingForParts, loadGrading, parseGrading, selectParts, type GradedPart } from "./lib/grading.js";
import { parseRegistry } from "./lib/labs-registry.js";
import { TempDirs, writeTree } from "./lib/temp-tree.js";

const ROOT = resolve(import.meta.dirname, "..");
const c = pc.createColors(false);
const temps = new TempDirs("raftlab-grade-test-");
afterEach(() => {
  vi.restoreAllMocks();
  temps.removeAll();
});
const temp = (): string => temps.make();

const schema = JSON.parse(readFileSync(join(ROOT, "course/gradescope/results.schema.json"), "utf8")) as object;
const validate = new Ajv({ allErrors: true }).compile(schema);
function expectValid(results: unknown): void {
  const ok = validate(results);
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
}

function part(name: string, tests: Record<string, number>, extra: Partial<GradedPart> = {}): GradedPart {
  return { part: name, lab: 3, title: `part ${name}`, files: [`src/raft/${name}.test.ts`], tests: new Map(Object.entries(tests)), byDefault: true, extraCredit: false, ...extra };
}
function rec(test: string, seed: number, ok: boolean, error?: string): StressRecord {
  return {
    test,
    fullName: test,
    file: "src/raft/x.test.ts",
    seed,
    ok,
    wallMs: 1,
    ...(ok ? {} : { error: error ?? `boom\n  seed:   ${seed}\n  replay: SEED=${seed} npx vitest run src/raft/x.test.ts -t '^${test}$'`, replay: `SEED=${seed} npx vitest run src/raft/x.test.ts -t '^${test}$'` }),
  };
}
function report(parts: GradeReport["parts"], more: Partial<GradeReport> = {}): GradeReport {
  return { parts, ...totals(parts), runs: 3, seeds: [1, 2, 3], wallMs: 1234, cpuMs: 2000, solution: undefined, typecheck: { ok: true, output: "", blocking: false }, blocker: undefined, deadlineHit: false, warnings: [], ...more };
}

describe("grading configuration", () => {
  it("the repository's: Labs 2, 3 and 4 are worth 60, 100 and 100, and lists exactly the tests its files declare", () => {
    const config = loadGrading(ROOT);
    const lab = (n: number) => config.parts.filter((p) => p.lab === n && !p.extraCredit && p.byDefault).reduce((a, p) => a + [...p.tests.values()].reduce((x, y) => x + y, 0), 0);
    expect(lab(2)).toBe(60);
    expect(lab(3)).toBe(100);
    expect(lab(4)).toBe(100);
    for (const p of config.parts) {
      const declared = p.files.flatMap((f) => declaredTests(readFileSync(join(ROOT, f), "utf8")));
      // Every configured test exists; every test of a graded file is graded by some part.
      for (const t of p.tests.keys()) expect(declared).toContain(t);
      const graded = new Set(config.parts.flatMap((q) => [...q.tests.keys()]));
      for (const t of declared) expect(graded.has(t), `${t} of ${p.files.join(", ")} is in no part of course/labs.json`).toBe(true);
    }
    expect(selectParts(config, undefined, [3, 4]).map((p) => p.part)).toEqual(["3A", "3B", "3C", "3D", "4A", "4B"]);
    expect(selectParts(config, undefined, [2, 3, 4]).map((p) => p.part)).toEqual(["2", "3A", "3B", "3C", "3D", "4A", "4B"]);
    expect(selectParts(config, ["cas", "3a"], [3, 4]).map((p) => p.part)).toEqual(["3A", "cas"]);
    expect(() => selectParts(config, ["3E"], [3, 4])).toThrow(/unknown part "3E": the parts are 2, 3A, 3B/);
    expect(() => selectParts(config, ["4A"], [3])).toThrow(/belongs to lab 4, which this tree does not have/);
  });

  it("rejects bad configurations, naming the field", () => {
    const base = { format: "raftlab-grading/1", runs: 3, wallCapSeconds: 60 };
    const bad = (patch: object) => () => parseGrading(JSON.stringify({ ...base, ...patch }), "g.json", []);
    expect(() => parseGrading(JSON.stringify(base), "g.json", [])).not.toThrow();
    expect(bad({ format: "v0" })).toThrow(/g\.json: "format" must be/);
    expect(bad({ runs: 0 })).toThrow(/"runs" must be a whole number >= 1/);
    expect(bad({ typecheck: "maybe" })).toThrow(/"typecheck" must be "required" or "report"/);
    expect(bad({ parts: [] })).toThrow(/"parts" belong in course\/labs\.json/);
    expect(bad({ gradescope: { visibility: "secret" } })).toThrow(/gradescope\.visibility must be one of/);
    expect(() => loadGrading(temp())).toThrow(GradingConfigError);
    // The explore component (its parts are the registry's) and the budget.
    const labParts = parseRegistry(
      JSON.stringify({ format: "raftlab-labs/1", labs: [{ lab: 3, title: "Raft", folder: "src/raft", student: { include: ["src/raft/**"] }, parts: [{ part: "3A", files: ["src/raft/a.test.ts"], tests: { T1: 1 } }] }] }),
      "l.json",
    ).parts;
    const withParts = (patch: object) => () => parseGrading(JSON.stringify({ ...base, ...patch }), "g.json", labParts);
    const explore = { scenarioSeeds: 5, labTestSeeds: 1, parts: { "3A": { scenario: 3, labTests: 1 } } };
    expect(withParts({ explore })().explore).toMatchObject({ byDefault: true, scenarioSeeds: 5, labTestSeeds: 1 });
    expect(parseGrading(JSON.stringify(base), "g.json", labParts).explore).toBeUndefined();
    expect(withParts({ explore: { ...explore, parts: { "3E": { scenario: 1 } } } })).toThrow(/explore\.parts: "3E" is not a part of the labs registry/);
    expect(withParts({ explore: { ...explore, scenarioSeeds: 0 } })).toThrow(/"explore\.scenarioSeeds" must be a whole number >= 1/);
    expect(withParts({ explore: { ...explore, parts: { "3A": { scenario: -1 } } } })).toThrow(/explore\.parts\.3A\.scenario must be a number of points >= 0/);
    expect(parseGrading(JSON.stringify(base), "g.json", labParts).budget).toEqual({ minRuns: 3 });
    expect(bad({ budget: { minRuns: 4 } })).toThrow(/"budget\.minRuns" \(4\) must not exceed "runs" \(3\)/);
  });

  it("a handout's grading settings keep the explore entries of its labs' parts, and none when its labs have none", () => {
    const text = readFileSync(join(ROOT, GRADING_FILE), "utf8");
    const config = loadGrading(ROOT);
    const lab3 = config.parts.filter((p) => p.lab === 3);
    const forLab3 = parseGrading(gradingForParts(text, lab3.map((p) => p.part)), "g.json", lab3);
    expect([...forLab3.explore!.parts.keys()]).toEqual(["3A", "3B", "3C", "3D"]);
    const lab2 = config.parts.filter((p) => p.lab === 2);
    expect([...parseGrading(gradingForParts(text, lab2.map((p) => p.part)), "g.json", lab2).explore!.parts.keys()]).toEqual(["2"]);
    // Parts without explore entries (Lab 5's challenges alone): no explore section at all.
    const challenges = config.parts.filter((p) => p.part === "5-challenges");
    expect(challenges).toHaveLength(1);
    expect(parseGrading(gradingForParts(text, ["5-challenges"]), "g.json", challenges).explore).toBeUndefined();
    // Unfiltered, Lab 2's parts alone do not carry Lab 3's entries: the filter is what makes it valid.
    expect(() => parseGrading(text, "g.json", lab2)).toThrow(/explore\.parts: "3A" is not a part of the labs registry/);
  });

  it("the repository's explore component counts by default, names only configured parts, and each part's scenario exists", async () => {
    const config = loadGrading(ROOT);
    expect(config.explore?.byDefault).toBe(true);
    const { SCENARIOS } = await import("../src/explore/scenarios/index.js");
    const items = explorePlan(config.explore!, selectParts(config, undefined, [2, 3, 4, 5]), (f) => declaredTests(readFileSync(join(ROOT, f), "utf8")));
    expect(items.map((i) => i.part)).toEqual(["2", "3A", "3B", "3C", "3D", "4A", "4B", "5A", "5B"]);
    expect(items.filter((i) => i.scenarioPoints > 0).map((i) => i.scenario)).toEqual([
      "ExploreKVServer2", "ExploreRaftElection3A", "ExploreRaftAgreement3B", "ExploreRaftPersistence3C", "ExploreRaftSnapshots3D", "ExploreKV4A", "ExploreKV4B", "ExploreShardKV5B",
    ]);
    // Lab 5's controller has no scenario of its own: its entry is its lab tests alone.
    expect(items.find((i) => i.part === "5A")).toMatchObject({ scenarioPoints: 0, labTestPoints: 5 });
    for (const i of items) {
      if (i.scenarioPoints > 0) expect(SCENARIOS[i.scenario], i.scenario).toBeDefined();
      expect(i.scenarioPoints + i.labTestPoints, i.part).toBeGreaterThan(0);
      expect(i.labTests.length, i.part).toBeGreaterThan(0);
      for (const t of i.labTests) expect(declaredTests(readFileSync(join(ROOT, t.file), "utf8"))).toContain(t.test);
    }
    // 20 points per lab, as docs/grading-explore.md says.
    const perLab = new Map<number, number>();
    for (const i of items) perLab.set(i.lab, (perLab.get(i.lab) ?? 0) + i.scenarioPoints + i.labTestPoints);
    expect([...perLab]).toEqual([[2, 20], [3, 20], [4, 20], [5, 20]]);
    expect(items.find((i) => i.part === "5B")!.labTests.map((t) => t.file)).toContain("src/shardkv/shardkv-5b-concurrent.test.ts");
    expect(items.find((i) => i.part === "3C")!.labTests.map((t) => t.test)).toContain("TestFigure83C");
  });

  it("the labs registry: rejects bad parts, naming the field", () => {
    const lab = { lab: 3, title: "Raft", folder: "src/raft", student: { include: ["src/raft/**"] } };
    const part = { part: "3A", files: ["src/raft/a.test.ts"], tests: { T1: 1 } };
    const registry = (...parts: object[]) => () => parseRegistry(JSON.stringify({ format: "raftlab-labs/1", labs: [{ ...lab, parts }] }), "l.json");
    expect(registry(part)().parts.map((p) => [p.part, p.lab])).toEqual([["3A", 3]]);
    expect(registry(part)().manifest.labs[0]!.parts).toEqual(["3A"]);
    expect(registry()).toThrow(/labs\[0\]\.parts must be a non-empty list/);
    expect(registry({ ...part, tests: { T1: -1 } })).toThrow(/tests\.T1 must be a number of points >= 0/);
    expect(registry({ ...part, files: ["src/raft/a.ts"] })).toThrow(/files must list the part's test files/);
    expect(registry({ ...part, files: ["src/kvraft/a.test.ts"] })).toThrow(/src\/kvraft\/a\.test\.ts is not in the lab's folder src\/raft/);
    expect(registry(part, { part: "3B", files: ["src/raft/b.test.ts"], tests: { T1: 1 } })).toThrow(/test T1 is in parts 3A and 3B/);
    expect(() => parseRegistry(JSON.stringify({ format: "raftlab-labs/1", labs: [{ ...lab, needs: [2], parts: [part] }] }), "l.json")).toThrow(/needs lab 2/);
  });

  it("the command line: bad values fail clearly", () => {
    expect(parseCli(["--parts", "3A,3B", "--runs", "4", "--seed", "7"])).toMatchObject({ parts: ["3A", "3B"], runs: 4, seed: 7, gradescope: false });
    expect(() => parseCli(["--runs", "0"])).toThrow(UsageError);
    expect(() => parseCli(["--runs", "two"])).toThrow(/--runs must be a whole number >= 1, got "two"/);
    expect(() => parseCli(["3A"])).toThrow(/unexpected argument "3A".*--parts/);
    expect(() => parseCli(["--deadline", "0"])).toThrow(/--deadline must be a number of seconds > 0/);
    expect(() => parseCli(["--frobnicate"])).toThrow(TypeError);
    expect(parseCli(["--help"])).toBeUndefined();
  });
});

describe("scoring: a test earns its points only if it passes every run", () => {
  const parts = [part("3A", { TA: 5, TB: 3 }), part("xc", { TX: 2 }, { extraCredit: true })];

  it("every run passed: full points; one failed run: nothing, with the first failing seed", () => {
    const records = [rec("TA", 1, true), rec("TA", 2, true), rec("TA", 3, true), rec("TB", 3, false), rec("TB", 1, true), rec("TB", 2, false), rec("TX", 1, true), rec("TX", 2, true), rec("TX", 3, true)];
    const g = gradeParts(parts, 3, records);
    expect(g[0]!.tests.map((t) => [t.test, t.passed, t.earned])).toEqual([["TA", 3, 5], ["TB", 1, 0]]);
    expect(g[0]!.tests[1]!.firstFailure?.seed).toBe(2);
    expect(g[0]).toMatchObject({ earned: 5, max: 8 });
    // Extra credit adds to the score, not to the maximum.
    expect(g[1]).toMatchObject({ earned: 2, max: 0 });
    expect(totals(g)).toEqual({ score: 7, maxScore: 8 });
  });

  it("missing runs count as failed, as do tests with no run at all", () => {
    const g = gradeParts(parts, 3, [rec("TA", 1, true), rec("TA", 2, true)]);
    expect(g[0]!.tests.map((t) => t.earned)).toEqual([0, 0]);
    expect(totals(g).score).toBe(0);
  });

  it("a blocked submission: every test 0, with the reason", () => {
    const g = blockedParts(parts, 3, "not run: Type check failed");
    expect(totals(g)).toEqual({ score: 0, maxScore: 8 });
    expect(g[0]!.tests[0]!.firstFailure?.error).toBe("not run: Type check failed");
  });
});

describe("the explore component's scoring", () => {
  const items: ExploreItem[] = [
    { part: "3C", lab: 3, scenario: "ExploreRaftPersistence3C", scenarioFile: "src/explore/raft-scenarios.explore.test.ts", scenarioPoints: 6, labTests: [{ test: "TP1", file: "src/raft/x.test.ts" }, { test: "TP2", file: "src/raft/x.test.ts" }], labTestPoints: 1 },
  ];
  it("an entry earns its points only if every run passes; a failure names its seed, what broke and the replay in explore mode", () => {
    const violation = "Election Safety violated: S1 and S2 were both leaders of term 1\n  seed:   7\n  replay: SEED=7 npx vitest run src/explore/raft-scenarios.explore.test.ts -t '^ExploreRaftPersistence3C$'";
    const records = [rec("ExploreRaftPersistence3C", 5, true), rec("ExploreRaftPersistence3C", 7, false, violation), rec("ExploreRaftPersistence3C", 6, true), rec("TP1", 5, true), rec("TP2", 5, false, "one(3) failed to reach agreement")];
    const [p] = gradeExplore(items, records, { scenario: 3, labTest: 1 });
    expect(p).toMatchObject({ part: "3C+explore", component: "explore", earned: 0, max: 7 });
    expect(p!.tests[0]).toMatchObject({ test: "ExploreRaftPersistence3C", runs: 3, passed: 2, earned: 0, violated: "Election Safety violated [safety]" });
    expect(p!.tests[0]!.firstFailure?.seed).toBe(7);
    expect(p!.tests[1]).toMatchObject({ test: "3C lab tests under the nemesis (2)", runs: 2, passed: 1, earned: 0, violated: "one(N) failed to reach agreement [liveness]" });
    expect(p!.tests[1]!.firstFailure?.replay).toMatch(/^RAFTLAB_EXPLORE=1 SEED=5 /);
    const ok = gradeExplore(items, [rec("ExploreRaftPersistence3C", 1, true), rec("ExploreRaftPersistence3C", 2, true), rec("ExploreRaftPersistence3C", 3, true), rec("TP1", 1, true), rec("TP2", 1, true)], { scenario: 3, labTest: 1 });
    expect(ok[0]).toMatchObject({ earned: 7, max: 7 });
    // Missing runs count as failed.
    expect(gradeExplore(items, [rec("ExploreRaftPersistence3C", 1, true)], { scenario: 3, labTest: 1 })[0]!.earned).toBe(0);
  });

  it("its units run in explore mode: the scenarios' file over the scenario seeds, the lab tests over theirs", () => {
    const units = exploreUnits(items, [1, 2, 3, 4], [9], 2);
    expect(units).toEqual([
      { file: "src/explore/raft-scenarios.explore.test.ts", tests: ["ExploreRaftPersistence3C"], seeds: [1, 3], env: { RAFTLAB_EXPLORE: "1" } },
      { file: "src/explore/raft-scenarios.explore.test.ts", tests: ["ExploreRaftPersistence3C"], seeds: [2, 4], env: { RAFTLAB_EXPLORE: "1" } },
      { file: "src/raft/x.test.ts", tests: ["TP1", "TP2"], seeds: [9], env: { RAFTLAB_EXPLORE: "1" } },
    ]);
  });

  it("the table shows it apart, with what broke", () => {
    const [p] = gradeExplore(items, [rec("ExploreRaftPersistence3C", 7, false, "Leader Completeness violated: S0 is leader of T5 without ...")], { scenario: 1, labTest: 1 });
    const table = formatGradeTable(report([p!]), c);
    expect(table).toContain("Explore component (beyond the original tests; its points add to the maximum):");
    expect(table).toContain("    violated: Leader Completeness violated [safety]");
  });
});

describe("the run budget follows the solution", () => {
  const first = (ms: number[]): StressRecord[] => ms.map((wallMs, i) => ({ ...rec(`T${i}`, 1, true), wallMs }));
  it("fits as many runs as the time left allows, within the floor and the configured runs", () => {
    // 10 tests of 1 s each on one worker: a round is 10 s; 200 s left, 20% kept back: 16 more rounds, capped at 10 runs.
    expect(fitRuns({ firstRuns: first(Array(10).fill(1000)), firstWallMs: 10_000, units: 1, workers: 1, msLeft: 200_000, runs: 10, minRuns: 3 }).runs).toBe(10);
    // A solution 10 times slower: a round is 100 s; 400 s left: 3 more rounds, 4 runs.
    const slow = fitRuns({ firstRuns: first(Array(10).fill(10_000)), firstWallMs: 100_000, units: 1, workers: 1, msLeft: 400_000, runs: 10, minRuns: 3 });
    expect(slow.runs).toBe(4);
    expect(slow.note).toMatch(/4 of the configured 10 fit/);
    expect(slow.floorFits).toBe(true);
    expect(slow.note).not.toContain("warning");
    // Slower still: the floor holds, and the grader warns that the deadline will cut it off (what
    // grading Labs 2-5 together at Gradescope's ½ vCPU and 540 s does).
    const floor = fitRuns({ firstRuns: first(Array(10).fill(60_000)), firstWallMs: 600_000, units: 1, workers: 1, msLeft: 100_000, runs: 10, minRuns: 3 });
    expect(floor).toMatchObject({ runs: 3, floorFits: false, note: expect.stringMatching(/the floor of 3/) });
    expect(floor.note).toContain("warning: the floor of 3 runs per test does not fit the deadline (about 1200 s more of runs, 80 s usable): runs cut off by it count as failed. Grade fewer labs per assignment");
    // Two workers halve a round.
    expect(fitRuns({ firstRuns: first(Array(10).fill(10_000)), firstWallMs: 50_000, units: 2, workers: 2, msLeft: 400_000, runs: 10, minRuns: 3 }).runs).toBe(7);
    expect(() => fitRuns({ firstRuns: [], firstWallMs: 0, units: 0, workers: 1, msLeft: 1, runs: 3, minRuns: 4 })).toThrow(/minRuns 4 must be in 1\.\.3/);
  });
});

describe("reports", () => {
  const graded = gradeParts([part("3A", { TA: 5, TB: 3 })], 3, [rec("TA", 1, true), rec("TA", 2, true), rec("TA", 3, true), rec("TB", 1, true), rec("TB", 2, false), rec("TB", 3, true)]);

  it("results.json follows Gradescope's schema: passes, failures with the replay command, extra credit", () => {
    const results = toGradescope(report(graded), { visibility: "visible", stdoutVisibility: "hidden" });
    expectValid(results);
    expect(results.score).toBe(5);
    expect(results.execution_time).toBe(1.2);
    expect(results.tests.map((t) => [t.name, t.score, t.max_score, t.status])).toEqual([["3A TA", 5, 5, "passed"], ["3A TB", 0, 3, "failed"]]);
    expect(results.tests[1]!.output).toMatch(/^2\/3 runs passed \(a test earns its points only if every run passes\)\.\n\nFirst failure \(seed 2\):\nboom\n  seed:   2\n  replay: SEED=2 npx vitest run src\/raft\/x\.test\.ts -t '\^TB\$'/);
    const xc = gradeParts([part("xc", { TX: 2 }, { extraCredit: true })], 1, [rec("TX", 1, true)]);
    const r2 = toGradescope(report(xc), { visibility: "after_published", stdoutVisibility: "visible" });
    expectValid(r2);
    expect(r2.tests[0]).toMatchObject({ score: 2, max_score: 0, status: "passed", visibility: "after_published" });
  });

  it("results.json of a submission that does not type-check: score 0, a scoreless failed check with the compiler's output first", () => {
    const blocked = blockedParts([part("3A", { TA: 5 })], 3, "not run: Type check (npm run typecheck) failed (see that entry)");
    const r = report(blocked, { blocker: { check: "Type check (npm run typecheck)", output: "src/raft/raft.ts(3,7): error TS2322: nope" } });
    const results = toGradescope(r, { visibility: "visible", stdoutVisibility: "hidden" });
    expectValid(results);
    expect(results.score).toBe(0);
    expect(results.tests[0]).toEqual({ name: "Type check (npm run typecheck)", status: "failed", output: "src/raft/raft.ts(3,7): error TS2322: nope", visibility: "visible" });
    expect(results.tests[1]).toMatchObject({ name: "3A TA", score: 0, max_score: 5, status: "failed" });
  });

  it("the schema check itself fails on what Gradescope would not take", () => {
    const good = toGradescope(report(graded), { visibility: "visible", stdoutVisibility: "hidden" });
    const bad = (mutate: (r: Record<string, unknown>) => void): boolean => {
      const r = structuredClone(good) as unknown as Record<string, unknown>;
      mutate(r);
      return validate(r);
    };
    expect(bad(() => {})).toBe(true);
    expect(bad((r) => ((r["tests"] as Record<string, unknown>[])[0]!["status"] = "ok"))).toBe(false);
    expect(bad((r) => (r["score"] = "5"))).toBe(false);
    expect(bad((r) => (r["visibility"] = "public"))).toBe(false);
    expect(bad((r) => ((r["tests"] as Record<string, unknown>[])[0]!["maxScore"] = 5))).toBe(false);
    expect(bad((r) => { delete r["score"]; delete r["tests"]; })).toBe(false);
  });

  it("the table and the Markdown report show runs passed, points and the first failure's replay", () => {
    const table = formatGradeTable(report(graded), c);
    expect(table).toContain("Part 3A: part 3A  5/8");
    expect(table).toMatch(/TB\s+2\/3\s+0\/3\n {4}first failure, seed 2: boom\n {4}replay: SEED=2 npx vitest run/);
    expect(table).toContain("Total: 5/8 (3 runs per test; a test earns its points only if every run passes)");
    const md = toMarkdown(report(graded));
    expect(md).toContain("# raftlab grade: 5/8");
    expect(md).toContain("| 3A: part 3A | 5/8 |");
    expect(md).toContain("| TB | 2/3 | 0/3 | seed 2: boom<br>`SEED=2 npx vitest run src/raft/x.test.ts -t '^TB$'` |");
  });

  it("parts without points total the tests that passed every run, not 0/0", () => {
    const zero = gradeParts([part("scenarios", { TA: 0, TB: 0 })], 2, [rec("TA", 1, true), rec("TA", 2, true), rec("TB", 1, true), rec("TB", 2, false)]);
    const table = formatGradeTable(report(zero, { score: 0, maxScore: 0 }), c);
    expect(table).toContain("Total: 1/2 tests passed every run (these parts carry no points)");
    expect(table).not.toContain("Total: 0/0");
  });
});

// ---------------------------------------------------------------------------------------------
// Real processes, on a small fixture harness

/** A tree the runner can run tests in: node_modules linked, a one-project vitest config, and `files`. */
function fixtureTree(files: Record<string, string>): string {
  const dir = temp();
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  writeTree(dir, {
    "vitest.config.ts": 'import { defineConfig } from "vitest/config";\nexport default defineConfig({ test: { pool: "forks", projects: [{ extends: true, test: { name: "lab", include: ["src/**/*.test.ts"] } }] } });\n',
    ...files,
  });
  return dir;
}
const HARNESS = JSON.stringify(join(ROOT, "src/harness/index.js"));
const RUNTIME = JSON.stringify(join(ROOT, "src/runtime/index.js"));
const SIM = JSON.stringify(join(ROOT, "src/sim/index.js"));

describe("the runner, on real test processes", () => {
  it("runs each test over its seeds, marks a hung run and carries on with the file's later tests, and fails a file that does not load", async () => {
    const root = fixtureTree({
      "src/fx/a.test.ts": [
        `import { simTest } from ${HARNESS};`,
        `import { sleep } from ${RUNTIME};`,
        'simTest("TestPass", async () => { await sleep(5); });',
        'simTest("TestOdd", async (t) => { await sleep(5); if (t.seed % 2 === 1) throw new Error(`odd seed ${t.seed}`); });',
        // A loop that never awaits: nothing inside the run can stop it.
        'simTest("TestHang", async (t) => { await sleep(5); if (t.seed === 12) for (;;) {} });',
        'simTest("TestAfter", async () => { await sleep(5); });',
      ].join("\n"),
      "src/fx/broken.test.ts": 'import { simTest } from "./nowhere.js";\nsimTest("TestBroken", async () => {});\n',
    });
    const seeds = [11, 12];
    const units = planUnits(root, new Map([["src/fx/a.test.ts", ["TestAfter", "TestHang", "TestOdd", "TestPass"]], ["src/fx/broken.test.ts", ["TestBroken"]]]), seeds, 1);
    expect(units[0]!.tests).toEqual(["TestPass", "TestOdd", "TestHang", "TestAfter"]); // the file's order
    const run = await runUnits({ root, units, workers: 2, wallCapMs: 1000, startupGraceMs: 20_000, outDir: join(root, "out"), c, progress: false });
    const by = (test: string) => run.records.filter((r) => r.test === test).sort((a, b) => a.seed - b.seed).map((r) => [r.seed, r.ok]);
    expect(by("TestPass")).toEqual([[11, true], [12, true]]);
    expect(by("TestOdd")).toEqual([[11, false], [12, true]]);
    expect(by("TestHang")).toEqual([[11, true], [12, false]]);
    expect(by("TestAfter")).toEqual([[11, true], [12, true]]);
    expect(by("TestBroken")).toEqual([[11, false], [12, false]]);
    const hung = run.records.find((r) => r.test === "TestHang" && !r.ok)!;
    // Whichever stops it first names the cause: the grader's cap, or the run's own watchdog (which
    // fires when the cap's kill is slower than the watchdog's limit, as on a loaded machine).
    expect(hung.error).toMatch(/no result within the wall-clock cap of 1 s .* a loop that never awaits|hung: TestHang: .* its code never yields/);
    expect(hung.replay).toBe("SEED=12 npx vitest run src/fx/a.test.ts -t '^TestHang$'");
    const broken = run.records.find((r) => r.test === "TestBroken")!;
    expect(broken.error).toMatch(/the test process exited with code 1 without a result for this run \(did src\/fx\/broken\.test\.ts fail to load, or does it not declare TestBroken\?\)/);
    expect(run.records.find((r) => r.test === "TestOdd" && !r.ok)!.error).toMatch(/^odd seed 11\n {2}seed: {3}11\n {2}replay: /);
    expect(run.deadlineHit).toBe(false);
  }, 120_000);

  it("stops at the deadline: runs cut short or never started count as not run", async () => {
    const root = fixtureTree({
      "src/fx/slow.test.ts": [
        `import { simTest } from ${HARNESS};`,
        `import { realClock } from ${SIM};`,
        // Busy for 30 s of real time: only the deadline ends it.
        'simTest("TestSlow", async () => { const end = realClock.now() + 30_000; while (realClock.now() < end) {} });',
        'simTest("TestNext", async () => {});',
      ].join("\n"),
    });
    const units = planUnits(root, new Map([["src/fx/slow.test.ts", ["TestSlow", "TestNext"]]]), [1, 2], 2);
    const started = Date.now();
    const run = await runUnits({ root, units, workers: 1, wallCapMs: 60_000, deadline: Date.now() + 4000, outDir: join(root, "out"), c, progress: false });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(run.deadlineHit).toBe(true);
    expect(run.records).toHaveLength(4);
    expect(run.records.every((r) => !r.ok && /^not run: the grading deadline passed/.test(r.error ?? ""))).toBe(true);
    expect(run.records.filter((r) => /before this run started/.test(r.error ?? ""))).toHaveLength(2); // the second unit never started
  }, 60_000);
});

describe("grade() on a fixture harness", () => {
  /** A harness with one lab: the student owns src/lab/** except the test; 1A is worth 2 + 3 points. */
  function harness(): string {
    const root = fixtureTree({
      "course/labs.json": JSON.stringify({ format: "raftlab-labs/1", labs: [{ lab: 1, title: "Arithmetic", folder: "src/lab", student: { include: ["src/lab/**"], exclude: ["src/lab/*.test.ts"] }, parts: [{ part: "1A", title: "add and mul", files: ["src/lab/lab.test.ts"], tests: { TestAdd1A: 2, TestMul1A: 3 } }] }] }),
      "course/grading.json": JSON.stringify({ format: "raftlab-grading/1", runs: 2, wallCapSeconds: 20, typecheck: "required" }),
      "tsconfig.json": JSON.stringify({ compilerOptions: { target: "es2022", module: "nodenext", moduleResolution: "nodenext", strict: true, noUnusedLocals: true, noEmit: true, skipLibCheck: true, types: ["node"] }, include: ["src"] }),
      "src/lab/lab.test.ts": [
        `import { simTest } from ${HARNESS};`,
        'import { add, mul } from "./impl.js";',
        'simTest("TestAdd1A", async () => { if (add(2, 3) !== 5) throw new Error(`add(2, 3) = ${add(2, 3)}, want 5`); });',
        'simTest("TestMul1A", async (t) => { if (mul(t.seed, 3) !== t.seed * 3) throw new Error(`mul(${t.seed}, 3) = ${mul(t.seed, 3)}`); });',
      ].join("\n"),
      "src/lab/impl.ts": 'export function add(a: number, b: number): number {\n  throw new Error(`not implemented: add ${a} ${b}`);\n}\nexport function mul(a: number, b: number): number {\n  throw new Error(`not implemented: mul ${a} ${b}`);\n}\n',
    });
    return root;
  }

  it("takes only the student's files from the submission (its edited test does not count), and writes valid results", async () => {
    const h = harness();
    const sub = temp();
    writeTree(sub, {
      "src/lab/impl.ts": "export function add(a: number, b: number): number {\n  return a + b;\n}\nexport function mul(a: number, b: number): number {\n  return a * b + (a === 5 ? 1 : 0);\n}\n",
      "src/lab/helper.ts": "export const unused = 1;\n",
      // The submission's own version of the test would pass anything: it must not be used.
      "src/lab/lab.test.ts": `import { simTest } from ${HARNESS};\nsimTest("TestAdd1A", async () => {});\nsimTest("TestMul1A", async () => {});\n`,
    });
    vi.spyOn(console, "log").mockImplementation(() => {});
    const out = temp();
    const status = await grade({ parts: undefined, runs: 3, seed: 4, solution: sub, results: join(out, "results.json"), md: join(out, "r.md"), workers: 1, wallCapSeconds: undefined, deadlineSeconds: undefined, gradescope: false, config: undefined, keep: false, explore: undefined, exploreSeeds: undefined }, h);
    expect(status).toBe(1);
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as { score: number; tests: { name: string; score: number; status: string; output: string }[] };
    expectValid(results);
    expect(results.score).toBe(2);
    expect(results.tests.map((t) => [t.name, t.score, t.status])).toEqual([["1A TestAdd1A", 2, "passed"], ["1A TestMul1A", 0, "failed"]]);
    expect(results.tests[1]!.output).toMatch(/^2\/3 runs passed .*\n\nFirst failure \(seed 5\):\nmul\(5, 3\) = 16/s);
    expect(readFileSync(join(out, "r.md"), "utf8")).toContain("| TestMul1A | 2/3 | 0/3 | seed 5: mul(5, 3) = 16");
    // The harness itself was not touched.
    expect(readFileSync(join(h, "src/lab/impl.ts"), "utf8")).toContain("not implemented");
  }, 120_000);

  it("with a deadline, times each test's first run and fits the runs to it (here all fit), saying so in the results", async () => {
    const h = harness();
    const sub = temp();
    writeTree(sub, { "src/lab/impl.ts": "export function add(a: number, b: number): number {\n  return a + b;\n}\nexport function mul(a: number, b: number): number {\n  return a * b;\n}\n" });
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void lines.push(a.join(" ")));
    const out = temp();
    const status = await grade({ parts: undefined, runs: 4, seed: 1, solution: sub, results: join(out, "results.json"), md: undefined, workers: 1, wallCapSeconds: undefined, deadlineSeconds: 300, gradescope: false, config: undefined, keep: false, explore: undefined, exploreSeeds: undefined }, h);
    expect(status, lines.join("\n")).toBe(0);
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as { score: number; output: string; tests: { output: string }[]; extra_data: { budget?: string } };
    expectValid(results);
    expect(results.extra_data.budget).toMatch(/^budget: one run of every lab test took [\d.]+ s of runs .*: 4 runs per test \(all 4 fit\)$/);
    expect(results.output).toContain("4 runs per test");
    expect(results.tests.every((t) => t.output.startsWith("4/4 runs passed"))).toBe(true);
    expect(lines.join("\n")).toMatch(/or as many as fit the deadline, at least 2/);
  }, 120_000);

  it("a submission that does not type-check scores 0 with the compiler's message; one with no lab folder says what to submit", async () => {
    const h = harness();
    const sub = temp();
    writeTree(sub, { "src/lab/impl.ts": 'export function add(a: number, b: number): number {\n  return a + b;\n}\nexport function mul(a: number, b: number): number {\n  const s: string = a * b;\n  return s as unknown as number;\n}\n' });
    vi.spyOn(console, "log").mockImplementation(() => {});
    const out = temp();
    const opts = { parts: undefined, runs: 1, seed: 1, results: join(out, "results.json"), md: undefined, workers: 1, wallCapSeconds: undefined, deadlineSeconds: undefined, gradescope: true, config: undefined, keep: false, explore: undefined, exploreSeeds: undefined };
    expect(await grade({ ...opts, solution: sub }, h)).toBe(1);
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as { score: number; tests: { name: string; status: string; output: string; score?: number }[] };
    expectValid(results);
    expect(results.score).toBe(0);
    expect(results.tests[0]!.name).toBe("Type check (npm run typecheck)");
    expect(results.tests[0]!.output).toMatch(/src\/lab\/impl\.ts\(5,9\): error TS2322: Type 'number' is not assignable to type 'string'/);
    expect(results.tests.slice(1).every((t) => t.score === 0 && /^0\/1 runs passed/.test(t.output))).toBe(true);

    const empty = temp();
    writeTree(empty, { "notes.txt": "my raft is in my other folder\n" });
    expect(await grade({ ...opts, solution: empty }, h)).toBe(1);
    const r2 = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as { score: number; tests: { name: string; output: string }[] };
    expectValid(r2);
    expect(r2.score).toBe(0);
    expect(r2.tests[0]).toMatchObject({ name: "Submission", output: expect.stringMatching(/has no src\/lab folder: submit your whole repository/) });
    expect(existsSync(join(h, "node_modules"))).toBe(true);
  }, 120_000);
});

describe("an interrupted grade", () => {
  /** Processes whose environment or command line mention `text` (this one's aside). */
  function processesUsing(text: string): number[] {
    const pids: number[] = [];
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
      try {
        if (/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${entry}/stat`, "utf8"))) continue; // dead, not yet reaped
        if ((readFileSync(`/proc/${entry}/environ`, "utf8") + readFileSync(`/proc/${entry}/cmdline`, "utf8")).includes(text)) pids.push(Number(entry));
      } catch {
        // gone, or not ours to read
      }
    }
    return pids;
  }

  // Each case kills `npm run grade` at another moment: during the type check, and with its test
  // workers running. Its scratch folders live under its own TMPDIR, which must be empty afterwards.
  for (const [signal, when] of [
    ["SIGTERM", "type check"],
    ["SIGINT", "runs"],
  ] as const) {
    it(`${signal} during the ${when} leaves no raftlab-grade-* folder and no process behind`, async () => {
      const tmp = temp();
      const child = spawn(join(ROOT, "node_modules/.bin/tsx"), ["scripts/grade.ts", "--parts", "3A", "--runs", "20", "--no-explore", "--solution", ROOT], {
        cwd: ROOT,
        env: { ...process.env, NO_COLOR: "1", TMPDIR: tmp },
      });
      let out = "";
      child.stdout.on("data", (b: Buffer) => (out += b.toString()));
      child.stderr.on("data", (b: Buffer) => (out += b.toString()));
      const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
      const until = async (what: () => boolean): Promise<void> => {
        for (let i = 0; i < 1200 && !what(); i++) await new Promise((r) => setTimeout(r, 100));
      };
      if (when === "type check") await until(() => processesUsing(`${tmp}/raftlab-grade-`).some((pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("tsc")));
      else await until(() => processesUsing("STRESS_OUT=" + tmp).length >= 2);
      expect(readdirSync(tmp).filter((f) => f.startsWith("raftlab-grade-")), out).toHaveLength(1);
      child.kill(signal);
      const code = await exited;
      expect(code, out).toBe(130);
      await until(() => processesUsing(tmp).length === 0);
      expect(processesUsing(tmp)).toEqual([]);
      expect(readdirSync(tmp).filter((f) => f.startsWith("raftlab-")), out).toEqual([]); // (tsx keeps its own tsx-* folder there)
    }, 300_000);
  }
});
