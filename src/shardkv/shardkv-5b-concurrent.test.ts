/**
 * Lab 5B: the three concurrent tests of the original `src/shardkv/test_test.go` (clients append
 * while groups join, leave, crash and restart), in order; the other 5B tests are in
 * `shardkv-5b.test.ts`.
 */
import { simTest } from "../harness/index.js";
import { random, sleep } from "../runtime/index.js";
import { appenders, checkAll, putKeys, withConfig } from "./tester.js";

simTest("TestConcurrent1_5B", (t) =>
  withConfig(t, 3, false, 100, async (cfg) => {
    cfg.begin("Test (5B): concurrent puts and configuration changes...");
    const ck = cfg.makeClient(cfg.ctl);
    await cfg.join(0);
    const { ka, va } = await putKeys(ck, 10, 5);
    const stop = appenders(cfg, ka, va, 5, 10);
    await sleep(150);
    await cfg.join(1);
    await sleep(500);
    await cfg.join(2);
    await sleep(500);
    await cfg.leave(0);
    cfg.shutdownGroup(0);
    await sleep(100);
    cfg.shutdownGroup(1);
    await sleep(100);
    cfg.shutdownGroup(2);
    await cfg.leave(2);
    await sleep(100);
    cfg.startGroup(0);
    cfg.startGroup(1);
    cfg.startGroup(2);
    await sleep(100);
    await cfg.join(0);
    await cfg.leave(1);
    await sleep(500);
    await cfg.join(1);
    await sleep(1000);
    await stop();
    await checkAll(ck, ka, va);
    cfg.passed();
  }),
);

/** This tests the various sources from which a re-starting group might need to fetch shard contents. */
simTest("TestConcurrent2_5B", (t) =>
  withConfig(t, 3, false, -1, async (cfg) => {
    cfg.begin("Test (5B): more concurrent puts and configuration changes...");
    const ck = cfg.makeClient(cfg.ctl);
    await cfg.join(1);
    await cfg.join(0);
    await cfg.join(2);
    const { ka, va } = await putKeys(ck, 10, 1);
    const clerks = ka.map(() => cfg.makeClient(cfg.ctl));
    const stop = appenders(cfg, ka, va, 1, 50, clerks);
    await cfg.leave(0);
    await cfg.leave(2);
    await sleep(3000);
    await cfg.join(0);
    await cfg.join(2);
    await cfg.leave(1);
    await sleep(3000);
    await cfg.join(1);
    await cfg.leave(0);
    await cfg.leave(2);
    await sleep(3000);
    cfg.shutdownGroup(1);
    cfg.shutdownGroup(2);
    await sleep(1000);
    cfg.startGroup(1);
    cfg.startGroup(2);
    await sleep(2000);
    await stop();
    await checkAll(ck, ka, va);
    cfg.passed();
  }),
);

simTest("TestConcurrent3_5B", (t) =>
  withConfig(t, 3, false, 300, async (cfg) => {
    cfg.begin("Test (5B): concurrent configuration change and restart...");
    const ck = cfg.makeClient(cfg.ctl);
    await cfg.join(0);
    const { ka, va } = await putKeys(ck, 10, 1);
    const clerks = ka.map(() => cfg.makeClient(cfg.ctl));
    const stop = appenders(cfg, ka, va, 1, 0, clerks);
    const t0 = cfg.elapsed();
    while (cfg.elapsed() - t0 < 12_000) {
      await cfg.join(2);
      await cfg.join(1);
      await sleep(random.int(900));
      cfg.shutdownGroup(0);
      cfg.shutdownGroup(1);
      cfg.shutdownGroup(2);
      cfg.startGroup(0);
      cfg.startGroup(1);
      cfg.startGroup(2);
      await sleep(random.int(900));
      await cfg.leave(1);
      await cfg.leave(2);
      await sleep(random.int(900));
    }
    await sleep(2000);
    await stop();
    await checkAll(ck, ka, va);
    cfg.passed();
  }),
);
