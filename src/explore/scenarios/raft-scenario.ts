/**
 * The Raft explore scenario: a cluster of 3 or 5 peers under the nemesis, with clients submitting
 * commands to whoever leads; then every fault is healed and the cluster must agree again.
 *
 * The parts differ in what they aim at (`aims.ts`): 3A elections alone, no crashes; 3B commands
 * from every peer, no crashes; 3C crashes aimed at votes, replies and starts (what must be
 * persisted); 3D snapshots, with followers cut off while the log is compacted past them, so that
 * they come back by InstallSnapshot, and busier clients.
 *
 * Safety phase: the monitors check Raft's five properties at every step, and the tester's appliers
 * check every applied command. Liveness phase (everything healed, all servers up and connected): a
 * leader must be elected (3A), or a new command must commit on every server within the tester's
 * 10 s, and every index up to it must be committed everywhere (3B-3D).
 */
import { go, now, random, sleep, type RandomSource } from "../../runtime/index.js";
import { currentSimulation } from "../../sim/index.js";
import type { TestInfo } from "../../tester/test-info.js";
import { RAFT_ELECTION_TIMEOUT, makeRaftTester, type RaftTester } from "../../raft/tester.js";
import type { ClusterControl, Nemesis } from "../nemesis.js";
import { startNemesis } from "../lab-nemesis.js";
import { checkPromptCommit, checkSettledLeader } from "./raft-liveness.js";
import { watchVoteTimers } from "./vote-timer-watch.js";
import { SCENARIO_AIMS, type RaftPart } from "./aims.js";
import type { PlanProfile } from "../fault-plan.js";
import { beginLivenessPhase, beginSafetyPhase, leaderOf, scenarioRandom, type ScenarioOptions } from "./phases.js";

/** The Raft lab part a scenario exercises: 3A elections only; 3B commands; 3C crashes too; 3D snapshots and followers left behind. */
export type { RaftPart } from "./aims.js";

/**
 * The nemesis's plan per part: no crashes while Raft need not persist (3A, 3B); crashes aimed at
 * votes, replies and starts, and the Figure 8 and split-vote strategies for 3C; for 3D followers
 * left behind while the log is compacted, so that they come back by InstallSnapshot (and meet
 * stale snapshots), with no faults aimed at elections (3C's part).
 */
const PROFILE: Readonly<Record<RaftPart, PlanProfile>> = { "3A": "no-crash", "3B": "no-crash", "3C": "full", "3D": "snapshots" };

/** The command the liveness phase's prompt-commit check starts (unlike every client's). */
const LIVENESS_COMMAND = 1_999_999_999;

/** Runs the Raft scenario for `part`; see the module comment. */
export async function raftScenario(t: TestInfo, part: RaftPart, options: ScenarioOptions = {}): Promise<void> {
  const sim = currentSimulation();
  if (sim === undefined) throw new Error("raftScenario() must run inside a simulation");
  // 3D draws its own cluster and workload: with the same stream it would be 3C's run with snapshots added.
  const r = scenarioRandom(part === "3D" ? "scenario 3D" : "scenario");
  const servers = r.chance(0.5) ? 3 : 5;
  const safetyMs = r.between(4000, 12000);
  const service = part === "3D" ? drawService(servers) : undefined;
  const ts = makeRaftTester(t, { servers, snapshot: part === "3D", snapshotIntervals: service?.intervals, serviceDelay: service?.delay });
  watchVoteTimers(ts.group, (rf) => rf);
  const control = partitionedControl(ts);
  const nemesis = startNemesis({ t, net: ts.net, profile: PROFILE[part], control, replay: options.replay, onFault: options.onFault, onPlan: options.onPlan });
  ts.begin(`Explore (${part}, ${SCENARIO_AIMS[part]}): ${servers} peers under the nemesis for ${(safetyMs / 1000).toFixed(1)} s, then healed`);

  beginSafetyPhase(part === "3A" ? "elections" : "clients submit commands to every live peer", safetyMs);
  const clients = { stop: false, done: 0 };
  if (part !== "3A") {
    const nclients = r.between(1, 3);
    for (let c = 0; c < nclients; c++) {
      // 3D's clients are busier: the log grows past several snapshots while a follower is cut off.
      const maxGapMs = part === "3D" ? 80 : 200;
      sim.runIn(sim.node(`client ${c}`), () => go(`client ${c}`, () => submitCommands(ts, nemesis, c, clients, maxGapMs)));
    }
  }
  await sleep(safetyMs);
  clients.stop = true;

  if (service !== undefined) service.slow = false; // a slow service is a fault like the others: healed
  beginLivenessPhase(nemesis);
  await checkAfterHealing(ts, part === "3A" ? "leader" : "commands", r, options);
  ts.end();
}

