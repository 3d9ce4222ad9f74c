/**
 * Shrinking a failing run's fault schedule: remove faults while the run still fails the same way,
 * as delta debugging (Zeller's ddmin) does, after first trying whole kinds of faults at once (a
 * failure rarely needs both the drops and the partitions, and a kind goes in one run).
 */

/** Options of {@link shrinkFaults}. */
export interface ShrinkOptions {
  /** Groups of fault ids to try removing together first (e.g. every drop), largest first. */
  readonly categories?: readonly (readonly number[])[];
  /** Stop after this many trial runs (the result is then smaller, but maybe not minimal). */
  readonly maxRuns: number;
  /** Called after each trial, e.g. for progress. */
  readonly onTrial?: (trial: { readonly removed: number; readonly kept: number; readonly failed: boolean; readonly runs: number }) => void;
}

/** What {@link shrinkFaults} found. */
export interface ShrinkResult {
  /** The faults still needed for the failure, in the order given. */
  readonly kept: number[];
  /** Trial runs made. */
  readonly runs: number;
  /** Whether every single remaining fault was shown to be needed (1-minimal). */
  readonly minimal: boolean;
}

/**
 * Finds a small subset of `ids` with which the run still fails: `stillFails(removed)` runs it
 * without the faults in `removed` and says whether it failed the same way. Assumes it fails with
 * none removed.
 */
export async function shrinkFaults(
  ids: readonly number[],
  stillFails: (removed: ReadonlySet<number>) => Promise<boolean>,
  options: ShrinkOptions,
): Promise<ShrinkResult> {
  const removed = new Set<number>();
  let runs = 0;
  const budgetLeft = (): boolean => runs < options.maxRuns;
  /** Tries removing `more` on top of what is removed; keeps the removal if the run still fails. */
  const tryRemove = async (more: readonly number[]): Promise<boolean> => {
    if (more.length === 0 || !budgetLeft()) return false;
    const candidate = new Set([...removed, ...more]);
    runs++;
    const failed = await stillFails(candidate);
    options.onTrial?.({ removed: candidate.size, kept: ids.length - candidate.size, failed, runs });
    if (failed) for (const id of more) removed.add(id);
    return failed;
  };
  const kept = (): number[] => ids.filter((id) => !removed.has(id));

  // 1. Whole kinds of faults.
  for (const category of [...(options.categories ?? [])].sort((a, b) => b.length - a.length)) {
    await tryRemove(category.filter((id) => !removed.has(id)));
  }
  // 2. ddmin: remove chunks, halving their size when none can go.
  let n = 2;
  while (kept().length >= 2 && budgetLeft()) {
    const current = kept();
    const size = Math.ceil(current.length / n);
    let progress = false;
    for (let start = 0; start < current.length && budgetLeft(); start += size) {
      if (await tryRemove(current.slice(start, start + size))) {
        progress = true;
        break;
      }
    }
    if (progress) n = Math.max(n - 1, 2);
    else if (size === 1) break;
    else n = Math.min(n * 2, current.length);
  }
  // 3. One by one, so that every fault left is needed.
  let minimal = true;
  for (const id of kept()) {
    if (!budgetLeft()) {
      minimal = false;
      break;
    }
    await tryRemove([id]);
  }
  return { kept: kept(), runs, minimal };
}
