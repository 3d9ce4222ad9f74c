/**
 * A Raft peer: the timing and I/O shell around the protocol rules of `rules.ts`.
 *
 * This file decides *when* things happen (election timeouts, heartbeats, sending new entries,
 * applying committed ones) and does the I/O (RPCs, persisting, applyCh). The *what* (whom to vote
 * for, how logs are reconciled, what is committed) lives in `rules.ts`.
 *
 * The leader's view of each follower lives in `progress.ts` and a candidate's votes in
 * `vote-tally.ts`; safety invariants are checked as the code runs (`invariant.ts`).
 *
 * Tasks (simulated goroutines) of one peer:
 * - `ticker`: starts an election when the election timeout passes without word from a leader;
 * - `heartbeats(term)`: while leader of `term`, sends every follower what it lacks (or nothing) each
 *   heartbeat interval; new entries are also sent at once by start(), and more follow each reply;
 * - `applier`: hands committed entries and installed snapshots to the service through applyCh;
 * - one short task per RPC sent, which handles the reply (if any) when it arrives.
 *
 * Concurrency: JavaScript runs one task at a time and switches only at an `await`, so there are no
 * locks; instead, every continuation after an `await` re-checks that the world is still what it
 * was before (same term, same role, not killed). RPC handlers here never await: each runs to
 * completion, persisting before it returns its reply.
 */
import { encode, type ClientEnd } from "../labrpc/index.js";
import { Channel, ChannelClosedError, dlog, dmark, go, now, random, sleep } from "../runtime/index.js";
import type { ApplyMsg, MakeRaft, RaftInspection, RaftPeer, RaftState, ReadIndexResult, StartResult } from "./api.js";
import { assertCommitOrder, assertInvariant } from "./invariant.js";
import { RaftLog } from "./log.js";
import type { Persister } from "./persister.js";
import { FollowerProgress, type ReplyFreshness } from "./progress.js";
import { ReadRounds } from "./read-index.js";
import type {
  AppendEntriesArgs,
  AppendEntriesReply,
  InstallSnapshotArgs,
  InstallSnapshotReply,
  RequestVoteArgs,
  RequestVoteReply,
} from "./rpc-types.js";
import { acceptEntries, advanceCommitIndex, nextIndexAfterConflict, shouldGrantVote, staleTermReply } from "./rules.js";
import { StateEncoder, decodeState } from "./state-codec.js";
import { VoteTally } from "./vote-tally.js";

/** Timing, in virtual ms. The tester wants a leader within 5 s and at most 10 heartbeats per second. */
export const TIMING = {
  /** Election timeouts are drawn uniformly from [min, max] (much more than the paper's 150-300 ms, as the labs ask). */
  ELECTION_TIMEOUT_MIN_MS: 300,
  ELECTION_TIMEOUT_MAX_MS: 600,
  /** A leader sends heartbeats this often. */
  HEARTBEAT_MS: 100,
} as const;

/** A server's role (§5.1). */
export type Role = "follower" | "candidate" | "leader";

/** One Raft peer. Create it with {@link make}. */
export class Raft implements RaftPeer {
  // Persistent state (Figure 2), saved by persist() before any reply or request that depends on it.
  private currentTerm = 0;
  /** Candidate that received our vote in currentTerm, or null. */
  private votedFor: number | null = null;
  private readonly log: RaftLog;
  /** `inspect()`'s termAt, made once: the monitors inspect every peer after every step. */
  private readonly termAtOfLog = (index: number): number | undefined => this.log.termAt(index);
  /** The service's snapshot of everything through log.snapshotIndex (§7), or null if none yet. */
  private snapshotData: Uint8Array | null = null;
  private readonly encoder = new StateEncoder();
  /**
   * The last index (and the term it was saved in) of the log the persister holds durably. Our
   * requests may leave before our own save is durable, so a leader counts itself toward a majority
   * only here (thesis §10.2.1); a persister that is durable at once keeps it at log.lastIndex().
   */
  private durableTerm = 0;
  private durableIndex = 0;

