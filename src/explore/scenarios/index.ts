/**
 * The explore scenarios by test name: what `scenarios.explore.test.ts` registers, and what the
 * shrinker and a kept (shrunk) scenario run in-process.
 */
import type { TestInfo } from "../../tester/test-info.js";
import { kvScenario } from "./kv-scenario.js";
import { kvsrvScenario } from "./kvsrv-scenario.js";
import type { ScenarioOptions } from "./phases.js";
import { raftScenario } from "./raft-scenario.js";
import { shardkvScenario } from "./shardkv-scenario.js";

/** A scenario's body. */
export type Scenario = (t: TestInfo, options?: ScenarioOptions) => Promise<void>;

/** Every scenario, by the name its test has (the lab part is the suffix, so `npm run explore -- 3C` picks it). */
export const SCENARIOS: Readonly<Record<string, Scenario>> = {
  ExploreKVServer2: (t, o) => kvsrvScenario(t, o),
  ExploreRaft3A: (t, o) => raftScenario(t, "3A", o),
  ExploreRaft3B: (t, o) => raftScenario(t, "3B", o),
  ExploreRaft3C: (t, o) => raftScenario(t, "3C", o),
  ExploreRaft3D: (t, o) => raftScenario(t, "3D", o),
  ExploreKV4A: (t, o) => kvScenario(t, "4A", o),
  ExploreKV4B: (t, o) => kvScenario(t, "4B", o),
  ExploreShardKV5B: (t, o) => shardkvScenario(t, o),
};

/** The file that registers them. */
export const SCENARIOS_FILE = "src/explore/scenarios.explore.test.ts";

export { type ScenarioOptions } from "./phases.js";
