/**
 * What every simulated Raft cluster gets: the safety monitors on its Raft peers, always; and, like
 * every lab's network, whatever the installed lab-test supervisor adds (`src/tester/supervision.ts`).
 */
import type { RaftPeer } from "../raft/api.js";
import { showCluster } from "./cluster-tap.js";
import type { Member, ServerGroup } from "../tester/server-group.js";
import { superviseNetwork } from "../tester/supervision.js";
import type { TestInfo } from "../tester/test-info.js";
import { monitorRaftCluster, type ClusterMonitor, type MonitorOptions } from "./attach.js";

/**
 * Watches the Raft peers of `group` with the safety monitors (see `attach.ts`) and hands its
 * network to {@link superviseNetwork}. Call before the group starts any server.
 */
export function superviseCluster<S extends Member>(
  group: ServerGroup<S>,
  raftOf: (member: S) => RaftPeer,
  t: TestInfo,
  options: MonitorOptions = {},
): ClusterMonitor {
  // A tool watching the cluster (the step debugger) sees it before the monitors do.
  showCluster(group, raftOf, options.label);
  const monitor = monitorRaftCluster(group, raftOf, options);
  superviseNetwork(group.net, t);
  return monitor;
}
