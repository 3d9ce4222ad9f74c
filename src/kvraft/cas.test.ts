/**
 * Compare-and-set (beyond the original lab): it must be atomic, exactly-once under retries and
 * duplicated requests (also across restarts, so the duplicate table must be in the snapshot), and
 * linearizable.
 */
import { sleep } from "../runtime/index.js";
import { simTest } from "../harness/index.js";
import type { CasArgs, CasReply } from "./common.js";
import { ELECTION_TIMEOUT, OpLog, cas, check, checkLinearizable, fatal, get, put, spawnClientsAndWait, withConfig, type Config } from "./tester.js";

/**
 * The same cas request (same clientId and requestId) sent twice, once after the key was changed
 * back: the second copy must get the first one's answer and must not write again.
 */
simTest("TestCasDuplicateRequest", (t) =>
  withConfig(t, 3, false, -1, async (cfg) => {
    const ck = cfg.makeClient(cfg.all());
    cfg.begin("Test: duplicate cas request is applied once");
    await put(cfg, ck, "c", "0");
    const [, leader] = cfg.leader();
    const end = cfg.net.makeEnd("raw-cas-end");
    cfg.net.connect("raw-cas-end", leader);
    cfg.net.enable("raw-cas-end", true);
    const args: CasArgs = { key: "c", expected: "0", value: "1", clientId: 42, requestId: 1 };

    // Two copies in flight at once: one application, two identical answers.
    const [r1, r2] = await Promise.all([end.call<CasReply>("KVServer.Cas", args), end.call<CasReply>("KVServer.Cas", args)]);
    if (r1?.err !== "OK" || r2?.err !== "OK") fatal(`cas to leader ${leader} failed: ${JSON.stringify([r1, r2])}`);
    if (!r1.ok || !r2.ok) fatal(`duplicate cas got different answers: ${JSON.stringify([r1, r2])}`);
    await check(cfg, ck, "c", "1");

    // A late copy, after someone else reset the key, must not apply again.
    await put(cfg, ck, "c", "0");
    const r3 = await end.call<CasReply>("KVServer.Cas", args);
    if (r3?.err !== "OK" || !r3.ok) fatal(`late duplicate cas should repeat the answer true, got ${JSON.stringify(r3)}`);
    await check(cfg, ck, "c", "0");

    // A new request from the same client is applied normally.
    const r4 = await end.call<CasReply>("KVServer.Cas", { ...args, requestId: 2 });
    if (r4?.err !== "OK" || !r4.ok) fatal(`new cas should succeed, got ${JSON.stringify(r4)}`);
    await check(cfg, ck, "c", "1");
    cfg.end();
  }),
);

/** Options of {@link casCounterTest}. */
interface CasCounterOptions {
  readonly nclients: number;
  readonly unreliable: boolean;
  readonly crash: boolean;
  readonly maxraftstate: number;
}

/**
 * `nclients` clients increment one counter with get + cas for three periods of 2 s (servers
 * restart after each period if `crash`). The counter must end equal to the number of successful
 * cas calls: a cas applied twice (a lost reply, then a retry) would make it larger. The recorded
 * history must be linearizable.
 */
async function casCounterTest(cfg: Config, o: CasCounterOptions): Promise<void> {
  const opLog = new OpLog();
  const ck = cfg.makeClient(cfg.all());
  await put(cfg, ck, "counter", "0", opLog, 0);
  const successes = new Array<number>(o.nclients).fill(0);
  for (let iteration = 0; iteration < 3; iteration++) {
    const stop = { now: false };
    const clients = spawnClientsAndWait(cfg, o.nclients, async (cli, myck) => {
      while (!stop.now) {
        const v = await get(cfg, myck, "counter", opLog, cli);
        const ok = await cas(cfg, myck, "counter", v, String(Number(v) + 1), opLog, cli);
        if (ok) successes[cli] = (successes[cli] ?? 0) + 1;
        // Zero-latency ops on a reliable net would never let virtual time pass; keep the history small.
        await sleep(20);
      }
    });
    await sleep(2000);
    stop.now = true;
    if (o.crash) {
      for (let i = 0; i < cfg.n; i++) cfg.shutdownServer(i);
      await sleep(ELECTION_TIMEOUT);
      for (let i = 0; i < cfg.n; i++) cfg.startServer(i);
      cfg.connectAll();
    }
    await clients;
  }
  const total = successes.reduce((a, b) => a + b, 0);
  const final = await get(cfg, ck, "counter", opLog, 0);
  // The history check first: when it fails, it writes the visualization.
  checkLinearizable(cfg, opLog.read());
  if (final !== String(total)) fatal(`counter is ${final} but ${total} cas calls succeeded`);
  if (total === 0) fatal("no cas succeeded");
  if (o.maxraftstate > 0 && cfg.logSize() > 8 * o.maxraftstate) {
    fatal(`logs were not trimmed (${cfg.logSize()} > 8*${o.maxraftstate})`);
  }
}

simTest("TestCasCounter", (t) =>
  withConfig(t, 3, false, -1, async (cfg) => {
    cfg.begin("Test: concurrent cas increments (cas)");
    await casCounterTest(cfg, { nclients: 5, unreliable: false, crash: false, maxraftstate: -1 });
    cfg.end();
  }),
);

simTest("TestCasCounterUnreliable", (t) =>
  withConfig(t, 5, true, -1, async (cfg) => {
    cfg.begin("Test: unreliable net, concurrent cas increments (cas)");
    await casCounterTest(cfg, { nclients: 5, unreliable: true, crash: false, maxraftstate: -1 });
    cfg.end();
  }),
);

simTest("TestCasCounterUnreliableRestartsSnapshots", (t) =>
  withConfig(t, 5, true, 1000, async (cfg) => {
    cfg.begin("Test: unreliable net, restarts, snapshots, concurrent cas increments (cas)");
    await casCounterTest(cfg, { nclients: 5, unreliable: true, crash: true, maxraftstate: 1000 });
    cfg.end();
  }),
);
