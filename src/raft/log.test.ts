import { describe, expect, it } from "vitest";
import { RaftLog } from "./log.js";
import type { Entry } from "./rpc-types.js";

/** Entries with the given terms; commands are "c<index>" so they are easy to check. */
function entries(firstIndex: number, ...terms: number[]): Entry[] {
  return terms.map((term, i) => ({ term, command: `c${firstIndex + i}` }));
}

describe("RaftLog", () => {
  it("starts empty, like the paper's index 0 / term 0", () => {
    const log = new RaftLog();
    expect(log.lastIndex()).toBe(0);
    expect(log.lastTerm()).toBe(0);
    expect(log.termAt(0)).toBe(0);
    expect(log.termAt(1)).toBeUndefined();
    expect(log.has(0)).toBe(false);
  });

  it("indexes entries from 1", () => {
    const log = new RaftLog();
    log.append(...entries(1, 1, 1, 2));
    expect(log.lastIndex()).toBe(3);
    expect(log.lastTerm()).toBe(2);
    expect(log.at(1).command).toBe("c1");
    expect(log.at(3)).toEqual({ term: 2, command: "c3" });
    expect(log.slice(2)).toEqual(entries(2, 1, 2));
    expect(log.slice(2, 3)).toEqual(entries(2, 1));
    expect(log.slice(4)).toEqual([]);
    expect(() => log.at(4)).toThrow(RangeError);
  });

  it("freezes the entries it stores (the StateEncoder reuses their bytes)", () => {
    const log = new RaftLog(0, 0, entries(1, 1));
    log.append({ term: 2, command: "c2" });
    expect(Object.isFrozen(log.at(1))).toBe(true);
    expect(Object.isFrozen(log.at(2))).toBe(true);
    expect(() => {
      (log.at(2) as { term: number }).term = 5;
    }).toThrow(TypeError);
    expect(log.termAt(2)).toBe(2);
  });

  it("truncates a suffix", () => {
    const log = new RaftLog(0, 0, entries(1, 1, 1, 2, 2));
    log.truncate(3);
    expect(log.lastIndex()).toBe(2);
    log.truncate(10); // beyond the end: nothing to do
    expect(log.lastIndex()).toBe(2);
  });

  it("compacts a prefix, keeping the entries after a matching snapshot point", () => {
    const log = new RaftLog(0, 0, entries(1, 1, 1, 2, 2, 3));
    log.compact(3, 2);
    expect(log.snapshotIndex).toBe(3);
    expect(log.snapshotTerm).toBe(2);
    expect(log.termAt(3)).toBe(2);
    expect(log.has(3)).toBe(false);
    expect(log.at(4).command).toBe("c4");
    expect(log.lastIndex()).toBe(5);
    expect(log.termAt(2)).toBeUndefined();
    expect(() => log.slice(3)).toThrow(RangeError);
    expect(() => log.truncate(3)).toThrow(RangeError);
  });

  it("discards everything for a snapshot that does not match its entries (Figure 13 step 7)", () => {
    const log = new RaftLog(0, 0, entries(1, 1, 1, 2));
    log.compact(3, 5); // same index, other term
    expect(log.lastIndex()).toBe(3);
    expect(log.lastTerm()).toBe(5);
    const short = new RaftLog(0, 0, entries(1, 1));
    short.compact(10, 4); // beyond the end
    expect(short.snapshotIndex).toBe(10);
    expect(short.lastIndex()).toBe(10);
    expect(short.lastTerm()).toBe(4);
  });

  it("ignores a snapshot older than the current one", () => {
    const log = new RaftLog(5, 2, entries(6, 3));
    log.compact(4, 2);
    expect(log.snapshotIndex).toBe(5);
    expect(log.lastIndex()).toBe(6);
  });

  it("finds where terms begin and end", () => {
    const log = new RaftLog(2, 1, entries(3, 1, 2, 2, 4));
    expect(log.firstIndexOfTermAt(5)).toBe(4);
    expect(log.firstIndexOfTermAt(3)).toBe(3); // stops at the snapshot
    expect(log.lastIndexOfTerm(2)).toBe(5);
    expect(log.lastIndexOfTerm(3)).toBeUndefined();
    expect(log.lastIndexOfTerm(4)).toBe(6);
  });
});
