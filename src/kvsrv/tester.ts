/**
 * The Lab 2 tester: a port of 6.5840's 2024 `src/kvsrv/config.go` and of the helpers of its
 * `test_test.go`, in virtual time. One file per job:
 *
 * - `config.ts`: the server, its network and the Clerks' ends;
 * - `history.ts`: the Clerk wrappers that count operations and record the history;
 * - `generic-test.ts`: concurrent clients, the append checks, random values, `GenericTest`;
 * - `memory-test.ts` and `heap.ts`: the six memory tests and the heap measurement;
 * - `src/tester/linearizability.ts` (shared with Lab 4): the Porcupine check.
 *
 * @module
 */
export { TestFailure, fatal } from "../tester/failure.js";
export { LINEARIZABILITY_GAVE_UP, checkLinearizable } from "../tester/linearizability.js";
export { OpLog, type KvOperation } from "../tester/op-log.js";
export { TEST_TIME_LIMIT_MS } from "../tester/timing.js";
export { Config, SERVERID, makeConfig, withConfig } from "./config.js";
export {
  NITER,
  TIME,
  checkClntAppends,
  checkConcurrentAppends,
  element,
  genericTest,
  genericTitle,
  randValue,
  spawnClientsAndWait,
  type GenericTestOptions,
} from "./generic-test.js";
export { MiB, forceGC, heapAlloc, liveHeap } from "./heap.js";
export { append, get, put } from "./history.js";
export { WAVE, memAppend, memGet, memGetManyClients, memManyAppends, memPut, memPutManyClients } from "./memory-test.js";
