/**
 * Lab 4A, the tests that restart servers (the original `test_test.go`, in order). A separate file
 * from `kvraft-4a.test.ts` so the two run on two cores.
 */
import { simTest } from "../harness/index.js";
import { genericTest } from "./tester.js";

const BASE = { part: "4A", unreliable: false, crash: true, partitions: false, maxraftstate: -1, randomkeys: false };

simTest("TestPersistOneClient4A", (t) =>
  // Test: restarts, one client (4A) ...
  genericTest(t, { ...BASE, nclients: 1, nservers: 5 }),
);

simTest("TestPersistConcurrent4A", (t) =>
  // Test: restarts, many clients (4A) ...
  genericTest(t, { ...BASE, nclients: 5, nservers: 5 }),
);

simTest("TestPersistConcurrentUnreliable4A", (t) =>
  // Test: unreliable net, restarts, many clients (4A) ...
  genericTest(t, { ...BASE, nclients: 5, nservers: 5, unreliable: true }),
);

simTest("TestPersistPartition4A", (t) =>
  // Test: restarts, partitions, many clients (4A) ...
  genericTest(t, { ...BASE, nclients: 5, nservers: 5, partitions: true }),
);

simTest("TestPersistPartitionUnreliable4A", (t) =>
  // Test: unreliable net, restarts, partitions, many clients (4A) ...
  genericTest(t, { ...BASE, nclients: 5, nservers: 5, unreliable: true, partitions: true }),
);

simTest("TestPersistPartitionUnreliableLinearizable4A", (t) =>
  // Test: unreliable net, restarts, partitions, random keys, many clients (4A) ...
  genericTest(t, { ...BASE, nclients: 15, nservers: 7, unreliable: true, partitions: true, randomkeys: true }),
);
