import { describe, expect, it } from "vitest";
import { breakdown, clockOffset, describeBreakdown, phasesOf, type LeaderTimeline } from "./slow-ops.js";

// Two sequential puts as the leader recorded them: the first waited for the leader's own slow WAL
// write, the second for a follower (the leader's write was quick, the acknowledgement was not).
const leader: LeaderTimeline = {
  kvRequests: [
    [100.2, 104.9],
    [105.5, 107.3],
  ],
  walWrites: [
    [100.3, 104.5],
    [105.6, 105.9],
  ],
  commits: [104.6, 107.1],
};

describe("phasesOf", () => {
  it("splits an operation at the leader's handler, its durable save and the commit", () => {
    const p = phasesOf([100, 105], leader)!;
    expect(p.total).toBeCloseTo(5, 9);
    expect(p.beforeHandler).toBeCloseTo(0.2, 9);
    expect(p.afterAnswer).toBeCloseTo(0.1, 9);
    expect(p.untilLeaderDurable).toBeCloseTo(4.3, 9);
    expect(p.waitingForFollower).toBeCloseTo(0.1, 9);
    expect(p.applyingAndAnswering).toBeCloseTo(0.3, 9);
    const q = phasesOf([105.4, 107.5], leader)!;
    expect(q.untilLeaderDurable).toBeCloseTo(0.4, 9);
    expect(q.waitingForFollower).toBeCloseTo(1.2, 9);
  });

  it("counts a commit by two followers before the leader's write as the time until the leader's WAL write", () => {
    const early: LeaderTimeline = { kvRequests: [[0, 3]], walWrites: [[0.1, 2.8]], commits: [1.0] };
    const p = phasesOf([-0.1, 3.1], early)!;
    expect(p.untilLeaderDurable).toBeCloseTo(1.0, 9);
    expect(p.waitingForFollower).toBe(0);
    expect(p.applyingAndAnswering).toBeCloseTo(2.0, 9);
  });

  it("matches nothing when the leader recorded no request overlapping the operation, or no WAL write or commit inside it", () => {
    expect(phasesOf([200, 201], leader)).toBeUndefined();
    expect(phasesOf([99, 100.1], leader)).toBeUndefined();
    expect(phasesOf([100, 105], { ...leader, commits: [] })).toBeUndefined();
    expect(phasesOf([100, 105], { ...leader, walWrites: [[105.6, 105.9]] })).toBeUndefined();
  });

  it("takes the request that overlaps the operation most, whichever process's clock runs ahead", () => {
    // The leader's clock 0.5 ms ahead: its first request seems to end after the client got the answer.
    const ahead: LeaderTimeline = {
      kvRequests: leader.kvRequests.map(([a, b]) => [a + 0.5, b + 0.5] as const),
      walWrites: leader.walWrites.map(([a, b]) => [a + 0.5, b + 0.5] as const),
      commits: leader.commits.map((c) => c + 0.5),
    };
    const p = phasesOf([100, 105], ahead, 0.5)!;
    expect(p.beforeHandler).toBeCloseTo(0.2, 9);
    expect(p.untilLeaderDurable).toBeCloseTo(4.3, 9);
    expect(p.afterAnswer).toBeCloseTo(0.1, 9);
    expect(phasesOf([100, 105], ahead)!.afterAnswer).toBeCloseTo(-0.4, 9); // without the offset
  });
});

describe("clockOffset", () => {
  it("is half the difference of the fast trips there and back", () => {
    const ops = [
      [100, 105],
      [105.4, 107.5],
    ] as const;
    // There: 0.2 and 0.1 ms; back: 0.1 and 0.2 ms: no offset.
    expect(clockOffset(ops, leader)).toBeCloseTo(0, 9);
    const ahead: LeaderTimeline = { ...leader, kvRequests: leader.kvRequests.map(([a, b]) => [a + 0.3, b + 0.3] as const) };
    expect(clockOffset(ops, ahead)).toBeCloseTo(0.3, 9);
    expect(clockOffset([[300, 301]], leader)).toBe(0);
  });
});

describe("breakdown", () => {
  it("averages the phases and names the longest part of each operation", () => {
    const b = breakdown(
      [
        [100, 105],
        [105.4, 107.5],
        [300, 301],
      ],
      leader,
    );
    expect(b.matched).toBe(2);
    expect(b.unmatched).toBe(1);
    expect(b.longest).toEqual({ beforeHandler: 0, untilLeaderDurable: 1, waitingForFollower: 1, applyingAndAnswering: 0, afterAnswer: 0 });
    expect(b.mean.total).toBeCloseTo(3.55, 9);
    expect(describeBreakdown("slowest 1%", b)).toBe(
      "slowest 1% (2 ops, 1 not matched): mean 3.55 ms = 0.15 before the leader's handler + 2.35 until the leader's WAL write + 0.65 waiting for a follower + 0.25 applying and answering + 0.15 after the leader's answer; longest part: 50% until the leader's WAL write, 50% waiting for a follower",
    );
    expect(describeBreakdown("none", breakdown([[300, 301]], leader))).toBe("none: no operation matched the leader's timeline (1 ops)");
  });
});
