/**
 * A second, independent Raft, written the way students write the lab from the handout alone: the
 * whole of Figure 2's state in one class, goroutine-style loops (a ticker that polls the election
 * timeout, a leader loop that broadcasts on a timer, an applier that polls commitIndex), the log as
 * an array whose slot 0 holds the snapshot's index and term, and the state persisted as JSON.
 *
 * It exists to measure the harness on more than the reference (`npm run mutants -- --impl
 * student-style`): the mutation catalog plants the same kinds of bug in it, and explore must catch
 * them here too. It is the harness's own test fixture: it is never shipped in a handout (the course
 * kit leaves `src/explore/student-style/` out), and the lab's code never imports it; a scratch copy
 * of the repository swaps it in for the lab's Raft (`../mutants/plant.ts`).
 *
 * It passes every lab test of 3A-3D. Unlike the reference, its leader sends at most
 * {@link MAX_BATCH} entries per AppendEntries, so a follower that is far behind gets a leaderCommit
 * beyond the entries a request carries: the follower-side rule "commitIndex = min(leaderCommit,
 * index of last new entry)" matters here.
 */
import { Service, type ClientEnd } from "../../labrpc/index.js";
import { Channel, ChannelClosedError, dlog, go, now, random, sleep } from "../../runtime/index.js";
import type { ApplyMsg, RaftInspection, RaftPeer, RaftState, StartResult } from "../../raft/api.js";
import type { Persister } from "../../raft/persister.js";

/** Election timeouts, heartbeat interval and loop periods (ms). */
const ELECTION_MIN = 300;
const ELECTION_MAX = 600;
const HEARTBEAT = 100;
const TICK = 10;
/** At most this many entries per AppendEntries. */
export const MAX_BATCH = 8;

type State = "follower" | "candidate" | "leader";

interface LogEntry {
  term: number;
  command: unknown;
}

interface RequestVoteArgs {
  term: number;
  candidateId: number;
  lastLogIndex: number;
  lastLogTerm: number;
}
interface RequestVoteReply {
  term: number;
  voteGranted: boolean;
}
interface AppendEntriesArgs {
  term: number;
  leaderId: number;
  prevLogIndex: number;
  prevLogTerm: number;
  entries: LogEntry[];
  leaderCommit: number;
}
interface AppendEntriesReply {
  term: number;
  success: boolean;
  /** On failure: the term of the conflicting entry (-1: none), its first index, and the log length. */
  xTerm: number;
  xIndex: number;
  xLen: number;
}
interface InstallSnapshotArgs {
  term: number;
  leaderId: number;
  lastIncludedIndex: number;
  lastIncludedTerm: number;
  data: Uint8Array;
}
interface InstallSnapshotReply {
  term: number;
}

/** One peer. */
export class StudentRaft {
  // Persistent state on all servers.
  currentTerm = 0;
  votedFor = -1;
  /** log[0] is a placeholder for the snapshot: its term is lastIncludedTerm. */
  log: LogEntry[] = [{ term: 0, command: null }];
  lastIncludedIndex = 0;
  snapshot: Uint8Array = new Uint8Array(0);

  // Volatile state on all servers.
  commitIndex = 0;
  lastApplied = 0;
  state: State = "follower";
  lastHeard = 0;
  electionTimeout = 0;
  dead = false;
  /** A snapshot from the leader that the applier still has to hand to the service. */
  snapshotPending = false;

  // Volatile state on leaders.
  nextIndex: number[] = [];
  matchIndex: number[] = [];

  constructor(
    readonly peers: readonly ClientEnd[],
    readonly me: number,
    readonly persister: Persister,
    readonly applyCh: Channel<ApplyMsg>,
  ) {
    this.readPersist(persister.readRaftState());
    this.snapshot = persister.readSnapshot();
    this.commitIndex = this.lastIncludedIndex;
    this.lastApplied = this.lastIncludedIndex;
    this.resetTimer();
    go(`S${me} ticker`, () => this.ticker());
    go(`S${me} applier`, () => this.applier());
  }

  // --- log index helpers (the log starts at lastIncludedIndex) ---
  lastIndex(): number {
    return this.lastIncludedIndex + this.log.length - 1;
  }
  termOf(index: number): number {
    return this.log[index - this.lastIncludedIndex]!.term;
  }
  entry(index: number): LogEntry {
    return this.log[index - this.lastIncludedIndex]!;
  }

