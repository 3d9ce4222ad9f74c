/**
 * The KV explore scenario: a replicated KV service of 3, 5 or 7 servers under the nemesis (4B:
 * snapshotting when Raft's state reaches 200, 500 or 1000 bytes), with
 * clients appending to their own keys and reading them back (or, on some seeds, reading and writing
 * random keys); then every fault is healed and every client's operation must complete.
 *
 * Safety phase: the monitors check Raft's properties at every step; each client checks that a get
 * of its own key returns what it appended. Liveness phase (everything healed): every client's
 * operation in progress must complete, and one more each, within 20 s. Finally every client's
 * appends must be present exactly once and in order, read through the leader and then through up
 * to two others (each time the leader is cut off), and the whole history must be linearizable.
 */
import { Channel, dlog, go, now, random, sleep } from "../../runtime/index.js";
import { currentSimulation } from "../../sim/index.js";
import { fatal } from "../../tester/failure.js";
import type { TestInfo } from "../../tester/test-info.js";
import { makeConfig, type Config } from "../../kvraft/config.js";
import { checkClntAppends } from "../../kvraft/generic-test.js";
import { append, cas, get, put } from "../../kvraft/history.js";
import { checkLinearizable } from "../../tester/linearizability.js";
import { OpLog } from "../../tester/op-log.js";
import type { ClusterControl } from "../nemesis.js";
import { startNemesis } from "../lab-nemesis.js";
import { SCENARIO_AIMS } from "./aims.js";
import { beginLivenessPhase, beginSafetyPhase, leaderOf, scenarioRandom, type ScenarioOptions } from "./phases.js";

/** The KV lab part: 4A without snapshots, 4B with them. */
export type KvPart = "4A" | "4B";

/** After healing, every client must finish within this much virtual time. */
export const KV_LIVENESS_MS = 20_000;

