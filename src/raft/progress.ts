/**
 * The leader's view of one follower: how much of the leader's log it is known to hold, where the
 * next request starts, and what is on its way to it (Figure 2's nextIndex[] and matchIndex[], plus
 * this implementation's flow control). Pure: it is told the time and the leader's last index.
 *
 * The model is etcd-io/raft's `tracker/progress.go`, at lab scale: one state, no probe/replicate
 * distinction, and at most one request carrying data in flight.
 */
import { assertInvariant, type InvariantContext } from "./invariant.js";

/**
 * How a reply that arrived relates to what was sent since: `"latest"` answers the last request sent
 * to the follower; `"stale"` answers an earlier one (still true, but overtaken by later requests).
 */
export type ReplyFreshness = "latest" | "stale";

/** What a new {@link FollowerProgress} is made from. */
export interface FollowerProgressInit {
  /** The leader's id. */
  readonly leader: number;
  /** The follower's id. */
  readonly follower: number;
  /** The term the leader leads: this progress is valid in that term only. */
  readonly term: number;
  /** The leader's last log index when it took office. */
  readonly leaderLastIndex: number;
  /** How long a request carrying data keeps the follower busy if no reply comes (then it is resent). */
  readonly replyTimeoutMs: number;
}

/**
 * What the leader of one term knows about one follower. A new leader makes a fresh one for each
 * follower (Figure 2: "reinitialized after election"), so nothing here outlives a term.
 *
 * Invariant: 0 <= match < next <= leader's last index + 1. Entries through `match` are known to be
 * on the follower; the next request starts at `next`. (Asserted after every change.)
 *
 * Invariant: `match` never decreases. Replies arrive out of order, and one that reports less than
 * `match` is old news. (By construction: {@link recordMatch} keeps the larger index, and nothing
 * else changes `match`.)
 *
 * Invariant: a request is sent only while none carrying data is in flight, so the one in flight (if
 * any) is the latest request. Each entry then crosses the network once per timeout, and entries
 * started meanwhile go together in the next request. (Asserted by {@link markSent}.)
 *
 * Invariant: request ids grow with each request, so a reply to any id but the last one's is stale.
 * (By construction.) Only replies to requests of this progress's term may be given to it: ids of
 * other terms mean nothing here. (Asserted by {@link replyArrived} and {@link replyLost}.)
 */
export class FollowerProgress {
  /** The follower's id. */
  readonly follower: number;
  /** The term of the leader this progress belongs to. */
  readonly term: number;
  private readonly context: InvariantContext;
  private readonly replyTimeoutMs: number;
  private nextIndex: number;
  private matchIndex = 0;
  /** Until this time, a request carrying data is on its way and its reply is awaited (0: none). */
  private inFlightUntil = 0;
  private lastSentId = 0;

  constructor(init: FollowerProgressInit) {
    this.follower = init.follower;
    this.term = init.term;
    this.context = { peer: init.leader, term: init.term };
    this.replyTimeoutMs = init.replyTimeoutMs;
    // Optimistic start (Figure 2): assume the follower has everything; a rejection backs up.
    this.nextIndex = init.leaderLastIndex + 1;
    this.check(init.leaderLastIndex);
  }

  /** Index of the next entry to send (Figure 2's nextIndex). */
  get next(): number {
    return this.nextIndex;
  }

  /** Highest index known to be stored on the follower (Figure 2's matchIndex). */
  get match(): number {
    return this.matchIndex;
  }

  /** Whether a request carrying entries or a snapshot is on its way: new entries then wait for its reply. */
  isBusy(now: number): boolean {
    return now < this.inFlightUntil;
  }

  /**
   * Records that a request is being sent at `now` and returns its id. A request carrying entries or
   * a snapshot keeps the follower busy until its reply comes, or for `replyTimeoutMs` if none does
   * (the request or the reply may be lost).
   */
  markSent(request: { readonly carriesData: boolean; readonly now: number }): number {
    assertInvariant(!this.isBusy(request.now), this.context, () => {
      return `request to S${this.follower} sent at ${request.now} while request ${this.lastSentId} is in flight until ${this.inFlightUntil}`;
    });
    this.lastSentId++;
    if (request.carriesData) this.inFlightUntil = request.now + this.replyTimeoutMs;
    return this.lastSentId;
  }

  /**
   * The reply to request `id`, sent in `term`, arrived: says whether it answers the latest request,
   * which then no longer keeps the follower busy.
   */
  replyArrived(id: number, term: number): ReplyFreshness {
    this.checkTerm(id, term);
    if (id !== this.lastSentId) return "stale";
    this.inFlightUntil = 0;
    return "latest";
  }

  /** Request `id`, sent in `term`, got no reply: if it was the latest, the next heartbeat resends at once. */
  replyLost(id: number, term: number): void {
    this.checkTerm(id, term);
    if (id === this.lastSentId) this.inFlightUntil = 0;
  }

  /** The follower stores the leader's log through `index` (a successful reply said so). */
  recordMatch(index: number, leaderLastIndex: number): void {
    this.matchIndex = Math.max(this.matchIndex, index);
    this.nextIndex = Math.max(this.nextIndex, this.matchIndex + 1);
    this.check(leaderLastIndex);
  }

  /**
   * The follower's log did not match: the next request starts at `index` (see
   * `nextIndexAfterConflict` in rules.ts), but never at or below `match` (those entries are known
   * to match; the reply that says otherwise is older) nor past the end of the leader's log.
   */
  backUpTo(index: number, leaderLastIndex: number): void {
    this.nextIndex = Math.min(Math.max(index, this.matchIndex + 1), leaderLastIndex + 1);
    this.check(leaderLastIndex);
  }

  private check(leaderLastIndex: number): void {
    const { follower, matchIndex: match, nextIndex: next } = this;
    assertInvariant(match < next, this.context, () => `progress of S${follower}: match ${match} is not below next ${next}`);
    assertInvariant(next <= leaderLastIndex + 1, this.context, () => {
      return `progress of S${follower}: next ${next} is beyond the leader's last index ${leaderLastIndex} + 1`;
    });
  }

  /** A reply to a request of another term must not touch this term's progress. */
  private checkTerm(id: number, term: number): void {
    assertInvariant(term === this.term, this.context, () => {
      return `progress of S${this.follower} for T${this.term} given the reply to request ${id} of T${term}`;
    });
  }
}
