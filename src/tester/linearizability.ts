/**
 * The KV testers' linearizability check (the end of Go's `GenericTest`, in Labs 2 and 4): Porcupine
 * on the recorded history, within a deterministic budget, and the HTML visualization of a history
 * that fails, annotated with the test's faults.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkOperationsVerbose, visualizeToFile, type Annotation, type CheckOptions, type CheckResult, type LinearizationInfo } from "porcupine";
import { kvModel } from "../models/kv.js";
import { dlog, now } from "../runtime/index.js";
import { debugCommand } from "./debug-link.js";
import { fatal } from "./failure.js";
import type { KvOperation } from "./op-log.js";
import type { TestInfo } from "./test-info.js";

/** What the check needs of a tester: the test, and its faults for the visualization. */
export interface CheckedConfig {
  readonly t: TestInfo;
  /** The faults so far as visualization annotations. */
  faultAnnotations(): Annotation[];
}

/**
 * How much searching the linearizability check may do before it gives up and assumes the history
 * is ok: a budget of Porcupine `step` calls, not of time, so that a seed gets the same verdict on
 * any machine and under any load (the original gives the check 1 s of real time).
 *
 * Calibration: Go's checker makes about 3.4 M kv-model steps per second on one core of this
 * machine kind (c50-ok: 741 945 steps in 217 ms), a little more with partitions on both cores;
 * 4 M steps is about the work Go does in its 1 s. Porcupine's default search here prunes with what
 * the gets' values imply, so it needs far fewer steps than Go's for the same history (c50-ok: 26 618):
 * the budget gives up later than Go would, never sooner.
 */
export const LINEARIZABILITY_STEP_BUDGET = 4_000_000;

/** What the original prints when the check gives up (and what a run notes, see `TestInfo.note`). */
export const LINEARIZABILITY_GAVE_UP = "linearizability check timed out, assuming history is ok";

/** Environment variables of the linearizability check (documented in the README). */
export const VIS_ENV = {
  /** `VIS_ENABLE=always`: write the visualization for passing tests too; `never`: never. */
  enable: "VIS_ENABLE",
  /** `VIS_FILE=<path>`: where to write it (default: a fresh file in the OS temp dir). */
  file: "VIS_FILE",
} as const;

/**
 * Checks `history` against the KV model within {@link LINEARIZABILITY_STEP_BUDGET} (`search` may
 * set another budget or Porcupine's search strategy, e.g. for the tester's own tests). When it is not
 * linearizable, writes the HTML visualization, annotated with the test's faults, and fails with
 * `history is not linearizable`; a check that gives up passes (as in the original), says so, and
 * notes it on the run (the stress runner counts such runs).
 */
export function checkLinearizable(cfg: CheckedConfig, history: KvOperation[], search: Pick<CheckOptions, "maxSteps" | "strategy"> = {}): CheckResult {
  const { result, info } = checkOperationsVerbose(kvModel, history, { maxSteps: LINEARIZABILITY_STEP_BUDGET, ...search });
  dlog("tester", "TEST", `linearizability check of ${history.length} operations: ${result}`);
  const mode = process.env[VIS_ENV.enable];
  const wanted = mode === "always" || (result === "illegal" && mode !== "never");
  const visualization = wanted ? writeVisualization(cfg, info, result, history) : undefined;
  if (result === "illegal") {
    fatal(`history is not linearizable${visualization !== undefined ? `\n  visualization: ${visualization}` : ""}`);
  }
  if (result === "unknown") {
    console.log(`info: ${LINEARIZABILITY_GAVE_UP} (${info.stopReason ?? "search stopped"})`);
    cfg.t.note(LINEARIZABILITY_GAVE_UP);
  }
  return result;
}

/**
 * Writes the visualization (opening at the first error) and the history it shows, in the
 * Porcupine CLI's JSON format (`npm run porcupine -- check history.json`), and returns the page's
 * path, or undefined if it could not be written. Both go to the run's folder (`porcupine.html`,
 * `history.json`), or where `VIS_FILE` says (the history next to it, `.json` for `.html`).
 */
function writeVisualization(cfg: CheckedConfig, info: LinearizationInfo, result: CheckResult, history: readonly KvOperation[]): string | undefined {
  // Each fault, and the end of the history, say how to open the run in the step debugger at that moment.
  const at = (us: number | bigint): string => `step debugger at this moment: ${debugCommand(cfg.t.name, cfg.t.seed, { atMs: Number(us) / 1000 })}`;
  info.annotations.push(...cfg.faultAnnotations().map((a) => ({ ...a, details: [a.details, at(a.start)].filter((d) => d !== undefined).join("\n") })));
  const end = Math.floor(now() * 1000);
  info.annotations.push({ tag: "Debugger", start: end, description: "open in the step debugger", details: at(end), backgroundColor: "#e1d5f5" });
  const path =
    process.env[VIS_ENV.file] ??
    cfg.t.artifactPath?.("porcupine.html") ??
    join(tmpdir(), `porcupine-${cfg.t.name}-${cfg.t.seed}-${randomBytes(4).toString("hex")}.html`);
  const historyPath = path.endsWith(".html") ? `${path.slice(0, -".html".length)}.json` : `${path}.json`;
  const historyFile = cfg.t.artifactPath !== undefined && process.env[VIS_ENV.file] === undefined ? cfg.t.artifactPath("history.json") : historyPath;
  try {
    visualizeToFile(kvModel, info, path, { title: `${cfg.t.name} seed=${cfg.t.seed}: ${result}`, openAtFirstError: true });
    writeFileSync(historyFile, JSON.stringify({ model: "kv", operations: history }) + "\n");
    console.log(`info: wrote history visualization to ${path} (history: ${historyFile})`);
    return path;
  } catch (e) {
    console.log(`info: failed to write history visualization to ${path}: ${(e as Error).message}`);
    return undefined;
  }
}
