/**
 * The debugger's recorder: a recorded run is the same run (trace hash, events, end time); its
 * recorded changes rebuild each peer's `inspect()` state; edits make a different run, the same
 * one every time, and name what they hit. The peers are a toy Raft (below), so these tests hold
 * whatever Raft the lab has (a handout's skeleton included).
 */
import { describe, expect, it } from "vitest";
import { Service } from "../labrpc/index.js";
import type { RaftInspection, RaftPeer } from "../raft/api.js";
import { makeRaftTester, type RaftServerFactory } from "../raft/tester.js";
import { go, now, sleep } from "../runtime/index.js";
import { runSim, type Simulation } from "../sim/index.js";
import type { Edit } from "./edits.js";
import { Recorder } from "./recorder.js";
import { INITIAL_PEER, type PeerChange, type Recording } from "./recording.js";

const RUN = { name: "TestRecorded", fullName: "TestRecorded", file: "src/debugger/recorder.test.ts", seed: 5 };
const SERVERS = 3;

/**
 * A toy Raft, deterministic and simple: the term is 1 + ⌊now / 400 ms⌋ and server `term % 3` leads
 * it; every 50 ms the leader appends an entry of its term and sends its whole log to the others in
 * an AppendEntries, which replaces theirs (so logs grow, and are overwritten when leadership moves).
 */
const toyRaft: RaftServerFactory = (ends, me) => {
  let dead = false;
  const log: number[] = [0];
  let commitIndex = 0;
  const term = (): number => 1 + Math.floor(now() / 400);
  const leads = (): boolean => term() % SERVERS === me;
  go(`toy ticker S${me}`, async () => {
    while (!dead) {
      await sleep(50);
      if (dead || !leads()) continue;
      log.push(term());
      commitIndex = log.length - 2;
      for (let j = 0; j < ends.length; j++) if (j !== me) void ends[j]!.call("Raft.AppendEntries", { term: term(), entries: log.slice(1).map((t) => ({ term: t })) });
    }
  });
  const peer: RaftPeer = {
    start: () => ({ index: -1, term: term(), isLeader: false }),
    getState: () => ({ term: term(), isLeader: !dead && leads() }),
    snapshot: () => {},
    kill: () => void (dead = true),
    killed: () => dead,
    persistedSize: () => 0,
    inspect: (): RaftInspection => ({
      term: term(),
      votedFor: term() % SERVERS,
      role: leads() ? "leader" : "follower",
      snapshotIndex: 0,
      snapshotTerm: 0,
      lastIndex: log.length - 1,
      termAt: (i) => (i >= 0 && i < log.length ? log[i] : undefined),
      commitIndex,
      lastApplied: commitIndex,
    }),
  };
  const service = new Service("Raft", {
    AppendEntries: (args: { term: number; entries: { term: number }[] }) => {
      log.length = 1;
      for (const e of args.entries) log.push(e.term);
      commitIndex = Math.max(0, log.length - 2);
      return { term: term(), success: true };
    },
  });
  return { peer, service };
};

/** A short run: a few leaders, then a crash and a restart. Returns the peers' final views. */
async function body(sim: Simulation): Promise<(RaftInspection | undefined)[]> {
  const ts = makeRaftTester({ name: RUN.name, seed: RUN.seed, wallMs: () => 0, note: () => {} }, { servers: SERVERS, raft: toyRaft });
  try {
    await sleep(1000);
    // S2 leads term 5 (from 1.6 s): by then it has the whole log again, from S1.
    ts.crash1(2);
    await sleep(300);
    ts.start1(2);
    ts.connect(2);
    await sleep(700);
    expect(sim.now()).toBe(2000);
    return [0, 1, 2].map((i) => ts.raft(i)?.inspect?.());
  } finally {
    ts.cleanup();
  }
}

async function run(recorder: Recorder | undefined): Promise<{ ok: boolean; hash: string; events: number; virtualMs: number; views: (RaftInspection | undefined)[] }> {
  let sim: Simulation | undefined;
  try {
    const r = await runSim(
      RUN.seed,
      (s) => {
        sim = s;
        recorder?.attach(s);
        return body(s);
      },
      { log: true },
    );
    return { ok: true, hash: r.traceHash, events: r.events, virtualMs: r.virtualMs, views: r.value };
  } catch {
    return { ok: false, hash: sim!.trace.hash, events: sim!.eventCount, virtualMs: sim!.now(), views: [] };
  }
}

