import { describe, expect, it } from "vitest";
import { StateEncoder, decodeState, encodeState, type PersistentState } from "./state-codec.js";

describe("state codec", () => {
  it("round-trips state with plain-data commands", () => {
    const state: PersistentState = {
      currentTerm: 7,
      votedFor: 2,
      snapshotIndex: 10,
      snapshotTerm: 5,
      entries: [
        { term: 5, command: 42 },
        { term: 6, command: "x" },
        { term: 7, command: { op: "Put", key: "k", value: "v", nested: [1, null, true] } },
      ],
    };
    expect(decodeState(encodeState(state))).toEqual(state);
  });

  it("encodes 'no vote' and an empty log", () => {
    const state: PersistentState = { currentTerm: 0, votedFor: null, snapshotIndex: 0, snapshotTerm: 0, entries: [] };
    expect(decodeState(encodeState(state))).toEqual(state);
  });

  it("reads empty bytes as no saved state", () => {
    expect(decodeState(new Uint8Array(0))).toBeUndefined();
  });

  it("is compact: about 10 bytes of overhead per numeric entry", () => {
    const entries = Array.from({ length: 100 }, (_, i) => ({ term: 3, command: 1_000_000 + i }));
    const bytes = encodeState({ currentTerm: 3, votedFor: 1, snapshotIndex: 0, snapshotTerm: 0, entries });
    expect(bytes.length).toBeLessThan(100 * 14);
    expect(new TextDecoder().decode(bytes).startsWith("[3,1,0,0,[[3,1000000],")).toBe(true);
  });

  it("rejects bytes that are not Raft state", () => {
    expect(() => decodeState(new TextEncoder().encode('{"term":1}'))).toThrow(/Raft state/);
  });
});

describe("StateEncoder", () => {
  it("encodes exactly like encodeState while the log is appended, truncated and compacted", async () => {
    const { RaftLog } = await import("./log.js");
    const log = new RaftLog();
    const encoder = new StateEncoder();
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let step = 0; step < 2000; step++) {
      const r = rand(10);
      if (r < 6) {
        log.append({ term: 1 + rand(5), command: rand(3) === 0 ? { k: `k${step}`, v: "é✓" } : step });
      } else if (r < 8 && log.lastIndex() > log.snapshotIndex) {
        log.truncate(log.snapshotIndex + 1 + rand(log.lastIndex() - log.snapshotIndex));
      } else if (r < 9 && log.lastIndex() > log.snapshotIndex) {
        const index = log.snapshotIndex + 1 + rand(log.lastIndex() - log.snapshotIndex);
        log.compact(index, log.termAt(index)!);
      } else {
        log.compact(log.lastIndex() + rand(3), 9); // a leader's snapshot, maybe beyond our log
      }
      const state = {
        currentTerm: step,
        votedFor: rand(2) === 0 ? null : 1,
        snapshotIndex: log.snapshotIndex,
        snapshotTerm: log.snapshotTerm,
        entries: log.stored(),
      };
      expect(encoder.encode(state)).toEqual(encodeState(state));
    }
  });
});
