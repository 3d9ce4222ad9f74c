/**
 * The sharded KV explore scenario (Lab 5): the controller's three servers and the three shard
 * groups under the nemesis (crashes, restarts and partitions of any of the twelve servers, messages
 * lost, delayed, reordered and delivered again late), while the groups join, leave and shards are
 * moved at random moments and clients append to their own keys and read them back; then every
 * fault is healed, every group joins, and every client's operation must complete.
 *
 * Safety phase: the Raft monitors (all four groups) and the sharding monitor check at every step;
 * each client checks that a get of its own key returns what it appended. Liveness phase: every
 * client's operation in progress must complete, and one more each, within 30 s. Finally every
 * client's appends must be present exactly once and in order, and the whole history linearizable.
 */
import { dlog, go, now, random, sleep } from "../../runtime/index.js";
import { currentSimulation } from "../../sim/index.js";
import { Config, NGROUPS } from "../../shardkv/config.js";
import { fatal } from "../../tester/failure.js";
import { checkLinearizable } from "../../tester/linearizability.js";
import { OpLog } from "../../tester/op-log.js";
import type { TestInfo } from "../../tester/test-info.js";
import type { Member, ServerGroup } from "../../tester/server-group.js";
import { checkClntAppends } from "../../tester/appends.js";
import { startNemesis } from "../lab-nemesis.js";
import type { ClusterControl } from "../nemesis.js";
import { beginLivenessPhase, beginSafetyPhase, leaderOf, scenarioRandom, type ScenarioOptions } from "./phases.js";

/** After healing, every client must finish within this much virtual time (reconfigurations included). */
export const SHARDKV_LIVENESS_MS = 30_000;

/** Runs the sharded KV scenario; see the module comment. */
export async function shardkvScenario(t: TestInfo, options: ScenarioOptions = {}): Promise<void> {
  const sim = currentSimulation();
  if (sim === undefined) throw new Error("shardkvScenario() must run inside a simulation");
  const r = scenarioRandom();
  const nclients = r.between(1, 6);
  const safetyMs = r.between(4000, 10000);
  const maxraftstate = [-1, 300, 1000][r.int(3)]!;
  const cfg = new Config(t, 3, false, maxraftstate);
  try {
    const nemesis = startNemesis({ t, net: cfg.net, profile: "kv", control: shardControl(cfg), replay: options.replay, onFault: options.onFault, onPlan: options.onPlan });
    cfg.begin(`Explore (5B): 3 groups, ${nclients} client${nclients > 1 ? "s" : ""}, maxraftstate ${maxraftstate}, under the nemesis for ${(safetyMs / 1000).toFixed(1)} s, then healed`);
    await cfg.join(0);
    const opLog = new OpLog();
    const state = { stop: false, healed: false, opsAfterHeal: new Array<number>(nclients).fill(0), done: 0 };
    const counts = new Array<number>(nclients).fill(0);

    beginSafetyPhase(`${nclients} clients append and read while groups join and leave`, safetyMs);
    for (let cli = 0; cli < nclients; cli++) {
      sim.runIn(sim.node(`client ${cli}`), () =>
        go(`client ${cli}`, async () => {
          const ck = cfg.makeClient(cfg.ctl);
          const key = String(cli);
          let last = "";
          let j = 0;
          const record = async <T>(input: Parameters<OpLog["append"]>[0]["input"], op: () => Promise<T>, output: (v: T) => Parameters<OpLog["append"]>[0]["output"]): Promise<T> => {
            const call = cfg.stamp();
            const v = await op();
            opLog.append({ input, output: output(v), call, return: cfg.stamp(), clientId: cli });
            return v;
          };
          await record({ op: "put", key, value: "" }, () => ck.put(key, ""), () => ({}));
          while (!state.stop) {
            if (random.int(1000) < 500) {
              const value = `x ${cli} ${j} y`;
              await record({ op: "append", key, value }, () => ck.append(key, value), () => ({}));
              last += value;
              j++;
            } else {
              const v = await record({ op: "get", key }, () => ck.get(key), (value) => ({ value }));
              if (v !== last) fatal(`get wrong value, key ${key}, wanted:\n${last}\n, got\n${v}\n`);
            }
            if (state.healed) state.opsAfterHeal[cli]!++;
          }
          counts[cli] = j;
          state.done++;
        }),
      );
    }

    // Configuration changes at random moments: joins, leaves (one group always stays) and moves.
    const joined = new Set<number>([0]);
    const until = now() + safetyMs;
    while (now() < until) {
      await sleep(r.between(100, 900));
      const gi = r.int(NGROUPS);
      const choice = r.int(10);
      if (choice < 2 && joined.size > 0) {
        const gid = cfg.gid([...joined][r.int(joined.size)]!);
        const shard = r.int(10);
        dlog("tester", "TEST", `move shard ${shard} to ${gid}`);
        await cfg.ctl.ck.move(shard, gid);
      } else if (joined.has(gi) && joined.size > 1) {
        await cfg.leave(gi);
        joined.delete(gi);
      } else if (!joined.has(gi)) {
        await cfg.join(gi);
        joined.add(gi);
      }
    }

    beginLivenessPhase(nemesis);
    state.healed = true;
    for (let gi = 0; gi < NGROUPS; gi++) if (!joined.has(gi)) await cfg.join(gi);
    const deadline = now() + SHARDKV_LIVENESS_MS;
    while (state.opsAfterHeal.some((n) => n < 2) && now() < deadline) await sleep(50);
    state.stop = true;
    while (state.done < nclients && now() < deadline) await sleep(50);
    if (state.done < nclients) {
      const stuck = state.opsAfterHeal.flatMap((n, c) => (n < 2 ? [c] : []));
      fatal(`liveness: client${stuck.length > 1 ? "s" : ""} ${stuck.join(", ")} did not complete their operations within ${SHARDKV_LIVENESS_MS / 1000} s after every fault was healed`);
    }
    const ck = cfg.makeClient(cfg.ctl);
    for (let c = 0; c < nclients; c++) checkClntAppends(c, await ck.get(String(c)), counts[c]!);
    dlog("tester", "TEST", `checking the linearizability of ${opLog.read().length} operations`);
    checkLinearizable(cfg, opLog.read());
    cfg.passed();
  } finally {
    cfg.cleanup();
  }
}

