/**
 * The KV tester: a port of 6.5840's `src/kvraft/config.go` and of the helpers of its
 * `test_test.go`, in virtual time. Constants, procedures and failure messages are the original's;
 * all sleeps are virtual and all randomness is the simulation's. One file per job:
 *
 * - `config.ts`: the cluster (servers, links, partitions, crash and restart, Clerks);
 * - `history.ts`: the Clerk wrappers that count operations and record the history;
 * - `generic-test.ts`: concurrent clients, the append checks, the partitioner, `GenericTest`;
 * - `src/tester/linearizability.ts` (shared with Lab 2): the Porcupine check and its visualization.
 *
 * A test reads like the Go one:
 *
 * ```ts
 * simTest("TestSnapshotSize4B", async (t) => {
 *   const cfg = makeConfig(t, 3, false, 1000);
 *   const ck = cfg.makeClient(cfg.all());
 *   cfg.begin("Test: snapshot size is reasonable (4B)");
 *   await put(cfg, ck, "x", "0");
 *   await check(cfg, ck, "x", "0");
 *   cfg.end();
 * });
 * ```
 *
 * @module
 */
export { TestFailure, fatal } from "../tester/failure.js";
export { TEST_TIME_LIMIT_MS } from "../tester/timing.js";
export { Config, makeConfig, withConfig } from "./config.js";
export {
  ELECTION_TIMEOUT,
  SPEED_LIMIT_MS_PER_OP,
  checkClntAppends,
  checkConcurrentAppends,
  genericTest,
  genericTestSpeed,
  genericTitle,
  goDuration,
  reportRealSpeed,
  spawnClientsAndWait,
  type GenericTestOptions,
} from "./generic-test.js";
export { LINEARIZABILITY_GAVE_UP, LINEARIZABILITY_STEP_BUDGET, VIS_ENV, checkLinearizable } from "../tester/linearizability.js";
export { OpLog, type KvOperation } from "../tester/op-log.js";
export { append, cas, check, get, put } from "./history.js";
