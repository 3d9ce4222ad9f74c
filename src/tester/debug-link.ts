/**
 * The command that opens a run in the step debugger (`npm run debug`), for the places that point
 * to it: failure messages, log files, the history visualization. Optionally at a moment of the run.
 */
import { exploreMode } from "../explore/mode.js";

/** Quotes `text` for a POSIX shell. */
function quote(text: string): string {
  return /^[\w.\/-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * `npm run debug -- <test> --seed <seed>`, with `--file` if given, `--explore` for a lab test run
 * in explore mode, and `--at <seconds>` to open at virtual time `atMs`.
 */
export function debugCommand(test: string, seed: number, options: { file?: string; atMs?: number } = {}): string {
  const file = options.file;
  const explore = exploreMode() && !(file ?? "").endsWith(".explore.test.ts") && !test.startsWith("Explore") ? " --explore" : "";
  const at = options.atMs === undefined ? "" : ` --at ${(options.atMs / 1000).toFixed(3)}`;
  return `npm run debug -- ${quote(test)} --seed ${seed}${file === undefined ? "" : ` --file ${quote(file)}`}${explore}${at}`;
}
