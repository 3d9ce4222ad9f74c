/** How a failed run tells the user to replay it. */
import { readdirSync } from "node:fs";
import { debugCommand } from "../tester/debug-link.js";

/**
 * The command that replays one test with `seed`. `fullName` is what vitest's `-t` matches: the
 * enclosing describe names and the test name joined by spaces (just the name for a top-level test).
 */
export function replayCommand(file: string, fullName: string, seed: number): string {
  const pattern = `^${fullName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`;
  return `SEED=${seed} npx vitest run ${file} -t ${shellQuote(pattern)}`;
}

/** The command that opens this run in the step debugger (`npm run debug`), at its failure. */
export function debugRunCommand(file: string, fullName: string, seed: number): string {
  return debugCommand(fullName, seed, { file });
}

/** Quotes `text` for a POSIX shell. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Where a failed run's artifacts are, to name in its message. */
export interface FailureArtifacts {
  readonly logPath?: string | undefined;
  readonly timelinePath?: string | undefined;
  /** The run's folder of files (log, timeline, Porcupine page and history), if it has one. */
  readonly folder?: string | undefined;
  /** What the run noted before it failed (see `TestInfo.note`). */
  readonly notes?: readonly string[];
}

/** `error` with the seed, the replay command and the artifacts' paths appended to its message. */
export function withReplayInfo(error: unknown, file: string, fullName: string, seed: number, artifacts: FailureArtifacts = {}): Error {
  const base = error instanceof Error ? error : new Error(String(error));
  const lines = [base.message, `  seed:   ${seed}`, `  replay: ${replayCommand(file, fullName, seed)}`, `  debug:  ${debugRunCommand(file, fullName, seed)}`];
  const { logPath, timelinePath, folder, notes = [] } = artifacts;
  if (folder !== undefined) lines.push(`  files:  ${folder}${listFolder(folder)}`);
  if (logPath !== undefined) lines.push(`  log:    ${logPath}  (view: npm run logs -- ${logPath})`);
  if (timelinePath !== undefined) lines.push(`  timeline: ${timelinePath}`);
  for (const [text, count] of countNotes(notes)) lines.push(`  note:   ${text}${count > 1 ? ` (${count} times)` : ""}`);
  // No `cause`: vitest would print the same message again under "Caused by" (each failure is
  // printed once). The stack is that of the innermost error: for a task that threw, the student's
  // code rather than the simulator's.
  const wrapped = new Error(lines.join("\n"));
  Object.defineProperty(wrapped, "original", { value: base, enumerable: false });
  wrapped.stack = `${lines.join("\n")}\n${stackFrames(innermost(base))}`;
  return wrapped;
}

/** Distinct notes with how often each was made, in the order first made. */
function countNotes(notes: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const n of notes) counts.set(n, (counts.get(n) ?? 0) + 1);
  return counts;
}

/** ` (a, b, c)`: the files in `folder`, or "" if it cannot be read. */
function listFolder(folder: string): string {
  try {
    const files = readdirSync(folder).sort();
    return files.length === 0 ? "" : `  (${files.join(", ")})`;
  } catch {
    return "";
  }
}

/** The deepest error of `error`'s `cause` chain. */
function innermost(error: Error): Error {
  let e = error;
  for (let depth = 0; depth < 10 && e.cause instanceof Error; depth++) e = e.cause;
  return e;
}

/** The "    at ..." lines of an error's stack. */
function stackFrames(error: Error): string {
  return (error.stack ?? "")
    .split("\n")
    .filter((l) => /^\s+at /.test(l))
    .join("\n");
}
