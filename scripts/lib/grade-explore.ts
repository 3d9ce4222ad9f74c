/**
 * The explore component of `npm run grade`: what raftlab's explore finds and the faithful tests
 * miss (a Figure 8 commit, a vote not persisted, a truncation on a stale AppendEntries) counts in
 * the grade, beside the original parts and their unchanged points.
 *
 * For each graded lab part named in `course/grading.json`'s `explore.parts`, two entries, each all
 * or nothing like a lab test: the part's explore scenario (`ExploreRaftPersistence3C`, ...) over
 * `scenarioSeeds` seeds, and the part's lab tests whose checks stay sound under extra faults
 * (`src/explore/lab-tests.ts`) under the nemesis over `labTestSeeds` seeds each. The safety
 * monitors are on in both. A failing entry is reported with its first failing seed, the property
 * that broke (or the check's message) and the command that replays the run.
 */
import type { StressRecord } from "../../src/harness/index.js";
import { LAB_TESTS_UNDER_NEMESIS } from "../../src/explore/lab-tests.js";
import { EXPLORE_ENV } from "../../src/explore/mode.js";
import { RAFT_SCENARIO_NAMES, SCENARIO_AIMS, type RaftPart } from "../../src/explore/scenarios/aims.js";
import { scenariosFileOfLab } from "../../src/explore/scenarios/files.js";
import { exploreReplay, failureKind } from "./explore-report.js";
import type { PartGrade, TestGrade } from "./grade-report.js";
import type { Unit } from "./grade-run.js";
import type { ExploreGrading, GradedPart } from "./grading.js";

/** The explore scenario of a lab part: `ExploreKVServer2` for Lab 2, Lab 3's by its aim (`ExploreRaftPersistence3C`, ...), `ExploreKV4A` for Lab 4's, `ExploreShardKV5B` for Lab 5's. */
export function scenarioOf(part: Pick<GradedPart, "part" | "lab">): string {
  const raft = part.lab === 3 ? RAFT_SCENARIO_NAMES[part.part as RaftPart] : undefined;
  if (raft !== undefined) return raft;
  const prefix = part.lab === 2 ? "ExploreKVServer" : part.lab === 3 ? "ExploreRaft" : part.lab === 5 ? "ExploreShardKV" : "ExploreKV";
  return `${prefix}${part.part}`;
}

/** One part's explore entries: what to run and what each is worth. */
export interface ExploreItem {
  readonly part: string;
  readonly lab: number;
  readonly scenario: string;
  /** The test file that registers it. */
  readonly scenarioFile: string;
  readonly scenarioPoints: number;
  /** The part's lab tests under the nemesis, with their files. */
  readonly labTests: readonly { readonly test: string; readonly file: string }[];
  readonly labTestPoints: number;
}

/** The explore entries of the graded `parts` (those `explore.parts` names), in the parts' order. */
export function explorePlan(explore: ExploreGrading, parts: readonly GradedPart[], declared: (file: string) => readonly string[]): ExploreItem[] {
  const items: ExploreItem[] = [];
  for (const p of parts) {
    const points = explore.parts.get(p.part);
    if (points === undefined) continue;
    const names = LAB_TESTS_UNDER_NEMESIS[p.part] ?? [];
    const labTests = names.map((test) => ({ test, file: p.files.find((f) => declared(f).includes(test)) ?? p.files[0]! }));
    items.push({ part: p.part, lab: p.lab, scenario: scenarioOf(p), scenarioFile: scenariosFileOfLab(p.lab), scenarioPoints: points.scenario, labTests, labTestPoints: points.labTests });
  }
  return items;
}

/** Environment of the explore runs: explore mode (the scenarios load, lab tests run under the nemesis). */
const EXPLORE_RUN_ENV = { [EXPLORE_ENV.mode]: "1" } as const;

/**
 * The units of the explore component: the scenarios over `scenarioSeeds` (split in `chunks`), and
 * each file's lab tests under the nemesis over `labTestSeeds`.
 */
