/**
 * The grading configuration: the settings of `course/grading.json` (how many runs, the wall-clock
 * cap per run, the type-check policy, the Gradescope settings) with the parts and points of the
 * labs registry (`course/labs.json`). Read by `npm run grade` and the Gradescope autograder.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isRecord, parseConfigObject } from "./config-file.js";
import { REGISTRY_FILE, loadRegistry, type GradedPart } from "./labs-registry.js";

export type { GradedPart } from "./labs-registry.js";

/** Where the grading configuration lives, relative to a tree's root. */
export const GRADING_FILE = "course/grading.json";
const FORMAT = "raftlab-grading/1";

/** Gradescope settings of the autograder. */
export interface GradescopeSettings {
  /** Parallel test processes: 1 on Gradescope's default ½ vCPU. */
  readonly workers: number;
  /** Stop starting runs after this many seconds and write what was graded, before Gradescope's own timeout scores 0. */
  readonly deadlineSeconds: number;
  readonly visibility: Visibility;
  readonly stdoutVisibility: Visibility;
}

/** Gradescope's visibility values. */
export type Visibility = "hidden" | "after_due_date" | "after_published" | "visible";
const VISIBILITIES: readonly Visibility[] = ["hidden", "after_due_date", "after_published", "visible"];

/** A parsed `course/grading.json`, with the registry's parts. */
export interface GradingConfig {
  /** Runs per test (distinct seeds) when --runs is not given. */
  readonly runs: number;
  /** Wall-clock cap per run, in seconds (the simulation's real-time budget; a run that never yields is stopped a little later). */
  readonly wallCapSeconds: number;
  /** "required": a submission that does not type-check scores 0; "report": type errors are shown but tests still run. */
  readonly typecheck: "required" | "report";
  readonly parts: readonly GradedPart[];
  readonly gradescope: GradescopeSettings;
  /** The explore component (graded beside the lab parts), or undefined when the configuration has none. */
  readonly explore: ExploreGrading | undefined;
  /** How the number of runs follows the solution's speed. */
  readonly budget: RunBudget;
}

/**
 * The explore component of the grade: for each lab part, its explore scenario over `scenarioSeeds`
 * seeds and its sound lab tests under the nemesis over `labTestSeeds` seeds, monitors on. Each is
 * all or nothing (every run passes), like a lab test.
 */
export interface ExploreGrading {
  /** Counted when no --explore/--no-explore is given. */
  readonly byDefault: boolean;
  /** Seeds per explore scenario. */
  readonly scenarioSeeds: number;
  /** Seeds per lab test under the nemesis. */
  readonly labTestSeeds: number;
  /** Points by lab part: the scenario's, and those of the part's lab tests under the nemesis (all of them or none). */
  readonly parts: ReadonlyMap<string, { readonly scenario: number; readonly labTests: number }>;
}

/**
 * The runs per test follow the solution: each test's first run is timed, and the runs that fit
 * the deadline are made, never fewer than `minRuns` (and never more than the configured runs).
 */
export interface RunBudget {
  /** The floor: at least this many runs of every test, however slow (a run over the test's own time limit still fails). */
  readonly minRuns: number;
}

/** A grading configuration that cannot be used; the message names the file, the field and the fix. */
export class GradingConfigError extends Error {
  override readonly name = "GradingConfigError";
}

/**
 * Parses and checks the grading settings; `source` names them in errors. `parts` are the graded
 * parts (from the labs registry).
 */
export function parseGrading(text: string, source: string, parts: readonly GradedPart[]): GradingConfig {
  const { raw, fail } = parseConfigObject(text, source, FORMAT, GradingConfigError);
  const runs = positiveInt(raw["runs"], "runs", fail);
  const wallCapSeconds = positiveNumber(raw["wallCapSeconds"], "wallCapSeconds", fail);
  const typecheckRaw = raw["typecheck"] ?? "required";
  if (typecheckRaw !== "required" && typecheckRaw !== "report") fail(`"typecheck" must be "required" or "report", got ${JSON.stringify(typecheckRaw)}`);
  const typecheck = typecheckRaw as "required" | "report";
  if (raw["parts"] !== undefined) fail(`"parts" belong in ${REGISTRY_FILE}, with the labs: move them there (points per test, per part of each lab)`);
  const explore = parseExplore(raw["explore"], new Set(parts.map((p) => p.part)), fail);
  const budgetRaw = isRecord(raw["budget"]) ? raw["budget"] : {};
  const minRuns = budgetRaw["minRuns"] === undefined ? Math.min(3, runs) : positiveInt(budgetRaw["minRuns"], "budget.minRuns", fail);
  if (minRuns > runs) fail(`"budget.minRuns" (${minRuns}) must not exceed "runs" (${runs})`);
  const gs = isRecord(raw["gradescope"]) ? raw["gradescope"] : {};
  const visibility = (v: unknown, at: string): Visibility => {
    if (v === undefined) return "visible";
    if (!VISIBILITIES.includes(v as Visibility)) fail(`gradescope.${at} must be one of ${VISIBILITIES.join(", ")}`);
    return v as Visibility;
  };
  return {
    runs,
    wallCapSeconds,
    typecheck,
    parts,
    explore,
    budget: { minRuns },
    gradescope: {
      workers: gs["workers"] === undefined ? 1 : positiveInt(gs["workers"], "gradescope.workers", fail),
      deadlineSeconds: gs["deadlineSeconds"] === undefined ? 540 : positiveNumber(gs["deadlineSeconds"], "gradescope.deadlineSeconds", fail),
      visibility: visibility(gs["visibility"], "visibility"),
      stdoutVisibility: gs["stdoutVisibility"] === undefined ? "hidden" : visibility(gs["stdoutVisibility"], "stdoutVisibility"),
    },
  };
}