async function recorded(edits: readonly Edit[] = []): Promise<{ rec: Recording; hash: string; views: (RaftInspection | undefined)[] }> {
  const recorder = new Recorder(RUN, { edits });
  const r = await run(recorder);
  return { rec: recorder.finish({ ok: r.ok, traceHash: r.hash, wallMs: 0 }), hash: r.hash, views: r.views };
}

/** Each peer's scalars and log terms after applying every change (what the page does). */
function rebuild(changes: readonly PeerChange[], peers: number): { state: Record<string, unknown>; terms: number[] }[] {
  const out = Array.from({ length: peers }, () => ({ state: { ...INITIAL_PEER } as Record<string, unknown>, terms: [0] }));
  for (const c of changes) {
    const p = out[c.peer]!;
    Object.assign(p.state, c.set ?? {});
    if (c.logFrom !== undefined) {
      p.terms.length = Math.min(p.terms.length, c.logFrom);
      while (p.terms.length < c.logFrom) p.terms.push(-1);
      p.terms.push(...c.logTerms!);
    }
  }
  return out;
}

describe("Recorder", () => {
  it("records without changing the run: same trace hash, events and end time", async () => {
    const plain = await run(undefined);
    expect(plain.ok).toBe(true);
    const { rec, hash } = await recorded();
    expect(hash).toBe(plain.hash);
    expect(rec.steps.at(-1)!.time).toBe(plain.virtualMs);
    expect(rec.events.filter((e) => e.kind === "timer").length).toBe(plain.events);
    expect(rec.peers).toBe(3);
    expect(rec.messages.length).toBeGreaterThan(20);
    expect(rec.events.some((e) => e.kind === "crash")).toBe(true);
    expect(rec.events.some((e) => e.kind === "start" && e.text.includes("restarted"))).toBe(true);
    // Steps are in order, and every event belongs to a recorded step.
    for (let i = 1; i < rec.events.length; i++) expect(rec.events[i]!.step).toBeGreaterThanOrEqual(rec.events[i - 1]!.step);
    expect(rec.events.at(-1)!.step).toBeLessThan(rec.steps.length);
  });

  it("rebuilds every peer's final inspect() from its recorded changes", async () => {
    const { rec, views } = await recorded();
    const rebuilt = rebuild(rec.changes, rec.peers);
    views.forEach((v, i) => {
      expect(v).toBeDefined();
      const p = rebuilt[i]!;
      expect(p.state).toMatchObject({ term: v!.term, role: v!.role, votedFor: v!.votedFor, commitIndex: v!.commitIndex, lastApplied: v!.lastApplied, lastIndex: v!.lastIndex });
      for (let index = Math.max(1, v!.snapshotIndex + 1); index <= v!.lastIndex; index++) expect(p.terms[index]).toBe(v!.termAt(index));
    });
  });

  it("a dropped message makes another run, the same one every time, and says what it hit", async () => {
    const { rec } = await recorded();
    // An AppendEntries delivered half-way through.
    const m = rec.messages.find((x) => x.method === "Raft.AppendEntries" && x.sentAt > 500 && x.deliverAt !== undefined && x.lost !== true)!;
    expect(m).toBeDefined();
    const drop: Edit = { kind: "drop", point: "request", method: m.method, from: m.from, to: m.to, at: m.sentAt, nth: m.nth };
    const a = await recorded([drop]);
    const b = await recorded([drop]);
    expect(a.hash).not.toBe((await run(undefined)).hash);
    expect(a.hash).toBe(b.hash);
    const edited = a.rec.messages.find((x) => x.method === m.method && x.from === m.from && x.to === m.to && x.sentAt === m.sentAt && x.nth === m.nth)!;
    expect(edited.lost).toBe(true);
    expect(a.rec.events.filter((e) => e.kind === "edit").map((e) => e.text)).toEqual([expect.stringMatching(/drop the request of Raft.AppendEntries/)]);
  });

  it("crashes a peer right after the chosen step", async () => {
    const { rec } = await recorded();
    const step = Math.floor(rec.steps.length / 3);
    const crash: Edit = { kind: "crash", step, at: rec.steps[step]!.time, server: 0 };
    const a = await recorded([crash]);
    const edit = a.rec.events.find((e) => e.kind === "edit")!;
    expect(edit.step).toBe(step + 1);
    const crashed = a.rec.events.find((e) => e.kind === "crash" && e.peer === 0 && e.step === step + 1);
    expect(crashed).toBeDefined();
  });
});
