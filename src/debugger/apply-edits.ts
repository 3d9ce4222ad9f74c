/**
 * Applies a branch's edits to a run without keeping a recording: what a kept branch test does
 * (the debugger's recorder, with no events kept; its peer changes are small).
 */
import type { Simulation } from "../sim/index.js";
import type { Edit } from "./edits.js";
import { Recorder, type RecordedRunName } from "./recorder.js";

/** Makes the run of `sim` a branch with `edits` (call before the test body starts). */
export function applyEdits(sim: Simulation, run: RecordedRunName, edits: readonly Edit[]): void {
  new Recorder(run, { edits, maxEvents: 0 }).attach(sim);
}
