/**
 * The files a simulated test leaves behind, all in one folder per run, named by test and seed
 * (`<LOG_DIR>/<Test>-seed<N>/`): its log `run.log` (on failure, or with `LOG=1`), its HTML
 * timeline `timeline.html` (`TIMELINE=1`), and, for a KV test whose history is not linearizable,
 * the Porcupine page `porcupine.html` with its history `history.json` (which `npm run porcupine --
 * check` reads).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatLog } from "../runtime/log-format.js";
import type { Simulation } from "../sim/index.js";
import { logDir, replayEnvPrefix } from "./env.js";
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

/** The folder of one run's files (not created). */
export function runFolder(run: Pick<RunName, "name" | "seed">): string {
  return join(logDir(), `${run.name.replace(/[^\w.-]+/g, "_")}-seed${run.seed}`);
}

/** The path of the file `name` in the run's folder, creating the folder. */
export function artifactPath(run: Pick<RunName, "name" | "seed">, name: string): string {
  const dir = runFolder(run);
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

/** Writes the last `maxLines` lines of `sim`'s log under a header naming the test and seed; returns the path. */
export function writeLog(run: RunName, sim: Simulation): string {
  const path = artifactPath(run, "run.log");
  const kept = sim.log.kept();
  const header = [`${run.fullName}  seed ${run.seed}`, `replay: ${replayEnvPrefix()}${replayCommand(run.file, run.fullName, run.seed)}`, `debug: ${debugRunCommand(run.file, run.fullName, run.seed)}`];
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
    const path = artifactPath(run, "timeline.html");
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
