/**
 * The test files that register each lab's explore scenarios, as plain names (this module imports
 * nothing, so the grader can name Lab 4's file in a tree without Lab 4).
 */

/** Lab 3's scenarios (`raft-scenarios.ts`). */
export const RAFT_SCENARIOS_FILE = "src/explore/raft-scenarios.explore.test.ts";

/** Lab 4's scenarios (`kv-scenarios.ts`). */
export const KV_SCENARIOS_FILE = "src/explore/kv-scenarios.explore.test.ts";
