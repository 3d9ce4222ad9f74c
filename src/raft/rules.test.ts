import { describe, expect, it } from "vitest";
import { RaftLog } from "./log.js";
import { RaftInvariantError } from "./invariant.js";
import type { Entry } from "./rpc-types.js";
import {
  acceptEntries,
  advanceCommitIndex,
  conflictHint,
  isAtLeastAsUpToDate,
  nextIndexAfterConflict,
  shouldGrantVote,
} from "./rules.js";

/** A log holding entries with these terms, from index 1 (commands "c1", "c2", ...). */
function logOf(...terms: number[]): RaftLog {
  return new RaftLog(0, 0, terms.map((term, i) => ({ term, command: `c${i + 1}` })));
}

function termsOf(log: RaftLog): number[] {
  return log.slice(log.snapshotIndex + 1).map((e) => e.term);
}

function entry(term: number, command: unknown = `t${term}`): Entry {
  return { term, command };
}

/** The receiver's state besides its log: S1 in term 3, with nothing committed yet. */
const receiver = { me: 1, currentTerm: 3, commitIndex: 0 };

describe("elections (§5.2, §5.4.1)", () => {
  it("compares logs by last term, then by length", () => {
    expect(isAtLeastAsUpToDate({ lastLogTerm: 3, lastLogIndex: 1 }, { lastLogTerm: 2, lastLogIndex: 9 })).toBe(true);
    expect(isAtLeastAsUpToDate({ lastLogTerm: 2, lastLogIndex: 9 }, { lastLogTerm: 3, lastLogIndex: 1 })).toBe(false);
    expect(isAtLeastAsUpToDate({ lastLogTerm: 2, lastLogIndex: 5 }, { lastLogTerm: 2, lastLogIndex: 5 })).toBe(true);
    expect(isAtLeastAsUpToDate({ lastLogTerm: 2, lastLogIndex: 4 }, { lastLogTerm: 2, lastLogIndex: 5 })).toBe(false);
  });

  const voter = { currentTerm: 4, votedFor: null, lastLogIndex: 5, lastLogTerm: 3 };
  const request = { term: 4, candidateId: 1, lastLogIndex: 5, lastLogTerm: 3 };

  it("grants one vote per term to a candidate whose log is up to date", () => {
    expect(shouldGrantVote(voter, request)).toBe(true);
    expect(shouldGrantVote({ ...voter, votedFor: 1 }, request)).toBe(true); // a retransmitted request
    expect(shouldGrantVote({ ...voter, votedFor: 2 }, request)).toBe(false);
  });

  it("denies stale terms and stale logs", () => {
    expect(shouldGrantVote(voter, { ...request, term: 3 })).toBe(false);
    expect(shouldGrantVote(voter, { ...request, lastLogTerm: 2, lastLogIndex: 100 })).toBe(false);
    expect(shouldGrantVote(voter, { ...request, lastLogIndex: 4 })).toBe(false);
  });
});