  // Volatile state on all servers (Figure 2).
  //
  // Invariant: log.snapshotIndex <= commitIndex <= log.lastIndex(), and lastApplied <= commitIndex:
  // a snapshot holds only committed entries, a server commits only entries it holds, and it applies
  // only committed ones (asserted by checkCommitOrder() where a change could break them; acceptEntries
  // asserts that no committed entry is deleted).
  // lastApplied < log.snapshotIndex is no violation but a signal: installSnapshot() installed a
  // leader's snapshot, and the applier is to hand it to the service (see nextToApply()).
  private commitIndex: number;
  private lastApplied: number;
  private role: Role = "follower";
  /** When to start an election if no leader or candidate has been heard from by then. */
  private electionDeadline = 0;
  private dead = false;

  // Volatile state on leaders, reinitialized after each election (Figure 2): for each other peer,
  // its nextIndex and matchIndex, and what is on its way to it (undefined for ourselves).
  private progress: (FollowerProgress | undefined)[] = [];
  /** The ReadIndex rounds of the term we lead (read-index.ts); undefined unless leader. */
  private reads: ReadRounds | undefined;

  /** Wakes the applier (a buffered channel of 1 used as a condition variable). */
  private readonly applyWakeup = new Channel<null>(1);

  constructor(
    private readonly peers: readonly ClientEnd[],
    private readonly me: number,
    private readonly persister: Persister,
    private readonly applyCh: Channel<ApplyMsg>,
  ) {
    const saved = decodeState(persister.readRaftState());
    if (saved === undefined) {
      this.log = new RaftLog();
    } else {
      this.currentTerm = saved.currentTerm;
      this.votedFor = saved.votedFor;
      this.log = new RaftLog(saved.snapshotIndex, saved.snapshotTerm, saved.entries);
      if (saved.snapshotIndex > 0) this.snapshotData = persister.readSnapshot();
    }
    // What we restored is durable.
    this.durableTerm = this.currentTerm;
    this.durableIndex = this.log.lastIndex();
    // The service restores its state from the snapshot itself, so application resumes after it.
    this.commitIndex = this.log.snapshotIndex;
    this.lastApplied = this.log.snapshotIndex;
    dlog(me, "PERS", () => `restored T${this.currentTerm} vote ${String(this.votedFor)} ${this.describeLog()}`);
    dmark(me, "TERM", { kind: "role", role: "follower", term: this.currentTerm }, "start as follower");

    this.resetElectionTimer();
    go(`S${me} ticker`, () => this.ticker());
    go(`S${me} applier`, () => this.applier());
  }

  // ---------------------------------------------------------------------------------------------
  // The API (RaftPeer)

  /** Appends `command` to the leader's log and starts replicating it at once (§5.3). */
  start(command: unknown): StartResult {
    if (this.dead || this.role !== "leader") return { index: -1, term: this.currentTerm, isLeader: false };
    // Keep our own copy, made as the network makes followers' copies: the caller may reuse its
    // object, and a command that is not plain data fails here, at the call that passed it.
    const copy = encode(command, "start() command").copy;
    this.log.append({ term: this.currentTerm, command: copy });
    this.persist();
    const index = this.log.lastIndex();
    dlog(this.me, "LOG1", () => `start: index ${index} in T${this.currentTerm}`);
    for (const peer of this.otherPeers()) this.replicateTo(peer);
    return { index, term: this.currentTerm, isLeader: true };
  }

  /** This peer's term and whether it believes it is the leader. */
  getState(): RaftState {
    return { term: this.currentTerm, isLeader: this.role === "leader" && !this.dead };
  }

  /** The service has snapshotted everything through `index`: discard those entries (§7). */
  snapshot(index: number, snapshot: Uint8Array): void {
    // Only what was applied can be in the service's snapshot; an older snapshot is of no use.
    if (index <= this.log.snapshotIndex || index > this.lastApplied) {
      dlog(this.me, "SNAP", () => `ignore service snapshot at ${index}: ${this.describeLog()}, applied ${this.lastApplied}`);
      return;
    }
    const term = this.log.termAt(index) ?? 0;
    this.log.compact(index, term);
    this.snapshotData = snapshot.slice();
    this.persist();
    this.checkCommitOrder();
    dmark(this.me, "SNAP", { kind: "snapshot", index }, () => `service snapshot: ${this.describeLog()}`);
  }

