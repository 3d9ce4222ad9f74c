/** Lab 5A: static sharding (the first two tests of the original `src/shardkv/test_test.go`). */
import { simTest } from "../harness/index.js";
import { Completions, check, fatal, keys, randstring, withConfig } from "./tester.js";

simTest("TestStaticShards5A", (t) =>
  withConfig(t, 3, false, -1, async (cfg) => {
    cfg.begin("Test (5A): static shards ...");
    const ck = cfg.makeClient(cfg.ctl);
    await cfg.join(0);
    await cfg.join(1);
    const n = 10;
    const ka = keys(n);
    const va = ka.map(() => randstring(20));
    for (let i = 0; i < n; i++) await ck.put(ka[i]!, va[i]!);
    for (let i = 0; i < n; i++) await check(ck, ka[i]!, va[i]!);

    // make sure that the data really is sharded by shutting down one shard and checking that
    // some Get()s don't succeed.
    cfg.shutdownGroup(1);
    cfg.checklogs(); // forbid snapshots

    const ch = new Completions();
    for (let xi = 0; xi < n; xi++) {
      const ck1 = cfg.makeClient(cfg.ctl); // only one call allowed per client
      void ck1.get(ka[xi]!).then((v) => ch.push(v !== va[xi] ? `Get(${ka[xi]}): expected:\n${va[xi]}\nreceived:\n${v}` : ""));
    }
    // wait a bit, only about half the Gets should succeed.
    const ndone = await ch.countUntilQuiet(2000);
    if (ndone !== n / 2) fatal(`expected ${n / 2} completions with one shard dead; got ${ndone}\n`);

    // bring the crashed shard/group back to life.
    cfg.startGroup(1);
    for (let i = 0; i < n; i++) await check(ck, ka[i]!, va[i]!);
    cfg.passed();
  }),
);

simTest("TestRejection5A", (t) =>
  withConfig(t, 3, false, -1, async (cfg) => {
    cfg.begin("Test (5A): rejection ...");
    const ck = cfg.makeClient(cfg.ctl);
    await cfg.join(0);
    await cfg.join(1);
    const n = 10;
    const ka = keys(n);
    const va = ka.map(() => randstring(20));
    for (let i = 0; i < n; i++) await ck.put(ka[i]!, va[i]!);
    for (let i = 0; i < n; i++) await check(ck, ka[i]!, va[i]!);

    // now create a separate and inconsistent controller that thinks group 0 is in charge of all
    // shards. direct requests to groups 0 and 1 via the new controller.
    const ctl1 = cfg.startCtrlerService();
    await cfg.ctljoin(0, ctl1);

    const ch = new Completions();
    for (let xi = 0; xi < n; xi++) {
      const ck1 = cfg.makeClient(ctl1); // direct requests to ctl1.
      void ck1.get(ka[xi]!).then((v) => {
        if (v === "") ch.push(`Get(${ka[xi]}): returned a value, but server should have rejected the request due to wrong shard`);
        else if (v !== va[xi]) ch.push(`Get(${ka[xi]}): expected:\n${va[xi]}\nreceived:\n${v}`);
        else ch.push("");
      });
    }
    // wait a bit, only about half the Gets should succeed.
    const ndone = await ch.countUntilQuiet(2000);
    if (ndone !== n / 2) fatal(`expected ${n / 2} completions; got ${ndone}\n`);
    cfg.passed();
  }),
);
