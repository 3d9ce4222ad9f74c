/**
 * A candidate's count of the votes it received in one election (§5.2). Pure: the candidate's shell
 * sends the RequestVotes and tells the tally about each vote granted.
 *
 * etcd-io/raft keeps the same in `tracker.ProgressTracker.Votes` and counts it in `quorum/majority.go`.
 */
import { assertInvariant, type InvariantContext } from "./invariant.js";

/** What a new {@link VoteTally} is made from. */
export interface VoteTallyInit {
  /** The candidate's id; its own vote is counted at once. */
  readonly candidate: number;
  /** The election's term. */
  readonly term: number;
  /** How many servers the cluster has (ids 0 .. clusterSize-1), the candidate included. */
  readonly clusterSize: number;
}

/**
 * The votes a candidate received in the election of one term.
 *
 * Invariant: each server's vote counts at most once. Votes are kept as a set of voters, so a second
 * grant by the same voter (the reply to a resent RequestVote) is not counted again.
 *
 * Invariant: every vote counted is for this election's term: a voter grants a vote only after it
 * has adopted the candidate's term, so the reply carries exactly that term. (Asserted, with the
 * voter's id being one of the cluster's, by {@link recordGrant}.)
 */
export class VoteTally {
  /** The election's term. */
  readonly term: number;
  private readonly clusterSize: number;
  private readonly context: InvariantContext;
  private readonly voters = new Set<number>();

  constructor(init: VoteTallyInit) {
    this.term = init.term;
    this.clusterSize = init.clusterSize;
    this.context = { peer: init.candidate, term: init.term };
    this.recordGrant(init.candidate, init.term); // a candidate votes for itself (§5.2)
  }

  /**
   * Counts the vote `voter` granted in a reply that carried `replyTerm`. Returns false if that
   * voter's vote was counted already.
   */
  recordGrant(voter: number, replyTerm: number): boolean {
    assertInvariant(Number.isInteger(voter) && voter >= 0 && voter < this.clusterSize, this.context, () => {
      return `vote from S${voter}, who is not one of the ${this.clusterSize} servers`;
    });
    assertInvariant(replyTerm === this.term, this.context, () => {
      return `S${voter} granted a vote for T${this.term} in a reply of T${replyTerm}`;
    });
    if (this.voters.has(voter)) return false;
    this.voters.add(voter);
    return true;
  }

  /** How many votes were received, the candidate's own included. */
  get count(): number {
    return this.voters.size;
  }

  /** Whether the votes are a majority of the cluster (§5.2: then the candidate becomes leader). */
  won(): boolean {
    return this.voters.size > this.clusterSize / 2;
  }
}
