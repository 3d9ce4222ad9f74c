import type { LogEntry } from "../runtime/log-types.js";

/** Default cap on the lines of a run's log kept in memory. */
export const DEFAULT_LOG_MAX_LINES = 300_000;

/**
 * The debug log of one simulated run, owned by its `Simulation`: the lines `dlog` and `dmark`
 * produced, bounded in memory.
 *
 * Invariant: `entries` holds at most 1.25 × `maxLines` lines, and `dropped` counts the lines
 * removed from its front. {@link kept} trims to `maxLines` exactly.
 */
export class RunLog {
  /** The kept lines, oldest first (may hold up to a quarter more than `maxLines`; see {@link kept}). */
  readonly entries: LogEntry[] = [];
  private droppedLines = 0;

  constructor(
    /** Whether lines are kept at all (when not, `dlog` costs a branch). */
    readonly enabled: boolean,
    /** How many of the last lines {@link kept} returns. */
    readonly maxLines: number = DEFAULT_LOG_MAX_LINES,
  ) {
    if (!Number.isSafeInteger(maxLines) || maxLines <= 0) {
      throw new RangeError(`RunLog: maxLines must be a positive integer, got ${maxLines}`);
    }
  }

  /**
   * Appends a line. Once the log holds a quarter more lines than the cap, the oldest are dropped
   * in one splice (amortized O(1) per line).
   */
  add(entry: LogEntry): void {
    const entries = this.entries;
    entries.push(entry);
    const max = this.maxLines;
    if (entries.length > max + (max >> 2)) {
      const n = entries.length - max;
      entries.splice(0, n);
      this.droppedLines += n;
    }
  }

  /** The last `maxLines` lines, with how many earlier lines were dropped. */
  kept(): { readonly entries: readonly LogEntry[]; readonly dropped: number } {
    const extra = Math.max(0, this.entries.length - this.maxLines);
    return { entries: extra > 0 ? this.entries.slice(extra) : this.entries, dropped: this.droppedLines + extra };
  }
}