  /**
   * A linearizable read point without a log entry (ReadIndex, thesis §6.4; see {@link RaftPeer.readIndex}):
   * our commitIndex now, once a majority has answered a round of AppendEntries sent after this call.
   */
  readIndex(): Promise<ReadIndexResult> {
    const reads = this.reads;
    if (this.dead || this.role !== "leader" || reads === undefined) return Promise.resolve({ kind: "not-leader" });
    // Until an entry of our own term is committed, our commitIndex may lag behind what an earlier
    // leader committed (§6.4, step 1; the lab's Raft appends no no-op entry when elected).
    const commitTerm = this.commitIndex === this.log.snapshotIndex ? this.log.snapshotTerm : this.log.termAt(this.commitIndex);
    if (commitTerm !== this.currentTerm) return Promise.resolve({ kind: "not-yet" });
    const index = this.commitIndex;
    return new Promise((resolve) => reads.register((ready) => resolve(ready ? { kind: "ready", index } : { kind: "not-leader" })));
  }

  /** Stops this peer: its loops end and it applies nothing more. */
  kill(): void {
    this.reads?.failAll();
    this.dead = true;
    this.applyWakeup.trySend(null); // let the applier see it
    dlog(this.me, "INFO", "killed");
  }

  /** Whether {@link kill} was called. */
  killed(): boolean {
    return this.dead;
  }

  /** Bytes of Raft state last persisted. */
  persistedSize(): number {
    return this.persister.raftStateSize();
  }

  /** A read-only view of this peer's state, for the tester's safety monitors. */
  inspect(): RaftInspection {
    const log = this.log;
    return {
      term: this.currentTerm,
      votedFor: this.votedFor,
      role: this.role,
      snapshotIndex: log.snapshotIndex,
      snapshotTerm: log.snapshotTerm,
      lastIndex: log.lastIndex(),
      termAt: this.termAtOfLog,
      commitIndex: this.commitIndex,
      lastApplied: this.lastApplied,
      ...(this.role === "leader"
        ? {
            nextIndex: this.progress.map((p, i) => (i === this.me ? log.lastIndex() + 1 : (p?.next ?? 0))),
            matchIndex: this.progress.map((p, i) => (i === this.me ? log.lastIndex() : (p?.match ?? 0))),
          }
        : {}),
    };
  }

  // ---------------------------------------------------------------------------------------------
  // RPC handlers (registered by raftService). Each persists what it changed before replying.

  /** RequestVote RPC receiver (Figure 2). */
  requestVote(args: RequestVoteArgs): RequestVoteReply {
    this.adoptTermIfNewer(args.term);
    const grant = shouldGrantVote(
      {
        currentTerm: this.currentTerm,
        votedFor: this.votedFor,
        lastLogIndex: this.log.lastIndex(),
        lastLogTerm: this.log.lastTerm(),
      },
      args,
    );
    if (grant) {
      this.votedFor = args.candidateId;
      this.persist();
      this.resetElectionTimer(); // granting a vote defers our own candidacy (Figure 2, Followers)
    }
    dlog(this.me, "VOTE", () => {
      // Both logs' ends: what the election restriction (§5.4.1) compared.
      const ours = `${this.log.lastIndex()}/T${this.log.lastTerm()}`;
      return `${grant ? "grant" : "deny"} vote to S${args.candidateId} for T${args.term}: candidate's log ends ${args.lastLogIndex}/T${args.lastLogTerm}, ours ${ours}, voted for ${this.votedFor ?? "-"}`;
    });
    return { term: this.currentTerm, voteGranted: grant };
  }

