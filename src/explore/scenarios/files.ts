/**
 * The test files that register each lab's explore scenarios, as plain names (this module imports
 * nothing, so the grader can name Lab 4's file in a tree without Lab 4).
 */

/** Lab 3's scenarios (`raft-scenarios.ts`). */
export const RAFT_SCENARIOS_FILE = "src/explore/raft-scenarios.explore.test.ts";

/** Lab 4's scenarios (`kv-scenarios.ts`). */
export const KV_SCENARIOS_FILE = "src/explore/kv-scenarios.explore.test.ts";

/** Lab 2's scenario (`kvsrv-scenarios.ts`). */
export const KVSRV_SCENARIOS_FILE = "src/explore/kvsrv-scenarios.explore.test.ts";

/** Lab 5's scenario (`shardkv-scenarios.ts`). */
export const SHARDKV_SCENARIOS_FILE = "src/explore/shardkv-scenarios.explore.test.ts";

/** The test file that registers lab `lab`'s explore scenarios. */
export function scenariosFileOfLab(lab: number): string {
  if (lab === 2) return KVSRV_SCENARIOS_FILE;
  if (lab === 3) return RAFT_SCENARIOS_FILE;
  if (lab === 4) return KV_SCENARIOS_FILE;
  if (lab === 5) return SHARDKV_SCENARIOS_FILE;
  throw new Error(`lab ${lab} has no explore scenarios (src/explore/scenarios/files.ts names each lab's file)`);
}
