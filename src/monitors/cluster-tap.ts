/**
 * The testers' seam for tools that watch a cluster's Raft peers (the step debugger): a tool
 * attaches a {@link ClusterTap} to the run (`sim.probes.attach(CLUSTER_TAP, tap)`), and every
 * cluster the testers build shows it its server group and how to find each member's Raft peer,
 * before any server starts. The tap reads the peers through `getState()` and `inspect()` only.
 */
import type { RaftPeer } from "../raft/api.js";
import type { ProbeKey } from "../sim/index.js";
import type { Member, ServerGroup } from "../tester/server-group.js";

/** What a tester shows a tap; see the module comment. */
export interface ClusterTap {
  /** A cluster was built: `group` runs its servers; `raftOf` finds a member's Raft peer. */
  cluster<S extends Member>(group: ServerGroup<S>, raftOf: (member: S) => RaftPeer): void;
}

/** The key a run's cluster tap is attached under. */
export const CLUSTER_TAP: ProbeKey<ClusterTap> = { name: "tester cluster tap" };