  /** AppendEntries RPC receiver (Figure 2). */
  appendEntries(args: AppendEntriesArgs): AppendEntriesReply {
    if (args.term < this.currentTerm) return staleTermReply(this.currentTerm);
    this.followLeader(args.term);
    const result = acceptEntries(this.log, args, { me: this.me, currentTerm: this.currentTerm, commitIndex: this.commitIndex });
    if (!result.success) {
      const { xTerm, xIndex, xLen } = result.hint;
      dlog(this.me, "LOG2", () => `reject AppendEntries from S${args.leaderId} T${args.term}: prev ${args.prevLogIndex}/T${args.prevLogTerm} not in ${this.describeLog()}; hint ${xTerm}/${xIndex}/${xLen}`);
      return { term: this.currentTerm, success: false, ...result.hint };
    }
    if (result.changed) {
      this.persist();
      dlog(this.me, "LOG2", () => `accepted ${describeEntries(args)} from S${args.leaderId} T${args.term}: ${this.describeLog()}`);
    }
    // Commit only what we know matches the leader: up to the last entry of this request (Figure 2, step 5).
    this.advanceCommitTo(Math.min(args.leaderCommit, result.lastNewIndex));
    return { term: this.currentTerm, success: true, xTerm: -1, xIndex: -1, xLen: this.log.lastIndex() + 1 };
  }

  /** InstallSnapshot RPC receiver (Figure 13; the whole snapshot comes in one request). */
  installSnapshot(args: InstallSnapshotArgs): InstallSnapshotReply {
    if (args.term < this.currentTerm) return { term: this.currentTerm };
    this.followLeader(args.term);
    // Everything through commitIndex is already in our log (and maybe applied): installing an older
    // snapshot would move the service back in time.
    if (args.lastIncludedIndex <= this.commitIndex) {
      dlog(this.me, "SNAP", () => `ignore snapshot through ${args.lastIncludedIndex}: committed ${this.commitIndex}`);
      return { term: this.currentTerm };
    }
    this.log.compact(args.lastIncludedIndex, args.lastIncludedTerm);
    this.snapshotData = args.data;
    this.persist();
    const index = args.lastIncludedIndex;
    dmark(this.me, "SNAP", { kind: "snapshot", index }, () => `installed leader's snapshot: ${this.describeLog()}`);
    // The applier sees snapshotIndex > lastApplied and hands the snapshot to the service.
    this.advanceCommitTo(args.lastIncludedIndex);
    return { term: this.currentTerm };
  }

  // ---------------------------------------------------------------------------------------------
  // Elections (§5.2)

  /** Starts an election whenever the election timeout passes without hearing from a leader. */
  private async ticker(): Promise<void> {
    while (!this.dead) {
      if (this.role !== "leader" && now() >= this.electionDeadline) {
        dlog(this.me, "TIMR", () => `election timeout as ${this.role} in T${this.currentTerm}`);
        this.startElection();
      }
      // The deadline may move while we sleep (a heartbeat resets it): then we just check again.
      const wait = this.role === "leader" ? TIMING.HEARTBEAT_MS : this.electionDeadline - now();
      await sleep(Math.max(wait, 1));
    }
  }

  private startElection(): void {
    this.currentTerm++;
    this.votedFor = this.me;
    this.persist(); // before asking for votes: we must not vote twice in this term after a crash
    this.setRole("candidate");
    this.resetElectionTimer();
    const term = this.currentTerm;
    const args: RequestVoteArgs = {
      term,
      candidateId: this.me,
      lastLogIndex: this.log.lastIndex(),
      lastLogTerm: this.log.lastTerm(),
    };
    const votes = new VoteTally({ candidate: this.me, term, clusterSize: this.peers.length });
    for (const peer of this.otherPeers()) {
      go(`S${this.me} RequestVote to S${peer}`, async () => {
        const reply = await this.peers[peer]!.call<RequestVoteReply>("Raft.RequestVote", args);
        if (reply === undefined || this.dead) return;
        if (this.adoptTermIfNewer(reply.term)) return;
        // The election may be over (won, lost, or superseded by a newer one) by now.
        if (this.role !== "candidate" || this.currentTerm !== term || !reply.voteGranted) return;
        votes.recordGrant(peer, reply.term);
        dlog(this.me, "VOTE", () => `got vote from S${peer} for T${term}: ${votes.count}/${this.peers.length}`);
        if (votes.won()) this.becomeLeader();
      });
    }
    if (votes.won()) this.becomeLeader(); // a single-server cluster
  }

