/**
 * The safety monitors on scripted peers: each property is shown to fail on a history that breaks
 * it, and to stay quiet on the nearby histories a correct Raft produces.
 */
import { describe, expect, it } from "vitest";
import type { RaftInspection, RaftPeer } from "../raft/api.js";
import { RaftSafetyMonitor } from "./raft-monitor.js";
import { ShadowLog } from "./shadow-log.js";
import { violationMessage, type Violation } from "./violation.js";

/** A peer whose state the test sets by hand; `log[k]` is the term at index snapshotIndex + 1 + k. */
class ScriptedPeer {
  term = 0;
  role: RaftInspection["role"] = "follower";
  snapshotIndex = 0;
  snapshotTerm = 0;
  log: number[] = [];
  commitIndex = 0;
  lastApplied = 0;
  /** The RaftPeer the monitor watches (with or without inspect()). */
  readonly peer: RaftPeer;

  constructor(withInspect = true) {
    const api: RaftPeer = {
      start: () => ({ index: -1, term: this.term, isLeader: false }),
      getState: () => ({ term: this.term, isLeader: this.role === "leader" }),
      snapshot: () => {},
      kill: () => {},
      killed: () => false,
      persistedSize: () => 0,
    };
    this.peer = withInspect ? { ...api, inspect: () => this.inspection() } : api;
  }

  set(state: Partial<Pick<ScriptedPeer, "term" | "role" | "snapshotIndex" | "snapshotTerm" | "log" | "commitIndex" | "lastApplied">>): this {
    Object.assign(this, state);
    return this;
  }

  private inspection(): RaftInspection {
    const base = this.snapshotIndex;
    const baseTerm = this.snapshotTerm;
    const log = [...this.log];
    return {
      term: this.term,
      votedFor: null,
      role: this.role,
      snapshotIndex: base,
      snapshotTerm: baseTerm,
      lastIndex: base + log.length,
      termAt: (i) => (i === base ? baseTerm : i > base && i <= base + log.length ? log[i - base - 1] : undefined),
      commitIndex: this.commitIndex,
      lastApplied: this.lastApplied,
    };
  }
}

/** A monitor over `n` scripted peers, at a clock the test moves. */
function cluster(n: number, options: { inspect?: boolean } = {}): { monitor: RaftSafetyMonitor; peers: ScriptedPeer[]; clock: { t: number } } {
  const clock = { t: 0 };
  const monitor = new RaftSafetyMonitor(() => clock.t);
  const peers = Array.from({ length: n }, (_, i) => {
    const p = new ScriptedPeer(options.inspect ?? true);
    monitor.watch(i, p.peer);
    return p;
  });
  return { monitor, peers, clock };
}

function expectViolation(v: Violation | undefined, property: Violation["property"], summary: RegExp): Violation {
  expect(v, "expected a violation").toBeDefined();
  expect(v!.property).toBe(property);
  expect(v!.summary).toMatch(summary);
  return v!;
}

describe("Election Safety", () => {
  it("fails when two servers lead the same term, even at different times", () => {
    const { monitor, peers, clock } = cluster(3);
    peers[0]!.set({ term: 1, role: "leader", log: [] });
    expect(monitor.check()).toBeUndefined();
    clock.t = 500;
    peers[0]!.set({ role: "follower" });
    expect(monitor.check()).toBeUndefined();
    clock.t = 1200;
    peers[2]!.set({ term: 1, role: "leader" });
    const v = expectViolation(monitor.check(), "Election Safety", /^S0 and S2 were both leaders of term 1$/);
    expect(v).toMatchObject({ peers: [0, 2], terms: [1], indices: [] });
    expect(violationMessage(v, 1200)).toContain("S0 was leader of T1 at 0.000s; S2 is leader of T1 at 1.200s.");
  });

  it("allows one server to lead a term again (after a restart) and a new leader in a new term", () => {
    const { monitor, peers } = cluster(3);
    peers[0]!.set({ term: 1, role: "leader" });
    expect(monitor.check()).toBeUndefined();
    monitor.unwatch(0);
    const again = new ScriptedPeer().set({ term: 1, role: "leader" });
    monitor.watch(0, again.peer);
    expect(monitor.check()).toBeUndefined();
    again.set({ role: "follower", term: 2 });
    peers[1]!.set({ term: 2, role: "leader" });
    expect(monitor.check()).toBeUndefined();
  });

  it("works from getState() alone, for a peer without inspect()", () => {
    const { monitor, peers } = cluster(2, { inspect: false });
    expect(monitor.inspectable(0)).toBe(false);
    peers[0]!.set({ term: 3, role: "leader" });
    peers[1]!.set({ term: 3, role: "leader" });
    expectViolation(monitor.check(), "Election Safety", /both leaders of term 3/);
  });
});

