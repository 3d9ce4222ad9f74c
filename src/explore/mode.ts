/**
 * Explore mode and its environment variables, read in one place. `npm run explore` sets them for
 * its workers; a replay command of an explore failure sets them too.
 */
import { appendFileSync, readFileSync } from "node:fs";
import type { FaultPlan } from "./fault-plan.js";
import { parseScheduleFile, type FaultEvent, type ScheduleFile } from "./schedule.js";

/** The variables. */
export const EXPLORE_ENV = {
  /** `RAFTLAB_EXPLORE=1`: explore mode: the explore scenarios are loaded, and lab tests run under the nemesis. */
  mode: "RAFTLAB_EXPLORE",
  /** `EXPLORE_SCHEDULE_OUT=<file>`: write the run's fault plan and faults there as they happen (JSON lines). */
  scheduleOut: "EXPLORE_SCHEDULE_OUT",
  /** `EXPLORE_REPLAY=<file>`: replay this schedule (a schedule file, optionally with `removed` fault ids) instead of drawing faults. */
  replay: "EXPLORE_REPLAY",
} as const;

/** Whether explore mode is on. */
export function exploreMode(): boolean {
  return process.env[EXPLORE_ENV.mode] === "1";
}

/** A schedule to replay, with the ids of the faults to leave out. */
export interface ReplaySpec {
  readonly schedule: ScheduleFile;
  readonly removed: ReadonlySet<number>;
}

/** The schedule `EXPLORE_REPLAY` names, if set. Throws a clear error if the file is unusable. */
export function replayFromEnv(): ReplaySpec | undefined {
  const path = process.env[EXPLORE_ENV.replay];
  if (path === undefined || path === "") return undefined;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(`${EXPLORE_ENV.replay}=${path}: cannot read it (${(e as Error).message})`);
  }
  const schedule = parseScheduleFile(text, path);
  return { schedule, removed: new Set(schedule.removed ?? []) };
}

/**
 * Where `EXPLORE_SCHEDULE_OUT` wants the run's schedule, as a writer: the plan first, then each
 * fault, one JSON line each. Undefined if not set.
 */
export function scheduleOutFromEnv(): { plan(plan: FaultPlan): void; fault(fault: FaultEvent): void } | undefined {
  const path = process.env[EXPLORE_ENV.scheduleOut];
  if (path === undefined || path === "") return undefined;
  return {
    plan: (plan) => appendFileSync(path, JSON.stringify({ plan }) + "\n"),
    fault: (fault) => appendFileSync(path, JSON.stringify(fault) + "\n"),
  };
}

/** Reads what {@link scheduleOutFromEnv} wrote: the plan and the faults. */
export function readScheduleOut(text: string, source: string): { plan: FaultPlan; faults: FaultEvent[] } {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const first = lines.length > 0 ? (JSON.parse(lines[0]!) as { plan?: FaultPlan }) : {};
  if (first.plan === undefined) throw new Error(`${source}: no fault plan on its first line: the run did not start a nemesis`);
  return { plan: first.plan, faults: lines.slice(1).map((l) => JSON.parse(l) as FaultEvent) };
}
