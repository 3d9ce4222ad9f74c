import { describe, expect, it } from "vitest";
import { RaftInvariantError, assertCommitOrder, assertInvariant } from "./invariant.js";

const s2 = { peer: 2, term: 7 };

describe("assertInvariant", () => {
  it("throws a RaftInvariantError naming the peer and the term", () => {
    let error: unknown;
    try {
      assertInvariant(false, s2, () => "x is 3");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RaftInvariantError);
    expect(error).toMatchObject({
      name: "RaftInvariantError",
      message: "Raft invariant violated on S2 in T7: x is 3",
      context: s2,
      detail: "x is 3",
    });
  });

  it("builds the message only when the check fails", () => {
    let built = 0;
    assertInvariant(true, s2, () => `built ${++built}`);
    expect(built).toBe(0);
  });
});

describe("assertCommitOrder", () => {
  const ok = { snapshotIndex: 3, commitIndex: 5, lastIndex: 8, lastApplied: 4 };

  it("accepts snapshotIndex <= commitIndex <= lastIndex and lastApplied <= commitIndex", () => {
    expect(() => assertCommitOrder(ok, s2)).not.toThrow();
    // Equalities are fine, and so is an installed snapshot still awaiting delivery (lastApplied below it).
    expect(() => assertCommitOrder({ snapshotIndex: 5, commitIndex: 5, lastIndex: 5, lastApplied: 2 }, s2)).not.toThrow();
  });

  it("fails a snapshot beyond commitIndex", () => {
    expect(() => assertCommitOrder({ ...ok, snapshotIndex: 6 }, s2)).toThrow(
      "Raft invariant violated on S2 in T7: snapshotIndex 6 > commitIndex 5",
    );
  });

  it("fails a commitIndex beyond the log", () => {
    expect(() => assertCommitOrder({ ...ok, lastIndex: 4, lastApplied: 3 }, s2)).toThrow(
      "Raft invariant violated on S2 in T7: commitIndex 5 > last log index 4",
    );
  });

  it("fails applying beyond commitIndex", () => {
    expect(() => assertCommitOrder({ ...ok, lastApplied: 6 }, s2)).toThrow(
      "Raft invariant violated on S2 in T7: lastApplied 6 > commitIndex 5",
    );
  });
});
