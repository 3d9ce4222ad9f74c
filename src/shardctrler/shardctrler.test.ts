/** Lab 5A, the shard controller (the original `src/shardctrler/test_test.go`, in order). */
import { simTest } from "../harness/index.js";
import { sleep } from "../runtime/index.js";
import { NSHARDS, initialConfig, type Config as ShardConfig } from "./shard-config.js";
import {
  check,
  checkMinimalTransferAsWritten,
  checkMinimalTransferEffective,
  checkSameConfig,
  checkServers,
  withConfig,
  type Config,
} from "./tester.js";

const NSERVERS = 3;
const NPARA = 10;

/** Runs `n` bodies concurrently and waits for all (Go's goroutines and `ch <- true`). */
async function parallel(n: number, body: (i: number) => Promise<void>): Promise<void> {
  await Promise.all(Array.from({ length: n }, (_, i) => body(i)));
}

/** The `MinimalTransfer` and `MinimalTransferAfterLeave` checks: Go's as written, then the effective one. */
function checkMinimal(cfg: Config, before: ShardConfig, after: ShardConfig, moved: "into" | "away", message: string): void {
  checkMinimalTransferAsWritten(cfg, before, after, NPARA, moved, message);
  checkMinimalTransferEffective(cfg, before, after, moved, message);
}

simTest("TestBasic", (t) =>
  withConfig(t, NSERVERS, false, async (cfg) => {
    const ck = cfg.makeClient(cfg.all());
    const cfa: ShardConfig[] = new Array<ShardConfig>(6).fill(initialConfig());

    await cfg.run("LeaveJoin", async () => {
      console.log("Test: Basic leave/join ...");
      cfa[0] = await ck.query(-1);
      await check(cfg, [], ck);
      const gid1 = 1;
      await ck.join({ [gid1]: ["x", "y", "z"] });
      await check(cfg, [gid1], ck);
      cfa[1] = await ck.query(-1);
      const gid2 = 2;
      await ck.join({ [gid2]: ["a", "b", "c"] });
      await check(cfg, [gid1, gid2], ck);
      cfa[2] = await ck.query(-1);
      const cfx = await ck.query(-1);
      checkServers(cfg, cfx, gid1, ["x", "y", "z"]);
      checkServers(cfg, cfx, gid2, ["a", "b", "c"]);
      await ck.leave([gid1]);
      await check(cfg, [gid2], ck);
      cfa[4] = await ck.query(-1);
      await ck.leave([gid2]);
      cfa[5] = await ck.query(-1);
      cfg.passed();
    });

    await cfg.run("HistoricalQueries", async () => {
      console.log("Test: Historical queries ...");
      for (let s = 0; s < NSERVERS; s++) {
        cfg.shutdownServer(s);
        for (const saved of cfa) {
          const c = await ck.query(saved.num);
          checkSameConfig(cfg, c, saved);
        }
        cfg.startServer(s);
        cfg.connectAll();
      }
      cfg.passed();
    });

    await cfg.run("Move", async () => {
      console.log("Test: Move ...");
      const gid3 = 503;
      await ck.join({ [gid3]: ["3a", "3b", "3c"] });
      const gid4 = 504;
      await ck.join({ [gid4]: ["4a", "4b", "4c"] });
      for (let i = 0; i < NSHARDS; i++) {
        const cf = await ck.query(-1);
        const gid = i < NSHARDS / 2 ? gid3 : gid4;
        await ck.move(i, gid);
        if (cf.shards[i] !== gid) {
          const cf1 = await ck.query(-1);
          if (cf1.num <= cf.num) cfg.fatal("Move should increase Config.Num");
        }
      }
      const cf2 = await ck.query(-1);
      for (let i = 0; i < NSHARDS; i++) {
        const gid = i < NSHARDS / 2 ? gid3 : gid4;
        if (cf2.shards[i] !== gid) cfg.fatal(`expected shard ${i} on gid ${gid} actually ${cf2.shards[i]}`);
      }
      await ck.leave([gid3]);
      await ck.leave([gid4]);
      cfg.passed();
    });

    const gids = Array.from({ length: NPARA }, (_, i) => i * 10 + 100);
    await cfg.run("ConcurrentLeaveJoin", async () => {
      console.log("Test: Concurrent leave/join ...");
      const cka = gids.map(() => cfg.makeClient(cfg.all()));
      await parallel(NPARA, async (i) => {
        const gid = gids[i]!;
        await cka[i]!.join({ [gid + 1000]: [`s${gid}a`] });
        await cka[i]!.join({ [gid]: [`s${gid}b`] });
        await cka[i]!.leave([gid + 1000]);
      });
      await check(cfg, gids, ck);
      cfg.passed();
    });

    let c2 = initialConfig();
    await cfg.run("MinimalTransfer", async () => {
      console.log("Test: Minimal transfers after joins ...");
      const c1 = await ck.query(-1);
      for (let i = 0; i < 5; i++) {
        const gid = NPARA + 1 + i;
        await ck.join({ [gid]: [`${gid}a`, `${gid}b`, `${gid}b`] });
      }
      c2 = await ck.query(-1);
      checkMinimal(cfg, c1, c2, "into", "non-minimal transfer after Join()s");
      cfg.passed();
    });

    await cfg.run("MinimalTransferAfterLeave", async () => {
      console.log("Test: Minimal transfers after leaves ...");
      for (let i = 0; i < 5; i++) await ck.leave([NPARA + 1 + i]);
      const c3 = await ck.query(-1);
      checkMinimal(cfg, c2, c3, "away", "non-minimal transfer after Leave()s");
      cfg.passed();
    });
  }),
);

