/**
 * The environment variables that steer simulated tests (documented in the README), read in one
 * place. Read when asked, not at import, so a test can set them for a child run.
 */
import { dirname, isAbsolute, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { readFileSync } from "node:fs";

/** Names of the environment variables. */
export const SIM_ENV = {
  /** `SEED=<n>`: run with this seed instead of a fresh one. */
  seed: "SEED",
  /** `CHECK_DETERMINISM=1`: run every test twice with the same seed and compare the traces. */
  checkDeterminism: "CHECK_DETERMINISM",
  /** `LOG=1`: write every test's log to a file, not only failing ones. `LOG=0`: keep no log. */
  log: "LOG",
  /** `LOG_DIR=<dir>`: where each run's folder of files goes (default `test-output/` in the checkout). */
  logDir: "LOG_DIR",
  /** `TIMELINE=1`: write an HTML timeline of every run (pass or fail) next to the logs. */
  timeline: "TIMELINE",
  /** `LOG_MAX_LINES=<n>`: keep only the last n lines of a run's log in memory (default 300 000). */
  logMaxLines: "LOG_MAX_LINES",
  /** `SIM_REAL_BUDGET_MS=<ms>`: wall-clock limit per run (default 120 000). */
  realBudgetMs: "SIM_REAL_BUDGET_MS",
  /** Used by `npm run stress`: comma-separated seeds to run each test with, or `@<file>` of seeds. */
  stressSeeds: "STRESS_SEEDS",
  /** Used by `npm run stress`: a file that receives one JSON line per run. */
  stressOut: "STRESS_OUT",
  /** Used by `npm run debug`: record the run for the step debugger into this file (JSON). */
  debugRecord: "RAFTLAB_DEBUG_RECORD",
  /** `RAFTLAB_DEBUG_EDITS=<file>`: run with these edits of the step debugger (a branch; JSON). */
  debugEdits: "RAFTLAB_DEBUG_EDITS",
  /** Used by `npm run debug`: a file the recorded run writes its virtual time to, now and then (progress). */
  debugProgress: "RAFTLAB_DEBUG_PROGRESS",
  /** Set by `npm run explore` (src/explore/mode.ts): explore mode; a replay of the run needs it too. */
  exploreMode: "RAFTLAB_EXPLORE",
  /** Set by `npm run explore` (src/explore/mode.ts): the fault schedule replayed (a shrunk run's); a replay of the run needs it too. */
  exploreReplay: "EXPLORE_REPLAY",
} as const;

/**
 * The variables a replay of this run must set besides its seed (explore mode and the replayed
 * schedule, e.g. a shrunk run's), as a command prefix: `RAFTLAB_EXPLORE=1 EXPLORE_REPLAY=<file> `,
 * or "" for a plain run.
 */
export function replayEnvPrefix(): string {
  const parts: string[] = [];
  if (process.env[SIM_ENV.exploreMode] === "1") parts.push(`${SIM_ENV.exploreMode}=1`);
  const replay = process.env[SIM_ENV.exploreReplay];
  if (replay !== undefined && replay !== "") {
    const rel = relative(process.cwd(), replay);
    const shown = rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : replay;
    parts.push(`${SIM_ENV.exploreReplay}=${/^[\w./@:-]+$/.test(shown) ? shown : `'${shown.replace(/'/g, `'\\''`)}'`}`);
  }
  return parts.map((p) => `${p} `).join("");
}

/**
 * The folder where each run's files go, one folder per run (`LOG_DIR`, else `test-output/` in this
 * checkout: one per checkout, so that two checkouts or two users of a machine never overwrite each
 * other's files, as they did in a shared temp folder).
 */
export function logDir(): string {
  const dir = process.env[SIM_ENV.logDir];
  return dir !== undefined && dir !== "" ? dir : DEFAULT_LOG_DIR;
}

/** `test-output/` at the root of this checkout (two levels above this file). */
export const DEFAULT_LOG_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "test-output");

/** What to do with a run's log: keep it in memory and write it on failure (default), write it always, or keep none. */
export function logMode(): "on-failure" | "always" | "off" {
  const v = process.env[SIM_ENV.log];
  return v === "1" ? "always" : v === "0" ? "off" : "on-failure";
}

/** Whether `TIMELINE=1`. */
export function timelineWanted(): boolean {
  return process.env[SIM_ENV.timeline] === "1";
}

/** Whether `CHECK_DETERMINISM=1`. */
export function determinismCheckWanted(): boolean {
  return process.env[SIM_ENV.checkDeterminism] === "1";
}

/** `LOG_MAX_LINES` if set to a positive integer, else undefined (the simulation's default). */
export function logMaxLines(): number | undefined {
  return positiveInt(SIM_ENV.logMaxLines);
}

/** `SIM_REAL_BUDGET_MS` if set to a positive number, else undefined (the simulation's default). */
export function realBudgetMs(): number | undefined {
  return positiveInt(SIM_ENV.realBudgetMs);
}

/** `SEED`, parsed, or undefined if unset. */
export function envSeed(): number | undefined {
  const text = process.env[SIM_ENV.seed];
  return text === undefined || text === "" ? undefined : parseSeed(text, SIM_ENV.seed);
}

/** `STRESS_SEEDS` (comma-separated seeds, or `@<file>` naming a file of seeds), or undefined if unset. */
export function stressSeeds(): number[] | undefined {
  const text = process.env[SIM_ENV.stressSeeds];
  if (text === undefined || text === "") return undefined;
  const list = text.startsWith("@") ? readFileSync(text.slice(1), "utf8") : text;
  return list
    .split(/[\s,]+/)
    .filter((s) => s !== "")
    .map((s) => parseSeed(s, SIM_ENV.stressSeeds));
}

/** Where `npm run stress` wants its records, if it does. */
export function stressOut(): string | undefined {
  return process.env[SIM_ENV.stressOut];
}

function parseSeed(text: string, variable: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new Error(`${variable}: a seed must be an integer, got "${text}"`);
  return n;
}

function positiveInt(variable: string): number | undefined {
  const text = process.env[variable];
  if (text === undefined || text === "") return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new Error(`${variable} must be a positive integer, got "${text}" (unset it to use the default)`);
  }
  return n;
}

/** Where `npm run debug` wants the run's recording, if it does. */
export function debugRecordPath(): string | undefined {
  const v = process.env[SIM_ENV.debugRecord];
  return v === undefined || v === "" ? undefined : v;
}

/** The step debugger's edits file to run with, if any. */
export function debugEditsPath(): string | undefined {
  const v = process.env[SIM_ENV.debugEdits];
  return v === undefined || v === "" ? undefined : v;
}
