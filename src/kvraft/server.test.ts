import { describe, expect, it } from "vitest";
import { Service } from "../labrpc/index.js";
import { sleep, type Channel } from "../runtime/index.js";
import { Persister, type ApplyMsg, type RaftPeer, type RaftServerFactory } from "../raft/index.js";
import { runSim } from "../sim/index.js";
import { startKVServer } from "./server.js";
import { KVStateMachine } from "./state-machine.js";

/** A Raft that does nothing but hand its applyCh to the test, which plays Raft's part. */
function scriptedRaft(): { factory: RaftServerFactory; applyCh: () => Channel<ApplyMsg> } {
  let ch: Channel<ApplyMsg> | undefined;
  const peer: RaftPeer = {
    start: () => ({ index: -1, term: 0, isLeader: false }),
    getState: () => ({ term: 0, isLeader: false }),
    snapshot: () => {},
    kill: () => {},
    killed: () => false,
    persistedSize: () => 0,
  };
  return {
    factory: (_peers, _me, _persister, applyCh) => {
      ch = applyCh;
      return { peer, service: new Service("Raft", {}) };
    },
    applyCh: () => {
      if (ch === undefined) throw new Error("the KV server has not made its Raft yet");
      return ch;
    },
  };
}

/** A snapshot of a state machine that applied `n` gets. */
function snapshotThrough(n: number): Uint8Array {
  const sm = new KVStateMachine();
  for (let i = 1; i <= n; i++) sm.apply(i, { op: "get", key: "k", clientId: 1, requestId: i });
  return sm.encode();
}

describe("KVServer applier", () => {
  it("installs a snapshot whose index matches the state it holds", async () => {
    const raft = scriptedRaft();
    await runSim(1, async () => {
      startKVServer([], 0, new Persister(), -1, raft.factory);
      await raft.applyCh().send({ commandValid: false, snapshotValid: true, snapshot: snapshotThrough(5), snapshotTerm: 1, snapshotIndex: 5 });
      await sleep(1);
    });
  });

  it("fails the run, naming both indices, on a snapshot whose index does not match its state", async () => {
    const raft = scriptedRaft();
    await expect(
      runSim(1, async () => {
        startKVServer([], 0, new Persister(), -1, raft.factory);
        await raft.applyCh().send({ commandValid: false, snapshotValid: true, snapshot: snapshotThrough(5), snapshotTerm: 1, snapshotIndex: 7 });
        await sleep(1);
      }),
    ).rejects.toThrow("KVServer 0: Raft delivered a snapshot for index 7, but the snapshot holds the state through index 5");
  });
});
