/**
 * The nemesis's parts: fault plans drawn per seed, schedules that read as scenarios and replay, and
 * runs that are a pure function of (code, seed) with the nemesis on, replaying exactly from their
 * recorded schedule (what shrinking relies on).
 */
import { describe, expect, it } from "vitest";
import { Random, Trace, runSim } from "../sim/index.js";
import type { TestInfo } from "../tester/test-info.js";
import { NO_FAULTS, describeFaultPlan, drawFaultPlan } from "./fault-plan.js";
import { ScheduleReplay, describeFault, parseScheduleFile, type FaultEvent, type ScheduleFile } from "./schedule.js";
import { SCENARIOS } from "./scenarios/index.js";
import type { FaultPlan } from "./fault-plan.js";

const stream = (seed: number): Random => new Random(seed, "nemesis plan", new Trace(), () => 0);

describe("fault plans", () => {
  it("are drawn from the seed alone, and differ between seeds", () => {
    expect(drawFaultPlan(stream(7), "full")).toEqual(drawFaultPlan(stream(7), "full"));
    const plans = new Set(Array.from({ length: 20 }, (_, s) => JSON.stringify(drawFaultPlan(stream(s), "full"))));
    expect(plans.size).toBe(20);
  });

  it("switch each kind of fault off in some runs (swarm testing), and the lab profile touches messages only", () => {
    const full = Array.from({ length: 200 }, (_, s) => drawFaultPlan(stream(s), "full"));
    for (const key of ["dropPerMille", "jitterMs", "stalePerMille", "duplicatePerMille", "historyPerMille", "holdReplyPerMille", "crashAfterReplyPerMille", "crashEveryMs", "partitionEveryMs"] as const) {
      expect(full.some((p) => p[key] === 0), key).toBe(true);
      expect(full.some((p) => p[key] > 0), key).toBe(true);
    }
    expect(new Set(full.map((p) => p.strategy))).toEqual(new Set(["none", "split-vote", "figure-8"]));
    for (let s = 0; s < 100; s++) {
      const lab = drawFaultPlan(stream(s), "lab");
      expect(lab).toMatchObject({ duplicatePerMille: 0, historyPerMille: 0, holdReplyPerMille: 0, crashAfterReplyPerMille: 0, crashAfterSendPerMille: 0, crashEveryMs: 0, partitionEveryMs: 0, strategy: "none" });
      expect(lab.dropPerMille).toBeLessThanOrEqual(30);
      const noCrash = drawFaultPlan(stream(s), "no-crash");
      expect(noCrash).toMatchObject({ crashAfterReplyPerMille: 0, crashAfterVotePerMille: 0, crashEveryMs: 0, strategy: "none" });
    }
  });

  it("read in one line", () => {
    expect(describeFaultPlan(NO_FAULTS)).toBe(
      "drop off · jitter off · reorder off · stale requests off · copies off · late replies off · earlier messages again off · held replies off · crash after reply off · crash after send off · " +
        "crash after vote off · crash after start off · crash after client write off · slow votes off · new leaders hit off · crashes off · partitions off",
    );
    const plan: FaultPlan = { ...NO_FAULTS, dropPerMille: 120, jitterMs: 12, crashAfterVotePerMille: 300, downMaxMs: 800, partitionEveryMs: 4000, partitionMaxMs: 2500, strategy: "figure-8", strategyPerMille: 700 };
    const line = describeFaultPlan(plan);
    expect(line).not.toContain("\n");
    for (const part of ["drop 120‰", "jitter <12 ms", "crash after vote 300‰", "down ≤800 ms", "partitions ~4000 ms ≤2500 ms", "strategy figure-8 700‰"]) {
      expect(line).toContain(part);
    }
  });
});

