/**
 * Two targeted KV explore scenarios for the paths real cluster mode adds: gets by ReadIndex (the
 * servers answer gets that way when they offer it, as a cluster node does; otherwise through the
 * log) and acknowledged writes across crashes. Message faults come from the nemesis; the scenario
 * puts in the partitions and crashes itself, at the moments that matter, in episodes:
 *
 * - **A deposed leader's read** (`deposedLeaderRead`): a client reads a key through the leader (so
 *   the leader has confirmed a read round), another writes it; at the instant that write is
 *   acknowledged the leader is cut off into the minority with the first client. The majority
 *   elects a new leader, which reads the key at once (its commitIndex may not cover the write yet)
 *   and writes it again; then the client of the old leader reads it through the old leader. Neither
 *   read may miss a write acknowledged before it began; the old leader's read can only complete
 *   once the partition heals.
 * - **A crash right after an acknowledgement** (`crashAfterAck`): at the instant a write is
 *   acknowledged, the leader and a follower that holds the write (one that acknowledged it) crash;
 *   a client reads the key meanwhile (through the rest, if they are a majority); both restart after
 *   a pause, from their persisted state. The write must survive and every read must see it.
 *
 * The safety phase runs episodes; the liveness phase heals everything and reads every key once more.
 * Porcupine checks the whole history (a stale read or a lost write is not linearizable).
 */
import { dlog, go, now, sleep } from "../../runtime/index.js";
import { currentSimulation } from "../../sim/index.js";
import { fatal } from "../../tester/failure.js";
import type { TestInfo } from "../../tester/test-info.js";
import { makeConfig, type Config } from "../../kvraft/config.js";
import { get, put } from "../../kvraft/history.js";
import { checkLinearizable } from "../../tester/linearizability.js";
import { OpLog } from "../../tester/op-log.js";
import { startNemesis } from "../lab-nemesis.js";
import { KV_LIVENESS_MS } from "./kv-scenario.js";
import { beginLivenessPhase, beginSafetyPhase, scenarioRandom, type ScenarioOptions } from "./phases.js";

/** What each scenario puts to the test, in a phrase (its first line). */
const AIMS = {
  deposedLeaderRead: "no stale read through a deposed leader or a new one, gets by ReadIndex when the servers offer it",
  crashAfterAck: "no acknowledged write lost when the leader and a follower that acknowledged it crash at once",
} as const;

/** Runs the deposed-leader read scenario (`ExploreKVDeposedLeaderRead4A`); see the module comment. */
export async function deposedLeaderReadScenario(t: TestInfo, options: ScenarioOptions = {}): Promise<void> {
  await episodes(t, "deposedLeaderRead", options, async (cfg, log, e, r) => {
    const [found, old] = cfg.leader();
    if (!found) return sleep(100);
    const key = `k${e}`;
    const ckOld = cfg.makeClient(cfg.all());
    const ckAll = cfg.makeClient(cfg.all());
    // A read through the leader (a confirmed round in its term), then a write.
    await get(cfg, ckOld, key, log, 0);
    await put(cfg, ckAll, key, `before ${e}`, log, 1);
    // At the instant of the acknowledgement: whoever leads now goes into the minority with ckOld.
    const [majority, minority] = cfg.makePartition();
    cfg.partition(majority, minority);
    cfg.disconnectClient(ckOld, majority);
    dlog("tester", "TEST", `episode ${e}: S${minority.at(-1)} (led when ${key} was written; S${old} led before) cut off with [${minority.join(" ")}]`);
    const ckNew = cfg.makeClient(majority);
    await get(cfg, ckNew, key, log, 2); // through the new leader, before it wrote anything
    await put(cfg, ckNew, key, `after ${e}`, log, 2);
    let done = false;
    const reading = get(cfg, ckOld, key, log, 0).then(() => void (done = true));
    await sleep(r.between(200, 1500));
    if (done) dlog("tester", "TEST", `episode ${e}: the read through the minority completed while partitioned`);
    cfg.connectAll();
    cfg.connectClient(ckOld, cfg.all());
    await reading;
  });
}