simTest("TestMinimalAgain", (t) =>
  withConfig(t, NSERVERS, false, async (cfg) => {
    const ck = cfg.makeClient(cfg.all());
    console.log("Test: minimal movement again ...");
    await ck.join({ 1: ["x", "y", "z"] });
    await ck.join({ 2: ["a", "b", "c"] });
    const c1 = await ck.query(-1);
    await ck.join({ 3: ["d", "e", "f"] });
    const c2 = await ck.query(-1);
    let changed = 0;
    for (let i = 0; i < NSHARDS; i++) {
      if (c2.shards[i] !== 3 && c1.shards[i] !== c2.shards[i]) {
        cfg.fatal(`shard ${i} moved from gid ${c1.shards[i]} to gid ${c2.shards[i]}, but shouldn't have\n`);
      }
      if (c1.shards[i] !== c2.shards[i]) changed++;
    }
    if (changed > Math.floor(NSHARDS / 3) + 1) cfg.fatal(`too many shards (${changed}) moved after join\n`);
    await ck.leave([1]);
    const c3 = await ck.query(-1);
    changed = 0;
    for (let i = 0; i < NSHARDS; i++) {
      if (c2.shards[i] !== 1 && c2.shards[i] !== c3.shards[i]) {
        cfg.fatal(`shard ${i} moved from gid ${c2.shards[i]} to gid ${c3.shards[i]}, but shouldn't have\n`);
      }
      if (c2.shards[i] !== c3.shards[i]) changed++;
    }
    if (changed > Math.floor(NSHARDS / 3) + 1) cfg.fatal(`too many shards (${changed}) moved after leave\n`);
    cfg.passed();
  }),
);

simTest("TestMulti", (t) =>
  withConfig(t, NSERVERS, false, async (cfg) => {
    const ck = cfg.makeClient(cfg.all());

    await cfg.run("LeaveJoin", async () => {
      console.log("Test: Multi-group join/leave ...");
      await ck.query(-1);
      await check(cfg, [], ck);
      const gid1 = 1;
      const gid2 = 2;
      await ck.join({ [gid1]: ["x", "y", "z"], [gid2]: ["a", "b", "c"] });
      await check(cfg, [gid1, gid2], ck);
      const gid3 = 3;
      await ck.join({ [gid3]: ["j", "k", "l"] });
      await check(cfg, [gid1, gid2, gid3], ck);
      let cfx = await ck.query(-1);
      checkServers(cfg, cfx, gid1, ["x", "y", "z"]);
      checkServers(cfg, cfx, gid2, ["a", "b", "c"]);
      checkServers(cfg, cfx, gid3, ["j", "k", "l"]);
      await ck.leave([gid1, gid3]);
      await check(cfg, [gid2], ck);
      cfx = await ck.query(-1);
      checkServers(cfg, cfx, gid2, ["a", "b", "c"]);
      await ck.leave([gid2]);
      cfg.passed();
    });

    const gids = Array.from({ length: NPARA }, (_, i) => i + 1000);
    await cfg.run("ConcurrentLeaveJoin", async () => {
      console.log("Test: Concurrent multi leave/join ...");
      const cka = gids.map(() => cfg.makeClient(cfg.all()));
      await parallel(NPARA, async (i) => {
        const gid = gids[i]!;
        await cka[i]!.join({
          [gid]: [`${gid}a`, `${gid}b`, `${gid}c`],
          [gid + 1000]: [`${gid + 1000}a`],
          [gid + 2000]: [`${gid + 2000}a`],
        });
        await cka[i]!.leave([gid + 1000, gid + 2000]);
      });
      await check(cfg, gids, ck);
      cfg.passed();
    });

    let c2 = initialConfig();
    await cfg.run("MinimalTransfer", async () => {
      console.log("Test: Minimal transfers after multijoins ...");
      const c1 = await ck.query(-1);
      const m: Record<number, string[]> = {};
      for (let i = 0; i < 5; i++) {
        const gid = NPARA + 1 + i;
        m[gid] = [`${gid}a`, `${gid}b`];
      }
      await ck.join(m);
      c2 = await ck.query(-1);
      checkMinimal(cfg, c1, c2, "into", "non-minimal transfer after Join()s");
      cfg.passed();
    });

    await cfg.run("MinimalTransferAfterLeave", async () => {
      console.log("Test: Minimal transfers after multileaves ...");
      const l = Array.from({ length: 5 }, (_, i) => NPARA + 1 + i);
      await ck.leave(l);
      const c3 = await ck.query(-1);
      checkMinimal(cfg, c2, c3, "away", "non-minimal transfer after Leave()s");
      cfg.passed();
    });

    await cfg.run("AgreeConfig", async () => {
      console.log("Test: Check Same config on servers ...");
      const [isLeader, leader] = cfg.leader();
      if (!isLeader) cfg.fatal("Leader not found");
      const c = await ck.query(-1); // Config leader claims
      cfg.shutdownServer(leader);
      // As in Go: the loop never asks again, so it fails only if a remaining server claims
      // leadership the moment the leader is shut down.
      let attempts = 0;
      for (const [stillLeader] = cfg.leader(); stillLeader; await sleep(1000)) {
        if (++attempts >= 3) cfg.fatal("Leader not found");
      }
      const c1 = await ck.query(-1);
      checkSameConfig(cfg, c, c1);
      cfg.passed();
    });
  }),
);
