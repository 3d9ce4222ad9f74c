/**
 * The Raft explore scenarios by test name (Lab 3 alone: a handout or grading tree without Lab 4
 * keeps them). The lab part is the suffix, so `npm run explore -- 3C` picks one.
 */
import type { TestInfo } from "../../tester/test-info.js";
import type { ScenarioOptions } from "./phases.js";
import { RAFT_SCENARIO_NAMES } from "./aims.js";
import { raftScenario } from "./raft-scenario.js";
import { staleAppendReplyScenario } from "./stale-append-reply-scenario.js";

/** A scenario's body. */
export type Scenario = (t: TestInfo, options?: ScenarioOptions) => Promise<void>;

/**
 * Lab 3's scenarios, named as {@link RAFT_SCENARIO_NAMES} says (what each aims at, then the part).
 * The names are written out: tools find a scenario by reading this file (the debugger's test finder).
 */
export const RAFT_SCENARIOS: Readonly<Record<string, Scenario>> = {
  ExploreRaftElection3A: (t, o) => raftScenario(t, "3A", o),
  ExploreRaftAgreement3B: (t, o) => raftScenario(t, "3B", o),
  ExploreRaftPersistence3C: (t, o) => raftScenario(t, "3C", o),
  ExploreRaftSnapshots3D: (t, o) => raftScenario(t, "3D", o),
  // A targeted scenario (not a part's own: `npm run explore -- 3B` and `npm run mutants` run it too, the grade does not).
  ExploreRaftStaleAppendReply3B: (t, o) => staleAppendReplyScenario(t, o),
};

// Invariant: every part's name in aims.ts is a scenario here, of that part.
for (const [part, name] of Object.entries(RAFT_SCENARIO_NAMES)) {
  if (RAFT_SCENARIOS[name] === undefined || !name.endsWith(part)) throw new Error(`aims.ts names ${name} for part ${part}, which raft-scenarios.ts does not register under that name`);
}

export { RAFT_SCENARIOS_FILE } from "./files.js";
export { RAFT_SCENARIO_NAMES } from "./aims.js";