/**
 * The liveness phase's checks, once every fault is healed: a settled, stable leader, few RPCs, and
 * (`commands`) a prompt commit, then one more command on every server with no gaps before it; or
 * (`leader`, 3A) one leader.
 */
export async function checkAfterHealing(ts: RaftTester, what: "leader" | "commands", r: RandomSource, options: ScenarioOptions): Promise<void> {
  // Liveness as checked properties: a settled, stable leader, few RPCs, a prompt commit.
  const settled = await checkSettledLeader(ts);
  const commitStart = now();
  if (what === "commands") await checkPromptCommit(ts, settled.leader, LIVENESS_COMMAND);
  options.onLiveness?.({ ...settled, commitMs: what === "leader" ? undefined : now() - commitStart });
  if (what === "leader") {
    await ts.checkOneLeader();
  } else {
    await sleep(RAFT_ELECTION_TIMEOUT);
    const last = await ts.one(1_000_000_000 + r.int(1_000_000), ts.n, true);
    // No gaps: every index up to the last one is committed on every server.
    for (let index = 1; index <= last; index++) await ts.wait(index, ts.n, -1);
  }
}

/** 3D's services: when each snapshots, and how long each takes over an entry while the fault lasts. */
interface ServiceDraw {
  readonly intervals: readonly number[];
  readonly delay: ((server: number) => number) | undefined;
  /** Whether the services are still slow (the liveness phase ends it). */
  slow: boolean;
}

/**
 * 3D's services, from a stream of their own (so that the cluster, workload and faults of a seed are
 * drawn as before). Each server's service snapshots every 10, 15, 25 or 40 entries, as a real one
 * does when its own state is large enough (so a follower's snapshot trails its commitIndex by up to
 * 39 entries, and a leader's snapshot may lie between them); on half of the seeds the services are
 * slow too: after an entry, with probability 2-10%, a service pauses 20-400 ms (a GC pause, a slow
 * disk) while Raft keeps committing, so that commitIndex runs ahead of what it has applied and
 * snapshotted. An InstallSnapshot older than a follower's commitIndex but newer than its own
 * snapshot must then be refused (Figure 13 and the lab's guide: a snapshot the follower has
 * committed past is stale).
 */
function drawService(servers: number): ServiceDraw {
  const r = scenarioRandom("scenario 3D service");
  const choices = [10, 10, 15, 25, 40];
  const intervals = Array.from({ length: servers }, () => choices[r.int(choices.length)]!);
  const slowSeed = r.chance(0.5);
  const pauseChance = r.between(20, 100) / 1000;
  const draw: ServiceDraw = {
    intervals,
    slow: slowSeed,
    delay: slowSeed ? () => (draw.slow && r.chance(pauseChance) ? r.between(20, 400) : 0) : undefined,
  };
  return draw;
}

/**
 * Submits unique commands to every live peer (as TestFigure8 does) every 10..maxGapMs ms until told
 * to stop; tells the nemesis of each leader that accepts one (it may crash it right then).
 */
async function submitCommands(ts: RaftTester, nemesis: Nemesis, client: number, state: { stop: boolean }, maxGapMs: number): Promise<void> {
  for (let k = 1; !state.stop; k++) {
    const cmd = client * 10_000_000 + k;
    for (let i = 0; i < ts.n; i++) {
      if (ts.rafts[i]?.start(cmd).isLeader === true) nemesis.afterStart(i);
    }
    await sleep(random.between(10, maxGapMs));
  }
}

/**
 * Crash, restart and partitions for the nemesis, on a Raft tester: a partition is kept as a group
 * per server, so that a restarted server reconnects only within its group.
 */
function partitionedControl(ts: RaftTester): ClusterControl {
  let groupOf: number[] = Array.from({ length: ts.n }, () => 0);
  const others = (i: number): number[] => ts.group.all().filter((j) => j !== i);
  const relink = (i: number): void => {
    ts.connect(i); // every live server
    const away = others(i).filter((j) => groupOf[j] !== groupOf[i]);
    if (away.length > 0) ts.group.setLinks(i, away, false);
  };
  return {
    n: ts.n,
    isUp: (i) => ts.rafts[i] !== undefined,
    leader: () => leaderOf(ts.rafts),
    crash: (i) => ts.crash1(i),
    term: (i) => ts.rafts[i]?.getState().term,
    restart: (i) => {
      ts.start1(i);
      relink(i);
    },
    partition: (groups) => {
      groupOf = Array.from({ length: ts.n }, (_, i) => groups.findIndex((g) => g.includes(i)));
      for (let i = 0; i < ts.n; i++) if (ts.rafts[i] !== undefined) relink(i);
    },
    heal: () => {
      groupOf = groupOf.map(() => 0);
      for (let i = 0; i < ts.n; i++) if (ts.rafts[i] !== undefined) ts.connect(i);
    },
  };
}
