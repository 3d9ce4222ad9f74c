/** The KV explore scenarios by test name (Lab 4; they go with Lab 4 from a handout without it). */
import { crashAfterAckScenario, deposedLeaderReadScenario } from "./kv-read-scenarios.js";
import { kvScenario } from "./kv-scenario.js";
import type { Scenario } from "./raft-scenarios.js";

/**
 * Lab 4's scenarios: the part's own (`ExploreKV4A`, `ExploreKV4B`, which the grade's explore
 * component runs), and two targeted ones for the read and write paths of real cluster mode
 * (`kv-read-scenarios.ts`; `npm run explore -- 4A` runs them too, the grade does not).
 */
export const KV_SCENARIOS: Readonly<Record<string, Scenario>> = {
  ExploreKV4A: (t, o) => kvScenario(t, "4A", o),
  ExploreKV4B: (t, o) => kvScenario(t, "4B", o),
  ExploreKVDeposedLeaderRead4A: (t, o) => deposedLeaderReadScenario(t, o),
  ExploreKVCrashAfterAck4B: (t, o) => crashAfterAckScenario(t, o),
};

export { KV_SCENARIOS_FILE } from "./files.js";
