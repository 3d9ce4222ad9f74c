/**
 * The leader's side of ReadIndex (Raft thesis §6.4): linearizable reads without log entries.
 *
 * A read registered while this peer leads term T waits for a *round*: a numbered wave of
 * AppendEntries sent after the read arrived. Every AppendEntries the leader sends carries the number
 * of the latest round started when it was sent; a reply of term T from a follower proves that the
 * follower still followed us when it answered, so it acknowledges that round and every earlier
 * one. A read of round r is ready once a majority (counting the leader) has acknowledged a round
 * >= r: no other leader can have committed anything in a term > T before our round r was sent, and
 * the index registered with the read (the leader's commitIndex when it arrived) covers every write
 * acknowledged before that. One round is in flight at a time; reads that arrive meanwhile wait for
 * the next one (so a burst of reads costs one round, as in etcd's read loop).
 *
 * This class is bookkeeping only (no I/O, no time): `raft.ts` sends the rounds and feeds the replies.
 * A new instance is made for every term this peer leads, so acknowledgements never cross terms.
 *
 * Invariants (asserted): acknowledged rounds only grow; a read completes only with a majority of
 * acknowledgements at or above its round, and at most once.
 */

/** A read waiting for its round. */
interface PendingRead {
  readonly round: number;
  readonly resolve: (ready: boolean) => void;
}

/** The ReadIndex rounds of one leader in one term; see the module comment. */
export class ReadRounds {
  /** The latest round started (0: none yet). Messages sent now carry this number. */
  private started = 0;
  /** Whether the latest round started has not reached a majority yet. */
  private inFlight = false;
  /** The highest round each peer has acknowledged (the leader's own entry is always `started`). */
  private readonly acked: number[];
  private pending: PendingRead[] = [];

  constructor(
    private readonly me: number,
    private readonly clusterSize: number,
    /** Sends one round: an AppendEntries to every other peer, now. */
    private readonly broadcast: () => void,
  ) {
    this.acked = new Array<number>(clusterSize).fill(0);
  }

  /** The round number to stamp on a message sent now. */
  currentRound(): number {
    return this.started;
  }

  /**
   * Registers a read arriving now: `resolve(true)` once its round is acknowledged by a majority,
   * `resolve(false)` if {@link failAll} comes first. A round lost on the network needs no retry:
   * the leader's periodic heartbeats carry the latest round number too.
   */
  register(resolve: (ready: boolean) => void): void {
    // Messages already sent (round `started`) left before this read arrived: it needs the next round.
    this.pending.push({ round: this.started + 1, resolve });
    if (!this.inFlight) this.startRound();
  }

  /** A reply of this leader's term from `peer` to a message stamped with `round`. */
  acknowledge(peer: number, round: number): void {
    if (peer === this.me || round <= this.acked[peer]!) return;
    this.acked[peer] = round;
    this.release();
  }

  /** This peer no longer leads the term: every waiting read fails. */
  failAll(): void {
    const reads = this.pending;
    this.pending = [];
    this.inFlight = false;
    for (const r of reads) r.resolve(false);
  }

  /** The highest round acknowledged by a majority, counting the leader itself. */
  private majorityRound(): number {
    const rounds = this.acked.map((a, peer) => (peer === this.me ? this.started : a)).sort((x, y) => y - x);
    return rounds[Math.floor(this.clusterSize / 2)]!;
  }

  private startRound(): void {
    this.started++;
    this.inFlight = true;
    this.broadcast();
    this.release(); // a single-peer cluster is its own majority
  }

  private release(): void {
    const confirmed = this.majorityRound();
    if (confirmed >= this.started) this.inFlight = false;
    const ready = this.pending.filter((r) => r.round <= confirmed);
    if (ready.length === 0) {
      if (!this.inFlight && this.pending.length > 0) this.startRound();
      return;
    }
    this.pending = this.pending.filter((r) => r.round > confirmed);
    for (const r of ready) {
      if (r.round > confirmed) throw new Error(`ReadRounds: a read of round ${r.round} released at round ${confirmed}`);
      r.resolve(true);
    }
    // Reads that came during the round just confirmed need one of their own.
    if (!this.inFlight && this.pending.length > 0) this.startRound();
  }
}