  private becomeLeader(): void {
    this.setRole("leader");
    const term = this.currentTerm;
    const leaderLastIndex = this.log.lastIndex();
    this.progress = this.peers.map((_, peer) => {
      if (peer === this.me) return undefined;
      // Resend a batch whose reply has not come within a heartbeat interval (it may be lost).
      return new FollowerProgress({ leader: this.me, follower: peer, term, leaderLastIndex, replyTimeoutMs: TIMING.HEARTBEAT_MS });
    });
    this.reads = new ReadRounds(this.me, this.peers.length, () => {
      for (const peer of this.otherPeers()) this.sendReadRound(peer, term);
    });
    go(`S${this.me} heartbeats T${term}`, () => this.heartbeats(term));
  }

  // ---------------------------------------------------------------------------------------------
  // Log replication (§5.3) and snapshots (§7), leader side

  /** Sends heartbeats (carrying whatever entries a follower lacks) while leader of `term`. */
  private async heartbeats(term: number): Promise<void> {
    while (this.isLeaderOf(term)) {
      for (const peer of this.otherPeers()) this.replicateTo(peer, { evenIfEmpty: true });
      await sleep(TIMING.HEARTBEAT_MS);
    }
  }

  /**
   * Sends `peer` what it lacks: an AppendEntries from its nextIndex, or the snapshot if that is gone
   * from our log. While an earlier batch is on its way this does nothing: its reply sends what
   * follows, so each entry crosses the network once (TestRPCBytes) and entries started together go
   * in one request (TestCount). With nothing new to send, it sends an empty AppendEntries only if
   * `evenIfEmpty` (a heartbeat, or a retry after a rejection).
   */
  private replicateTo(peer: number, { evenIfEmpty = false }: { readonly evenIfEmpty?: boolean } = {}): void {
    const progress = this.progress[peer]!;
    if (progress.isBusy(now())) return;
    const next = progress.next;
    if (!evenIfEmpty && next > this.log.lastIndex()) return;
    if (next <= this.log.snapshotIndex) this.sendSnapshot(peer);
    else this.sendAppendEntries(peer, next);
  }

  private sendAppendEntries(peer: number, next: number): void {
    const prevLogIndex = next - 1;
    const args: AppendEntriesArgs = {
      term: this.currentTerm,
      leaderId: this.me,
      prevLogIndex,
      prevLogTerm: this.log.termAt(prevLogIndex) ?? 0,
      entries: this.log.slice(next),
      leaderCommit: this.commitIndex,
    };
    const id = this.progress[peer]!.markSent({ carriesData: args.entries.length > 0, now: now() });
    const round = this.reads?.currentRound() ?? 0;
    dlog(this.me, "LOG1", () => `AppendEntries to S${peer}: ${describeEntries(args)}, commit ${args.leaderCommit}`);
    this.sendToFollower<AppendEntriesReply>(peer, "AppendEntries", args, id, (reply) => {
      this.acknowledgeRound(peer, args.term, round, reply.term);
      this.onAppendEntriesReply(peer, id, args, reply);
    });
  }

  /**
   * A ReadIndex round (read-index.ts) to `peer`: an AppendEntries that carries no entries, outside
   * the one-batch-in-flight bookkeeping of progress.ts (a batch may be on its way). It starts at
   * what `peer` is known to hold, so it normally succeeds; a reply of our term acknowledges the
   * round either way, since what it proves is that `peer` still follows us.
   */
  private sendReadRound(peer: number, term: number): void {
    const prevLogIndex = Math.max(this.progress[peer]!.match, this.log.snapshotIndex);
    const args: AppendEntriesArgs = {
      term,
      leaderId: this.me,
      prevLogIndex,
      prevLogTerm: (prevLogIndex === this.log.snapshotIndex ? this.log.snapshotTerm : this.log.termAt(prevLogIndex)) ?? 0,
      entries: [],
      leaderCommit: this.commitIndex,
    };
    const round = this.reads!.currentRound();
    this.assertTermDurable();
    dlog(this.me, "LOG1", () => `ReadIndex round ${round} to S${peer}: ${describeEntries(args)}, commit ${args.leaderCommit}`);
    go(`S${this.me} ReadIndex round to S${peer}`, async () => {
      const reply = await this.peers[peer]!.call<AppendEntriesReply>("Raft.AppendEntries", args);
      if (reply === undefined || this.dead || this.adoptTermIfNewer(reply.term)) return;
      this.acknowledgeRound(peer, term, round, reply.term);
    });
  }

