/** How a failed run tells the user to replay it. */
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
  /** What the run noted before it failed (see `TestInfo.note`). */
  readonly notes?: readonly string[];
}

/** `error` with the seed, the replay command and the artifacts' paths appended to its message. */
export function withReplayInfo(error: unknown, file: string, fullName: string, seed: number, artifacts: FailureArtifacts = {}): Error {
  const base = error instanceof Error ? error : new Error(String(error));
  const lines = [base.message, `  seed:   ${seed}`, `  replay: ${replayCommand(file, fullName, seed)}`, `  debug:  ${debugRunCommand(file, fullName, seed)}`];
  const { logPath, timelinePath, notes = [] } = artifacts;
  if (logPath !== undefined) lines.push(`  log:    ${logPath}  (view: npm run logs -- ${logPath})`);
  if (timelinePath !== undefined) lines.push(`  timeline: ${timelinePath}`);
  for (const [text, count] of countNotes(notes)) lines.push(`  note:   ${text}${count > 1 ? ` (${count} times)` : ""}`);
  const wrapped = new Error(lines.join("\n"), { cause: base });
  wrapped.stack = `${lines.join("\n")}\n${(base.stack ?? "").split("\n").slice(1).join("\n")}`;
  return wrapped;
}

/** Distinct notes with how often each was made, in the order first made. */
function countNotes(notes: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const n of notes) counts.set(n, (counts.get(n) ?? 0) + 1);
  return counts;
}