describe("AppendEntries receiver (§5.3)", () => {
  it("appends after a matching entry", () => {
    const log = logOf(1, 1);
    const r = acceptEntries(log, { prevLogIndex: 2, prevLogTerm: 1, entries: [entry(2), entry(2)] }, receiver);
    expect(r).toEqual({ success: true, lastNewIndex: 4, changed: true });
    expect(termsOf(log)).toEqual([1, 1, 2, 2]);
  });

  it("accepts a heartbeat that matches without changing anything", () => {
    const log = logOf(1, 2);
    expect(acceptEntries(log, { prevLogIndex: 2, prevLogTerm: 2, entries: [] }, receiver)).toEqual({
      success: true,
      lastNewIndex: 2,
      changed: false,
    });
  });

  it("deletes a conflicting entry and all that follow it", () => {
    const log = logOf(1, 1, 2, 2, 2);
    const r = acceptEntries(log, { prevLogIndex: 2, prevLogTerm: 1, entries: [entry(3)] }, receiver);
    expect(r).toEqual({ success: true, lastNewIndex: 3, changed: true });
    expect(termsOf(log)).toEqual([1, 1, 3]);
  });

  it("keeps entries beyond an old, reordered request that matches", () => {
    const log = logOf(1, 1, 1, 1);
    const r = acceptEntries(log, { prevLogIndex: 1, prevLogTerm: 1, entries: [entry(1, "c2")] }, receiver);
    expect(r).toEqual({ success: true, lastNewIndex: 2, changed: false });
    expect(log.lastIndex()).toBe(4);
  });

  it("refuses to delete a committed entry, naming the indices", () => {
    const log = logOf(1, 1, 2, 2);
    const request = { prevLogIndex: 2, prevLogTerm: 1, entries: [entry(3)] }; // conflicts at index 3
    const committedThrough3 = { ...receiver, commitIndex: 3 };
    expect(() => acceptEntries(log, request, committedThrough3)).toThrow(RaftInvariantError);
    expect(() => acceptEntries(log, request, committedThrough3)).toThrow(
      "Raft invariant violated on S1 in T3: AppendEntries after 2/T1 conflicts at index 3 (T2 here, T3 in the request), " +
        "but commitIndex is 3: a committed entry would be deleted",
    );
    expect(termsOf(log)).toEqual([1, 1, 2, 2]); // nothing was deleted
    // Committed entries that match are fine, and so is a conflict just above commitIndex.
    expect(acceptEntries(log, { prevLogIndex: 0, prevLogTerm: 0, entries: [entry(1)] }, { ...receiver, commitIndex: 4 }))
      .toEqual({ success: true, lastNewIndex: 1, changed: false });
    expect(acceptEntries(log, request, { ...receiver, commitIndex: 2 })).toEqual({ success: true, lastNewIndex: 3, changed: true });
    expect(termsOf(log)).toEqual([1, 1, 3]);
  });

  it("appends a request of any length (no spread into arguments)", () => {
    const log = logOf(1);
    const entries = Array.from({ length: 300_000 }, () => entry(2));
    const r = acceptEntries(log, { prevLogIndex: 1, prevLogTerm: 1, entries }, receiver);
    expect(r).toEqual({ success: true, lastNewIndex: 300_001, changed: true });
    expect(log.lastIndex()).toBe(300_001);
  });

  it("skips entries that the snapshot already covers", () => {
    const log = new RaftLog(5, 2, [entry(3)]); // index 6
    const r = acceptEntries(
      log,
      {
        prevLogIndex: 3,
        prevLogTerm: 1,
        entries: [entry(2), entry(2), entry(3), entry(3)], // indices 4..7
      },
      receiver,
    );
    expect(r).toEqual({ success: true, lastNewIndex: 7, changed: true });
    expect(log.lastIndex()).toBe(7);
    expect(log.snapshotIndex).toBe(5);
    const old = acceptEntries(log, { prevLogIndex: 1, prevLogTerm: 1, entries: [entry(1)] }, receiver);
    expect(old).toEqual({ success: true, lastNewIndex: 2, changed: false });
  });

  it("rejects a log that is too short, with XLen", () => {
    const log = logOf(1, 1);
    expect(acceptEntries(log, { prevLogIndex: 5, prevLogTerm: 3, entries: [] }, receiver)).toEqual({
      success: false,
      hint: { xTerm: -1, xIndex: -1, xLen: 3 },
    });
  });

  it("rejects a mismatching term, with XTerm and its first index XIndex", () => {
    const log = logOf(1, 2, 2, 2);
    expect(acceptEntries(log, { prevLogIndex: 4, prevLogTerm: 3, entries: [entry(3)] }, receiver)).toEqual({
      success: false,
      hint: { xTerm: 2, xIndex: 2, xLen: 5 },
    });
    expect(termsOf(log)).toEqual([1, 2, 2, 2]); // a rejection changes nothing
  });

  it("gives XIndex no lower than the first entry after the snapshot", () => {
    const log = new RaftLog(3, 2, [entry(2), entry(2)]); // indices 4, 5
    expect(conflictHint(log, 5)).toEqual({ xTerm: 2, xIndex: 4, xLen: 6 });
  });
});

describe("leader's fast backup (§5.3)", () => {
  // Leader log: terms 1 1 1 4 4 5 5 6 6 6 (the paper's Figure 7 leader).
  const leader = logOf(1, 1, 1, 4, 4, 5, 5, 6, 6, 6);

  it("continues right after a follower log that is too short", () => {
    expect(nextIndexAfterConflict(leader, { xTerm: -1, xIndex: -1, xLen: 4 })).toBe(4);
  });

  it("continues after its own last entry of XTerm when it has that term", () => {
    expect(nextIndexAfterConflict(leader, { xTerm: 4, xIndex: 4, xLen: 8 })).toBe(6);
  });

  it("skips the follower's whole term XTerm when it has none of it", () => {
    expect(nextIndexAfterConflict(leader, { xTerm: 2, xIndex: 4, xLen: 12 })).toBe(4);
  });

  it("converges on Figure 7's follower (f): terms 1 1 1 2 2 2 3 3 3 3 3", () => {
    const follower = logOf(1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3);
    let next = leader.lastIndex() + 1;
    let rounds = 0;
    for (;;) {
      rounds++;
      const prevLogIndex = next - 1;
      const r = acceptEntries(
        follower,
        {
          prevLogIndex,
          prevLogTerm: leader.termAt(prevLogIndex) ?? 0,
          entries: leader.slice(next),
        },
        receiver,
      );
      if (r.success) break;
      next = nextIndexAfterConflict(leader, r.hint);
    }
    expect(termsOf(follower)).toEqual(termsOf(leader));
    expect(rounds).toBe(3); // one per conflicting term, plus the successful one
  });
});

describe("commit index (Figure 2 Leaders, §5.4.2)", () => {
  it("commits the highest index stored by a majority", () => {
    const log = logOf(1, 1, 2, 2, 2);
    expect(advanceCommitIndex([5, 3, 4], log, 2, 0)).toBe(4);
    expect(advanceCommitIndex([5, 3, 4, 1, 0], log, 2, 0)).toBe(3);
    // Of 4 servers, 2 storing index 5 are no majority; the 3 storing index 1 are, but its term is old.
    expect(advanceCommitIndex([5, 1, 1, 5], log, 2, 0)).toBe(0);
  });

  it("never lowers commitIndex", () => {
    expect(advanceCommitIndex([3, 1, 1], logOf(2, 2, 2), 2, 2)).toBe(2);
  });

  it("does not commit an entry of an earlier term by counting replicas (Figure 8)", () => {
    // Leader of term 4 with an entry of term 2 replicated on a majority, its own term-4 entry not.
    const log = logOf(1, 2, 4);
    expect(advanceCommitIndex([3, 2, 2, 1, 1], log, 4, 1)).toBe(1);
    // Once the term-4 entry is on a majority, both commit.
    expect(advanceCommitIndex([3, 3, 3, 1, 1], log, 4, 1)).toBe(3);
  });
});
