/**
 * The reference's ReadIndex read path (real cluster mode's, `KVServer.serveReadsByReadIndex`), run
 * through the lab's own KV tests in the simulation: gets answered without log entries must stay
 * linearizable under unreliable networks, partitions, restarts and snapshots (Porcupine checks
 * every history), and a leader cut off in a minority must not answer a get. The test names carry
 * no part, so the parts' `-t 4A`/`-t 4B` filters do not pick them up.
 */
import { simTest } from "../harness/index.js";
import { sleep } from "../runtime/index.js";
import { ELECTION_TIMEOUT, check, fatal, genericTest, get, put, withConfig } from "./tester.js";

const BASE = { part: "ReadIndex", nservers: 5, unreliable: false, crash: false, partitions: false, maxraftstate: -1, randomkeys: false, readIndex: true };

simTest("TestReadIndexUnreliable", (t) => genericTest(t, { ...BASE, nclients: 5, unreliable: true }));

simTest("TestReadIndexPartitionsManyClients", (t) => genericTest(t, { ...BASE, nclients: 5, partitions: true }));

simTest("TestReadIndexRestartsPartitionsLinearizable", (t) =>
  genericTest(t, { ...BASE, nclients: 15, nservers: 7, unreliable: true, crash: true, partitions: true, randomkeys: true }),
);

simTest("TestReadIndexSnapshotsUnreliableRestartsPartitionsLinearizable", (t) =>
  genericTest(t, { ...BASE, nclients: 15, nservers: 7, unreliable: true, crash: true, partitions: true, maxraftstate: 1000, randomkeys: true }),
);

/**
 * The scenario ReadIndex exists for: the old leader is cut off in a minority with a client while
 * the majority elects a new leader that commits a newer write. A get through the old leader must
 * not return the value from before that write (it cannot confirm a round with a majority), and
 * completes with the new value once the partition heals.
 */
simTest("TestReadIndexStaleLeaderInMinority", (t) =>
  withConfig(
    t,
    5,
    false,
    -1,
    async (cfg) => {
      const ck = cfg.makeClient(cfg.all());
      await put(cfg, ck, "k", "old");
      cfg.begin("Test: no stale read through a deposed leader (ReadIndex)");
      const [majority, minority] = cfg.makePartition(); // the leader is in the minority
      cfg.partition(majority, minority);
      const ckMajority = cfg.makeClient(majority);
      const ckMinority = cfg.makeClient(minority);
      await put(cfg, ckMajority, "k", "new");
      let read: string | undefined;
      const reading = get(cfg, ckMinority, "k").then((v) => (read = v));
      await sleep(1000);
      if (read !== undefined) fatal(`Get in minority completed with '${read}' while a majority had written 'new'`);
      cfg.connectAll();
      cfg.connectClient(ckMinority, cfg.all());
      await sleep(ELECTION_TIMEOUT);
      await reading;
      if (read !== "new") fatal(`Get after heal returned '${read}', expected 'new'`);
      await check(cfg, ck, "k", "new");
      cfg.end();
    },
    { readIndex: true },
  ),
);
