/**
 * The monitors end to end, on the Raft tester: they watch every server from its start, check after
 * every step, fail the run with the property's name, mark it on the timeline, and say once when a
 * Raft has no inspect(). (Planted bugs in the real Raft are caught in `src/explore/mutants`.)
 */
import { describe, expect, it, vi } from "vitest";
import { Service } from "../labrpc/index.js";
import type { RaftPeer } from "../raft/api.js";
import { makeRaftTester, type RaftServerFactory } from "../raft/tester.js";
import { go, sleep, type LogEntry } from "../runtime/index.js";
import { runSim, type Simulation } from "../sim/index.js";
import { SafetyViolation, WITHOUT_INSPECT_NOTE } from "./attach.js";

/**
 * A fake Raft without inspect(): servers in `leaders` claim to lead `term` from `from` ms on. It
 * ticks every 50 ms (the monitors check after each step; without events there are no steps).
 */
function claimingLeaders(leaders: readonly number[], term: number, from: (me: number) => number): RaftServerFactory {
  return (_ends, me) => {
    let dead = false;
    const born = Date.now(); // virtual inside the run
    go(`fake ticker S${me}`, async () => {
      while (!dead) await sleep(50);
    });
    const peer: RaftPeer = {
      start: () => ({ index: -1, term, isLeader: false }),
      getState: () => ({ term, isLeader: !dead && leaders.includes(me) && Date.now() - born >= from(me) }),
      snapshot: () => {},
      kill: () => void (dead = true),
      killed: () => dead,
      persistedSize: () => 0,
    };
    return { peer, service: new Service("Raft", {}) };
  };
}

/** Runs a 3-server Raft tester on `raft` for `ms` virtual ms; returns how it ended and its log. */
async function run(raft: RaftServerFactory, ms: number): Promise<{ error: unknown; logs: readonly LogEntry[] }> {
  let sim: Simulation | undefined;
  try {
    await runSim(
      1,
      async (s) => {
        sim = s;
        makeRaftTester({ name: "monitors", seed: 1, wallMs: () => 0, note: () => {} }, { servers: 3, raft });
        await sleep(ms);
      },
      { log: true },
    );
    return { error: undefined, logs: sim?.log.entries ?? [] };
  } catch (error) {
    return { error, logs: sim?.log.entries ?? [] };
  }
}

describe("monitorRaftCluster on the Raft tester", () => {
  it("fails the run at the step where a second leader of a term appears, naming the property, and marks it", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      const { error, logs } = await run(claimingLeaders([0, 2], 1, (me) => (me === 0 ? 100 : 350)), 1000);
      expect(error).toBeInstanceOf(SafetyViolation);
      const v = error as SafetyViolation;
      expect(v.property).toBe("Election Safety");
      expect(v.message.split("\n")[0]).toBe("Election Safety violated: S0 and S2 were both leaders of term 1");
      expect(v.message).toContain("virtual time 0.350s");
      const mark = logs.find((e) => e.mark?.kind === "violation");
      expect(mark).toMatchObject({ time: 350, peer: "monitor", mark: { kind: "violation", property: "Election Safety", peers: [0, 2] } });
      // The note about the missing inspect() is in the run's log (and said once on the console).
      expect(logs.some((e) => e.message === WITHOUT_INSPECT_NOTE)).toBe(true);
    } finally {
      log.mockRestore();
    }
  });

  it("stays quiet while one server leads", async () => {
    const { error } = await run(claimingLeaders([1], 1, () => 0), 2000);
    expect(error).toBeUndefined();
  });

  it("on a skeleton, says what is not implemented, without the monitor's stack", async () => {
    const skeleton: RaftServerFactory = (ends, me) => {
      const peer = claimingLeaders([], 1, () => 0)(ends, me, undefined as never, undefined as never).peer;
      peer.getState = () => {
        throw new Error("not implemented: Raft.getState (3A), in src/raft/raft.ts");
      };
      return { peer, service: new Service("Raft", {}) };
    };
    const { error } = await run(skeleton, 1000);
    expect(error).toBeInstanceOf(Error);
    const e = error as Error;
    expect(e.message.split("\n")[0]).toBe("not implemented: Raft.getState (3A), in src/raft/raft.ts");
    expect(e.message).toContain("the safety monitors read every running peer after each step");
    expect(e.stack).not.toMatch(/checkAll|raft-monitor/);
  });

  it("can be turned off (for the tester's own tests of its checks)", async () => {
    const r = await runSim(1, async () => {
      makeRaftTester({ name: "off", seed: 1, wallMs: () => 0, note: () => {} }, { servers: 3, raft: claimingLeaders([0, 1], 1, () => 0), monitors: false });
      await sleep(1000);
    });
    expect(r.virtualMs).toBe(1000);
  });
});