/** Runs the KV scenario for `part`; see the module comment. */
export async function kvScenario(t: TestInfo, part: KvPart, options: ScenarioOptions = {}): Promise<void> {
  const sim = currentSimulation();
  if (sim === undefined) throw new Error("kvScenario() must run inside a simulation");
  // 4B draws its own cluster and workload: with the same stream it would be 4A's run with snapshots added.
  const r = scenarioRandom(part === "4B" ? "scenario 4B" : "scenario");
  const servers = [3, 5, 5, 7][r.int(4)]!;
  const nclients = r.between(1, 8);
  const randomKeys = r.chance(0.3);
  const safetyMs = r.between(4000, 10000);
  // 4B: snapshots at the lab's 1000 bytes, or far more often (every entry or two).
  const maxraftstate = part === "4B" ? [200, 500, 1000][r.int(3)]! : -1;
  // Every operation of the service, compare-and-swap too, on half of the seeds (drawn last, so the
  // other seeds' workloads stay as they were).
  const allOps = r.chance(0.5);
  const cfg = makeConfig(t, servers, false, maxraftstate);
  try {
    const nemesis = startNemesis({ t, net: cfg.net, profile: "kv", control: kvControl(cfg), replay: options.replay, onFault: options.onFault, onPlan: options.onPlan });
    cfg.begin(`Explore (${part}, ${SCENARIO_AIMS[part]}): ${servers} servers, ${nclients} client${nclients > 1 ? "s" : ""}${randomKeys ? " on random keys" : ""}${allOps ? ", get/put/append/cas" : ""}, under the nemesis for ${(safetyMs / 1000).toFixed(1)} s, then healed`);
    const opLog = new OpLog();
    const state = { stop: false, opsAfterHeal: new Array<number>(nclients).fill(0), healed: false };
    const counts = new Array<number>(nclients).fill(0);
    const finished = new Channel<number>(nclients);

    beginSafetyPhase(`${nclients} clients append and read`, safetyMs);
    for (let cli = 0; cli < nclients; cli++) {
      sim.runIn(sim.node(`client ${cli}`), () =>
        go(`client ${cli}`, async () => {
          const ck = cfg.makeClient(cfg.all());
          const key = String(cli);
          let last = "";
          let j = 0;
          if (!randomKeys) await put(cfg, ck, key, "", opLog, cli);
          /** The value this client last read or wrote per key (what its compare-and-swaps expect). */
          const seen = new Map<string, string>();
          while (!state.stop) {
            const k = randomKeys ? String(random.int(nclients)) : key;
            const value = `x ${cli} ${j} y`;
            if (allOps && random.int(1000) < 300) {
              // Compare-and-swap: on its own key the client knows the value, so the result is known too.
              const right = random.chance(0.6);
              const expected = randomKeys ? (seen.get(k) ?? "") : right ? last : `${last}?`;
              const ok = await cas(cfg, ck, k, expected, expected + value, opLog, cli);
              if (!randomKeys && ok !== right) fatal(`cas wrong result: key ${k} held ${JSON.stringify(last)}, expected ${JSON.stringify(expected)}: the server answered ${ok}`);
              if (ok) {
                seen.set(k, expected + value);
                if (!randomKeys) last = expected + value;
                j++;
              }
            } else if (random.int(1000) < 500) {
              await append(cfg, ck, k, value, opLog, cli);
              if (!randomKeys) last += value;
              j++;
            } else if (randomKeys && random.int(1000) < 100) {
              await put(cfg, ck, k, value, opLog, cli);
              j++;
            } else {
              const v = await get(cfg, ck, k, opLog, cli);
              seen.set(k, v);
              if (!randomKeys && v !== last) fatal(`get wrong value, key ${k}, wanted:\n${last}\n, got\n${v}\n`);
            }
            if (state.healed) state.opsAfterHeal[cli]!++;
          }
          counts[cli] = j;
          await finished.send(cli);
        }),
      );
    }
    await sleep(safetyMs);

    beginLivenessPhase(nemesis);
    state.healed = true;
    const deadline = now() + KV_LIVENESS_MS;
    // Every client must complete its operation in progress and one more, after healing.
    while (state.opsAfterHeal.some((n) => n < 2) && now() < deadline) await sleep(50);
    state.stop = true;
    let done = 0;
    while (done < nclients && now() < deadline) {
      if (finished.tryRecv().ok) done++;
      else await sleep(50);
    }
    if (done < nclients) {
      const stuck = state.opsAfterHeal.flatMap((n, c) => (n < 2 ? [c] : []));
      fatal(`liveness: client${stuck.length > 1 ? "s" : ""} ${stuck.join(", ")} did not complete their operations within ${KV_LIVENESS_MS / 1000} s after every fault was healed`);
    }
    const ck = cfg.makeClient(cfg.all());
    if (!randomKeys) {
      for (let c = 0; c < nclients; c++) checkClntAppends(c, await get(cfg, ck, String(c), opLog, 0), counts[c]!);
      // Every replica must hold the same state: read again through other leaders, cutting the
      // current one off each time (a majority stays, so another is elected).
      for (let round = 0; round < Math.min(2, servers - 1); round++) {
        const [found, leader] = cfg.leader();
        if (!found) break;
        cfg.disconnect(leader, cfg.all());
        dlog("tester", "TEST", `cut off the leader S${leader} to read through another`);
        for (let c = 0; c < nclients; c++) checkClntAppends(c, await get(cfg, ck, String(c), opLog, 0), counts[c]!);
        cfg.connectAll();
      }
    }
    dlog("tester", "TEST", `checking the linearizability of ${opLog.read().length} operations`);
    checkLinearizable(cfg, opLog.read());
    cfg.end();
  } finally {
    cfg.cleanup();
  }
}

/** Crash, restart and partitions for the nemesis, on a KV config (clients stay connected to every server). */
function kvControl(cfg: Config): ClusterControl {
  let groupOf: number[] = cfg.all().map(() => 0);
  return {
    n: cfg.n,
    isUp: (i) => cfg.kvservers[i] !== undefined,
    leader: () => leaderOf(cfg.kvservers.map((kv) => kv?.rf)),
    crash: (i) => cfg.shutdownServer(i),
    restart: (i) => {
      cfg.startServer(i);
      cfg.connect(i, cfg.all().filter((j) => groupOf[j] === groupOf[i]));
    },
    partition: (groups) => {
      groupOf = cfg.all().map((i) => groups.findIndex((g) => g.includes(i)));
      cfg.partition(groups[0] ?? [], groups.slice(1).flat());
    },
    heal: () => {
      groupOf = groupOf.map(() => 0);
      cfg.connectAll();
    },
  };
}
