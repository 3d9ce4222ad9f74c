/**
 * The Raft safety monitor: watches every running peer of a cluster and checks the five safety
 * properties of Raft (Figure 3) at every step, not only where a tester happens to look.
 *
 * What it reads: each peer's `getState()` (the API every Raft has) and, if the peer implements
 * it, the read-only `inspect()` (term, role, log terms, commit and applied index, snapshot). With
 * `getState()` alone it checks Election Safety, and with the tester's view of applyCh, State
 * Machine Safety on applied commands; the other properties need `inspect()` and are skipped for a
 * peer without it.
 *
 * The monitor only reads: it never calls anything that changes a peer, draws no randomness and
 * takes no time, so a run is the same with it as without it.
 */
import type { RaftInspection, RaftPeer } from "../raft/api.js";
import { CommitLedger } from "./commit-ledger.js";
import { ElectionSafety } from "./election-safety.js";
import { checkLeaderAppendOnly } from "./leader-append-only.js";
import { checkLeaderCompleteness } from "./leader-completeness.js";
import { LogMatching } from "./log-matching.js";
import { ShadowLog, type LogChange } from "./shadow-log.js";
import { AppliedCommands, checkCommitNotBack, checkCommittedEntriesKept, checkOthersCommitsKept, checkStoredOnMajority } from "./state-machine-safety.js";
import type { Violation } from "./violation.js";

/** What the monitor keeps about one running incarnation of one server. */
interface Track {
  readonly server: number;
  readonly peer: RaftPeer;
  readonly inspectable: boolean;
  readonly log: ShadowLog;
  /** Its commitIndex at the last check (this incarnation). */
  commitIndex: number;
  /** The term it led at the last check, or -1 if it was not leader. */
  leaderTerm: number;
  /** Its inspection at the latest check. */
  view: RaftInspection | undefined;
}

/** Checks the five safety properties over the peers it is told about; see the module comment. */
export class RaftSafetyMonitor {
  private readonly tracks: (Track | undefined)[] = [];
  private readonly election = new ElectionSafety();
  private readonly matching = new LogMatching();
  private readonly ledger = new CommitLedger();
  private readonly appliedCommands = new AppliedCommands();
  private violation: Violation | undefined;

  /**
   * @param now the current virtual time (ms), for the evidence
   * @param servers the cluster's size, if known (else the servers seen): majorities are of it
   */
  constructor(
    private readonly now: () => number,
    private readonly servers?: number,
  ) {}

  /** Server `server` started (or restarted) as `peer`: watch it from now on. */
  watch(server: number, peer: RaftPeer): void {
    this.tracks[server] = {
      server,
      peer,
      inspectable: typeof peer.inspect === "function",
      log: new ShadowLog(),
      commitIndex: 0,
      leaderTerm: -1,
      view: undefined,
    };
  }

  /** Server `server` crashed: stop watching it (a restart is a new incarnation). */
  unwatch(server: number): void {
    this.tracks[server] = undefined;
  }

  /** Whether the peer of `server` has `inspect()` (undefined while it is down). */
  inspectable(server: number): boolean | undefined {
    return this.tracks[server]?.inspectable;
  }

  /**
   * Checks every watched peer's state now; returns the first violation found (and the same one at
   * every later call: a run that broke a property is over).
   */
  check(): Violation | undefined {
    if (this.violation !== undefined) return this.violation;
    return (this.violation = this.checkAll());
  }

  /**
   * The tester saw `server` apply `command` at `index`: checks every peer first (to name the
   * property at the root of a bad application), then that no server applied another command there.
   */
  applied(server: number, index: number, command: unknown): Violation | undefined {
    if (this.check() !== undefined) return this.violation;
    return (this.violation = this.appliedCommands.applied(server, index, command));
  }

