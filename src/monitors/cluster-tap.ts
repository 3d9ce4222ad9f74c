/**
 * The testers' seam for tools that watch a cluster's Raft peers (the step debugger): a tool
 * attaches a {@link ClusterTap} to the run (`sim.probes.attach(CLUSTER_TAP, tap)`), and every
 * cluster the testers build shows it its server group and how to find each member's Raft peer,
 * before any server starts. The tap reads the peers through `getState()` and `inspect()` only.
 */
import type { RaftPeer } from "../raft/api.js";
import { currentSimulation, type ProbeKey } from "../sim/index.js";
import type { Member, ServerGroup } from "../tester/server-group.js";

/** What a tester shows a tap; see the module comment. */
export interface ClusterTap {
  /**
   * A cluster was built: `group` runs its servers; `raftOf` finds a member's Raft peer. `label`
   * names it when a run has several (Lab 5: `controller`, `group 100`, ...); a run with one cluster
   * gives none.
   */
  cluster<S extends Member>(group: ServerGroup<S>, raftOf: (member: S) => RaftPeer, label?: string): void;
}

/** The key a run's cluster tap is attached under. */
export const CLUSTER_TAP: ProbeKey<ClusterTap> = { name: "tester cluster tap" };

/** Shows `group` to the run's cluster tap, if a tool attached one (see {@link ClusterTap.cluster}). */
export function showCluster<S extends Member>(group: ServerGroup<S>, raftOf: (member: S) => RaftPeer, label?: string): void {
  currentSimulation()?.probes.get(CLUSTER_TAP)?.cluster(group, raftOf, label);
}
