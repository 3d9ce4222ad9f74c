/**
 * Every explore scenario by test name, and the test file that registers each: what `npm run
 * explore`, the shrinker and the grader's explore component look up. Each lab's scenarios live in
 * a module and a test file of their own (`kvsrv-scenarios.ts`, `raft-scenarios.ts`,
 * `kv-scenarios.ts`, `shardkv-scenarios.ts`), so that a tree without Lab 2, 4 or 5 (a Lab 3 handout, or grading Lab 3 alone) keeps Lab 3's and
 * `npm run explore`.
 */
import { KV_SCENARIOS_FILE, KVSRV_SCENARIOS_FILE, RAFT_SCENARIOS_FILE, SHARDKV_SCENARIOS_FILE } from "./files.js";
import { RAFT_SCENARIOS, type Scenario } from "./raft-scenarios.js";

export type { Scenario } from "./raft-scenarios.js";
export { type LivenessMeasure, type ScenarioOptions } from "./phases.js";

/**
 * A lab's scenarios if this tree has that lab (Lab 2's, Lab 4's, Lab 5's). The module is named in a variable
 * on purpose: a handout without the lab drops every file that imports it by a literal path
 * (scripts/lib/handout-manifest.ts), and this registry must stay.
 */
async function optionalScenarios(module: string, exported: string): Promise<Readonly<Record<string, Scenario>>> {
  try {
    return ((await import(module)) as Record<string, Readonly<Record<string, Scenario>>>)[exported] ?? {};
  } catch (e) {
    const stem = module.replace(/^\.\//, "").replace(/\.js$/, "");
    if ((e as { code?: string }).code === "ERR_MODULE_NOT_FOUND" && String((e as Error).message).includes(stem)) return {};
    throw e;
  }
}

const KVSRV_SCENARIOS = await optionalScenarios("./kvsrv-scenarios.js", "KVSRV_SCENARIOS");
const KV_SCENARIOS = await optionalScenarios("./kv-scenarios.js", "KV_SCENARIOS");
const SHARDKV_SCENARIOS = await optionalScenarios("./shardkv-scenarios.js", "SHARDKV_SCENARIOS");

/** Every scenario, by the name its test has (the lab part is the suffix, so `npm run explore -- 3C` picks it). */
export const SCENARIOS: Readonly<Record<string, Scenario>> = { ...KVSRV_SCENARIOS, ...RAFT_SCENARIOS, ...KV_SCENARIOS, ...SHARDKV_SCENARIOS };

/** The test files that register the scenarios of this tree. */
export const SCENARIO_FILES: readonly string[] = [
  ...(Object.keys(KVSRV_SCENARIOS).length > 0 ? [KVSRV_SCENARIOS_FILE] : []),
  RAFT_SCENARIOS_FILE,
  ...(Object.keys(KV_SCENARIOS).length > 0 ? [KV_SCENARIOS_FILE] : []),
  ...(Object.keys(SHARDKV_SCENARIOS).length > 0 ? [SHARDKV_SCENARIOS_FILE] : []),
];

/** The test file that registers scenario `name`, if it is one. */
export function scenarioFile(name: string): string | undefined {
  if (KVSRV_SCENARIOS[name] !== undefined) return KVSRV_SCENARIOS_FILE;
  if (RAFT_SCENARIOS[name] !== undefined) return RAFT_SCENARIOS_FILE;
  if (KV_SCENARIOS[name] !== undefined) return KV_SCENARIOS_FILE;
  if (SHARDKV_SCENARIOS[name] !== undefined) return SHARDKV_SCENARIOS_FILE;
  return undefined;
}
