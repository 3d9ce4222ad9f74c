/**
 * What every simulated cluster gets: the safety monitors, always; in explore mode, also a nemesis
 * (for a lab test that qualifies, see `lab-tests.ts`: message faults only). The explore scenarios
 * start their own, full nemesis with {@link startNemesis}.
 */
import type { Network } from "../labrpc/index.js";
import type { RaftPeer } from "../raft/api.js";
import { dlog } from "../runtime/index.js";
import { currentSimulation } from "../sim/index.js";
import type { Member, ServerGroup } from "../tester/server-group.js";
import type { TestInfo } from "../tester/test-info.js";
import { describeFaultPlan, drawFaultPlan, type FaultPlan, type PlanProfile } from "./fault-plan.js";
import { NOT_UNDER_NEMESIS, runsUnderNemesis } from "./lab-tests.js";
import { exploreMode, replayFromEnv, scheduleOutFromEnv, type ReplaySpec } from "./mode.js";
import { monitorRaftCluster, type ClusterMonitor, type MonitorOptions } from "./monitors/attach.js";
import { Nemesis, type ClusterControl } from "./nemesis.js";
import { ScheduleReplay, type FaultEvent } from "./schedule.js";

/**
 * Watches the Raft peers of `group` with the safety monitors (see `monitors/attach.ts`) and, in
 * explore mode, when `t` is a lab test that qualifies, puts the lab profile's nemesis on its
 * network (the scenarios start their own). Call before the group starts any server.
 */
export function superviseCluster<S extends Member>(
  group: ServerGroup<S>,
  raftOf: (member: S) => RaftPeer,
  t: TestInfo,
  options: MonitorOptions = {},
): ClusterMonitor {
  const monitor = monitorRaftCluster(group, raftOf, options);
  const sim = currentSimulation();
  if (sim !== undefined && exploreMode()) {
    if (runsUnderNemesis(t.name)) startNemesis({ t, net: group.net, profile: "lab" });
    const why = NOT_UNDER_NEMESIS[t.name];
    if (why !== undefined) dlog("tester", "INFO", `explore: ${t.name} runs without the nemesis: ${why}`);
  }
  return monitor;
}

/** Options of {@link startNemesis}. */
export interface StartNemesisOptions {
  readonly t: TestInfo;
  readonly net: Network;
  readonly profile: PlanProfile;
  /** Crash, restart and partition (without it: message faults only). */
  readonly control?: ClusterControl;
  /** Replay this schedule instead of drawing faults (default: `EXPLORE_REPLAY`, if set). */
  readonly replay?: ReplaySpec | undefined;
  /** Told of each fault (the shrinker records schedules this way). */
  readonly onFault?: ((fault: FaultEvent) => void) | undefined;
  /** Told of the run's fault plan once it is drawn. */
  readonly onPlan?: ((plan: FaultPlan) => void) | undefined;
}

/**
 * Draws the run's fault plan (from its own stream, the same in record and replay), prints it in one
 * line, and installs a nemesis on `net`. In explore runs `EXPLORE_SCHEDULE_OUT` gets the schedule.
 */
export function startNemesis(options: StartNemesisOptions): Nemesis {
  const sim = currentSimulation();
  if (sim === undefined) throw new Error("startNemesis() must be called inside a running simulation");
  const { t } = options;
  const plan = drawFaultPlan(sim.stream("nemesis plan"), options.profile);
  const replay = options.replay ?? replayFromEnv();
  if (replay !== undefined && JSON.stringify(replay.schedule.plan) !== JSON.stringify(plan)) {
    throw new Error(
      `the schedule to replay was recorded with another fault plan than seed ${t.seed} draws here ` +
        `(recorded: ${describeFaultPlan(replay.schedule.plan)}; here: ${describeFaultPlan(plan)}): replay it with its own seed, on the code that recorded it`,
    );
  }
  const line = `explore: ${t.name} seed=${t.seed}${replay !== undefined ? ` (replaying ${replay.schedule.faults.length - replay.removed.size} faults)` : ""}: ${describeFaultPlan(plan)}`;
  console.log(line);
  dlog("nemesis", "NET", line);
  const out = scheduleOutFromEnv();
  out?.plan(plan);
  options.onPlan?.(plan);
  const onFault = options.onFault;
  const nemesis = new Nemesis({
    sim,
    plan,
    ...(options.control === undefined ? {} : { control: options.control }),
    ...(replay === undefined ? {} : { replay: new ScheduleReplay(replay.schedule.faults, replay.removed) }),
    onFault: (f) => {
      out?.fault(f);
      onFault?.(f);
    },
  });
  nemesis.install(options.net);
  return nemesis;
}
