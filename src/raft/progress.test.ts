import { describe, expect, it } from "vitest";
import { RaftInvariantError } from "./invariant.js";
import { FollowerProgress } from "./progress.js";

/** S0's progress for S2 in term 3, taking office with a log of 10 entries; replies are awaited 100 ms. */
function progress(leaderLastIndex = 10): FollowerProgress {
  return new FollowerProgress({ leader: 0, follower: 2, term: 3, leaderLastIndex, replyTimeoutMs: 100 });
}

describe("FollowerProgress: next and match (Figure 2)", () => {
  it("starts optimistic: next just past the leader's log, nothing known to match", () => {
    const p = progress();
    expect(p.next).toBe(11);
    expect(p.match).toBe(0);
  });

  it("moves next past what the follower is known to store", () => {
    const p = progress();
    p.recordMatch(10, 12); // entries 11 and 12 were started meanwhile
    expect(p.match).toBe(10);
    expect(p.next).toBe(11);
    p.recordMatch(12, 12);
    expect([p.match, p.next]).toEqual([12, 13]);
  });

  it("never lowers match: a reply that reports less is old news", () => {
    const p = progress();
    p.recordMatch(8, 10);
    p.recordMatch(5, 10); // the reply to an earlier, shorter request, arriving late
    expect([p.match, p.next]).toEqual([8, 11]);
  });

  it("backs up after a rejection, but never to match or below, nor past the end", () => {
    const p = progress();
    p.backUpTo(4, 10);
    expect(p.next).toBe(4);
    p.recordMatch(6, 10);
    expect(p.next).toBe(7);
    p.backUpTo(2, 10); // an old hint: entries through 6 are known to match
    expect(p.next).toBe(7);
    p.backUpTo(50, 10); // a hint past our log (a follower with a longer log)
    expect(p.next).toBe(11);
  });

  it("asserts match < next <= leader's last index + 1, naming leader, term and follower", () => {
    expect(() => progress().recordMatch(12, 10)).toThrow(
      "Raft invariant violated on S0 in T3: progress of S2: next 13 is beyond the leader's last index 10 + 1",
    );
    const p = progress();
    p.recordMatch(8, 10);
    // A leader's log never shrinks while it leads: a last index below match is a bug in the caller.
    expect(() => p.backUpTo(3, 6)).toThrow("Raft invariant violated on S0 in T3: progress of S2: match 8 is not below next 7");
    expect(() => progress(-1)).toThrow(RaftInvariantError);
  });
});

describe("FollowerProgress: requests in flight", () => {
  it("keeps the follower busy while a request carrying data awaits its reply", () => {
    const p = progress();
    const heartbeat = p.markSent({ carriesData: false, now: 1000 });
    expect(p.isBusy(1000)).toBe(false); // a heartbeat does not hold back new entries
    const batch = p.markSent({ carriesData: true, now: 1000 });
    expect(batch).toBeGreaterThan(heartbeat);
    expect(p.isBusy(1000)).toBe(true);
    expect(p.isBusy(1099)).toBe(true);
    expect(p.isBusy(1100)).toBe(false); // no reply within the timeout: resend
  });

  it("tells the reply to the latest request from stale ones, and frees the follower on the latest", () => {
    const p = progress();
    const first = p.markSent({ carriesData: true, now: 0 });
    const second = p.markSent({ carriesData: true, now: 100 }); // the first timed out
    expect(p.replyArrived(first, 3)).toBe("stale");
    expect(p.isBusy(150)).toBe(true); // still waiting for the second
    expect(p.replyArrived(second, 3)).toBe("latest");
    expect(p.isBusy(150)).toBe(false);
  });

  it("frees the follower at once when the latest request is lost, not when an older one is", () => {
    const p = progress();
    const first = p.markSent({ carriesData: true, now: 0 });
    const second = p.markSent({ carriesData: true, now: 100 });
    p.replyLost(first, 3);
    expect(p.isBusy(150)).toBe(true);
    p.replyLost(second, 3);
    expect(p.isBusy(150)).toBe(false);
  });

  it("asserts that nothing is sent while a batch is in flight", () => {
    const p = progress();
    p.markSent({ carriesData: true, now: 500 });
    expect(() => p.markSent({ carriesData: false, now: 550 })).toThrow(
      "Raft invariant violated on S0 in T3: request to S2 sent at 550 while request 1 is in flight until 600",
    );
  });

  it("asserts that replies to requests of another term do not reach this term's progress", () => {
    const p = progress();
    const id = p.markSent({ carriesData: true, now: 0 });
    expect(() => p.replyArrived(id, 2)).toThrow(
      "Raft invariant violated on S0 in T3: progress of S2 for T3 given the reply to request 1 of T2",
    );
    expect(() => p.replyLost(id, 4)).toThrow(RaftInvariantError);
    expect(p.isBusy(50)).toBe(true); // neither changed anything
  });
});
