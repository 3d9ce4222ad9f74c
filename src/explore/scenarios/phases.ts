/**
 * What every explore scenario shares: its options (a schedule to replay, a fault listener), its
 * parameters drawn from a stream of their own, and the two phases, in the style of TigerBeetle's
 * simulator: a safety phase under faults, where only safety is judged (by the monitors and the
 * tester's checks), then a liveness phase that heals everything and requires progress.
 */
import type { RaftPeer } from "../../raft/api.js";
import type { RandomSource } from "../../runtime/index.js";
import { dlog } from "../../runtime/index.js";
import { currentSimulation } from "../../sim/index.js";
import type { FaultPlan } from "../fault-plan.js";
import type { ReplaySpec } from "../mode.js";
import type { Nemesis } from "../nemesis.js";
import type { FaultEvent } from "../schedule.js";

/** How a scenario is run: drawing its faults (the default), or replaying a schedule. */
export interface ScenarioOptions {
  /** Replay this schedule instead of drawing faults (default: `EXPLORE_REPLAY`, if set). */
  readonly replay?: ReplaySpec | undefined;
  /** Told of each fault as it is put in. */
  readonly onFault?: ((fault: FaultEvent) => void) | undefined;
  /** Told of the run's fault plan once it is drawn. */
  readonly onPlan?: ((plan: FaultPlan) => void) | undefined;
  /** Told what the liveness checks measured (Raft scenarios), for measuring their margins. */
  readonly onLiveness?: ((measured: LivenessMeasure) => void) | undefined;
}

/** What a Raft scenario's liveness checks measured once every fault was healed. */
export interface LivenessMeasure {
  readonly leader: number;
  readonly term: number;
  /** Virtual ms from the healing to one leader with every server in its term. */
  readonly settleMs: number;
  /** RPCs per second in the stability window. */
  readonly rpcsPerSecond: number;
  /** Virtual ms for a command to be applied on every server (not in 3A). */
  readonly commitMs: number | undefined;
}

/**
 * The scenario's own random stream (cluster size, phase lengths, workload): the same whether faults
 * are drawn or replayed. A part may name a stream of its own (`scenario 3D`), so that its runs are
 * not those of another part's scenario on the same seed.
 */
export function scenarioRandom(stream = "scenario"): RandomSource {
  const sim = currentSimulation();
  if (sim === undefined) throw new Error("a scenario must run inside a simulation");
  return sim.stream(stream);
}

/** Marks the start of the safety phase in the log and on the timeline. */
export function beginSafetyPhase(description: string, ms: number): void {
  dlog("tester", "TEST", `safety phase (${ms} ms under faults): ${description}`);
}

/** Ends the safety phase: heals every fault (restarts crashed servers, reconnects all). */
export function beginLivenessPhase(nemesis: Nemesis): void {
  nemesis.heal();
  dlog("tester", "TEST", "liveness phase: every fault healed; progress is now required");
}

/** The running peer that believes it leads the highest term, and that term, if any (what the nemesis aims at). */
export function leaderOf(peers: readonly (RaftPeer | undefined)[]): { server: number; term: number } | undefined {
  let best: { server: number; term: number } | undefined;
  peers.forEach((rf, server) => {
    const s = rf?.getState();
    if (s !== undefined && s.isLeader && (best === undefined || s.term > best.term)) best = { server, term: s.term };
  });
  return best;
}