/** The `explore` section, checked: every part it names is a configured part. */
function parseExplore(v: unknown, partNames: ReadonlySet<string>, fail: (what: string) => never): ExploreGrading | undefined {
  if (v === undefined) return undefined;
  if (!isRecord(v)) return fail(`"explore" must be an object (or be left out for no explore component)`);
  const partsRaw = v["parts"];
  if (!isRecord(partsRaw) || Object.keys(partsRaw).length === 0) return fail(`explore.parts must map lab parts to points, e.g. { "3C": { "scenario": 5, "labTests": 1 } }`);
  const parts = new Map<string, { scenario: number; labTests: number }>();
  for (const [name, pts] of Object.entries(partsRaw)) {
    if (!partNames.has(name)) fail(`explore.parts: "${name}" is not a part of the labs registry (${[...partNames].join(", ")})`);
    if (!isRecord(pts)) return fail(`explore.parts.${name} must be { "scenario": <points>, "labTests": <points> }`);
    const points = (key: "scenario" | "labTests"): number => {
      const x = pts[key] ?? 0;
      if (typeof x !== "number" || !Number.isFinite(x) || x < 0) fail(`explore.parts.${name}.${key} must be a number of points >= 0`);
      return x as number;
    };
    parts.set(name, { scenario: points("scenario"), labTests: points("labTests") });
  }
  return {
    byDefault: v["default"] !== false,
    scenarioSeeds: positiveInt(v["scenarioSeeds"], "explore.scenarioSeeds", fail),
    labTestSeeds: positiveInt(v["labTestSeeds"], "explore.labTestSeeds", fail),
    parts,
  };
}

/** Reads the grading configuration of the tree at `root` (settings from the file `path`, if given), with its registry's parts. */
export function loadGrading(root: string, path?: string): GradingConfig {
  const file = path ?? join(root, GRADING_FILE);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new GradingConfigError(`cannot read the grading configuration ${file}: is ${root} a raftlab tree? (or pass --config <file>)`);
  }
  return parseGrading(text, file, loadRegistry(root).parts);
}

/**
 * The parts to grade: those named (in the configuration's order), else every default part of the
 * given labs. Unknown names fail with the list of known ones.
 */
export function selectParts(config: GradingConfig, names: readonly string[] | undefined, labs: readonly number[]): GradedPart[] {
  const available = config.parts.filter((p) => labs.includes(p.lab));
  if (names === undefined) return available.filter((p) => p.byDefault);
  const known = new Map(config.parts.map((p) => [p.part.toLowerCase(), p]));
  const chosen = new Set<GradedPart>();
  for (const n of names) {
    const p = known.get(n.toLowerCase());
    if (p === undefined) throw new GradingConfigError(`unknown part "${n}": the parts are ${config.parts.map((q) => q.part).join(", ")}`);
    if (!labs.includes(p.lab)) throw new GradingConfigError(`part ${p.part} belongs to lab ${p.lab}, which this tree does not have (labs: ${labs.join(", ")})`);
    chosen.add(p);
  }
  return available.filter((p) => chosen.has(p));
}

/**
 * The configuration with only the explore entries of `parts` (the graded parts of a handout's
 * labs), and no explore section when none is left, as JSON text: what a handout of those labs ships.
 */
export function gradingForParts(text: string, parts: readonly string[]): string {
  const raw = JSON.parse(text) as { explore?: { parts?: Record<string, unknown> } };
  if (raw.explore?.parts !== undefined) {
    raw.explore.parts = Object.fromEntries(Object.entries(raw.explore.parts).filter(([part]) => parts.includes(part)));
    // None of these labs has explore entries (a Lab 2 handout): no explore component.
    if (Object.keys(raw.explore.parts).length === 0) delete raw.explore;
  }
  return JSON.stringify(raw, null, 2) + "\n";
}

function positiveInt(v: unknown, at: string, fail: (what: string) => never): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) fail(`"${at}" must be a whole number >= 1, got ${JSON.stringify(v)}`);
  return v as number;
}

function positiveNumber(v: unknown, at: string, fail: (what: string) => never): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) fail(`"${at}" must be a number > 0, got ${JSON.stringify(v)}`);
  return v as number;
}

/**
 * What `npm run stress` and `npm run explore` give their workers so that a run is held to the
 * grader's wall-clock cap per run (`wallCapSeconds`): `SIM_REAL_BUDGET_MS`, unless the user set
 * it, or the tree has no readable grading configuration (then the harness's default applies).
 */
export function gradersCapEnv(root: string): Record<string, string> {
  if (process.env["SIM_REAL_BUDGET_MS"] !== undefined && process.env["SIM_REAL_BUDGET_MS"] !== "") return {};
  try {
    return { SIM_REAL_BUDGET_MS: String(loadGrading(root).wallCapSeconds * 1000) };
  } catch {
    return {};
  }
}