  // --- persistence ---
  persist(): void {
    const data = JSON.stringify({ currentTerm: this.currentTerm, votedFor: this.votedFor, log: this.log, lastIncludedIndex: this.lastIncludedIndex });
    this.persister.save(new TextEncoder().encode(data), this.snapshot.length > 0 ? this.snapshot : null);
  }
  readPersist(data: Uint8Array): void {
    if (data.length === 0) return;
    const s = JSON.parse(new TextDecoder().decode(data)) as { currentTerm: number; votedFor: number; log: LogEntry[]; lastIncludedIndex: number };
    this.currentTerm = s.currentTerm;
    this.votedFor = s.votedFor;
    this.log = s.log;
    this.lastIncludedIndex = s.lastIncludedIndex;
  }

  // --- the API ---
  getState(): RaftState {
    return { term: this.currentTerm, isLeader: this.state === "leader" && !this.dead };
  }

  start(command: unknown): StartResult {
    if (this.dead || this.state !== "leader") return { index: -1, term: this.currentTerm, isLeader: false };
    this.log.push({ term: this.currentTerm, command: JSON.parse(JSON.stringify(command)) as unknown });
    this.persist();
    this.matchIndex[this.me] = this.lastIndex();
    // Sent with the next heartbeat (at most HEARTBEAT ms from now), batched with whatever comes meanwhile.
    return { index: this.lastIndex(), term: this.currentTerm, isLeader: true };
  }

  /** The service's snapshot through `index` (RaftPeer.snapshot; `snapshot` is the field holding it). */
  snapshot_(index: number, snapshot: Uint8Array): void {
    if (index <= this.lastIncludedIndex || index > this.lastApplied) return;
    const term = this.termOf(index);
    this.log = [{ term, command: null }, ...this.log.slice(index - this.lastIncludedIndex + 1)];
    this.lastIncludedIndex = index;
    this.snapshot = snapshot.slice();
    this.persist();
  }

  kill(): void {
    this.dead = true;
  }
  killed(): boolean {
    return this.dead;
  }
  persistedSize(): number {
    return this.persister.raftStateSize();
  }

  inspect(): RaftInspection {
    return {
      term: this.currentTerm,
      votedFor: this.votedFor === -1 ? null : this.votedFor,
      role: this.state,
      snapshotIndex: this.lastIncludedIndex,
      snapshotTerm: this.log[0]!.term,
      lastIndex: this.lastIndex(),
      termAt: (index) => (index >= this.lastIncludedIndex && index <= this.lastIndex() ? this.termOf(index) : undefined),
      commitIndex: this.commitIndex,
      lastApplied: this.lastApplied,
    };
  }

  // --- timers ---
  resetTimer(): void {
    this.lastHeard = now();
    this.electionTimeout = ELECTION_MIN + random.int(ELECTION_MAX - ELECTION_MIN);
  }

  becomeFollower(term: number): void {
    this.state = "follower";
    this.currentTerm = term;
    this.votedFor = -1;
    this.persist();
  }

  async ticker(): Promise<void> {
    let lastBeat = 0;
    while (!this.dead) {
      if (this.state === "leader") {
        if (now() - lastBeat >= HEARTBEAT) {
          lastBeat = now();
          this.broadcast();
        }
      } else if (now() - this.lastHeard >= this.electionTimeout) {
        this.startElection();
      }
      await sleep(TICK);
    }
  }

  // --- elections ---
  startElection(): void {
    this.state = "candidate";
    this.currentTerm++;
    this.votedFor = this.me;
    this.persist();
    this.resetTimer();
    dlog(this.me, "TERM", `candidate in T${this.currentTerm}`);
    const args: RequestVoteArgs = { term: this.currentTerm, candidateId: this.me, lastLogIndex: this.lastIndex(), lastLogTerm: this.termOf(this.lastIndex()) };
    let votes = 1;
    for (let i = 0; i < this.peers.length; i++) {
      if (i === this.me) continue;
      go(`S${this.me} ask S${i}`, async () => {
        const reply = await this.peers[i]!.call<RequestVoteReply>("Raft.RequestVote", args);
        if (reply === undefined || this.dead) return;
        if (reply.term > this.currentTerm) {
          this.becomeFollower(reply.term);
          return;
        }
        if (this.state === "candidate" && this.currentTerm === args.term && reply.voteGranted) {
          votes++;
          if (votes > this.peers.length / 2) this.becomeLeader();
        }
      });
    }
    if (this.peers.length === 1) this.becomeLeader();
  }

  becomeLeader(): void {
    this.state = "leader";
    dlog(this.me, "LEAD", `leader in T${this.currentTerm}`);
    this.nextIndex = this.peers.map(() => this.lastIndex() + 1);
    this.matchIndex = this.peers.map(() => 0);
    this.matchIndex[this.me] = this.lastIndex();
    this.broadcast();
  }

