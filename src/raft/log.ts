import type { Entry } from "./rpc-types.js";

/**
 * A Raft log whose prefix may have been replaced by a snapshot (§7).
 *
 * Indices are the paper's: the first entry ever is index 1. Entries up to and including
 * {@link snapshotIndex} are gone (the snapshot holds their effect); only the term of the last of
 * them, {@link snapshotTerm}, is kept, because the log-matching check may need it. An empty log
 * with no snapshot has `snapshotIndex = snapshotTerm = 0`, which plays the role of the paper's
 * "index 0, term 0" before the first entry.
 *
 * Invariant: the stored entries are exactly indices `snapshotIndex + 1 .. lastIndex()`.
 *
 * Invariant: stored entries are never changed, only dropped: each is frozen as it enters the log.
 * The StateEncoder (state-codec.ts) relies on it, reusing an entry's bytes for as long as the log
 * holds that same object. (The freeze is shallow: an entry's command is the log's own copy, made by
 * start() or by the network, and it is also what the service receives on applyCh.)
 */
export class RaftLog {
  private base: number;
  private baseTerm: number;
  private entries: Entry[];

  /**
   * @param snapshotIndex index of the last entry covered by the snapshot (0 if none)
   * @param snapshotTerm term of that entry (0 if none)
   * @param entries the entries that follow it
   */
  constructor(snapshotIndex = 0, snapshotTerm = 0, entries: readonly Entry[] = []) {
    this.base = snapshotIndex;
    this.baseTerm = snapshotTerm;
    this.entries = [];
    for (const entry of entries) this.append(entry);
  }

  /** Index of the last entry covered by the snapshot (0 if none). */
  get snapshotIndex(): number {
    return this.base;
  }

  /** Term of the last entry covered by the snapshot (0 if none). */
  get snapshotTerm(): number {
    return this.baseTerm;
  }

  /** Index of the last entry (the snapshot's last index when no entries follow it). */
  lastIndex(): number {
    return this.base + this.entries.length;
  }

  /** Term of the last entry (the snapshot's term when no entries follow it). */
  lastTerm(): number {
    return this.entries.at(-1)?.term ?? this.baseTerm;
  }

  /** Whether the entry at `index` is stored (not compacted away, not beyond the end). */
  has(index: number): boolean {
    return index > this.base && index <= this.lastIndex();
  }

  /** The entry at `index`; throws if it is not stored (see {@link has}). */
  at(index: number): Entry {
    const entry = this.has(index) ? this.entries[index - this.base - 1] : undefined;
    if (entry === undefined) {
      throw new RangeError(`RaftLog.at(${index}): only ${this.base + 1}..${this.lastIndex()} are stored`);
    }
    return entry;
  }

  /**
   * The term of the entry at `index`, including the snapshot's last entry; `undefined` if the term
   * is unknown (compacted away, or beyond the end).
   */
  termAt(index: number): number | undefined {
    if (index === this.base) return this.baseTerm;
    return this.has(index) ? this.at(index).term : undefined;
  }

  /** A copy of the entries `from .. to-1` (to the end by default); `from` must be stored or just past the end. */
  slice(from: number, to: number = this.lastIndex() + 1): Entry[] {
    if (from <= this.base || to > this.lastIndex() + 1) {
      throw new RangeError(`RaftLog.slice(${from}, ${to}): only ${this.base + 1}..${this.lastIndex()} are stored`);
    }
    return this.entries.slice(from - this.base - 1, to - this.base - 1);
  }

  /**
   * Appends `entries` at the end. To append an array that may be long, call this once per entry:
   * spreading an array into arguments (`append(...array)`, `push(...array)`) fails beyond about
   * 10^5 elements.
   */
  append(...entries: readonly Entry[]): void {
    for (const entry of entries) this.entries.push(Object.freeze(entry));
  }

  /** Deletes the entry at `from` and all that follow it. Entries in the snapshot cannot be deleted. */
  truncate(from: number): void {
    if (from <= this.base) throw new RangeError(`RaftLog.truncate(${from}): index ${from} is in the snapshot`);
    if (from <= this.lastIndex()) this.entries.length = from - this.base - 1;
  }

  /**
   * Records that a snapshot now covers everything through `index`, whose term is `term`, and
   * discards those entries. If the log holds that very entry, the entries after it are kept
   * (they may be uncommitted but are consistent with it); otherwise the whole log is discarded
   * (Figure 13, receiver steps 6-7). A snapshot older than the current one changes nothing.
   */
  compact(index: number, term: number): void {
    if (index <= this.base) return;
    if (this.termAt(index) === term) {
      this.entries = this.entries.slice(index - this.base);
    } else {
      this.entries = [];
    }
    this.base = index;
    this.baseTerm = term;
  }

  /** The first index in this log whose entry has `term` and lies at or before `index`, scanning back from `index`. */
  firstIndexOfTermAt(index: number): number {
    const term = this.termAt(index);
    let first = index;
    while (first - 1 > this.base && this.termAt(first - 1) === term) first--;
    return first;
  }

  /** The last index holding an entry of `term`, or `undefined` if no stored entry has it. */
  lastIndexOfTerm(term: number): number | undefined {
    for (let i = this.lastIndex(); i > this.base; i--) {
      const t = this.at(i).term;
      if (t === term) return i;
      if (t < term) return undefined; // terms only grow along the log
    }
    return undefined;
  }

  /** The stored entries (after the snapshot), for persisting; do not mutate. */
  stored(): readonly Entry[] {
    return this.entries;
  }
}
