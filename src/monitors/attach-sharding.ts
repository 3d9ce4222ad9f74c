/**
 * Puts a {@link ShardingMonitor} on the shard groups of a Lab 5 test: it learns of each replica's
 * (re)start and crash from its group's events, checks after every step of the simulation, and
 * fails the run at the first violation, with the property's name first (like the Raft monitors).
 */
import type { ServerName } from "../labrpc/index.js";
import { dlog, dmark } from "../runtime/index.js";
import { currentSimulation, type Simulation } from "../sim/index.js";
import type { ShardInspection } from "../shardkv/inspect.js";
import { TestFailure } from "../tester/failure.js";
import type { Member, ServerGroup } from "../tester/server-group.js";
import { ShardingMonitor } from "./sharding-monitor.js";
import { shardingViolationMessage, type ShardingProperty, type ShardingViolation } from "./sharding-violation.js";

/** A run failed because a sharding property broke; its message starts with the property's name. */
export class ShardingSafetyViolation extends TestFailure {
  readonly property: ShardingProperty;
  readonly violation: ShardingViolation;

  constructor(violation: ShardingViolation, time: number) {
    super(shardingViolationMessage(violation, time));
    this.property = violation.property;
    this.violation = violation;
  }
}

/** A member that may show its state to the monitor (the reference's shard servers do). */
export interface InspectableShardServer extends Member {
  inspect?(): ShardInspection;
}

/**
 * Watches the replicas of the given shard groups (each `{ gid, servers }`). Call it before the
 * groups start any server, inside the run. Replicas without `inspect()` are not watched.
 */
export function monitorShardGroups<S extends InspectableShardServer>(groups: readonly { readonly gid: number; readonly servers: ServerGroup<S> }[]): void {
  const sim = currentSimulation();
  if (sim === undefined) return;
  const monitor = new ShardingMonitor();
  for (const { gid, servers } of groups) {
    const name = (i: number): string => String(servers.naming.server(i) satisfies ServerName);
    servers.observe((event) => {
      if (event.kind === "start") {
        const member = event.member as S;
        if (typeof member.inspect === "function") monitor.watch(gid, name(event.i), () => member.inspect!());
      } else if (event.kind === "crash") {
        monitor.unwatch(name(event.i));
      }
    });
  }
  const stop = sim.onStep(() => {
    const v = monitor.check();
    if (v !== undefined) report(sim, v, stop);
  });
}

function report(sim: Simulation, v: ShardingViolation, stop: () => void): never {
  stop();
  const error = new ShardingSafetyViolation(v, sim.now());
  const firstLine = error.message.split("\n", 1)[0] ?? v.property;
  dmark("monitor", "ERRO", { kind: "violation", property: v.property, peers: [] }, firstLine);
  dlog("tester", "ERRO", `FAIL: ${error.message}`);
  sim.fail(error);
  throw error;
}
