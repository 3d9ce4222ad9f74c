/**
 * The Raft explore scenarios by test name (Lab 3 alone: a handout or grading tree without Lab 4
 * keeps them). The lab part is the suffix, so `npm run explore -- 3C` picks one.
 */
import type { TestInfo } from "../../tester/test-info.js";
import type { ScenarioOptions } from "./phases.js";
import { raftScenario } from "./raft-scenario.js";

/** A scenario's body. */
export type Scenario = (t: TestInfo, options?: ScenarioOptions) => Promise<void>;

/** Lab 3's scenarios. */
export const RAFT_SCENARIOS: Readonly<Record<string, Scenario>> = {
  ExploreRaft3A: (t, o) => raftScenario(t, "3A", o),
  ExploreRaft3B: (t, o) => raftScenario(t, "3B", o),
  ExploreRaft3C: (t, o) => raftScenario(t, "3C", o),
  ExploreRaft3D: (t, o) => raftScenario(t, "3D", o),
};

export { RAFT_SCENARIOS_FILE } from "./files.js";
