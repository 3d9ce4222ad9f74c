/** The Lab 2 explore scenario by test name (it goes with Lab 2 from a handout without it). */
import { kvsrvScenario } from "./kvsrv-scenario.js";
import type { Scenario } from "./raft-scenarios.js";

/** Lab 2's scenarios. */
export const KVSRV_SCENARIOS: Readonly<Record<string, Scenario>> = {
  ExploreKVServer2: (t, o) => kvsrvScenario(t, o),
};

export { KVSRV_SCENARIOS_FILE } from "./files.js";
