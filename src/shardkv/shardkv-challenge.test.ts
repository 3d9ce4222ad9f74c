/**
 * Lab 5's two challenges (no credit in the course): garbage collection of moved shards, and client
 * requests served during configuration changes (the last three tests of the original
 * `src/shardkv/test_test.go`).
 */
import { simTest } from "../harness/index.js";
import { sleep } from "../runtime/index.js";
import { key2shard } from "./key2shard.js";
import { check, fatal, keys, randstring, served, withConfig } from "./tester.js";

/** Go's `check` of keys 0..2. */
async function checkFirstThree(ck: Parameters<typeof check>[0], ka: readonly string[], va: readonly string[]): Promise<void> {
  for (let i = 0; i < 3; i++) await check(ck, ka[i]!, va[i]!);
}

/**
 * Test for challenge 1: shards that a group no longer owns must be deleted, and stay deleted after
 * every server restarts (maxraftstate 1: a snapshot after every log entry).
 */
simTest("TestChallenge1Delete", (t) =>
  withConfig(t, 3, false, 1, async (cfg) => {
    cfg.begin("Test: shard deletion (challenge 1) ...");
    const ck = cfg.makeClient(cfg.ctl);
    await cfg.join(0);
    // 30,000 bytes of total values.
    const n = 30;
    const ka = keys(n);
    const va = ka.map(() => randstring(1000));
    for (let i = 0; i < n; i++) await ck.put(ka[i]!, va[i]!);
    await checkFirstThree(ck, ka, va);

    for (let iters = 0; iters < 2; iters++) {
      await cfg.join(1);
      await cfg.leave(0);
      await cfg.join(2);
      await sleep(3000);
      await checkFirstThree(ck, ka, va);
      await cfg.leave(1);
      await cfg.join(0);
      await cfg.leave(2);
      await sleep(3000);
      await checkFirstThree(ck, ka, va);
    }

    await cfg.join(1);
    await cfg.join(2);
    await sleep(1000);
    await checkFirstThree(ck, ka, va);
    await sleep(1000);
    await checkFirstThree(ck, ka, va);
    await sleep(1000);
    await checkFirstThree(ck, ka, va);

    const total = cfg.totalStateBytes();
    // 27 keys should be stored once.
    // 3 keys should also be stored in client dup tables.
    // everything on 3 replicas.
    // plus slop.
    const expected = 3 * ((n - 3) * 1000 + 2 * 3 * 1000 + 6000);
    if (total > expected) fatal(`snapshot + persisted Raft state are too big: ${total} > ${expected}\n`);

    for (let i = 0; i < n; i++) await check(ck, ka[i]!, va[i]!);
    cfg.passed();
  }),
);

const UNAFFECTED = "challenge 2: a shard that stays in its group must be served while other shards cannot move";
const PARTIAL = "challenge 2: a shard whose data has arrived must be served while other shards of the same configuration are still missing";

/**
 * Test for challenge 2: servers keep serving the shards that a configuration change does not
 * affect, while others cannot move (their old group is down).
 */
simTest("TestChallenge2Unaffected", (t) =>
  withConfig(t, 3, true, 100, async (cfg) => {
    cfg.begin("Test: unaffected shard access (challenge 2) ...");
    const ck = cfg.makeClient(cfg.ctl);
    // JOIN 100
    await cfg.join(0);
    // Do a bunch of puts to keys in all shards
    const n = 10;
    const ka = keys(n);
    const va = ka.map(() => "100");
    for (let i = 0; i < n; i++) await ck.put(ka[i]!, va[i]!);
    // JOIN 101
    await cfg.join(1);
    // QUERY to find shards now owned by 101
    const c = await cfg.ctl.ck.query(-1);
    const owned = c.shards.map((gid) => gid === cfg.gid(1));
    // Wait for migration to new config to complete, and for clients to learn about new config.
    await sleep(1000);
    // Do a bunch of puts to keys in all shards
    for (let i = 0; i < n; i++) {
      if (owned[i] === true) {
        va[i] = "101";
        await ck.put(ka[i]!, va[i]!);
      }
    }
    // KILL 100
    cfg.shutdownGroup(0);
    // LEAVE 100
    // 101 doesn't get a chance to migrate things previously owned by 100
    await cfg.leave(0);
    // Wait to make sure clients see new config
    await sleep(1000);
    // And finally: check that gets/puts for 101-owned keys still complete
    for (let i = 0; i < n; i++) {
      const key = ka[i]!;
      if (owned[key.charCodeAt(0) % 10] === true) {
        await served("Get", key, UNAFFECTED, () => check(ck, key, va[i]!));
        await served("Put", key, UNAFFECTED, () => ck.put(key, `${va[i]}-1`));
        await served("Get", key, UNAFFECTED, () => check(ck, key, `${va[i]}-1`));
      }
    }
    cfg.passed();
  }),
);

/**
 * Test for challenge 2: a group serves the shards it has received as soon as they arrive, even
 * while others of the same configuration change can never arrive.
 */
simTest("TestChallenge2Partial", (t) =>
  withConfig(t, 3, true, 100, async (cfg) => {
    cfg.begin("Test: partial migration shard access (challenge 2) ...");
    const ck = cfg.makeClient(cfg.ctl);
    // JOIN 100 + 101 + 102
    await cfg.joinm([0, 1, 2], cfg.ctl);
    // Give the implementation some time to reconfigure
    await sleep(1000);
    // Do a bunch of puts to keys in all shards
    const n = 10;
    const ka = keys(n);
    const va = ka.map(() => "100");
    for (let i = 0; i < n; i++) await ck.put(ka[i]!, va[i]!);
    // QUERY to find shards owned by 102
    const c = await cfg.ctl.ck.query(-1);
    const owned = c.shards.map((gid) => gid === cfg.gid(2));
    // KILL 100
    cfg.shutdownGroup(0);
    // LEAVE 100 + 102
    // 101 can get old shards from 102, but not from 100. 101 should start serving shards that
    // used to belong to 102 as soon as possible
    await cfg.leavem([0, 2]);
    // Give the implementation some time to start reconfiguration
    // And to migrate 102 -> 101
    await sleep(1000);
    // And finally: check that gets/puts for 101-owned keys now complete
    for (let i = 0; i < n; i++) {
      const key = ka[i]!;
      if (owned[key2shard(key)] === true) {
        await served("Get", key, PARTIAL, () => check(ck, key, va[i]!));
        await served("Put", key, PARTIAL, () => ck.put(key, `${va[i]}-2`));
        await served("Get", key, PARTIAL, () => check(ck, key, `${va[i]}-2`));
      }
    }
    cfg.passed();
  }),
);
