/**
 * Every explore scenario by test name, and the test file that registers each: what `npm run
 * explore`, the shrinker and the grader's explore component look up. Each lab's scenarios live in
 * a module and a test file of their own (`raft-scenarios.ts`, `kv-scenarios.ts`), so that a tree
 * without Lab 4 keeps Lab 3's.
 */
import { KV_SCENARIOS, KV_SCENARIOS_FILE } from "./kv-scenarios.js";
import { RAFT_SCENARIOS, RAFT_SCENARIOS_FILE, type Scenario } from "./raft-scenarios.js";

export type { Scenario } from "./raft-scenarios.js";
export { type ScenarioOptions } from "./phases.js";

/** Every scenario, by the name its test has (the lab part is the suffix, so `npm run explore -- 3C` picks it). */
export const SCENARIOS: Readonly<Record<string, Scenario>> = { ...RAFT_SCENARIOS, ...KV_SCENARIOS };

/** The test files that register the scenarios. */
export const SCENARIO_FILES: readonly string[] = [RAFT_SCENARIOS_FILE, KV_SCENARIOS_FILE];

/** The test file that registers scenario `name`, if it is one. */
export function scenarioFile(name: string): string | undefined {
  if (RAFT_SCENARIOS[name] !== undefined) return RAFT_SCENARIOS_FILE;
  if (KV_SCENARIOS[name] !== undefined) return KV_SCENARIOS_FILE;
  return undefined;
}
