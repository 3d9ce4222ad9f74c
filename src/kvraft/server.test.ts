import { describe, expect, it } from "vitest";
import { Service } from "../labrpc/index.js";
import { sleep, type Channel } from "../runtime/index.js";
import type { ReadIndexResult } from "../raft/api.js";
import { Persister, type ApplyMsg, type RaftPeer, type RaftServerFactory } from "../raft/index.js";
import { runSim } from "../sim/index.js";
import { startKVServer } from "./server.js";
import { KVStateMachine } from "./state-machine.js";

/**
 * A Raft that does nothing but hand its applyCh to the test, which plays Raft's part; with
 * `readIndex`, it also answers readIndex() with it.
 */
function scriptedRaft(readIndex?: () => Promise<ReadIndexResult>): { factory: RaftServerFactory; applyCh: () => Channel<ApplyMsg> } {
  let ch: Channel<ApplyMsg> | undefined;
  const peer: RaftPeer = {
    ...(readIndex !== undefined ? { readIndex } : {}),
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

describe("KVServer reads by ReadIndex", () => {
  const putAt = (index: number, value: string): ApplyMsg => ({
    commandValid: true,
    command: { op: "put", key: "k", value, clientId: 9, requestId: index },
    commandIndex: index,
    snapshotValid: false,
  });

  it("answers a get only once the state machine has applied through the read index", async () => {
    const raft = scriptedRaft(async () => ({ kind: "ready", index: 2 }));
    const answers: unknown[] = [];
    await runSim(1, async () => {
      const kv = startKVServer([], 0, new Persister(), -1, raft.factory);
      expect(kv.serveReadsByReadIndex()).toBe(true);
      await raft.applyCh().send(putAt(1, "stale"));
      const get = kv.services()[0]!.handler("Get");
      const answered = Promise.resolve(get({ key: "k", clientId: 1, requestId: 1 })).then((r) => answers.push(r));
      await sleep(10);
      expect(answers).toEqual([]); // index 2 is not applied yet: answering now would miss it
      await raft.applyCh().send(putAt(2, "fresh"));
      await answered;
      expect(answers).toEqual([{ err: "OK", value: "fresh" }]);
    });
  });

  it("answers ErrWrongLeader when Raft cannot confirm a read index, and goes through the log before its first commit of a term", async () => {
    let next: ReadIndexResult = { kind: "not-leader" };
    const raft = scriptedRaft(async () => next);
    await runSim(1, async () => {
      const kv = startKVServer([], 0, new Persister(), -1, raft.factory);
      kv.serveReadsByReadIndex();
      const get = kv.services()[0]!.handler("Get");
      expect(await get({ key: "k", clientId: 1, requestId: 1 })).toEqual({ err: "ErrWrongLeader", value: "" });
      // "not-yet": through the log, where this scripted Raft is no leader, so ErrWrongLeader again.
      next = { kind: "not-yet" };
      expect(await get({ key: "k", clientId: 1, requestId: 2 })).toEqual({ err: "ErrWrongLeader", value: "" });
    });
  });

  it("refuses to switch when the Raft peer has no readIndex()", async () => {
    await runSim(1, async () => {
      const kv = startKVServer([], 0, new Persister(), -1, scriptedRaft().factory);
      expect(kv.serveReadsByReadIndex()).toBe(false);
    });
  });
});
