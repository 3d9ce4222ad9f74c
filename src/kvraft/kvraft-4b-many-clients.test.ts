/**
 * Lab 4B's longest test (about half of the part's time), in a file of its own so that it runs on
 * one core while the rest of the part (`kvraft-4b.test.ts`) runs on the other.
 */
import { simTest } from "../harness/index.js";
import { genericTest } from "./tester.js";

const BASE = { part: "4B", unreliable: false, crash: false, partitions: false, maxraftstate: 1000, randomkeys: false };

simTest("TestSnapshotRecoverManyClients4B", (t) =>
  // Test: restarts, snapshots, many clients (4B) ...
  genericTest(t, { ...BASE, nclients: 20, nservers: 5, crash: true }),
);
