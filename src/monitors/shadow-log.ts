/**
 * The monitors' copy of the terms in one peer's log, kept up to date step by step, to tell what
 * changed in between: entries appended, overwritten or deleted.
 */

/** What a monitor reads of a peer's log (a subset of `RaftInspection`). */
export interface LogView {
  readonly snapshotIndex: number;
  readonly snapshotTerm: number;
  readonly lastIndex: number;
  /** The term at `index` for snapshotIndex <= index <= lastIndex, else undefined. */
  termAt(index: number): number | undefined;
}

/** How a peer's log changed since the copy was last brought up to date. */
export interface LogChange {
  /**
   * The lowest index above the (new) snapshot whose entry is new or different; lastIndex + 1 when
   * no entry is (the log only lost entries from its end, or only its snapshot moved).
   */
  readonly from: number;
  /** The term the copy had at `from`, if it had an entry there (undefined for a new entry). */
  readonly previousTerm: number | undefined;
  /** The copy's last index before this change. */
  readonly previousLastIndex: number;
  /**
   * The copy's terms at `from`, `from + 1`, ... up to the index {@link ShadowLog.update} was asked to
   * report (never past `previousLastIndex`): what the entries that changed or left were.
   */
  readonly previousTerms: readonly number[];
}

/** Entries below this many are always compared one by one (see {@link ShadowLog.update}). */
const ALWAYS_FULL_BELOW = 64;
/** Otherwise every this many changes compare every entry; the others compare the top run only. */
const FULL_SCAN_EVERY = 16;

/**
 * A copy of the terms of one peer's log above its snapshot.
 *
 * Invariant: `terms[k]` is the term the peer had at index `base + 1 + k` when the copy was last
 * updated (-1 where its inspection gave none), and `base`/`baseTerm` its snapshot index and term.
 */
export class ShadowLog {
  private base = 0;
  private baseTerm = 0;
  private terms: number[] = [];
  private changes = 0;

  /** The copy's last index. */
  get lastIndex(): number {
    return this.base + this.terms.length;
  }

  /** The copy's term at `index` (its snapshot's at the snapshot index), else undefined. */
  termAt(index: number): number | undefined {
    if (index === this.base) return this.baseTerm;
    if (index < this.base || index > this.lastIndex) return undefined;
    return this.terms[index - this.base - 1];
  }

  /**
   * Whether `view` may differ from the copy: a cheap look at its ends (snapshot, last index and
   * term). A change that leaves both ends alone (an entry overwritten in the middle of the log) is
   * missed here, and found at the next update that compares every entry.
   */
  differs(view: LogView): boolean {
    return (
      view.lastIndex !== this.lastIndex ||
      view.snapshotIndex !== this.base ||
      view.snapshotTerm !== this.baseTerm ||
      (view.termAt(view.lastIndex) ?? -1) !== this.termAt(view.lastIndex)
    );
  }

  /**
   * Brings the copy up to date with `view` and says what changed. Usually it compares only the top
   * run of differing entries (logs change at their end), but every entry when the log is short or
   * on every {@link FULL_SCAN_EVERY}-th change, so a change in the middle is found too, later.
   * The change lists the copy's former terms from `from` through `reportUpTo`.
   */
  update(view: LogView, reportUpTo = 0): LogChange {
    const full = this.lastIndex - this.base <= ALWAYS_FULL_BELOW || this.changes++ % FULL_SCAN_EVERY === 0;
    const oldBase = this.base;
    const oldLast = this.lastIndex;
    const newBase = view.snapshotIndex;
    const newLast = view.lastIndex;
    const lo = Math.max(oldBase, newBase) + 1;
    const hi = Math.min(oldLast, newLast);
    let from = Math.max(hi + 1, newBase + 1);
    if (full) {
      for (let i = lo; i <= hi; i++) {
        if ((view.termAt(i) ?? -1) !== this.termAt(i)) {
          from = i;
          break;
        }
      }
    } else {
      for (let i = hi; i >= lo && (view.termAt(i) ?? -1) !== this.termAt(i); i--) from = i;
    }
    const previousTerm = from > oldBase && from <= oldLast ? this.termAt(from) : undefined;
    const previousTerms: number[] = [];
    for (let i = Math.max(from, oldBase + 1); i <= Math.min(oldLast, reportUpTo); i++) previousTerms.push(this.termAt(i) ?? -1);

    if (newBase !== oldBase) {
      // The snapshot moved (rare): copy the whole log again.
      this.terms = [];
      this.base = newBase;
      this.baseTerm = view.snapshotTerm;
      for (let i = newBase + 1; i <= newLast; i++) this.terms.push(view.termAt(i) ?? -1);
    } else {
      this.baseTerm = view.snapshotTerm;
      this.terms.length = Math.min(this.terms.length, from - 1 - this.base);
      for (let i = from; i <= newLast; i++) this.terms.push(view.termAt(i) ?? -1);
    }
    return { from, previousTerm, previousLastIndex: oldLast, previousTerms };
  }
}