describe("fault schedules", () => {
  const msg = { point: "request", method: "Raft.AppendEntries", from: "S0", to: "S2", at: 1203, nth: 0 } as const;
  const faults: FaultEvent[] = [
    { ...msg, id: 0, kind: "drop" },
    { ...msg, id: 1, at: 1500, kind: "delay", ms: 900, why: "stale" },
    { ...msg, id: 2, point: "handled", method: "Raft.RequestVote", from: "S1", at: 1600, kind: "crash", server: 2, downMs: 0 },
    { id: 3, point: "scheduler", at: 2000, gapMs: 2000, kind: "partition", groups: [[0, 1], [2, 3, 4]], ms: 800 },
    { ...msg, id: 4, point: "watch", method: "new leader", from: "nemesis", to: "S3", at: 2500, kind: "isolate", server: 3, ms: 1200 },
    { ...msg, id: 5, point: "start", method: "start()", from: "client 0", to: "S1", at: 2600, kind: "crash", server: 1, downMs: -1, restart: 4 },
    { ...msg, id: 6, method: "KVServer.Put", from: "client 2", to: "S4", at: 2700, kind: "duplicate", ms: 1300 },
    {
      ...msg,
      id: 7,
      point: "history",
      method: "new leader",
      from: "nemesis",
      at: 2800,
      kind: "redeliver",
      afterMs: 12,
      sent: { method: "Raft.AppendEntries", from: "S0", to: "S2", at: 1203, nth: 0, summary: "T3 prev 4/T2 +2 entries commit 5" },
    },
    { ...msg, id: 8, point: "reply", method: "Raft.RequestVote", from: "S1", at: 2900, kind: "hold", until: "next election", maxMs: 4000 },
  ];

  it("read as a scenario: time, fault, peers", () => {
    expect(faults.map(describeFault)).toEqual([
      "  1.203s  drop the request of Raft.AppendEntries S0 -> S2",
      "  1.500s  delay the request of Raft.AppendEntries S0 -> S2 by 900 ms (delivered late, after newer ones)",
      "  1.600s  crash S2 right after S2 handled Raft.RequestVote from S1 (its reply still goes out); restart at once",
      "  2.000s  partition S0 S1 | S2 S3 S4 for 800 ms",
      "  2.500s  cut S3 off, right after it became leader, for 1200 ms (its messages in flight are lost)",
      "  2.600s  crash S1 right after it accepted a command from client 0, before sending it; keep it down; restart S4",
      "  2.700s  deliver the request of KVServer.Put client 2 -> S4 again 1300 ms later (a stale copy)",
      "  2.800s  deliver again the Raft.AppendEntries S0 -> S2 of 1.203s (T3 prev 4/T2 +2 entries commit 5), 12 ms after S2 saw a new leader (an earlier message)",
      "  2.900s  hold the reply of Raft.RequestVote S1 -> S2 until S1 asks for votes in a later term (at most 4000 ms)",
    ]);
  });

  it("replay each fault on its message: the exact one, else the first such message after its time; removed ones never", () => {
    const replay = new ScheduleReplay(faults, new Set([1]));
    expect(replay.take({ ...msg, at: 1203, nth: 1 })).toEqual([]); // another message at that instant
    expect(replay.take(msg).map((f) => f.id)).toEqual([0]);
    expect(replay.take({ ...msg, at: 1600 })).toEqual([]); // fault 1 was removed
    // Fault 2 recorded at 1600 but the run diverged: the first such message after it gets it.
    const late = { point: "handled", method: "Raft.RequestVote", from: "S1", to: "S2", at: 1700, nth: 0 } as const;
    expect(replay.take(late).map((f) => f.id)).toEqual([2]);
    expect(replay.schedulerFaults().map(({ fault, apply }) => [fault.id, apply])).toEqual([[3, true]]);
  });

  it("files are checked, with an error that says what to pass", () => {
    expect(() => parseScheduleFile("{", "x.json")).toThrow(/^x\.json: not JSON .*; pass a schedule written by npm run explore/);
    expect(() => parseScheduleFile('{"version":2}', "y.json")).toThrow("y.json: not a version-1 fault schedule");
    const good: ScheduleFile = { version: 1, file: "f", test: "T", seed: 1, plan: NO_FAULTS, faults };
    expect(parseScheduleFile(JSON.stringify(good), "z.json")).toEqual(good);
    expect(() => parseScheduleFile(JSON.stringify({ ...good, faults: [{ at: 1 }] }), "w.json")).toThrow("w.json: fault 0 has no kind, at or id");
  });
});

/** Runs a scenario once in a simulation of its own; resolves to its outcome and schedule. */
async function run(name: string, seed: number, replay?: { schedule: ScheduleFile; removed: ReadonlySet<number> }) {
  const faults: FaultEvent[] = [];
  let plan: FaultPlan | undefined;
  const t: TestInfo = { name, seed, wallMs: () => 0, note: () => {} };
  const quiet = console.log;
  console.log = () => {};
  try {
    const r = await runSim(seed, () => SCENARIOS[name]!(t, { replay, onFault: (f) => void faults.push(f), onPlan: (p) => void (plan = p) }), { recordTrace: true });
    return { virtualMs: r.virtualMs, traceHash: r.traceHash, faults, plan: plan! };
  } finally {
    console.log = quiet;
  }
}

describe("runs under the nemesis", () => {
  it("are a pure function of the seed: the same faults and the same run, twice", async () => {
    const a = await run("ExploreRaftPersistence3C", 11);
    const b = await run("ExploreRaftPersistence3C", 11);
    expect(a.faults.length).toBeGreaterThan(0);
    expect(b.faults).toEqual(a.faults);
    expect(b.traceHash).toBe(a.traceHash);
  });

  it("replay exactly from their recorded schedule, and without a fault once it is removed", async () => {
    // ExploreKV4B only where this tree has Lab 4 (a Lab 3 handout has Lab 3's scenarios alone).
    for (const [name, seed] of ([["ExploreRaftPersistence3C", 8], ["ExploreKV4B", 3]] as const).filter(([n]) => SCENARIOS[n] !== undefined)) {
      const recorded = await run(name, seed);
      // Seed 8's plan delivers copies of requests, earlier messages again and holds replies; seed 3's
      // (KV) earlier messages: they replay like any other fault.
      if (name === "ExploreRaftPersistence3C") for (const kind of ["duplicate", "redeliver", "hold"]) expect(recorded.faults.some((f) => f.kind === kind), kind).toBe(true);
      else expect(recorded.faults.some((f) => f.kind === "redeliver")).toBe(true);
      const schedule: ScheduleFile = { version: 1, file: "f", test: name, seed, plan: recorded.plan, faults: recorded.faults };
      const replayed = await run(name, seed, { schedule, removed: new Set() });
      expect(replayed.virtualMs, name).toBe(recorded.virtualMs);
      expect(replayed.faults, name).toEqual(recorded.faults);
      const none = await run(name, seed, { schedule, removed: new Set(recorded.faults.map((f) => f.id)) });
      expect(none.faults, name).toEqual([]);
    }
  });

  it("refuse to replay a schedule under a seed whose plan differs, saying how to replay it", async () => {
    const recorded = await run("ExploreRaftAgreement3B", 2);
    const schedule: ScheduleFile = { version: 1, file: "f", test: "ExploreRaftAgreement3B", seed: 2, plan: recorded.plan, faults: recorded.faults };
    await expect(run("ExploreRaftAgreement3B", 3, { schedule, removed: new Set() })).rejects.toThrow(/recorded with another fault plan than seed 3 draws here .*replay it with its own seed/);
  });
});
