/** The Lab 5 explore scenario by test name (it goes with Lab 5 from a handout without it). */
import type { Scenario } from "./raft-scenarios.js";
import { shardkvScenario } from "./shardkv-scenario.js";

/** Lab 5's scenarios (5B only: the controller of 5A has none of its own). */
export const SHARDKV_SCENARIOS: Readonly<Record<string, Scenario>> = {
  ExploreShardKV5B: (t, o) => shardkvScenario(t, o),
};

export { SHARDKV_SCENARIOS_FILE } from "./files.js";