export function exploreUnits(items: readonly ExploreItem[], scenarioSeeds: readonly number[], labTestSeeds: readonly number[], chunks: number): Unit[] {
  const units: Unit[] = [];
  const split = (seeds: readonly number[]): number[][] => {
    const groups = Array.from({ length: Math.max(1, Math.min(chunks, seeds.length)) }, () => [] as number[]);
    seeds.forEach((s, i) => groups[i % groups.length]!.push(s));
    return groups;
  };
  const scenarios = new Map<string, string[]>();
  for (const i of items) if (i.scenarioPoints > 0) scenarios.set(i.scenarioFile, [...(scenarios.get(i.scenarioFile) ?? []), i.scenario]);
  for (const [file, tests] of scenarios) for (const g of split(scenarioSeeds)) units.push({ file, tests, seeds: g, env: EXPLORE_RUN_ENV });
  const byFile = new Map<string, string[]>();
  for (const i of items) {
    if (i.labTestPoints <= 0) continue;
    for (const t of i.labTests) byFile.set(t.file, [...(byFile.get(t.file) ?? []), t.test]);
  }
  for (const [file, tests] of byFile) for (const g of split(labTestSeeds)) units.push({ file, tests, seeds: g, env: EXPLORE_RUN_ENV });
  return units;
}

/** What broke in a failed run, for the report: `Election Safety violated [safety]`. */
export function violated(r: StressRecord): string {
  const k = failureKind(r.error ?? "");
  return `${k.key} [${k.kind}]`;
}

/**
 * Grades the explore entries from the explore runs' records (the records' test names are the
 * scenarios' and the lab tests'; explore runs are recorded apart from the lab runs).
 */
export function gradeExplore(items: readonly ExploreItem[], records: readonly StressRecord[], seeds: { readonly scenario: number; readonly labTest: number }): PartGrade[] {
  const byTest = new Map<string, StressRecord[]>();
  for (const r of records) byTest.set(r.test, [...(byTest.get(r.test) ?? []), r]);
  const entry = (part: string, name: string, tests: readonly string[], runsEach: number, points: number, file: string | undefined): TestGrade => {
    const list = tests.flatMap((t) => byTest.get(t) ?? []);
    const runs = runsEach * tests.length;
    const passed = list.filter((r) => r.ok).length;
    const failures = tests.flatMap((t) => (byTest.get(t) ?? []).filter((r) => !r.ok).sort((a, b) => a.seed - b.seed));
    const first = failures[0];
    const complete = list.length >= runs && passed >= runs;
    return {
      part,
      test: name,
      file,
      points,
      runs,
      passed: Math.min(passed, runs),
      earned: complete ? points : 0,
      firstFailure: first === undefined ? undefined : { ...first, replay: exploreReplay(first) },
      violated: first === undefined ? undefined : violated(first),
    };
  };
  return items.map((i): PartGrade => {
    const tests: TestGrade[] = [];
    if (i.scenarioPoints > 0) tests.push(entry(i.part, i.scenario, [i.scenario], seeds.scenario, i.scenarioPoints, i.scenarioFile));
    if (i.labTestPoints > 0 && i.labTests.length > 0) {
      const names = i.labTests.map((t) => t.test);
      tests.push(entry(i.part, `${i.part} lab tests under the nemesis (${names.length})`, names, seeds.labTest, i.labTestPoints, i.labTests[0]?.file));
    }
    const earned = tests.reduce((a, t) => a + t.earned, 0);
    return {
      part: `${i.part}+explore`,
      lab: i.lab,
      title: `${i.part} under explore's nemesis, monitors on: ${SCENARIO_AIMS[i.part] ?? "the part's scenario"} (beyond the original)`,
      extraCredit: false,
      tests,
      earned,
      max: tests.reduce((a, t) => a + t.points, 0),
      component: "explore",
    };
  });
}

/** Every explore entry at 0 with `why`: what a blocked submission gets. */
export function blockedExplore(items: readonly ExploreItem[], seeds: { readonly scenario: number; readonly labTest: number }, why: string): PartGrade[] {
  const failure = (test: string, file: string): StressRecord => ({ test, fullName: test, file, seed: 0, ok: false, wallMs: 0, error: why });
  return gradeExplore(items, [], seeds).map((p) => ({
    ...p,
    tests: p.tests.map((t) => ({ ...t, firstFailure: failure(t.test, t.file ?? ""), violated: undefined })),
  }));
}
