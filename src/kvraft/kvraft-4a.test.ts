/**
 * Lab 4A: the replicated KV service without snapshots (the original `test_test.go`, in order).
 * The GenericTest-based tests with partitions or restarts are in `kvraft-4a-faults.test.ts`, so
 * the two files run on two cores.
 */
import { sleep } from "../runtime/index.js";
import { simTest } from "../harness/index.js";
import {
  ELECTION_TIMEOUT,
  append,
  check,
  checkConcurrentAppends,
  fatal,
  genericTest,
  genericTestSpeed,
  get,
  put,
  spawnClientsAndWait,
  withConfig,
} from "./tester.js";

const NO_FAULTS = { part: "4A", unreliable: false, crash: false, partitions: false, maxraftstate: -1, randomkeys: false };

simTest("TestBasic4A", (t) =>
  // Test: one client (4A) ...
  genericTest(t, { ...NO_FAULTS, nclients: 1, nservers: 5 }),
);

simTest("TestSpeed4A", (t) => genericTestSpeed(t, "4A", -1));

simTest("TestConcurrent4A", (t) =>
  // Test: many clients (4A) ...
  genericTest(t, { ...NO_FAULTS, nclients: 5, nservers: 5 }),
);

simTest("TestUnreliable4A", (t) =>
  // Test: unreliable net, many clients (4A) ...
  genericTest(t, { ...NO_FAULTS, nclients: 5, nservers: 5, unreliable: true }),
);

simTest("TestUnreliableOneKey4A", (t) =>
  withConfig(t, 3, true, -1, async (cfg) => {
    const ck = cfg.makeClient(cfg.all());
    cfg.begin("Test: concurrent append to same key, unreliable (4A)");
    await put(cfg, ck, "k", "");
    const nclient = 5;
    const upto = 10;
    await spawnClientsAndWait(cfg, nclient, async (me, myck) => {
      for (let n = 0; n < upto; n++) await append(cfg, myck, "k", `x ${me} ${n} y`);
    });
    const counts = Array.from({ length: nclient }, () => upto);
    const vx = await get(cfg, ck, "k");
    checkConcurrentAppends(vx, counts);
    cfg.end();
  }),
);

/**
 * Submit a request in the minority partition and check that the request doesn't go through until
 * the partition heals. The leader in the original network ends up in the minority partition.
 */
simTest("TestOnePartition4A", (t) =>
  withConfig(t, 5, false, -1, async (cfg) => {
    const ck = cfg.makeClient(cfg.all());
    await put(cfg, ck, "1", "13");

    cfg.begin("Test: progress in majority (4A)");
    const [p1, p2] = cfg.makePartition();
    cfg.partition(p1, p2);
    const ckp1 = cfg.makeClient(p1); // connect ckp1 to p1
    const ckp2a = cfg.makeClient(p2); // connect ckp2a to p2
    const ckp2b = cfg.makeClient(p2); // connect ckp2b to p2
    await put(cfg, ckp1, "1", "14");
    await check(cfg, ckp1, "1", "14");
    cfg.end();

    cfg.begin("Test: no progress in minority (4A)");
    const done0 = track(put(cfg, ckp2a, "1", "15"));
    const done1 = track(get(cfg, ckp2b, "1")); // different clerk in p2
    await sleep(1000);
    if (done0.done) fatal("Put in minority completed");
    if (done1.done) fatal("Get in minority completed");
    await check(cfg, ckp1, "1", "14");
    await put(cfg, ckp1, "1", "16");
    await check(cfg, ckp1, "1", "16");
    cfg.end();

    cfg.begin("Test: completion after heal (4A)");
    cfg.connectAll();
    cfg.connectClient(ckp2a, cfg.all());
    cfg.connectClient(ckp2b, cfg.all());
    await sleep(ELECTION_TIMEOUT);
    if (!(await done0.within(30 * 100))) fatal("Put did not complete");
    // The original checks the Get with a non-blocking select (it has a default branch), so an
    // unfinished Get does not fail the test.
    await check(cfg, ck, "1", "15");
    cfg.end();
  }),
);

simTest("TestManyPartitionsOneClient4A", (t) =>
  // Test: partitions, one client (4A) ...
  genericTest(t, { ...NO_FAULTS, nclients: 1, nservers: 5, partitions: true }),
);

simTest("TestManyPartitionsManyClients4A", (t) =>
  // Test: partitions, many clients (4A) ...
  genericTest(t, { ...NO_FAULTS, nclients: 5, nservers: 5, partitions: true }),
);

/** Whether an operation started in the background has completed, and a way to wait for it. */
interface Tracked {
  readonly done: boolean;
  /** Waits up to `ms` (virtual) for completion; resolves to whether it completed. */
  within(ms: number): Promise<boolean>;
}

function track(op: Promise<unknown>): Tracked {
  const state = { done: false };
  const finished = op.then(() => {
    state.done = true;
  });
  return {
    get done() {
      return state.done;
    },
    within: (ms) => Promise.race([finished.then(() => true), sleep(ms).then(() => state.done)]),
  };
}