  /** A reply of `replyTerm` to a message of ours of `term` stamped with ReadIndex round `round`. */
  private acknowledgeRound(peer: number, term: number, round: number, replyTerm: number): void {
    if (replyTerm === term && this.isLeaderOf(term)) this.reads?.acknowledge(peer, round);
  }

  private onAppendEntriesReply(peer: number, id: number, args: AppendEntriesArgs, reply: AppendEntriesReply): void {
    const freshness = this.takeReply(peer, id, args.term, reply);
    if (freshness === "ignore") return;
    if (reply.success) {
      this.recordMatch(peer, args.prevLogIndex + args.entries.length);
    } else if (freshness === "latest") {
      // A log mismatch: back up (a whole term at a time) and retry at once.
      const progress = this.progress[peer]!;
      progress.backUpTo(nextIndexAfterConflict(this.log, reply), this.log.lastIndex());
      dlog(this.me, "LOG1", () => `S${peer} rejected prev ${args.prevLogIndex}: next ${progress.next}`);
      this.replicateTo(peer, { evenIfEmpty: true });
      return;
    }
    if (freshness === "latest") this.replicateTo(peer); // send what was started meanwhile
  }

  private sendSnapshot(peer: number): void {
    const args: InstallSnapshotArgs = {
      term: this.currentTerm,
      leaderId: this.me,
      lastIncludedIndex: this.log.snapshotIndex,
      lastIncludedTerm: this.log.snapshotTerm,
      data: this.snapshotData ?? new Uint8Array(0),
    };
    const id = this.progress[peer]!.markSent({ carriesData: true, now: now() });
    dlog(this.me, "SNAP", () => `InstallSnapshot to S${peer}: ${args.lastIncludedIndex}/T${args.lastIncludedTerm}`);
    this.sendToFollower<InstallSnapshotReply>(peer, "InstallSnapshot", args, id, (reply) => this.onInstallSnapshotReply(peer, id, args, reply));
  }

  /**
   * Sends the leader's request `id` of `args.term` to `peer` in a task of its own; the reply goes to
   * `onReply`, a lost one (undefined) to {@link onLostReply}.
   */
  private sendToFollower<R>(peer: number, method: "AppendEntries" | "InstallSnapshot", args: { readonly term: number }, id: number, onReply: (reply: R) => void): void {
    this.assertTermDurable();
    go(`S${this.me} ${method} to S${peer}`, async () => {
      const reply = await this.peers[peer]!.call<R>(`Raft.${method}`, args);
      if (reply === undefined) this.onLostReply(peer, id, args.term);
      else onReply(reply);
    });
  }

  private onInstallSnapshotReply(peer: number, id: number, args: InstallSnapshotArgs, reply: InstallSnapshotReply): void {
    const freshness = this.takeReply(peer, id, args.term, reply);
    if (freshness === "ignore") return;
    // The follower now holds everything through the snapshot (it had it already, or installed it).
    this.recordMatch(peer, args.lastIncludedIndex);
    if (freshness === "latest") this.replicateTo(peer); // the entries after the snapshot
  }

  /**
   * What every reply handler of the leader does first, for the reply to its request `id` of `term`
   * to `peer`: "ignore" when we are dead or no longer lead that term (a newer term in the reply is
   * adopted); else whether the reply answers the latest request sent to `peer` (which then no
   * longer keeps `peer` busy) or an earlier, "stale" one.
   */
  private takeReply(peer: number, id: number, term: number, reply: { readonly term: number }): ReplyFreshness | "ignore" {
    if (this.dead || this.adoptTermIfNewer(reply.term) || !this.isLeaderOf(term)) return "ignore";
    return this.progress[peer]!.replyArrived(id, term);
  }

