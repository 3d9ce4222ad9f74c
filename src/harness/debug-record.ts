/**
 * The harness's side of the step debugger (`npm run debug`): with `RAFTLAB_DEBUG_RECORD` set, a run
 * is recorded (src/debugger/recorder.ts) and the recording written to that file once the run is
 * over; with `RAFTLAB_DEBUG_EDITS`, the run is a branch with those edits. Without either, nothing
 * of the debugger is loaded.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { realClock, type Simulation } from "../sim/index.js";
import type { RunName } from "./artifacts.js";
import { debugEditsPath, debugRecordPath, SIM_ENV } from "./env.js";

/** What a run does for the debugger: attach at its start, finish at its end. */
export interface DebugHooks {
  attach(sim: Simulation): void;
  finish(outcome: { ok: boolean; error?: string; traceHash: string; wallMs: number }): void;
}

/** The hooks the environment asks for, or undefined (the usual case). */
export async function debugHooksFromEnv(run: RunName): Promise<DebugHooks | undefined> {
  const out = debugRecordPath();
  const editsFile = debugEditsPath();
  if (out === undefined && editsFile === undefined) return undefined;
  // Loaded only when asked for: the debugger is tooling, not part of every test run.
  const { Recorder } = await import("../debugger/recorder.js");
  const { parseEdits } = await import("../debugger/edits.js");
  let edits: ReturnType<typeof parseEdits> = [];
  if (editsFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(editsFile, "utf8");
    } catch (e) {
      throw new Error(`${SIM_ENV.debugEdits}=${editsFile}: cannot read it (${(e as Error).message})`);
    }
    edits = parseEdits(text, editsFile);
  }
  const recorder = new Recorder(run, { edits });
  const progress = process.env[SIM_ENV.debugProgress];
  return {
    attach: (sim) => {
      recorder.attach(sim);
      if (progress !== undefined && progress !== "") reportProgress(sim, progress);
    },
    finish: (outcome) => {
      const recording = recorder.finish(outcome);
      if (out !== undefined) writeFileSync(out, JSON.stringify(recording));
    },
  };
}

/**
 * Writes the run's virtual time to `file` about every 100 ms of real time, for the debugger's
 * progress bar. It reads the real clock outside the simulated world and changes nothing in it.
 */
function reportProgress(sim: Simulation, file: string): void {
  let steps = 0;
  let last = realClock.now();
  sim.onStep(() => {
    if ((++steps & 63) !== 0) return;
    const now = realClock.now();
    if (now - last < 100) return;
    last = now;
    writeFileSync(file, String(sim.now()));
  });
}
