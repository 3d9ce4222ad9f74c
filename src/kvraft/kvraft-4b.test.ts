/**
 * Lab 4B: snapshots (the original `test_test.go`, in order), but for TestSnapshotRecoverManyClients4B,
 * the longest, which is in `kvraft-4b-many-clients.test.ts` so that the two files run on two cores.
 */
import { simTest } from "../harness/index.js";
import { ELECTION_TIMEOUT, check, fatal, genericTest, genericTestSpeed, put, withConfig } from "./tester.js";
import { sleep } from "../runtime/index.js";

const BASE = { part: "4B", unreliable: false, crash: false, partitions: false, maxraftstate: 1000, randomkeys: false };

/**
 * If one server falls behind, then rejoins, does it recover by using the InstallSnapshot RPC?
 * Also checks that the majority discards committed log entries even if the minority doesn't
 * respond.
 */
simTest("TestSnapshotRPC4B", (t) => {
  const maxraftstate = 1000;
  return withConfig(t, 3, false, maxraftstate, async (cfg) => {
    const ck = cfg.makeClient(cfg.all());
    cfg.begin("Test: InstallSnapshot RPC (4B)");
    await put(cfg, ck, "a", "A");
    await check(cfg, ck, "a", "A");

    // A bunch of puts into the majority partition.
    cfg.partition([0, 1], [2]);
    {
      const ck1 = cfg.makeClient([0, 1]);
      for (let i = 0; i < 50; i++) await put(cfg, ck1, String(i), String(i));
      await sleep(ELECTION_TIMEOUT);
      await put(cfg, ck1, "b", "B");
    }

    // Check that the majority partition has thrown away most of its log entries.
    const sz = cfg.logSize();
    if (sz > 8 * maxraftstate) fatal(`logs were not trimmed (${sz} > 8*${maxraftstate})`);

    // Now make a group that requires participation of the lagging server, so that it has to
    // catch up.
    cfg.partition([0, 2], [1]);
    {
      const ck1 = cfg.makeClient([0, 2]);
      await put(cfg, ck1, "c", "C");
      await put(cfg, ck1, "d", "D");
      await check(cfg, ck1, "a", "A");
      await check(cfg, ck1, "b", "B");
      await check(cfg, ck1, "1", "1");
      await check(cfg, ck1, "49", "49");
    }

    // Now everybody.
    cfg.partition([0, 1, 2], []);
    await put(cfg, ck, "e", "E");
    await check(cfg, ck, "c", "C");
    await check(cfg, ck, "e", "E");
    await check(cfg, ck, "1", "1");
    cfg.end();
  });
});

/** Are the snapshots not too huge? 500 bytes is a generous bound for the operations we're doing here. */
simTest("TestSnapshotSize4B", (t) => {
  const maxraftstate = 1000;
  const maxsnapshotstate = 500;
  return withConfig(t, 3, false, maxraftstate, async (cfg) => {
    const ck = cfg.makeClient(cfg.all());
    cfg.begin("Test: snapshot size is reasonable (4B)");
    for (let i = 0; i < 200; i++) {
      await put(cfg, ck, "x", "0");
      await check(cfg, ck, "x", "0");
      await put(cfg, ck, "x", "1");
      await check(cfg, ck, "x", "1");
    }
    // Check that servers have thrown away most of their log entries.
    const sz = cfg.logSize();
    if (sz > 8 * maxraftstate) fatal(`logs were not trimmed (${sz} > 8*${maxraftstate})`);
    // Check that the snapshots are not unreasonably large.
    const ssz = cfg.snapshotSize();
    if (ssz > maxsnapshotstate) fatal(`snapshot too large (${ssz} > ${maxsnapshotstate})`);
    cfg.end();
  });
});

simTest("TestSpeed4B", (t) => genericTestSpeed(t, "4B", 1000));

simTest("TestSnapshotRecover4B", (t) =>
  // Test: restarts, snapshots, one client (4B) ...
  genericTest(t, { ...BASE, nclients: 1, nservers: 5, crash: true }),
);

simTest("TestSnapshotUnreliable4B", (t) =>
  // Test: unreliable net, snapshots, many clients (4B) ...
  genericTest(t, { ...BASE, nclients: 5, nservers: 5, unreliable: true }),
);

simTest("TestSnapshotUnreliableRecover4B", (t) =>
  // Test: unreliable net, restarts, snapshots, many clients (4B) ...
  genericTest(t, { ...BASE, nclients: 5, nservers: 5, unreliable: true, crash: true }),
);

simTest("TestSnapshotUnreliableRecoverConcurrentPartition4B", (t) =>
  // Test: unreliable net, restarts, partitions, snapshots, many clients (4B) ...
  genericTest(t, { ...BASE, nclients: 5, nservers: 5, unreliable: true, crash: true, partitions: true }),
);

simTest("TestSnapshotUnreliableRecoverConcurrentPartitionLinearizable4B", (t) =>
  // Test: unreliable net, restarts, partitions, snapshots, random keys, many clients (4B) ...
  genericTest(t, { ...BASE, nclients: 15, nservers: 7, unreliable: true, crash: true, partitions: true, randomkeys: true }),
);
