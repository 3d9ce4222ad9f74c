import { describe, expect, it } from "vitest";
import { runSim } from "../sim/index.js";
import { Persister, STORAGE_BYTES_PER_MS } from "./persister.js";

const bytes = (...xs: number[]) => new Uint8Array(xs);

describe("Persister", () => {
  it("starts empty", () => {
    const p = new Persister();
    expect(p.raftStateSize()).toBe(0);
    expect(p.snapshotSize()).toBe(0);
    expect(p.readRaftState()).toEqual(new Uint8Array(0));
    expect(p.readSnapshot()).toEqual(new Uint8Array(0));
  });

  it("saves state and snapshot together, and reports their sizes", () => {
    const p = new Persister();
    p.save(bytes(1, 2, 3), bytes(9));
    expect(p.readRaftState()).toEqual(bytes(1, 2, 3));
    expect(p.readSnapshot()).toEqual(bytes(9));
    expect(p.raftStateSize()).toBe(3);
    expect(p.snapshotSize()).toBe(1);
  });

  it("a null snapshot erases the previous one", () => {
    const p = new Persister();
    p.save(bytes(1), bytes(9, 9));
    p.save(bytes(2), null);
    expect(p.snapshotSize()).toBe(0);
    expect(p.readRaftState()).toEqual(bytes(2));
  });

  it("clones bytes on the way in and out", () => {
    const p = new Persister();
    const state = bytes(1, 2);
    p.save(state, null);
    state[0] = 7;
    expect(p.readRaftState()).toEqual(bytes(1, 2));
    const read = p.readRaftState();
    read[1] = 7;
    expect(p.readRaftState()).toEqual(bytes(1, 2));
  });

  it("copy() shares the saved state, and later saves to either stay apart (crash semantics)", () => {
    const old = new Persister();
    old.save(bytes(1), bytes(2));
    const restarted = old.copy();
    expect(restarted.readRaftState()).toEqual(bytes(1));
    expect(restarted.readSnapshot()).toEqual(bytes(2));
    // The crashed instance keeps writing into the orphaned persister; the new one does not see it.
    old.save(bytes(5, 5), bytes(6));
    expect(restarted.readRaftState()).toEqual(bytes(1));
    restarted.save(bytes(3), null);
    expect(old.readRaftState()).toEqual(bytes(5, 5));
  });

  it("rejects values that are not bytes", () => {
    const p = new Persister();
    expect(() => p.save("state" as unknown as Uint8Array, null)).toThrow("raftState must be a Uint8Array");
    expect(() => p.save(bytes(1), [1] as unknown as Uint8Array)).toThrow("snapshot must be a Uint8Array or null");
  });
});

describe("Persister: storage time in a simulation", () => {
  it("makes the saving node busy for the Raft state's bytes, and a new snapshot's, at STORAGE_BYTES_PER_MS", async () => {
    await runSim(1, async (sim) => {
      const node = sim.node("S0");
      const p = new Persister();
      const state = new Uint8Array(7000);
      const snapshot = new Uint8Array(14_000);
      sim.runIn(node, () => p.save(state, snapshot));
      expect(node.busyFor()).toBeCloseTo((7000 + 14_000) / STORAGE_BYTES_PER_MS, 9);
      // The same snapshot again (Raft passes it on every save) costs only the state.
      sim.runIn(node, () => p.save(state, snapshot));
      expect(node.busyFor()).toBeCloseTo((2 * 7000 + 14_000) / STORAGE_BYTES_PER_MS, 9);
      // Outside any node's code (the tester's main task), the main node pays.
      p.save(new Uint8Array(0), null);
      expect(sim.mainNode.busyFor()).toBe(0);
    });
  });
});

describe("Persister: a snapshot saved again", () => {
  it("saves the new bytes when the caller changed the same array in place (no stale copy is kept)", () => {
    const p = new Persister();
    const snap = bytes(1, 2, 3);
    p.save(bytes(9), snap);
    snap[1] = 7; // the same array, new contents
    p.save(bytes(9), snap);
    expect(p.readSnapshot()).toEqual(bytes(1, 7, 3));
    // ...and a later change to the caller's array does not reach what was saved.
    snap[0] = 5;
    expect(p.readSnapshot()).toEqual(bytes(1, 7, 3));
  });
});

