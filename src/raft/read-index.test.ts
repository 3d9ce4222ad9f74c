import { describe, expect, it } from "vitest";
import { ReadRounds } from "./read-index.js";

/** A leader (peer 0) of `n` peers whose rounds are counted, with reads that record when they finish. */
function setup(n: number) {
  let broadcasts = 0;
  const rounds = new ReadRounds(0, n, () => broadcasts++);
  const done: string[] = [];
  const read = (name: string): void => rounds.register((ok) => done.push(`${name}:${ok ? "ready" : "failed"}`));
  return { rounds, done, read, broadcasts: () => broadcasts };
}

describe("ReadRounds (ReadIndex bookkeeping)", () => {
  it("releases a read once a majority acknowledges a round sent after it arrived", () => {
    const { rounds, done, read, broadcasts } = setup(3);
    const before = rounds.currentRound(); // stamped on a message sent before the read
    read("r1");
    expect(broadcasts()).toBe(1);
    expect(rounds.currentRound()).toBe(before + 1);
    rounds.acknowledge(1, before); // a reply to a message sent before the read: proves nothing about now
    expect(done).toEqual([]);
    rounds.acknowledge(1, rounds.currentRound());
    expect(done).toEqual(["r1:ready"]); // peer 1 and the leader: 2 of 3
  });

  it("needs a majority, not one peer, in a cluster of five", () => {
    const { rounds, done, read } = setup(5);
    read("r1");
    const r = rounds.currentRound();
    rounds.acknowledge(1, r);
    expect(done).toEqual([]);
    rounds.acknowledge(1, r); // the same peer twice counts once
    expect(done).toEqual([]);
    rounds.acknowledge(3, r);
    expect(done).toEqual(["r1:ready"]);
  });

  it("batches reads that arrive while a round is in flight into the next round", () => {
    const { rounds, done, read, broadcasts } = setup(3);
    read("r1");
    const first = rounds.currentRound();
    read("r2");
    read("r3");
    expect(broadcasts()).toBe(1); // one round in flight at a time
    rounds.acknowledge(2, first);
    expect(done).toEqual(["r1:ready"]);
    // r2 and r3 arrived after round `first` was sent: the next round starts for both of them.
    expect(broadcasts()).toBe(2);
    expect(rounds.currentRound()).toBe(first + 1);
    rounds.acknowledge(2, first); // an old acknowledgement again: nothing
    expect(done).toEqual(["r1:ready"]);
    rounds.acknowledge(1, first + 1);
    expect(done).toEqual(["r1:ready", "r2:ready", "r3:ready"]);
    expect(broadcasts()).toBe(2);
  });

  it("counts a later round's acknowledgement for earlier rounds (a heartbeat after a lost round)", () => {
    const { rounds, done, read } = setup(3);
    read("r1");
    const r = rounds.currentRound();
    rounds.acknowledge(1, r + 5);
    expect(done).toEqual(["r1:ready"]);
  });

  it("fails every waiting read when leadership ends, and releases nothing afterwards", () => {
    const { rounds, done, read } = setup(3);
    read("r1");
    read("r2");
    rounds.failAll();
    expect(done).toEqual(["r1:failed", "r2:failed"]);
    rounds.acknowledge(1, 10);
    expect(done).toEqual(["r1:failed", "r2:failed"]);
  });

  it("answers at once in a single-peer cluster", () => {
    const { done, read } = setup(1);
    read("r1");
    expect(done).toEqual(["r1:ready"]);
  });

  it("ignores the leader's own acknowledgement", () => {
    const { rounds, done, read } = setup(3);
    read("r1");
    rounds.acknowledge(0, 99);
    expect(done).toEqual([]);
  });
});
