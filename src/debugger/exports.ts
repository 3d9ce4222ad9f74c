/**
 * What a branch exports as: its edits as a schedule file (replayable from the command line and by
 * `npm run debug -- --edits`), and, for an explore scenario, a kept test file (as shrinking writes
 * one) that runs the scenario with the seed and the edits and fails while the bug is there.
 */
import type { ScheduleFile } from "../explore/schedule.js";
import { describeEdit, type Edit } from "./edits.js";
import type { TestTarget } from "./find-test.js";

/** A branch's edits as a file (JSON). */
export interface EditSchedule {
  readonly version: 1;
  readonly kind: "raftlab debugger edits";
  readonly test: string;
  readonly file: string;
  readonly seed: number;
  readonly explore: boolean;
  readonly edits: readonly Edit[];
}

/** The schedule file of a branch. */
export function editSchedule(target: TestTarget, seed: number, edits: readonly Edit[]): EditSchedule {
  return { version: 1, kind: "raftlab debugger edits", test: target.fullName, file: target.file, seed, explore: target.explore, edits };
}

/** The command that replays a schedule file saved as `path`, without the debugger. */
export function replayEditsCommand(s: EditSchedule, path: string): string {
  const explore = s.explore ? "RAFTLAB_EXPLORE=1 " : "";
  return `${explore}RAFTLAB_DEBUG_EDITS=${shellQuote(path)} SEED=${s.seed} npx vitest run ${s.file} -t ${shellQuote(`^${s.test}$`)}`;
}

/**
 * Where a kept test of scenario `test` is meant to live: among the student's files of its lab, as
 * shrinking writes them (`src/raft/kept`, `src/kvraft/kept`), where `npm test` runs it and grading
 * and handout updates keep it. Its imports are relative to that folder.
 */
export function keptTestDir(test: string): string {
  return test.startsWith("ExploreRaft") ? "src/raft/kept" : "src/kvraft/kept";
}

/** The scenario registry a kept test of `test` imports (by its path from {@link keptTestDir}). */
function scenarioRegistry(test: string): { path: string; name: string } {
  return test.startsWith("ExploreRaft")
    ? { path: "../../explore/scenarios/raft-scenarios.js", name: "RAFT_SCENARIOS" }
    : { path: "../../explore/scenarios/kv-scenarios.js", name: "KV_SCENARIOS" };
}

/** The name of a kept branch: `ExploreRaftElection3A_seed7_branch`. */
export function keptBranchName(test: string, seed: number): string {
  return `${test.replace(/\W+/g, "_")}_seed${seed}_branch`;
}

/** Whether a kept test can be written for `target` (an explore scenario: its body is importable). */
export function canKeepAsTest(target: TestTarget): boolean {
  return target.explore && target.file.endsWith("scenarios.explore.test.ts");
}

/**
 * The text of a kept test for an explore scenario's branch: the scenario with the seed, and the
 * edits applied as the debugger applied them. It passes once the branch passes.
 */
export function keptBranchTest(target: TestTarget, seed: number, edits: readonly Edit[], outcome: string, schedule?: ScheduleFile): string {
  if (!canKeepAsTest(target)) {
    throw new Error(`${target.name} is a lab test: its body cannot be imported by another file; export the schedule and replay it instead`);
  }
  const name = keptBranchName(target.name, seed);
  const registry = scenarioRegistry(target.name);
  const comment = [
    `/**`,
    ` * Kept from the step debugger (npm run debug): ${target.name} with seed ${seed} and ${edits.length} edit${edits.length === 1 ? "" : "s"}:`,
    ` *`,
    ...edits.map((e) => ` * ${describeEdit(e)}`),
    ` *`,
    ` * When it was exported the branch ${outcome.replace(/\*\//g, "* /")}.`,
    ` * The run replays exactly (same seed, same edits) while the code is the code it was recorded on.`,
    ` */`,
  ];
  return `${comment.join("\n")}
import { it } from "vitest";
import { ${registry.name} as SCENARIOS } from "${registry.path}";
import { runOnce } from "../../harness/index.js";
import { applyEdits } from "../../debugger/apply-edits.js";
import type { Edit } from "../../debugger/edits.js";
${schedule === undefined ? "" : `import type { ScheduleFile } from "../../explore/schedule.js";
`}
const SEED = ${seed};
const EDITS: readonly Edit[] = ${JSON.stringify(edits, null, 2)};
${schedule === undefined ? "" : `/** The explore fault schedule the branch was made on (its faults replayed, those in \`removed\` left out). */
const SCHEDULE: ScheduleFile = ${JSON.stringify(schedule, null, 2)};
`}
it(${JSON.stringify(name)}, async () => {
  const run = { name: ${JSON.stringify(name)}, fullName: ${JSON.stringify(name)}, file: ${JSON.stringify(`${keptTestDir(target.name)}/${name}.test.ts`)}, seed: SEED };
  const outcome = await runOnce({
    ...run,
    options: {},
    recordTrace: false,
    attach: (sim) => applyEdits(sim, run, EDITS),
    body: (t) => SCENARIOS[${JSON.stringify(target.name)}]!(t${schedule === undefined ? "" : ", { replay: { schedule: SCHEDULE, removed: new Set(SCHEDULE.removed ?? []) } }"}),
  });
  if (!outcome.ok) throw outcome.error;
});
`;
}

/** Quotes `text` for a POSIX shell. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
