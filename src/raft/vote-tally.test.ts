import { describe, expect, it } from "vitest";
import { RaftInvariantError } from "./invariant.js";
import { VoteTally } from "./vote-tally.js";

/** S1's election in term 4, in a cluster of `clusterSize` servers. */
function election(clusterSize: number): VoteTally {
  return new VoteTally({ candidate: 1, term: 4, clusterSize });
}

describe("VoteTally (§5.2)", () => {
  it("counts the candidate's own vote", () => {
    const votes = election(3);
    expect(votes.count).toBe(1);
    expect(votes.won()).toBe(false);
    expect(new VoteTally({ candidate: 0, term: 4, clusterSize: 1 }).won()).toBe(true); // a single-server cluster
    expect(() => election(1)).toThrow(RaftInvariantError); // S1 is not in a cluster of one
  });

  it("wins with a majority of the cluster, not of the replies", () => {
    const votes = election(5);
    votes.recordGrant(0, 4);
    expect(votes.won()).toBe(false); // 2 of 5
    votes.recordGrant(4, 4);
    expect(votes.won()).toBe(true); // 3 of 5
    const even = election(4);
    even.recordGrant(0, 4);
    expect(even.won()).toBe(false); // 2 of 4 is no majority
    even.recordGrant(2, 4);
    expect(even.won()).toBe(true);
  });

  it("counts each voter once, however often it grants", () => {
    const votes = election(5);
    expect(votes.recordGrant(3, 4)).toBe(true);
    expect(votes.recordGrant(3, 4)).toBe(false); // the reply to a resent RequestVote
    expect(votes.recordGrant(1, 4)).toBe(false); // the candidate's own vote, already counted
    expect(votes.count).toBe(2);
    expect(votes.won()).toBe(false);
  });

  it("asserts that every vote is for this election's term", () => {
    const votes = election(3);
    expect(() => votes.recordGrant(2, 3)).toThrow(
      "Raft invariant violated on S1 in T4: S2 granted a vote for T4 in a reply of T3",
    );
    expect(() => votes.recordGrant(2, 5)).toThrow(RaftInvariantError);
    expect(votes.count).toBe(1); // neither was counted
  });

  it("asserts that voters are servers of the cluster", () => {
    const votes = election(3);
    expect(() => votes.recordGrant(3, 4)).toThrow(
      "Raft invariant violated on S1 in T4: vote from S3, who is not one of the 3 servers",
    );
    expect(() => votes.recordGrant(-1, 4)).toThrow(RaftInvariantError);
    expect(() => votes.recordGrant(0.5, 4)).toThrow(RaftInvariantError);
    expect(votes.count).toBe(1);
  });
});
