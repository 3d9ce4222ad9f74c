/**
 * Explore mode's nemesis: on a lab test that qualifies (see `lab-tests.ts`: message faults only,
 * installed through the testers' supervision hook), and the full one the explore scenarios start
 * with {@link startNemesis}.
 */
import type { Network } from "../labrpc/index.js";
import { setLabTestSupervisor } from "../tester/supervision.js";
import { dlog } from "../runtime/index.js";
import { currentSimulation } from "../sim/index.js";
import type { TestInfo } from "../tester/test-info.js";
import { describeFaultPlan, drawFaultPlan, type FaultPlan, type PlanProfile } from "./fault-plan.js";
import { NOT_UNDER_NEMESIS, runsUnderNemesis } from "./lab-tests.js";
import { exploreMode, replayFromEnv, scheduleOutFromEnv, type ReplaySpec } from "./mode.js";
import { Nemesis, type ClusterControl } from "./nemesis.js";
import { ScheduleReplay, type FaultEvent } from "./schedule.js";

/**
 * In explore mode, puts the lab profile's nemesis on the network of a lab test that qualifies, and
 * logs why the others run without it. Outside explore mode it does nothing.
 */
export function superviseLabTest(net: Network, t: TestInfo): void {
  if (!exploreMode()) return;
  if (runsUnderNemesis(t.name)) startNemesis({ t, net, profile: "lab" });
  const why = NOT_UNDER_NEMESIS[t.name];
  if (why !== undefined) dlog("tester", "INFO", `explore: ${t.name} runs without the nemesis: ${why}`);
}

/** Makes every lab tester of this process call {@link superviseLabTest} (explore mode's setup file does). */
export function installLabNemesis(): void {
  setLabTestSupervisor(superviseLabTest);
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