  /** Our request `id` of `term` to `peer`, or its reply, was lost: if it was the latest, the next heartbeat resends. */
  private onLostReply(peer: number, id: number, term: number): void {
    if (this.isLeaderOf(term)) this.progress[peer]!.replyLost(id, term);
  }

  /** `peer` is known to store our log through `index` (replies may arrive out of order: match only grows). */
  private recordMatch(peer: number, index: number): void {
    this.progress[peer]!.recordMatch(index, this.log.lastIndex());
    this.updateCommitIndex();
  }

  /**
   * Commits what a majority stores durably, if it includes an entry of the current term (§5.3,
   * §5.4.2). Followers reply only once their save is durable; we count ourselves at our durable index.
   */
  private updateCommitIndex(): void {
    const ours = this.durableTerm === this.currentTerm ? Math.min(this.durableIndex, this.log.lastIndex()) : 0;
    const match = this.progress.map((p, i) => (i === this.me ? ours : p!.match));
    this.advanceCommitTo(advanceCommitIndex(match, this.log, this.currentTerm, this.commitIndex));
  }

  // ---------------------------------------------------------------------------------------------
  // Applying committed entries

  /** Raises commitIndex to `index` (never lowers it) and wakes the applier. */
  private advanceCommitTo(index: number): void {
    if (index <= this.commitIndex) return;
    this.commitIndex = index;
    this.checkCommitOrder();
    dmark(this.me, "CMIT", { kind: "commit", index }, () => {
      // The entry's term next to ours: a leader commits by counting only entries of its own term (§5.4.2).
      const entryTerm = index === this.log.snapshotIndex ? this.log.snapshotTerm : this.log.termAt(index);
      return `commit through ${index} (entry of T${entryTerm ?? "?"}) as ${this.role} of T${this.currentTerm}`;
    });
    this.applyWakeup.trySend(null);
  }

  /**
   * Sends committed entries (and installed snapshots) to the service, in order, one at a time.
   * It is the only task that sends on applyCh, and it holds no state across the send: the service
   * may call snapshot() while receiving, and the log may change meanwhile.
   */
  private async applier(): Promise<void> {
    while (!this.dead) {
      const msg = this.nextToApply();
      if (msg === undefined) {
        await this.applyWakeup.recv();
        continue;
      }
      try {
        await this.applyCh.send(msg);
      } catch (e) {
        if (e instanceof ChannelClosedError) return; // the service is gone
        throw e;
      }
    }
  }

  /** The next message for the service, advancing lastApplied, or undefined if there is none. */
  private nextToApply(): ApplyMsg | undefined {
    if (this.log.snapshotIndex > this.lastApplied) {
      // A leader's snapshot was installed: the service must jump to it.
      this.lastApplied = this.log.snapshotIndex;
      this.checkCommitOrder();
      dlog(this.me, "APLY", () => `apply snapshot through ${this.lastApplied}`);
      return {
        commandValid: false,
        snapshotValid: true,
        snapshot: this.snapshotData ?? new Uint8Array(0),
        snapshotTerm: this.log.snapshotTerm,
        snapshotIndex: this.log.snapshotIndex,
      };
    }
    if (this.lastApplied < this.commitIndex) {
      const index = ++this.lastApplied;
      dlog(this.me, "APLY", () => `apply ${index}`);
      return { commandValid: true, command: this.log.at(index).command, commandIndex: index, snapshotValid: false };
    }
    return undefined;
  }

  // ---------------------------------------------------------------------------------------------
  // Terms and roles

  /**
   * "If RPC request or response contains term T > currentTerm: set currentTerm = T, convert to
   * follower" (Figure 2, All Servers). Returns whether it did.
   */
  private adoptTermIfNewer(term: number): boolean {
    if (term <= this.currentTerm) return false;
    const wasLeader = this.role === "leader";
    this.currentTerm = term;
    this.votedFor = null;
    this.persist();
    this.setRole("follower");
    if (wasLeader) this.resetElectionTimer(); // a leader's own timer was not running
    return true;
  }

