/**
 * The test file a shrunk explore failure becomes: the scenario, the seed and the faults that are
 * left, replayed exactly (in the style of `TestFigure8Scenario`: one situation, built on purpose).
 * It fails while the bug is there, and is the student's to keep once it passes.
 */
import { describeFault, type ScheduleFile } from "../../src/explore/schedule.js";
import { RAFT_SCENARIOS } from "../../src/explore/scenarios/raft-scenarios.js";

/**
 * Where the kept test of a scenario goes: a `kept/` folder among the student's own files of its lab
 * (`src/raft/kept`, `src/kvraft/kept`), where `npm test` runs it and where grading and the next
 * handout update leave it alone (they replace only files that are not the student's).
 */
export function keptDir(scenario: string): string {
  // Lab 4's registry is not imported, so that this module stays in a tree without Lab 4.
  return RAFT_SCENARIOS[scenario] !== undefined ? "src/raft/kept" : "src/kvraft/kept";
}

/** The module a kept test imports its scenario from, relative to {@link keptDir}. */
function scenarioModule(scenario: string): { path: string; name: string } {
  return RAFT_SCENARIOS[scenario] !== undefined
    ? { path: "../../explore/scenarios/raft-scenarios.js", name: "RAFT_SCENARIOS" }
    : { path: "../../explore/scenarios/kv-scenarios.js", name: "KV_SCENARIOS" };
}

/** A test name made of the scenario and the seed: `ExploreRaftPersistence3C_seed123_shrunk`. */
export function keptTestName(schedule: Pick<ScheduleFile, "test" | "seed">): string {
  return `${schedule.test.replace(/\W+/g, "_")}_seed${schedule.seed}_shrunk`;
}

/** The text of the test file for `schedule` (a scenario's), with `kept` the ids of the faults left. */
export function keptTestFile(schedule: ScheduleFile, kept: readonly number[], failure: string): string {
  const keep = new Set(kept);
  const faults = schedule.faults.filter((f) => keep.has(f.id));
  const removed = schedule.faults.filter((f) => !keep.has(f.id)).map((f) => f.id);
  const name = keptTestName(schedule);
  const dir = keptDir(schedule.test);
  const module = scenarioModule(schedule.test);
  const comment = [
    `/**`,
    ` * Found by \`npm run explore\` and shrunk by \`npm run explore -- --shrink\`: ${schedule.test} with seed ${schedule.seed}`,
    ` * fails with only ${faults.length} of its ${schedule.faults.length} faults:`,
    ` *`,
    ...faults.map((f) => ` * ${describeFault(f)}`),
    ` *`,
    ` * and fails with`,
    ...failure.split("\n").map((l) => ` *   ${l.replace(/\*\//g, "* /")}`),
    ` *`,
    ` * The run replays exactly (same seed, same faults) while the code is the code that failed; once`,
    ` * the code changes, each fault hits the first message of its kind at or after its time.`,
    ` * \`npm test\` runs it; alone: npx vitest run ${dir}/${name}.test.ts (TIMELINE=1 for its timeline).`,
    ` */`,
  ];
  const schedulePart = { ...schedule, faults, removed: [] as number[] };
  return `${comment.join("\n")}
import { it } from "vitest";
import { ${module.name} } from "${module.path}";
import { runOnce } from "../../harness/index.js";
import type { ScheduleFile } from "../../explore/schedule.js";

/** The faults left (${removed.length} of the original ${schedule.faults.length} removed as not needed). */
const SCHEDULE: ScheduleFile = ${JSON.stringify(schedulePart, null, 2)};

it(${JSON.stringify(name)}, async () => {
  const outcome = await runOnce({
    name: ${JSON.stringify(name)},
    fullName: ${JSON.stringify(name)},
    file: ${JSON.stringify(`${dir}/${name}.test.ts`)},
    seed: SCHEDULE.seed,
    options: {},
    recordTrace: false,
    body: (t) => ${module.name}[SCHEDULE.test]!(t, { replay: { schedule: SCHEDULE, removed: new Set() } }),
  });
  if (!outcome.ok) throw outcome.error;
});
`;
}
