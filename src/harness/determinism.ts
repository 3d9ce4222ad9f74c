/** `CHECK_DETERMINISM=1`: the same seed must give the same trace, step for step. */
import type { SimResult } from "../sim/index.js";

/**
 * Compares the recorded traces of two runs (run with `recordTrace`). Returns undefined when they are
 * identical, else a message naming the first step at which they diverge, with some context.
 */
export function compareTraces(
  first: Pick<SimResult<unknown>, "traceHash" | "traceLines">,
  second: Pick<SimResult<unknown>, "traceHash" | "traceLines">,
): string | undefined {
  const a = first.traceLines ?? [];
  const b = second.traceLines ?? [];
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  if (i === n && a.length === b.length && first.traceHash === second.traceHash) return undefined;
  const context = a.slice(Math.max(0, i - 3), i).map((l) => `      ${l}`);
  return [
    `nondeterminism: two runs with the same seed diverged at trace step ${i} of ${a.length}/${b.length}`,
    `    last common steps:`,
    ...context,
    `    first run:  ${a[i] ?? "(end of trace)"}`,
    `    second run: ${b[i] ?? "(end of trace)"}`,
    `  Something outside the simulation leaked in: real time, real randomness, iteration over a`,
    `  structure whose order depends on something else, or state shared between runs (module globals).`,
  ].join("\n");
}