describe("Leader Append-Only", () => {
  it("fails when a leader deletes entries of its log", () => {
    const { monitor, peers } = cluster(3);
    peers[1]!.set({ term: 2, role: "leader", log: [1, 2, 2] });
    expect(monitor.check()).toBeUndefined();
    peers[1]!.set({ log: [1, 2] });
    const v = expectViolation(monitor.check(), "Leader Append-Only", /^S1, leader of T2, deleted its entries 3\.\.3/);
    expect(v.peers).toEqual([1]);
  });

  it("fails when a leader overwrites an entry", () => {
    const { monitor, peers } = cluster(3);
    peers[1]!.set({ term: 3, role: "leader", log: [1, 2, 2] });
    expect(monitor.check()).toBeUndefined();
    peers[1]!.set({ log: [1, 3, 3, 3] });
    expectViolation(monitor.check(), "Leader Append-Only", /^S1, leader of T3, overwrote its entry at index 2 \(T2\) with one of T3$/);
  });

  it("allows appending, compaction, and a new leader of a later term replacing its old entries", () => {
    const { monitor, peers } = cluster(3);
    peers[0]!.set({ term: 2, role: "leader", log: [1, 2] });
    expect(monitor.check()).toBeUndefined();
    peers[0]!.set({ log: [1, 2, 2, 2] });
    expect(monitor.check()).toBeUndefined();
    peers[1]!.set({ term: 2, log: [1, 2] }); // a majority stores index 2: it may commit
    peers[0]!.set({ snapshotIndex: 2, snapshotTerm: 2, log: [2, 2], commitIndex: 2 });
    expect(monitor.check()).toBeUndefined();
    // It steps down; as a follower of T3 its uncommitted tail is replaced.
    peers[0]!.set({ term: 3, role: "follower", log: [3] });
    expect(monitor.check()).toBeUndefined();
  });
});

describe("Log Matching", () => {
  it("fails when two logs share an entry but not what precedes it", () => {
    const { monitor, peers, clock } = cluster(3);
    peers[0]!.set({ term: 2, log: [1, 1, 2] });
    expect(monitor.check()).toBeUndefined();
    clock.t = 40;
    peers[2]!.set({ term: 2, log: [1, 2, 2] });
    const v = expectViolation(monitor.check(), "Log Matching", /^S0 and S2 both hold an entry of T2 at index 3, but their logs differ at index 2 \(T1 and T2\)$/);
    expect(v).toMatchObject({ peers: [0, 2], indices: [2, 3] });
  });

  it("finds an entry overwritten in the middle of a long log, below an unchanged end", () => {
    const { monitor, peers } = cluster(2);
    const long = Array.from({ length: 200 }, () => 1);
    peers[0]!.set({ term: 1, log: long });
    peers[1]!.set({ term: 1, log: long });
    expect(monitor.check()).toBeUndefined();
    // S1 overwrites index 100 in place, keeping its end; later its log grows.
    const broken = [...long];
    broken[99] = 2;
    peers[1]!.set({ term: 2, log: broken });
    let found: Violation | undefined;
    for (let k = 0; k < 40 && found === undefined; k++) {
      peers[1]!.set({ log: [...peers[1]!.log, 2] });
      found = monitor.check();
    }
    expectViolation(found, "Log Matching", /at index 101, but their logs differ at index 100 \(T1 and T2\)/);
  });

  it("allows logs that agree wherever they share an entry", () => {
    const { monitor, peers } = cluster(3);
    peers[0]!.set({ term: 3, log: [1, 1, 3] });
    peers[1]!.set({ term: 3, log: [1, 1] });
    peers[2]!.set({ term: 3, log: [1, 2] }); // diverges at 2, shares nothing after
    expect(monitor.check()).toBeUndefined();
  });
});

