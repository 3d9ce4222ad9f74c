/**
 * Puts a {@link RaftSafetyMonitor} on a cluster: it learns of each server's (re)start and crash from
 * the cluster's events, checks after every step of the simulation, and fails the run at the first
 * violation, with the property's name, the peers, terms and indices involved and the virtual time,
 * marked on the run's timeline.
 */
import type { RaftPeer } from "../raft/api.js";
import { dlog, dmark } from "../runtime/index.js";
import { currentSimulation, type Simulation } from "../sim/index.js";
import { TestFailure } from "../tester/failure.js";
import type { Member, ServerGroup } from "../tester/server-group.js";
import { RaftSafetyMonitor } from "./raft-monitor.js";
import { violationMessage, type RaftProperty, type Violation } from "./violation.js";

/** A run failed because a safety property broke; its message starts with the property's name. */
export class SafetyViolation extends TestFailure {
  /** The property that broke. */
  readonly property: RaftProperty;
  /** What the monitor found. */
  readonly violation: Violation;

  constructor(violation: Violation, time: number, where?: string) {
    super(violationMessage(violation, time, where));
    this.property = violation.property;
    this.violation = violation;
  }
}

/** What a tester tells the monitor beyond the cluster's events. */
export interface ClusterMonitor {
  /** The tester saw server `server` apply `command` at `index` on its applyCh. */
  applied(server: number, index: number, command: unknown): void;
}

/** Said once per process, the first time a peer without `inspect()` is watched. */
let saidWithoutInspect = false;

/** The text of that note. */
export const WITHOUT_INSPECT_NOTE =
  "note: this Raft has no inspect(), so the safety monitors check only Election Safety and State Machine Safety " +
  "(on applied commands); Leader Append-Only, Log Matching, Leader Completeness and the commit-level checks are skipped " +
  "(see RaftPeer.inspect in src/raft/api.ts)";

/** Options of {@link monitorRaftCluster}. */
export interface MonitorOptions {
  /**
   * Which Raft group this is, when a test runs several (Lab 5: "controller", "group 101"): named
   * in the failure message, since peer numbers alone are ambiguous there.
   */
  readonly label?: string;
}

/**
 * Watches the Raft peers of `group` (`raftOf` finds a member's RaftPeer: the member itself for the
 * Raft tester, `kv.rf` for the KV one). Call it before the group starts any server, inside the
 * run. Outside a simulation it does nothing.
 */
export function monitorRaftCluster<S extends Member>(group: ServerGroup<S>, raftOf: (member: S) => RaftPeer, options: MonitorOptions = {}): ClusterMonitor {
  const sim = currentSimulation();
  if (sim === undefined) return { applied: () => {} };
  const monitor = new RaftSafetyMonitor(() => sim.now());
  group.observe((event) => {
    if (event.kind === "start") {
      const peer = raftOf(event.member as S);
      monitor.watch(event.i, peer);
      if (!monitor.inspectable(event.i)) noteWithoutInspect();
    } else if (event.kind === "crash") {
      monitor.unwatch(event.i);
    }
  });
  const stop = sim.onStep(() => {
    const v = monitor.check();
    if (v !== undefined) report(sim, v, stop, options.label);
  });
  return {
    applied(server, index, command) {
      const v = monitor.applied(server, index, command);
      if (v !== undefined) report(sim, v, stop, options.label);
    },
  };
}

function noteWithoutInspect(): void {
  dlog("monitor", "WARN", WITHOUT_INSPECT_NOTE);
  if (saidWithoutInspect) return;
  saidWithoutInspect = true;
  console.log(WITHOUT_INSPECT_NOTE);
}

/** Fails the run with the violation, marks it on the timeline, and stops checking. */
function report(sim: Simulation, v: Violation, stop: () => void, where: string | undefined): never {
  stop();
  const error = new SafetyViolation(v, sim.now(), where);
  const firstLine = error.message.split("\n", 1)[0] ?? v.property;
  dmark("monitor", "ERRO", { kind: "violation", property: v.property, peers: v.peers }, firstLine);
  dlog("tester", "ERRO", `FAIL: ${error.message}`);
  sim.fail(error);
  throw error;
}
