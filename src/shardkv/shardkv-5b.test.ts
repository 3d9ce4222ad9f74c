/**
 * Lab 5B: shard movement (the original `src/shardkv/test_test.go`, in order). The three concurrent
 * tests are in `shardkv-5b-concurrent.test.ts`, so the two files run on two cores.
 */
import type { KvOperation } from "../tester/op-log.js";
import { checkLinearizable } from "../tester/linearizability.js";
import { simTest } from "../harness/index.js";
import { random, sleep } from "../runtime/index.js";
import { appenders, check, checkAll, checkAndAppend, keys, putKeys, randstring, withConfig } from "./tester.js";

simTest("TestJoinLeave5B", (t) =>
  withConfig(t, 3, false, -1, async (cfg) => {
    cfg.begin("Test (5B): join then leave ...");
    const ck = cfg.makeClient(cfg.ctl);
    await cfg.join(0);
    const { ka, va } = await putKeys(ck, 10, 5);
    await checkAll(ck, ka, va);
    await cfg.join(1);
    await checkAndAppend(ck, ka, va, 5);
    await cfg.leave(0);
    await checkAndAppend(ck, ka, va, 5);
    // allow time for shards to transfer.
    await sleep(1000);
    cfg.checklogs();
    cfg.shutdownGroup(0);
    await checkAll(ck, ka, va);
    cfg.passed();
  }),
);

simTest("TestSnapshot5B", (t) =>
  withConfig(t, 3, false, 1000, async (cfg) => {
    cfg.begin("Test (5B): snapshots, join, and leave ...");
    const ck = cfg.makeClient(cfg.ctl);
    await cfg.join(0);
    const { ka, va } = await putKeys(ck, 30, 20);
    await checkAll(ck, ka, va);
    await cfg.join(1);
    await cfg.join(2);
    await cfg.leave(0);
    await checkAndAppend(ck, ka, va, 20);
    await cfg.leave(1);
    await cfg.join(0);
    await checkAndAppend(ck, ka, va, 20);
    await sleep(1000);
    await checkAll(ck, ka, va);
    await sleep(1000);
    cfg.checklogs();
    cfg.shutdownGroup(0);
    cfg.shutdownGroup(1);
    cfg.shutdownGroup(2);
    cfg.startGroup(0);
    cfg.startGroup(1);
    cfg.startGroup(2);
    await checkAll(ck, ka, va);
    cfg.passed();
  }),
);

simTest("TestMissChange5B", (t) =>
  withConfig(t, 3, false, 1000, async (cfg) => {
    cfg.begin("Test (5B): servers miss configuration changes...");
    const ck = cfg.makeClient(cfg.ctl);
    await cfg.join(0);
    const { ka, va } = await putKeys(ck, 10, 20);
    await checkAll(ck, ka, va);
    await cfg.join(1);
    cfg.shutdownServer(0, 0);
    cfg.shutdownServer(1, 0);
    cfg.shutdownServer(2, 0);
    await cfg.join(2);
    await cfg.leave(1);
    await cfg.leave(0);
    await checkAndAppend(ck, ka, va, 20);
    await cfg.join(1);
    await checkAndAppend(ck, ka, va, 20);
    cfg.startServer(0, 0);
    cfg.startServer(1, 0);
    cfg.startServer(2, 0);
    await checkAndAppend(ck, ka, va, 20);
    await sleep(2000);
    cfg.shutdownServer(0, 1);
    cfg.shutdownServer(1, 1);
    cfg.shutdownServer(2, 1);
    await cfg.join(0);
    await cfg.leave(2);
    await checkAndAppend(ck, ka, va, 20);
    cfg.startServer(0, 1);
    cfg.startServer(1, 1);
    cfg.startServer(2, 1);
    await checkAll(ck, ka, va);
    cfg.passed();
  }),
);

simTest("TestUnreliable1_5B", (t) =>
  withConfig(t, 3, true, 100, async (cfg) => {
    cfg.begin("Test (5B): unreliable 1...");
    const ck = cfg.makeClient(cfg.ctl);
    await cfg.join(0);
    const n = 10;
    const { ka, va } = await putKeys(ck, n, 5);
    await cfg.join(1);
    await cfg.join(2);
    await cfg.leave(0);
    for (let ii = 0; ii < n * 2; ii++) {
      const i = ii % n;
      await check(ck, ka[i]!, va[i]!);
      const x = randstring(5);
      await ck.append(ka[i]!, x);
      va[i] += x;
    }
    await cfg.join(0);
    await cfg.leave(1);
    for (let ii = 0; ii < n * 2; ii++) {
      const i = ii % n;
      await check(ck, ka[i]!, va[i]!);
    }
    cfg.passed();
  }),
);

simTest("TestUnreliable2_5B", (t) =>
  withConfig(t, 3, true, 100, async (cfg) => {
    cfg.begin("Test (5B): unreliable 2...");
    const ck = cfg.makeClient(cfg.ctl);
    await cfg.join(0);
    const { ka, va } = await putKeys(ck, 10, 5);
    const stop = appenders(cfg, ka, va, 5, 0);
    await sleep(150);
    await cfg.join(1);
    await sleep(500);
    await cfg.join(2);
    await sleep(500);
    await cfg.leave(0);
    await sleep(500);
    await cfg.leave(1);
    await sleep(500);
    await cfg.join(1);
    await cfg.join(0);
    await sleep(2000);
    const stopping = stop();
    cfg.net.setReliable(true);
    await stopping;
    await checkAll(ck, ka, va);
    cfg.passed();
  }),
);

simTest("TestUnreliable3_5B", (t) =>
  withConfig(t, 3, true, 100, async (cfg) => {
    cfg.begin("Test (5B): unreliable 3...");
    const operations: KvOperation[] = [];
    const ck = cfg.makeClient(cfg.ctl);
    await cfg.join(0);
    const n = 10;
    const ka = keys(n);
    const va = ka.map(() => randstring(5));
    for (let i = 0; i < n; i++) {
      const start = cfg.stamp();
      await ck.put(ka[i]!, va[i]!);
      const end = cfg.stamp();
      operations.push({ input: { op: "put", key: ka[i]!, value: va[i]! }, output: {}, call: start, return: end, clientId: 0 });
    }
    const state = { done: false };
    const finished = ka.map(async (_, i) => {
      const ck1 = cfg.makeClient(cfg.ctl);
      while (!state.done) {
        const ki = random.int(n);
        const nv = randstring(5);
        const key = ka[ki]!;
        const r = random.int(1000) < 500 ? "append" : random.int(1000) < 100 ? "put" : "get";
        const start = cfg.stamp();
        if (r === "get") {
          const value = await ck1.get(key);
          operations.push({ input: { op: "get", key }, output: { value }, call: start, return: cfg.stamp(), clientId: i });
        } else {
          await (r === "put" ? ck1.put(key, nv) : ck1.append(key, nv));
          operations.push({ input: { op: r, key, value: nv }, output: {}, call: start, return: cfg.stamp(), clientId: i });
        }
      }
    });
    await sleep(150);
    await cfg.join(1);
    await sleep(500);
    await cfg.join(2);
    await sleep(500);
    await cfg.leave(0);
    await sleep(500);
    await cfg.leave(1);
    await sleep(500);
    await cfg.join(1);
    await cfg.join(0);
    await sleep(2000);
    state.done = true;
    cfg.net.setReliable(true);
    await Promise.all(finished);
    checkLinearizable(cfg, operations);
    cfg.passed();
  }),
);