describe("Leader Completeness", () => {
  it("fails when a server leads a later term without an entry committed earlier", () => {
    const { monitor, peers } = cluster(3);
    peers[0]!.set({ term: 1, role: "leader", log: [1, 1], commitIndex: 2 });
    peers[1]!.set({ term: 1, log: [1, 1], commitIndex: 2 });
    expect(monitor.check()).toBeUndefined();
    peers[0]!.set({ role: "follower", term: 3 });
    peers[2]!.set({ term: 3, role: "leader", log: [1] });
    const v = expectViolation(monitor.check(), "Leader Completeness", /^S2 is leader of T3 without the entry of T1 committed at index 2$/);
    expect(violationMessage(v, 0)).toContain("S2's log ends at index 1");
  });

  it("fails when an entry is seen committed in an earlier term than a current leader's, which lacks it", () => {
    const { monitor, peers } = cluster(3);
    peers[2]!.set({ term: 4, role: "leader", log: [1, 4] });
    expect(monitor.check()).toBeUndefined();
    peers[1]!.set({ term: 2, log: [1, 2], commitIndex: 2 });
    expectViolation(monitor.check(), "Leader Completeness", /^S2 is leader of T4 without the entry of T2 committed at index 2$/);
  });

  it("allows a stale leader (of an earlier term than the commit) to lack a later commit", () => {
    const { monitor, peers } = cluster(3);
    peers[2]!.set({ term: 2, role: "leader", log: [1, 2] });
    peers[1]!.set({ term: 3, log: [1, 3] });
    peers[0]!.set({ term: 3, log: [1, 3], commitIndex: 2 });
    expect(monitor.check()).toBeUndefined();
  });
});

describe("State Machine Safety", () => {
  it("fails when two servers commit different entries at one index", () => {
    const { monitor, peers } = cluster(3);
    peers[2]!.set({ term: 2, log: [1, 2] });
    peers[0]!.set({ term: 2, log: [1, 2], commitIndex: 2 });
    expect(monitor.check()).toBeUndefined();
    peers[1]!.set({ term: 3, log: [1, 3], commitIndex: 2 });
    expectViolation(monitor.check(), "State Machine Safety", /^S1 committed an entry of T3 at index 2, but S0 committed one of T2 there$/);
  });

  it("fails when a server changes an entry it had committed", () => {
    const { monitor, peers } = cluster(3);
    peers[1]!.set({ term: 2, log: [1, 2, 2] });
    peers[0]!.set({ term: 2, log: [1, 2, 2], commitIndex: 3 });
    expect(monitor.check()).toBeUndefined();
    peers[0]!.set({ term: 3, log: [1, 3] });
    expectViolation(monitor.check(), "State Machine Safety", /^S0 overwrote its committed entry at index 2 \(T2\) with one of T3, after committing through index 3$/);
  });

  it("fails when two servers apply different commands at one index (without inspect() too)", () => {
    const { monitor } = cluster(3, { inspect: false });
    expect(monitor.applied(0, 1, { op: "x" })).toBeUndefined();
    expect(monitor.applied(1, 1, { op: "x" })).toBeUndefined();
    expectViolation(monitor.applied(2, 1, { op: "y" }), "State Machine Safety", /^S2 applied \{"op":"y"\} at index 1, but S0 applied \{"op":"x"\} there$/);
  });

  it("allows a restarted server to replay what it committed before", () => {
    const { monitor, peers } = cluster(2);
    peers[1]!.set({ term: 1, log: [1, 1] });
    peers[0]!.set({ term: 1, log: [1, 1], commitIndex: 2 });
    expect(monitor.check()).toBeUndefined();
    monitor.unwatch(0);
    const again = new ScriptedPeer().set({ term: 1, log: [1, 1], commitIndex: 0 });
    monitor.watch(0, again.peer);
    expect(monitor.check()).toBeUndefined();
    again.set({ commitIndex: 2 });
    expect(monitor.check()).toBeUndefined();
  });
});

