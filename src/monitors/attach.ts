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
  const monitor = new RaftSafetyMonitor(() => sim.now(), group.n);
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
    const v = unlessNotImplemented(sim, () => monitor.check(), () => stop());
    if (v !== undefined) report(sim, v, stop, options.label);
  });
  return {
    applied(server, index, command) {
      const v = unlessNotImplemented(sim, () => monitor.applied(server, index, command), () => stop());
      if (v !== undefined) report(sim, v, stop, options.label);
    },
  };
}

/**
 * Runs a check of the monitor; if reading a peer meets a method the student has not written yet
 * (a skeleton's `not implemented: Raft.getState (3A), ...`), fails the run with that message alone,
 * as the tester's own call would, instead of an error from inside the monitor with its stack.
 */
function unlessNotImplemented<T>(sim: Simulation, check: () => T, stop: () => void): T {
  try {
    return check();
  } catch (e) {
    if (!(e instanceof Error) || !/^not implemented\b/.test(e.message)) throw e;
    stop();
    const error = new TestFailure(`${e.message}\n  (the safety monitors read every running peer after each step of the run: write this first)`);
    error.stack = `${error.name}: ${error.message}`; // where the monitor called it tells the student nothing
    dlog("tester", "ERRO", `FAIL: ${e.message}`);
    sim.fail(error);
    throw error;
  }
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
  // The whole explanation goes on the mark's line: the log viewer and the timeline show it as one finding.
  dmark("monitor", "ERRO", { kind: "violation", property: v.property, peers: v.peers }, error.message);
  sim.fail(error);
  throw error;
}
