/**
 * What every simulated cluster gets: the safety monitors on its Raft peers, always; and whatever a
 * lab-test supervisor adds to its network. Explore mode installs one (its nemesis, for the lab tests
 * that qualify: `src/explore/lab-nemesis.ts`); the testers know nothing of it, so no lab imports the
 * exploration tools.
 */
import type { Network } from "../labrpc/index.js";
import type { RaftPeer } from "../raft/api.js";
import { currentSimulation } from "../sim/index.js";
import type { Member, ServerGroup } from "../tester/server-group.js";
import type { TestInfo } from "../tester/test-info.js";
import { monitorRaftCluster, type ClusterMonitor } from "./attach.js";

/** Adds something to a lab test's network before its servers start (explore mode's nemesis). */
export type LabTestSupervisor = (net: Network, t: TestInfo) => void;

let labTestSupervisor: LabTestSupervisor | undefined;

/** Installs the supervisor every later {@link superviseNetwork} call runs (undefined: none). */
export function setLabTestSupervisor(supervisor: LabTestSupervisor | undefined): void {
  labTestSupervisor = supervisor;
}

/**
 * Hands a lab test's network to the installed supervisor, if any, inside a run. Every tester calls
 * it once, before its servers start (through {@link superviseCluster} for the Raft-based labs).
 */
export function superviseNetwork(net: Network, t: TestInfo): void {
  if (currentSimulation() !== undefined) labTestSupervisor?.(net, t);
}

/**
 * Watches the Raft peers of `group` with the safety monitors (see `attach.ts`) and hands its
 * network to {@link superviseNetwork}. Call before the group starts any server.
 */
export function superviseCluster<S extends Member>(group: ServerGroup<S>, raftOf: (member: S) => RaftPeer, t: TestInfo): ClusterMonitor {
  const monitor = monitorRaftCluster(group, raftOf);
  superviseNetwork(group.net, t);
  return monitor;
}