  /** A valid AppendEntries or InstallSnapshot came from the leader of `term` (>= ours). */
  private followLeader(term: number): void {
    this.adoptTermIfNewer(term);
    // A candidate that hears from the leader of its term steps down (§5.2).
    if (this.role !== "follower") this.setRole("follower");
    this.resetElectionTimer();
  }

  private setRole(role: Role): void {
    if (role !== "leader") {
      // Reads waiting for a round of a term we no longer lead cannot be confirmed.
      this.reads?.failAll();
      this.reads = undefined;
    }
    this.role = role;
    const topic = role === "leader" ? "LEAD" : "TERM";
    dmark(this.me, topic, { kind: "role", role, term: this.currentTerm }, () => `${role} in T${this.currentTerm}`);
  }

  private resetElectionTimer(): void {
    this.electionDeadline = now() + random.between(TIMING.ELECTION_TIMEOUT_MIN_MS, TIMING.ELECTION_TIMEOUT_MAX_MS);
  }

  private isLeaderOf(term: number): boolean {
    return !this.dead && this.role === "leader" && this.currentTerm === term;
  }

  private otherPeers(): number[] {
    return this.peers.map((_, i) => i).filter((i) => i !== this.me);
  }

  // ---------------------------------------------------------------------------------------------
  // Persistence

  /** Saves currentTerm, votedFor and the log, with the current snapshot (the persister needs both each time). */
  private persist(): void {
    const state = this.encoder.encode({
      currentTerm: this.currentTerm,
      votedFor: this.votedFor,
      snapshotIndex: this.log.snapshotIndex,
      snapshotTerm: this.log.snapshotTerm,
      entries: this.log.stored(),
    });
    this.persister.save(state, this.snapshotData);
    dlog(this.me, "PERS", () => `saved T${this.currentTerm} vote ${this.votedFor ?? "-"} ${this.describeLog()}, ${state.length} B`);
    const term = this.currentTerm;
    const index = this.log.lastIndex();
    let later = false;
    this.persister.whenDurable(() => {
      this.durableTerm = term;
      this.durableIndex = index;
      // Durable later than the save: replies may have come meanwhile, and we may now complete a majority.
      if (later && !this.dead && this.isLeaderOf(term)) this.updateCommitIndex();
    });
    later = true;
  }

  /**
   * A leader's requests may leave before its own save is durable (§10.2.1; real cluster mode lets
   * them), but never before its term and vote are: they were saved, and durable, before its
   * RequestVotes left, so only entries of its own term can be unsynced.
   */
  private assertTermDurable(): void {
    assertInvariant(this.durableTerm === this.currentTerm, { peer: this.me, term: this.currentTerm }, () => `a leader's request would leave before its term is durable (durable: T${this.durableTerm})`);
  }

  /** Asserts the invariants of commitIndex and lastApplied (stated at their fields). */
  private checkCommitOrder(): void {
    const state = {
      snapshotIndex: this.log.snapshotIndex,
      commitIndex: this.commitIndex,
      lastIndex: this.log.lastIndex(),
      lastApplied: this.lastApplied,
    };
    assertCommitOrder(state, { peer: this.me, term: this.currentTerm });
  }

  private describeLog(): string {
    return `log ${this.log.snapshotIndex}/T${this.log.snapshotTerm}..${this.log.lastIndex()}/T${this.log.lastTerm()}`;
  }
}

/** An AppendEntries' position and entries, for the log: `prev 4/T2, entries 5..7 (T2..T3)` or `prev 4/T2, no entries`. */
function describeEntries(args: AppendEntriesArgs): string {
  const prev = `prev ${args.prevLogIndex}/T${args.prevLogTerm}`;
  const n = args.entries.length;
  if (n === 0) return `${prev}, no entries`;
  const first = args.prevLogIndex + 1;
  const terms = `T${args.entries[0]!.term}..T${args.entries[n - 1]!.term}`;
  return `${prev}, entries ${first}..${first + n - 1} (${terms})`;
}

/** Creates a Raft peer and starts its tasks; see {@link MakeRaft}. */
export const make: MakeRaft = (peers, me, persister, applyCh) => new Raft(peers, me, persister, applyCh);