  private checkAll(): Violation | undefined {
    const time = this.now();
    const newLeaders: Track[] = [];
    const newlyCommitted: number[] = [];
    for (const t of this.tracks) {
      if (t === undefined) continue;
      const { term, isLeader } = t.peer.getState();
      if (isLeader) {
        const v = this.election.sawLeader(t.server, term, time);
        if (v !== undefined) return v;
      }
      if (!t.inspectable) continue;
      const view = t.peer.inspect!();
      t.view = view;
      if (t.log.differs(view)) {
        const v = this.logChanged(t, view, t.log.update(view, this.ledger.maxIndex), time);
        if (v !== undefined) return v;
      }
      const back = checkCommitNotBack(t.server, t.commitIndex, view.commitIndex);
      if (back !== undefined) return back;
      if (view.commitIndex > t.commitIndex) {
        const v = this.commitAdvanced(t, view, newlyCommitted);
        if (v !== undefined) return v;
      }
      t.commitIndex = view.commitIndex;
      const leading = view.role === "leader" ? view.term : -1;
      if (leading !== -1 && leading !== t.leaderTerm) newLeaders.push(t);
      t.leaderTerm = leading;
    }
    // Leader Completeness, once every peer's commits of this step are known.
    for (const t of newLeaders) {
      const v = checkLeaderCompleteness(t.server, t.leaderTerm, t.view!, this.ledger);
      if (v !== undefined) return v;
    }
    if (newlyCommitted.length === 0) return undefined;
    for (const t of this.tracks) {
      if (t === undefined || t.leaderTerm === -1 || newLeaders.includes(t)) continue;
      for (const index of newlyCommitted) {
        const v = checkLeaderCompleteness(t.server, t.leaderTerm, t.view!, this.ledger, index, index);
        if (v !== undefined) return v;
      }
    }
    // Every peer's view is of this step now: a newly committed entry must be on a majority.
    for (const index of newlyCommitted) {
      const c = this.ledger.at(index)!;
      const v = checkStoredOnMajority(c.server, index, c.term, Math.max(this.servers ?? 0, this.tracks.length), (s) => this.mayHold(s, index, c.term));
      if (v !== undefined) return v;
    }
    return undefined;
  }

  /** Whether server `s` may store the entry of `term` at `index` (true where unknown: it is down, or has no inspect()). */
  private mayHold(s: number, index: number, term: number): boolean {
    const view = this.tracks[s]?.view;
    if (view === undefined) return true;
    return index <= view.snapshotIndex || view.termAt(index) === term;
  }

  /** The log of `t` changed since the last check: Leader Append-Only, committed entries kept (its own and others'), Log Matching. */
  private logChanged(t: Track, view: RaftInspection, change: LogChange, time: number): Violation | undefined {
    if (t.leaderTerm !== -1 && view.role === "leader" && view.term === t.leaderTerm) {
      const v = checkLeaderAppendOnly(t.server, t.leaderTerm, change, view);
      if (v !== undefined) return v;
    }
    const kept = checkCommittedEntriesKept(t.server, t.commitIndex, change, view) ?? checkOthersCommitsKept(t.server, change, view, (i) => this.ledger.at(i));
    if (kept !== undefined) return kept;
    // Every entry from the first changed one up is new in this log (the ones below are unchanged).
    for (let index = change.from; index <= view.lastIndex; index++) {
      const term = view.termAt(index);
      const previous = index - 1 === view.snapshotIndex ? view.snapshotTerm : view.termAt(index - 1);
      if (term === undefined || previous === undefined) continue;
      const v = this.matching.sawEntry(t.server, index, term, previous, time);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  /** `t` committed more entries: record them, and fail on one that differs from what another committed. */
  private commitAdvanced(t: Track, view: RaftInspection, newlyCommitted: number[]): Violation | undefined {
    for (let index = Math.max(t.commitIndex + 1, view.snapshotIndex, 1); index <= view.commitIndex; index++) {
      const term = index === view.snapshotIndex ? view.snapshotTerm : view.termAt(index);
      if (term === undefined) continue; // beyond its log: nothing to compare
      const r = this.ledger.commit(index, term, t.server, view.term);
      if (r === "new") newlyCommitted.push(index);
      else if (r !== "known") return r;
    }
    return undefined;
  }
}