/**
 * Crash, restart and partitions for the nemesis over all twelve servers: 0-8 the shard groups'
 * (group i/3, server i%3), 9-11 the controller's. A partition cuts links inside each Raft group
 * along the nemesis's sets; clients and the ends servers make to other groups stay connected.
 */
function shardControl(cfg: Config): ClusterControl {
  type RaftGroup = Pick<ServerGroup<Member>, "all" | "setLinks"> & { readonly running: readonly unknown[] };
  const groups: { readonly servers: RaftGroup; readonly offset: number }[] = [
    ...cfg.groups.map((g, gi) => ({ servers: g.servers, offset: gi * 3 })),
    { servers: cfg.ctl.group, offset: 9 },
  ];
  const n = 12;
  let side: number[] = new Array<number>(n).fill(0);
  const locate = (i: number): { gi: number; s: number } => ({ gi: Math.floor(i / 3), s: i % 3 });
  const relink = (): void => {
    for (const { servers, offset } of groups) {
      for (const a of servers.all()) {
        for (const b of servers.all()) if (a < b) servers.setLinks(a, [b], side[offset + a] === side[offset + b], { quiet: true });
      }
    }
  };
  return {
    n,
    isUp: (i) => {
      const { gi, s } = locate(i);
      return groups[gi]!.servers.running[s] !== undefined;
    },
    leader: () => leaderOf([...cfg.groups.flatMap((g) => g.servers.running.map((kv) => kv?.rf)), ...cfg.ctl.group.running.map((c) => c?.rf)]),
    crash: (i) => {
      const { gi, s } = locate(i);
      if (gi < NGROUPS) cfg.shutdownServer(gi, s);
      else cfg.ctl.group.shutdown(s);
    },
    restart: (i) => {
      const { gi, s } = locate(i);
      if (gi < NGROUPS) cfg.startServer(gi, s);
      else cfg.ctl.startServer(s);
      relink();
    },
    partition: (sets) => {
      side = new Array<number>(n).fill(0).map((_, i) => sets.findIndex((g) => g.includes(i)));
      relink();
    },
    heal: () => {
      side = side.map(() => 0);
      relink();
    },
  };
}
