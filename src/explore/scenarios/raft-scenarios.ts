/**
 * The Raft explore scenarios by test name (Lab 3 alone: a handout or grading tree without Lab 4
 * keeps them). The lab part is the suffix, so `npm run explore -- 3C` picks one.
 */
import type { TestInfo } from "../../tester/test-info.js";
import type { ScenarioOptions } from "./phases.js";
import { RAFT_SCENARIO_NAMES } from "./aims.js";
import { raftScenario } from "./raft-scenario.js";

/** A scenario's body. */
export type Scenario = (t: TestInfo, options?: ScenarioOptions) => Promise<void>;

/** Lab 3's scenarios, named by {@link RAFT_SCENARIO_NAMES} (what each aims at, then the part). */
export const RAFT_SCENARIOS: Readonly<Record<string, Scenario>> = {
  [RAFT_SCENARIO_NAMES["3A"]]: (t, o) => raftScenario(t, "3A", o),
  [RAFT_SCENARIO_NAMES["3B"]]: (t, o) => raftScenario(t, "3B", o),
  [RAFT_SCENARIO_NAMES["3C"]]: (t, o) => raftScenario(t, "3C", o),
  [RAFT_SCENARIO_NAMES["3D"]]: (t, o) => raftScenario(t, "3D", o),
};

export { RAFT_SCENARIOS_FILE } from "./files.js";
export { RAFT_SCENARIO_NAMES } from "./aims.js";
