/** The KV explore scenarios by test name (Lab 4; they go with Lab 4 from a handout without it). */
import { kvScenario } from "./kv-scenario.js";
import type { Scenario } from "./raft-scenarios.js";

/** Lab 4's scenarios. */
export const KV_SCENARIOS: Readonly<Record<string, Scenario>> = {
  ExploreKV4A: (t, o) => kvScenario(t, "4A", o),
  ExploreKV4B: (t, o) => kvScenario(t, "4B", o),
};

export { KV_SCENARIOS_FILE } from "./files.js";