  requestVote(args: RequestVoteArgs): RequestVoteReply {
    if (args.term > this.currentTerm) this.becomeFollower(args.term);
    if (args.term < this.currentTerm) return { term: this.currentTerm, voteGranted: false };
    const myLastTerm = this.termOf(this.lastIndex());
    const upToDate = args.lastLogTerm > myLastTerm || (args.lastLogTerm === myLastTerm && args.lastLogIndex >= this.lastIndex());
    if ((this.votedFor === -1 || this.votedFor === args.candidateId) && upToDate) {
      this.votedFor = args.candidateId;
      this.persist();
      this.resetTimer();
      return { term: this.currentTerm, voteGranted: true };
    }
    return { term: this.currentTerm, voteGranted: false };
  }

  // --- replication ---
  broadcast(): void {
    for (let i = 0; i < this.peers.length; i++) if (i !== this.me) this.sendTo(i);
  }

  /** Entries from nextIndex, or the snapshot if they are gone from the log. */
  sendTo(i: number): void {
    if (this.nextIndex[i]! <= this.lastIncludedIndex) this.sendSnapshot(i);
    else this.sendEntries(i);
  }

  sendEntries(i: number): void {
    const prev = this.nextIndex[i]! - 1;
    const from = prev + 1 - this.lastIncludedIndex;
    const args: AppendEntriesArgs = {
      term: this.currentTerm,
      leaderId: this.me,
      prevLogIndex: prev,
      prevLogTerm: this.termOf(prev),
      entries: this.log.slice(from, from + MAX_BATCH),
      leaderCommit: this.commitIndex,
    };
    go(`S${this.me} append S${i}`, async () => {
      const reply = await this.peers[i]!.call<AppendEntriesReply>("Raft.AppendEntries", args);
      if (reply === undefined || this.dead) return;
      if (reply.term > this.currentTerm) {
        this.becomeFollower(reply.term);
        this.resetTimer();
        return;
      }
      if (this.state !== "leader" || this.currentTerm !== args.term) return;
      if (reply.success) {
        const match = args.prevLogIndex + args.entries.length;
        if (match > this.matchIndex[i]!) this.matchIndex[i] = match;
        this.nextIndex[i] = this.matchIndex[i]! + 1;
        this.updateCommit();
        if (this.nextIndex[i]! <= this.lastIndex()) this.sendTo(i);
      } else {
        this.nextIndex[i] = this.backUp(reply);
        this.sendTo(i);
      }
    });
  }

  /** The fast backup of the lab's guide: skip the follower's conflicting term, or to its log's end. */
  backUp(reply: AppendEntriesReply): number {
    if (reply.xTerm === -1) return Math.max(1, reply.xLen);
    for (let k = this.lastIndex(); k > this.lastIncludedIndex; k--) {
      if (this.termOf(k) === reply.xTerm) return k + 1;
      if (this.termOf(k) < reply.xTerm) break;
    }
    return Math.max(1, reply.xIndex);
  }

  updateCommit(): void {
    for (let n = this.lastIndex(); n > this.commitIndex && n > this.lastIncludedIndex; n--) {
      if (this.termOf(n) !== this.currentTerm) break;
      let count = 0;
      for (let i = 0; i < this.peers.length; i++) if (this.matchIndex[i]! >= n) count++;
      if (count > this.peers.length / 2) {
        this.commitIndex = n;
        break;
      }
    }
  }

  appendEntries(args: AppendEntriesArgs): AppendEntriesReply {
    const fail = (xTerm: number, xIndex: number): AppendEntriesReply => ({ term: this.currentTerm, success: false, xTerm, xIndex, xLen: this.lastIndex() + 1 });
    if (args.term < this.currentTerm) return fail(-1, -1);
    if (args.term > this.currentTerm) this.becomeFollower(args.term);
    this.state = "follower";
    this.resetTimer();
    if (args.prevLogIndex < this.lastIncludedIndex) {
      // Our snapshot covers it: ask for what follows the snapshot.
      return { term: this.currentTerm, success: false, xTerm: -1, xIndex: -1, xLen: this.lastIncludedIndex + 1 };
    }
    if (args.prevLogIndex > this.lastIndex()) return fail(-1, -1);
    if (this.termOf(args.prevLogIndex) !== args.prevLogTerm) {
      const xTerm = this.termOf(args.prevLogIndex);
      let xIndex = args.prevLogIndex;
      while (xIndex - 1 > this.lastIncludedIndex && this.termOf(xIndex - 1) === xTerm) xIndex--;
      return fail(xTerm, xIndex);
    }
    let changed = false;
    for (let k = 0; k < args.entries.length; k++) {
      const index = args.prevLogIndex + 1 + k;
      if (index <= this.lastIndex() && this.termOf(index) === args.entries[k]!.term) continue;
      this.log = this.log.slice(0, index - this.lastIncludedIndex);
      this.log.push(...args.entries.slice(k));
      changed = true;
      break;
    }
    if (changed) this.persist();
    const lastNew = args.prevLogIndex + args.entries.length;
    // Figure 2's min(leaderCommit, index of last new entry), but never back: a late, shorter request
    // of the same leader carries a lastNew below what this server has already committed.
    if (args.leaderCommit > this.commitIndex) this.commitIndex = Math.max(this.commitIndex, Math.min(args.leaderCommit, lastNew));
    return { term: this.currentTerm, success: true, xTerm: -1, xIndex: -1, xLen: this.lastIndex() + 1 };
  }

