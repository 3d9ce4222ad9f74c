/**
 * Every explore scenario by test name, and the test file that registers each: what `npm run
 * explore`, the shrinker and the grader's explore component look up. Each lab's scenarios live in
 * a module and a test file of their own (`raft-scenarios.ts`, `kv-scenarios.ts`), so that a tree
 * without Lab 4 (a Lab 3 handout, or grading Lab 3 alone) keeps Lab 3's and `npm run explore`.
 */
import { KV_SCENARIOS_FILE, RAFT_SCENARIOS_FILE } from "./files.js";
import { RAFT_SCENARIOS, type Scenario } from "./raft-scenarios.js";

export type { Scenario } from "./raft-scenarios.js";
export { type LivenessMeasure, type ScenarioOptions } from "./phases.js";

/**
 * Lab 4's scenarios if this tree has Lab 4. The module is named in a variable on purpose: a handout
 * without Lab 4 drops every file that imports Lab 4 by a literal path (scripts/lib/handout-manifest.ts),
 * and this registry must stay.
 */
async function kvScenarios(): Promise<Readonly<Record<string, Scenario>>> {
  const module = "./kv-scenarios.js";
  try {
    return ((await import(module)) as { KV_SCENARIOS: Readonly<Record<string, Scenario>> }).KV_SCENARIOS;
  } catch (e) {
    if ((e as { code?: string }).code === "ERR_MODULE_NOT_FOUND" && String((e as Error).message).includes("kv-scenarios")) return {};
    throw e;
  }
}

/** Every scenario, by the name its test has (the lab part is the suffix, so `npm run explore -- 3C` picks it). */
export const SCENARIOS: Readonly<Record<string, Scenario>> = { ...RAFT_SCENARIOS, ...(await kvScenarios()) };

/** The test files that register the scenarios of this tree. */
export const SCENARIO_FILES: readonly string[] = Object.keys(SCENARIOS).some((n) => RAFT_SCENARIOS[n] === undefined) ? [RAFT_SCENARIOS_FILE, KV_SCENARIOS_FILE] : [RAFT_SCENARIOS_FILE];


/** The test file that registers scenario `name`, if it is one. */
export function scenarioFile(name: string): string | undefined {
  if (RAFT_SCENARIOS[name] !== undefined) return RAFT_SCENARIOS_FILE;
  if (SCENARIOS[name] !== undefined) return KV_SCENARIOS_FILE;
  return undefined;
}