describe("State Machine Safety: commitment", () => {
  it("fails when an entry is committed while fewer than a majority store it", () => {
    const { monitor, peers } = cluster(5);
    for (const p of peers) p.set({ term: 2, log: [1] });
    expect(monitor.check()).toBeUndefined();
    // The leader counted S1 (a reply to an earlier request): only S0 and S2 store index 2.
    peers[2]!.set({ log: [1, 2] });
    peers[0]!.set({ role: "leader", log: [1, 2], commitIndex: 2 });
    expectViolation(monitor.check(), "State Machine Safety", /^S0 committed index 2 \(T2\), which only 2 of 5 servers store \(S0, S2\)$/);
  });

  it("counts a crashed server and a compacted entry as storing it (they may), and checks an index once", () => {
    const { monitor, peers } = cluster(3);
    peers[1]!.set({ term: 2, snapshotIndex: 2, snapshotTerm: 2 });
    monitor.unwatch(2); // crashed: what it persisted is unknown here
    peers[0]!.set({ term: 2, role: "leader", log: [1, 2], commitIndex: 2 });
    expect(monitor.check()).toBeUndefined();
  });

  it("fails when a follower deletes entries another server committed, above its own commitIndex", () => {
    const { monitor, peers } = cluster(3);
    peers[0]!.set({ term: 2, role: "leader", log: [1, 2, 2, 2], commitIndex: 4 });
    peers[1]!.set({ term: 2, log: [1, 2, 2, 2], commitIndex: 1 });
    expect(monitor.check()).toBeUndefined();
    // It installs the leader's snapshot through 2 and drops the entries after it.
    peers[1]!.set({ snapshotIndex: 2, snapshotTerm: 2, log: [], commitIndex: 2 });
    expectViolation(monitor.check(), "State Machine Safety", /^S1 deleted its entries from index 3 \(T2\) on \(its log now ends at 2\), which S0 had committed$/);
  });

  it("allows a follower to install a snapshot that keeps its later entries, and to drop uncommitted ones", () => {
    const { monitor, peers } = cluster(3);
    peers[0]!.set({ term: 2, role: "leader", log: [1, 2, 2, 2], commitIndex: 3 });
    peers[1]!.set({ term: 2, log: [1, 2, 2, 2, 1], commitIndex: 1 });
    expect(monitor.check()).toBeUndefined();
    peers[1]!.set({ snapshotIndex: 2, snapshotTerm: 2, log: [2, 2], commitIndex: 2 });
    expect(monitor.check()).toBeUndefined();
  });

  it("fails when a server's commitIndex goes back (an older snapshot installed)", () => {
    const { monitor, peers } = cluster(3);
    peers[0]!.set({ term: 2, role: "leader", log: [1, 2, 2], commitIndex: 3 });
    peers[1]!.set({ term: 2, log: [1, 2, 2], commitIndex: 3 });
    expect(monitor.check()).toBeUndefined();
    peers[1]!.set({ snapshotIndex: 1, snapshotTerm: 1, log: [2, 2], commitIndex: 1 });
    expectViolation(monitor.check(), "State Machine Safety", /^S1's commitIndex went back from 3 to 1$/);
  });
});

describe("a violation", () => {
  it("stays reported: a run that broke a property is over", () => {
    const { monitor, peers } = cluster(2);
    peers[0]!.set({ term: 1, role: "leader" });
    peers[1]!.set({ term: 1, role: "leader" });
    const v = monitor.check();
    peers[1]!.set({ role: "follower" });
    expect(monitor.check()).toBe(v);
  });

  it("reads: property and summary first, then evidence, the property's statement, who and when", () => {
    const text = violationMessage(
      { property: "Log Matching", summary: "S0 and S1 disagree", details: ["more"], peers: [0, 1], terms: [2, 1], indices: [3, 4] },
      2500,
    );
    expect(text.split("\n")).toEqual([
      "Log Matching violated: S0 and S1 disagree",
      "  more",
      "  Log Matching (Raft, Figure 3): if two logs contain an entry with the same index and term, then the logs are identical in all entries up through that index.",
      "  peers S0 S1 · terms T2 T1 · indices 3 4 · virtual time 2.500s",
    ]);
  });
});

describe("ShadowLog", () => {
  const view = (base: number, baseTerm: number, terms: number[]) => ({
    snapshotIndex: base,
    snapshotTerm: baseTerm,
    lastIndex: base + terms.length,
    termAt: (i: number) => (i === base ? baseTerm : i > base && i <= base + terms.length ? terms[i - base - 1] : undefined),
  });

  it("says where a log changed: appended, overwritten, truncated, compacted", () => {
    const s = new ShadowLog();
    expect(s.update(view(0, 0, [1, 1]))).toEqual({ from: 1, previousTerm: undefined, previousLastIndex: 0, previousTerms: [] });
    expect(s.update(view(0, 0, [1, 1, 2]))).toEqual({ from: 3, previousTerm: undefined, previousLastIndex: 2, previousTerms: [] });
    expect(s.update(view(0, 0, [1, 3]))).toEqual({ from: 2, previousTerm: 1, previousLastIndex: 3, previousTerms: [] });
    expect(s.update(view(0, 0, [1]))).toEqual({ from: 2, previousTerm: 3, previousLastIndex: 2, previousTerms: [] });
    expect(s.update(view(1, 1, [4]))).toEqual({ from: 2, previousTerm: undefined, previousLastIndex: 1, previousTerms: [] });
    expect(s.lastIndex).toBe(2);
    expect(s.termAt(1)).toBe(1);
    expect(s.termAt(2)).toBe(4);
    expect(s.differs(view(1, 1, [4]))).toBe(false);
    expect(s.differs(view(1, 1, [5]))).toBe(true);
  });
});
