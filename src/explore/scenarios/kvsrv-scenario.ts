/**
 * The Lab 2 explore scenario: the single key/value server under the nemesis's message faults
 * (`kvsrv` profile: lossy links, copies of requests delivered again late, requests and replies
 * held back for seconds, late replies), with 1-8 clients appending to their own keys and reading
 * them back (or, on some seeds, reading and writing random keys) for 3-8 s.
 *
 * Each Append's answer must be the value before it: it holds the client's previous element and not
 * the new one; each Get of its own key must read what the client built. Then every fault is healed,
 * every client must finish within {@link KVSRV_LIVENESS_MS}, every client's appends must be in its
 * key once each and in order, and the whole history (Appends as the model's `append-return`) must
 * be linearizable.
 */
import { Channel, dlog, go, now, random, sleep } from "../../runtime/index.js";
import { currentSimulation } from "../../sim/index.js";
import { makeConfig } from "../../kvsrv/config.js";
import { checkClntAppends, element } from "../../kvsrv/generic-test.js";
import { append, get, put } from "../../kvsrv/history.js";
import { fatal } from "../../tester/failure.js";
import { checkLinearizable } from "../../tester/linearizability.js";
import { OpLog } from "../../tester/op-log.js";
import type { TestInfo } from "../../tester/test-info.js";
import { startNemesis } from "../lab-nemesis.js";
import { beginLivenessPhase, beginSafetyPhase, scenarioRandom, type ScenarioOptions } from "./phases.js";

/** After healing, every client must finish within this much virtual time. */
export const KVSRV_LIVENESS_MS = 20_000;

/** Runs the Lab 2 scenario; see the module comment. */
export async function kvsrvScenario(t: TestInfo, options: ScenarioOptions = {}): Promise<void> {
  const sim = currentSimulation();
  if (sim === undefined) throw new Error("kvsrvScenario() must run inside a simulation");
  const r = scenarioRandom();
  const nclients = r.between(1, 8);
  const randomKeys = r.chance(0.3);
  const safetyMs = r.between(3000, 8000);
  const cfg = makeConfig(t, false);
  try {
    const nemesis = startNemesis({ t, net: cfg.net, profile: "kvsrv", replay: options.replay, onFault: options.onFault, onPlan: options.onPlan });
    cfg.begin(`Explore (2): ${nclients} client${nclients > 1 ? "s" : ""}${randomKeys ? " on random keys" : ""}, under the nemesis for ${(safetyMs / 1000).toFixed(1)} s, then healed`);
    const opLog = new OpLog();
    const state = { stop: false };
    const counts = new Array<number>(nclients).fill(0);
    const finished = new Channel<number>(nclients);

    beginSafetyPhase(`${nclients} clients append and read`, safetyMs);
    for (let cli = 0; cli < nclients; cli++) {
      sim.runIn(sim.node(`client ${cli}`), () =>
        go(`client ${cli}`, async () => {
          const ck = cfg.makeClient();
          const key = String(cli);
          let last = "";
          let j = 0;
          if (!randomKeys) await put(cfg, ck, key, "", opLog, cli);
          while (!state.stop) {
            const k = randomKeys ? String(random.int(nclients)) : key;
            const nv = element(cli, j);
            if (random.int(1000) < 500) {
              const old = await append(cfg, ck, k, nv, opLog, cli);
              if (!randomKeys) {
                if (j > 0 && !old.includes(element(cli, j - 1))) fatal(`error: old ${element(cli, j - 1)} not in return\n${old}\n`);
                if (old.includes(nv)) fatal(`error: new value ${nv} in returned values\n${old}\n`);
                last += nv;
              }
              j++;
            } else if (randomKeys && random.int(1000) < 100) {
              await put(cfg, ck, k, nv, opLog, cli);
              j++;
            } else {
              const v = await get(cfg, ck, k, opLog, cli);
              if (!randomKeys && v !== last) fatal(`get wrong value, key ${k}, wanted:\n${last}\n, got\n${v}\n`);
            }
          }
          counts[cli] = j;
          cfg.deleteClient(ck);
          await finished.send(cli);
        }),
      );
    }
    await sleep(safetyMs);

    beginLivenessPhase(nemesis);
    state.stop = true;
    const deadline = now() + KVSRV_LIVENESS_MS;
    const done = new Set<number>();
    while (done.size < nclients && now() < deadline) {
      const got = finished.tryRecv();
      if (got.ok) done.add(got.value);
      else await sleep(50);
    }
    if (done.size < nclients) {
      const stuck = counts.flatMap((_, c) => (done.has(c) ? [] : [c]));
      fatal(`liveness: client${stuck.length > 1 ? "s" : ""} ${stuck.join(", ")} did not complete their operations within ${KVSRV_LIVENESS_MS / 1000} s after every fault was healed`);
    }
    if (!randomKeys) {
      const ck = cfg.makeClient();
      for (let c = 0; c < nclients; c++) checkClntAppends(c, await get(cfg, ck, String(c), opLog, 0), counts[c]!);
    }
    dlog("tester", "TEST", `checking the linearizability of ${opLog.read().length} operations`);
    checkLinearizable(cfg, opLog.read());
    cfg.end();
  } finally {
    cfg.cleanup();
  }
}
