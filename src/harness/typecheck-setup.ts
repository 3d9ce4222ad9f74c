/**
 * vitest's global setup for the lab project: type-checks the repository (`tsc --noEmit`, the
 * grader's check) while the tests run, and reports its errors after them, without failing or
 * stopping the run. A submission whose type check fails scores 0 in `npm run grade` (the
 * grading configuration's `"typecheck": "required"`), so the tests must not pass silently over
 * an unused variable: this is where a student first hears of it.
 *
 * It must not cost a student seconds on every run of one part, so it is cached (see
 * {@link typecheckInBackground}): a run whose TypeScript sources are those of the last check
 * prints that check's report again without starting tsc, and a run after an edit re-checks
 * incrementally (tsc's `--incremental`: only the edited files and those that depend on them).
 *
 * Skipped in the workers of `npm run stress`, `explore` and `grade` (they set `STRESS_SEEDS`; the
 * grader type-checks once by itself), and with `TYPECHECK=0`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..", "..");

/** Errors printed before "... and N more". */
const MAX_LINES = 20;

/** Where the cache lives, under the project root (node_modules is never committed nor handed out). */
export const TYPECHECK_CACHE_DIR = join("node_modules", ".cache", "raftlab-typecheck");

/** Top-level folders whose files are no input of the type check: what runs write, and test data. */
const SKIPPED_TOP_DIRS = new Set(["test-output", "stress-out", "explore-out", "mutants-out", "cluster-data", "tmp", "testdata"]);

let pending: (() => Promise<string | undefined>) | undefined;

/** Starts the type check (vitest calls it before the tests). */
export function setup(): void {
  if (process.env["STRESS_SEEDS"] !== undefined || process.env["TYPECHECK"] === "0") return;
  pending = typecheckInBackground(ROOT);
}

/** Reports the type check's errors, if any (vitest calls it after the tests). */
export async function teardown(): Promise<void> {
  const report = await pending?.();
  if (report !== undefined) console.log(report);
}

/**
 * A digest of every input of the type check under `root`: the content of each TypeScript file
 * (`.ts`, `.mts`, `.cts`, `.tsx`, the `.d.ts` of built packages included) and of every
 * `tsconfig.json` and `package.json` (but in node_modules, dot folders and the top-level folders
 * that runs write), with their paths, and the
 * compiler's version. Contents, not modification times: `npm test` rebuilds packages/porcupine's
 * `dist/` before each run with the same content.
 */
export function typecheckInputsDigest(root: string): string {
  const hash = createHash("sha256");
  const tsPackage = join(root, "node_modules", "typescript", "package.json");
  hash.update(existsSync(tsPackage) ? readFileSync(tsPackage) : "no typescript");
  const walk = (dir: string, rel: string): void => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith(".") || e.name === "node_modules") continue;
      const path = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (rel !== "" || !SKIPPED_TOP_DIRS.has(e.name)) walk(join(dir, e.name), path);
      } else if (/\.(m|c)?tsx?$/.test(e.name) || e.name === "tsconfig.json" || e.name === "package.json") {
        hash.update(`\0${path}\0`);
        hash.update(readFileSync(join(dir, e.name)));
      }
    }
  };
  walk(root, "");
  return hash.digest("hex");
}

/** The last check's outcome, kept in the cache folder. */
interface CachedCheck {
  readonly digest: string;
  /** The report printed after that run (undefined: the check passed). */
  readonly report?: string;
}

function readCache(file: string): CachedCheck | undefined {
  try {
    const c = JSON.parse(readFileSync(file, "utf8")) as Partial<CachedCheck>;
    return typeof c.digest === "string" ? { digest: c.digest, ...(typeof c.report === "string" ? { report: c.report } : {}) } : undefined;
  } catch {
    return undefined;
  }
}

function writeCache(file: string, check: CachedCheck): void {
  try {
    // Written whole and renamed: two runs at once never leave half a file.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(check));
    renameSync(tmp, file);
  } catch {
    // A cache that cannot be written costs the next run a check, nothing more.
  }
}

/**
 * Starts `tsc --noEmit` on the project at `root` and returns a function that waits for it and
 * gives the report to print (undefined when it found nothing, or there is no tsc to run).
 *
 * Cached in `root`'s {@link TYPECHECK_CACHE_DIR}: when {@link typecheckInputsDigest} equals the
 * last completed check's, that check's report is given again and tsc does not run; otherwise tsc
 * runs with `--incremental` (its build info in the same folder), which re-checks only what the
 * edits can affect, and the outcome is kept for the next run.
 */
export function typecheckInBackground(root: string): () => Promise<string | undefined> {
  const tsc = join(root, "node_modules", ".bin", "tsc");
  if (!existsSync(tsc)) return async () => undefined;
  const cacheDir = join(root, TYPECHECK_CACHE_DIR);
  const cacheFile = join(cacheDir, "last-check.json");
  const digest = typecheckInputsDigest(root);
  const cached = readCache(cacheFile);
  if (cached?.digest === digest) return async () => cached.report;
  mkdirSync(cacheDir, { recursive: true });
  let output = "";
  const args = ["--noEmit", "-p", "tsconfig.json", "--pretty", "false", "--incremental", "--tsBuildInfoFile", join(cacheDir, "tsconfig.tsbuildinfo")];
  const child: ChildProcess = spawn(tsc, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.on("data", (b: Buffer) => (output += b.toString()));
  child.stderr?.on("data", (b: Buffer) => (output += b.toString()));
  const exit = new Promise<number | null>((done) => {
    child.on("exit", (code) => done(code));
    child.on("error", () => done(null));
  });
  return async () => {
    const code = await exit;
    if (code === 0) {
      writeCache(cacheFile, { digest });
      return undefined;
    }
    const errors = errorLines(output);
    const report = formatReport(errors, output);
    // Only a check that ran to its end and found errors says anything about these sources.
    if ((code === 1 || code === 2) && errors.length > 0) writeCache(cacheFile, { digest, report });
    return report;
  };
}

/** The lines of tsc's output that report an error. */
function errorLines(output: string): string[] {
  return output.split("\n").filter((l) => /error TS\d+/.test(l));
}

/** The report of a failed check: its first errors, and what they mean for the grade. */
function formatReport(errors: readonly string[], output: string): string {
  const shown = errors.slice(0, MAX_LINES).map((l) => `  ${l}`);
  if (errors.length > MAX_LINES) shown.push(`  ... and ${errors.length - MAX_LINES} more (npm run typecheck)`);
  const what = errors.length === 0 ? `the type check did not run cleanly:\n${output.trim()}` : `${errors.length} type error${errors.length === 1 ? "" : "s"}:`;
  return [
    "",
    `type check (npm run typecheck): ${what}`,
    ...shown,
    "The tests ran anyway, but the grader type-checks first: while it fails, every test scores 0 (see docs/conformance.md).",
    "",
  ].join("\n");
}