  // --- snapshots ---
  sendSnapshot(i: number): void {
    const args: InstallSnapshotArgs = { term: this.currentTerm, leaderId: this.me, lastIncludedIndex: this.lastIncludedIndex, lastIncludedTerm: this.log[0]!.term, data: this.snapshot };
    go(`S${this.me} snapshot S${i}`, async () => {
      const reply = await this.peers[i]!.call<InstallSnapshotReply>("Raft.InstallSnapshot", args);
      if (reply === undefined || this.dead) return;
      if (reply.term > this.currentTerm) {
        this.becomeFollower(reply.term);
        this.resetTimer();
        return;
      }
      if (this.state !== "leader" || this.currentTerm !== args.term) return;
      if (args.lastIncludedIndex > this.matchIndex[i]!) this.matchIndex[i] = args.lastIncludedIndex;
      this.nextIndex[i] = this.matchIndex[i]! + 1;
      this.updateCommit();
    });
  }

  installSnapshot(args: InstallSnapshotArgs): InstallSnapshotReply {
    if (args.term < this.currentTerm) return { term: this.currentTerm };
    if (args.term > this.currentTerm) this.becomeFollower(args.term);
    this.state = "follower";
    this.resetTimer();
    if (args.lastIncludedIndex <= this.commitIndex) return { term: this.currentTerm };
    if (args.lastIncludedIndex <= this.lastIndex() && this.termOf(args.lastIncludedIndex) === args.lastIncludedTerm) {
      // We have that entry: keep what follows it.
      this.log = [{ term: args.lastIncludedTerm, command: null }, ...this.log.slice(args.lastIncludedIndex - this.lastIncludedIndex + 1)];
    } else {
      this.log = [{ term: args.lastIncludedTerm, command: null }];
    }
    this.lastIncludedIndex = args.lastIncludedIndex;
    this.snapshot = args.data;
    this.commitIndex = args.lastIncludedIndex;
    this.snapshotPending = true;
    this.persist();
    return { term: this.currentTerm };
  }

  // --- applying ---
  async applier(): Promise<void> {
    while (!this.dead) {
      let msg: ApplyMsg | undefined;
      if (this.snapshotPending) {
        this.snapshotPending = false;
        this.lastApplied = this.lastIncludedIndex;
        msg = { commandValid: false, snapshotValid: true, snapshot: this.snapshot, snapshotTerm: this.log[0]!.term, snapshotIndex: this.lastIncludedIndex };
      } else if (this.lastApplied < this.commitIndex) {
        this.lastApplied++;
        msg = { commandValid: true, command: this.entry(this.lastApplied).command, commandIndex: this.lastApplied, snapshotValid: false };
      }
      if (msg === undefined) {
        await sleep(TICK);
        continue;
      }
      try {
        await this.applyCh.send(msg);
      } catch (e) {
        if (e instanceof ChannelClosedError) return;
        throw e;
      }
    }
  }
}

/** A student-style peer and its "Raft" RPC service (the shape of the lab's `labRaft`). */
export function studentRaft(peers: readonly ClientEnd[], me: number, persister: Persister, applyCh: Channel<ApplyMsg>): { readonly peer: RaftPeer; readonly service: Service } {
  const rf = new StudentRaft(peers, me, persister, applyCh);
  const peer: RaftPeer = {
    start: (command) => rf.start(command),
    getState: () => rf.getState(),
    snapshot: (index, snapshot) => rf.snapshot_(index, snapshot),
    kill: () => rf.kill(),
    killed: () => rf.killed(),
    persistedSize: () => rf.persistedSize(),
    inspect: () => rf.inspect(),
  };
  const service = new Service("Raft", {
    RequestVote: (args: RequestVoteArgs) => rf.requestVote(args),
    AppendEntries: (args: AppendEntriesArgs) => rf.appendEntries(args),
    InstallSnapshot: (args: InstallSnapshotArgs) => rf.installSnapshot(args),
  });
  return { peer, service };
}