/** Runs the crash-after-acknowledgement scenario (`ExploreKVCrashAfterAck4B`); see the module comment. */
export async function crashAfterAckScenario(t: TestInfo, options: ScenarioOptions = {}): Promise<void> {
  await episodes(t, "crashAfterAck", options, async (cfg, log, e, r) => {
    const key = `k${e % 4}`;
    const ck = cfg.makeClient(cfg.all());
    await put(cfg, ck, key, `v${e}`, log, 0);
    // At the instant of the acknowledgement: the leader and a follower holding the write crash.
    const [found, leader] = cfg.leader();
    if (!found) return;
    const leaderLast = lastIndexOf(cfg, leader);
    const followers = cfg.all().filter((i) => i !== leader && cfg.kvservers[i] !== undefined);
    const holders = followers.filter((i) => leaderLast !== undefined && (lastIndexOf(cfg, i) ?? -1) >= leaderLast);
    const pool = holders.length > 0 ? holders : followers;
    const follower = pool[r.int(pool.length)];
    const victims = follower === undefined ? [leader] : [leader, follower];
    for (const i of victims) cfg.shutdownServer(i);
    dlog("tester", "TEST", `episode ${e}: crashed S${victims.join(" and S")} right after ${key} = v${e} was acknowledged`);
    const reading = get(cfg, cfg.makeClient(cfg.all()), key, log, 1);
    await sleep(r.between(0, 1500));
    for (const i of victims) {
      cfg.startServer(i);
      cfg.connect(i, cfg.all());
    }
    await reading;
  });
}

/** The last log index of server `i`'s Raft, if it tells (the reference's `inspect()`). */
function lastIndexOf(cfg: Config, i: number): number | undefined {
  return cfg.kvservers[i]?.rf.inspect?.().lastIndex;
}

type Episode = (cfg: Config, log: OpLog, episode: number, r: ReturnType<typeof scenarioRandom>) => Promise<void>;

/** The frame both scenarios share: the cluster, the nemesis, the episodes, the liveness phase, Porcupine. */
async function episodes(t: TestInfo, which: keyof typeof AIMS, options: ScenarioOptions, episode: Episode): Promise<void> {
  const sim = currentSimulation();
  if (sim === undefined) throw new Error(`the ${which} scenario must run inside a simulation`);
  const r = scenarioRandom(`scenario ${which}`);
  const servers = r.chance(0.5) ? 3 : 5;
  const safetyMs = r.between(4000, 10000);
  // crashAfterAck is a 4B scenario: snapshots every few entries, so restarts restore them.
  const maxraftstate = which === "crashAfterAck" ? [200, 500, 1000][r.int(3)]! : -1;
  const cfg = makeConfig(t, servers, false, maxraftstate, { readIndex: "if-offered" });
  try {
    // Message faults only: the partitions and crashes are the episodes'.
    const nemesis = startNemesis({ t, net: cfg.net, profile: "kv", replay: options.replay, onFault: options.onFault, onPlan: options.onPlan });
    cfg.begin(`Explore (${AIMS[which]}): ${servers} servers${maxraftstate > 0 ? `, snapshots at ${maxraftstate} bytes` : ""}, episodes for ${(safetyMs / 1000).toFixed(1)} s, then healed`);
    const log = new OpLog();
    beginSafetyPhase(`episodes of ${which}`, safetyMs);
    const end = now() + safetyMs;
    let count = 0;
    const state = { done: false, failure: undefined as unknown };
    sim.runIn(sim.node("episodes"), () =>
      go("episodes", async () => {
        try {
          for (let e = 0; now() < end; e++) {
            await episode(cfg, log, e, r);
            count = e + 1;
          }
        } catch (err) {
          state.failure = err;
        }
        state.done = true;
      }),
    );
    while (!state.done && now() < end) await sleep(50);

    beginLivenessPhase(nemesis);
    // The episode in progress must finish, and every key must be readable, within the bound.
    const deadline = now() + KV_LIVENESS_MS;
    while (!state.done && now() < deadline) await sleep(50);
    if (state.failure !== undefined) throw state.failure;
    if (!state.done) fatal(`liveness: the episode in progress did not complete within ${KV_LIVENESS_MS / 1000} s after every fault was healed`);
    const ck = cfg.makeClient(cfg.all());
    const keys = new Set(log.read().map((op) => op.input.key));
    for (const key of keys) await get(cfg, ck, key, log, 9);
    if (now() > deadline) fatal(`liveness: the final reads did not complete within ${KV_LIVENESS_MS / 1000} s after every fault was healed`);
    dlog("tester", "TEST", `${count} episodes; checking the linearizability of ${log.read().length} operations`);
    checkLinearizable(cfg, log.read());
    cfg.end();
  } finally {
    cfg.cleanup();
  }
}
