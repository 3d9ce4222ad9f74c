/**
 * The durability monitors on hand-made states: each check fails on a history that breaks it and
 * stays quiet on the nearby ones a correct Raft produces (the leader itself need not be in the
 * durable majority; a snapshot holds what it covers).
 */
import { describe, expect, it } from "vitest";
import { checkAppendAcknowledged, checkDurableCommit, checkVoteAcknowledged, type DurableState } from "./durability.js";
import type { LogView } from "./shadow-log.js";
import { violationMessage } from "./violation.js";

/** A log of the given terms at indices 1.., after a snapshot at `snapshotIndex` (term `snapshotTerm`). */
function log(terms: number[], snapshotIndex = 0, snapshotTerm = 0): LogView {
  return {
    snapshotIndex,
    snapshotTerm,
    lastIndex: snapshotIndex + terms.length,
    termAt: (i) => (i === snapshotIndex ? snapshotTerm : i > snapshotIndex && i <= snapshotIndex + terms.length ? terms[i - snapshotIndex - 1] : undefined),
  };
}

function durable(terms: number[], currentTerm = 2, votedFor: number | null = null, snapshotIndex = 0, snapshotTerm = 0): DurableState {
  return { ...log(terms, snapshotIndex, snapshotTerm), currentTerm, votedFor };
}

describe("Durable Commit", () => {
  const leaderLog = log([1, 2, 2]);

  it("holds when a majority holds the committed entry durably, with or without the leader", () => {
    expect(checkDurableCommit(0, 2, 3, leaderLog, [durable([1, 2]), durable([1, 2, 2]), durable([1, 2, 2])])).toBeUndefined();
    expect(checkDurableCommit(0, 2, 2, leaderLog, [durable([1, 2]), durable([1, 2]), undefined])).toBeUndefined();
    // A snapshot through the index holds it.
    expect(checkDurableCommit(0, 2, 3, leaderLog, [durable([], 2, null, 3, 2), durable([1, 2, 2]), undefined])).toBeUndefined();
  });

  it("fails when only a minority holds it durably, naming who does", () => {
    const v = checkDurableCommit(0, 2, 3, leaderLog, [durable([1, 2]), durable([1, 2, 2]), durable([1])]);
    expect(v?.property).toBe("Durable Commit");
    expect(violationMessage(v!, 1500)).toMatch(/^Durable Commit violated: S0, leader of T2, committed through index 3, but only 1 of 3 servers hold that entry durably \(S1\)/);
  });

  it("does not count a durable entry of another term at that index", () => {
    const v = checkDurableCommit(0, 2, 3, leaderLog, [durable([1, 2, 2]), durable([1, 1, 1]), durable([1, 2])]);
    expect(v?.property).toBe("Durable Commit");
  });
});

describe("Durable Acknowledgement", () => {
  it("holds for a success covering durable entries of the same term, or a snapshot past them", () => {
    expect(checkAppendAcknowledged(1, 3, 2, durable([1, 2, 2]))).toBeUndefined();
    expect(checkAppendAcknowledged(1, 3, 2, durable([], 2, null, 5, 2))).toBeUndefined();
    expect(checkAppendAcknowledged(1, 0, 0, undefined)).toBeUndefined();
  });

  it("fails for a success through an entry not yet durable, or durable with another term", () => {
    expect(checkAppendAcknowledged(1, 3, 2, durable([1, 2]))?.summary).toMatch(/^S1 replied success to an AppendEntries through index 3 \(an entry of T2\) before that entry was durable there/);
    expect(checkAppendAcknowledged(1, 3, 2, durable([1, 1, 1]))?.property).toBe("Durable Acknowledgement");
  });

  it("holds for a vote whose term and candidate are durable, and fails otherwise", () => {
    expect(checkVoteAcknowledged(2, 0, 3, durable([], 3, 0))).toBeUndefined();
    expect(checkVoteAcknowledged(2, 0, 3, durable([], 4, 1))).toBeUndefined(); // a later term is durable: the vote was
    expect(checkVoteAcknowledged(2, 0, 3, durable([], 2, null))?.summary).toMatch(/^S2 granted its vote to S0 in T3 before that term and vote were durable there/);
    expect(checkVoteAcknowledged(2, 0, 3, durable([], 3, 1))?.property).toBe("Durable Acknowledgement");
    expect(checkVoteAcknowledged(2, 0, 3, undefined)?.property).toBe("Durable Acknowledgement");
  });
});
