/**
 * The pages of docs/ as a handout ships them: they describe the lab's contract, never the
 * reference solution. A page may hold maintainers' material about the reference (its measured
 * figures, how it does things) between `<!-- not in handouts -->` and `<!-- /not in handouts -->`
 * lines; the handout's copy leaves it out. What remains must not name a solution-only file or speak
 * of "the reference" ({@link docProblems}), so the build fails on such a line.
 */
import { basename } from "node:path";

const OPEN = "<!-- not in handouts -->";
const CLOSE = "<!-- /not in handouts -->";

/** The page without its `<!-- not in handouts -->` blocks; throws on an unmatched marker. */
export function handoutPage(text: string, path: string): string {
  const out: string[] = [];
  let skipping = false;
  for (const line of text.split("\n")) {
    const t = line.trim();
    if (t === OPEN) {
      if (skipping) throw new Error(`${path}: "${OPEN}" inside another such block (close it with "${CLOSE}" first)`);
      skipping = true;
    } else if (t === CLOSE) {
      if (!skipping) throw new Error(`${path}: "${CLOSE}" without its "${OPEN}"`);
      skipping = false;
    } else if (!skipping) out.push(line);
  }
  if (skipping) throw new Error(`${path}: "${OPEN}" is never closed with "${CLOSE}"`);
  return out.join("\n").replace(/\n{3,}/g, "\n\n");
}

/** Speaking of the reference solution: "the reference", "the reference's", "this repository's reference". */
const REFERENCE = /\b(the|this repository's|a) reference(?!s)\b(?! (to|of|for|point|count|implementation of the|monitor))/i;

/**
 * What a shipped page still says about the reference: each line that names a solution-only file
 * (by path or file name) or speaks of the reference, as "path:line: why".
 */
export function docProblems(path: string, text: string, solutionOnly: readonly string[]): string[] {
  const names = [...new Set(solutionOnly.flatMap((f) => [f, basename(f)]))];
  const problems: string[] = [];
  text.split("\n").forEach((line, i) => {
    const named = names.find((n) => new RegExp(`(^|[^\\w./-])${n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^\\w-])`).test(line));
    if (named !== undefined) problems.push(`${path}:${i + 1} names the solution-only file ${named}: describe the lab's contract instead, or put the passage between "${OPEN}" and "${CLOSE}"`);
    else if (REFERENCE.test(line)) problems.push(`${path}:${i + 1} speaks of the reference ("${REFERENCE.exec(line)![0]}"): describe the lab's contract instead, or put the passage between "${OPEN}" and "${CLOSE}"`);
  });
  return problems;
}
