/**
 * vitest's global setup for the lab project: type-checks the repository (`tsc --noEmit`, the
 * grader's check) while the tests run, and reports its errors after them, without failing or
 * stopping the run. A submission whose type check fails scores 0 in `npm run grade` (the
 * grading configuration's `"typecheck": "required"`), so the tests must not pass silently over
 * an unused variable: this is where a student first hears of it.
 *
 * Skipped in the workers of `npm run stress`, `explore` and `grade` (they set `STRESS_SEEDS`; the
 * grader type-checks once by itself), and with `TYPECHECK=0`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..", "..");

/** Errors printed before "... and N more". */
const MAX_LINES = 20;

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
 * Starts `tsc --noEmit` on the project at `root` and returns a function that waits for it and
 * gives the report to print (undefined when it found nothing, or there is no tsc to run).
 */
export function typecheckInBackground(root: string): () => Promise<string | undefined> {
  const tsc = join(root, "node_modules", ".bin", "tsc");
  if (!existsSync(tsc)) return async () => undefined;
  let output = "";
  const child: ChildProcess = spawn(tsc, ["--noEmit", "-p", "tsconfig.json", "--pretty", "false"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.on("data", (b: Buffer) => (output += b.toString()));
  child.stderr?.on("data", (b: Buffer) => (output += b.toString()));
  const exit = new Promise<number | null>((done) => {
    child.on("exit", (code) => done(code));
    child.on("error", () => done(null));
  });
  return async () => {
    const code = await exit;
    if (code === 0) return undefined;
    const errors = output.split("\n").filter((l) => /error TS\d+/.test(l));
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
  };
}
