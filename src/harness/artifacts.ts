/** The files a simulated test leaves behind: its log (on failure, or with `LOG=1`) and its HTML timeline. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatLog } from "../runtime/log-format.js";
import type { Simulation } from "../sim/index.js";
import { logDir } from "./env.js";
import { debugRunCommand, replayCommand } from "./replay.js";

/** Names the run a file belongs to. */
export interface RunName {
  /** The test's name, e.g. "TestBackup3B". */
  readonly name: string;
  /** What `-t` matches (describe names and the test name). */
  readonly fullName: string;
  /** The test file, relative to the working directory. */
  readonly file: string;
  readonly seed: number;
}

/** Writes the last `maxLines` lines of `sim`'s log under a header naming the test and seed; returns the path. */
export function writeLog(run: RunName, sim: Simulation): string {
  const dir = logDir();
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${run.name}-seed${run.seed}.log`);
  const kept = sim.log.kept();
  const header = [`${run.fullName}  seed ${run.seed}`, `replay: ${replayCommand(run.file, run.fullName, run.seed)}`, `debug: ${debugRunCommand(run.file, run.fullName, run.seed)}`];
  if (kept.dropped > 0) {
    header.push(`truncated: the first ${kept.dropped} lines were dropped; these are the last ${sim.log.maxLines} (LOG_MAX_LINES)`);
  }
  writeFileSync(path, formatLog(kept.entries, header));
  return path;
}

/**
 * Writes the HTML timeline of `sim`'s run and returns its path; a failure to do so is reported
 * but must not hide the test's own outcome (then it returns undefined).
 */
export async function writeTimeline(
  run: RunName,
  sim: Simulation,
  failure: { time: number; message: string } | undefined,
): Promise<string | undefined> {
  try {
    // Loaded only when asked for: the page builder is debug tooling, not part of every test run.
    const { renderTimeline } = await import("../debug/timeline.js");
    const dir = logDir();
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${run.name}-seed${run.seed}.html`);
    const kept = sim.log.kept();
    const outcome = failure === undefined ? "passed" : "failed";
    const dropped = kept.dropped > 0 ? ` · first ${kept.dropped} log lines dropped (LOG_MAX_LINES)` : "";
    const subtitle = `seed ${run.seed} · ${outcome}${dropped}`;
    writeFileSync(path, renderTimeline(kept.entries, { title: run.name, subtitle, ...(failure === undefined ? {} : { failure }) }));
    return path;
  } catch (e) {
    console.warn(`timeline: could not write the timeline of ${run.name} (seed ${run.seed}): ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}
