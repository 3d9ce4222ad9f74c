/**
 * Tests of the Raft tester itself, on tiny fake Rafts that misbehave on purpose: a check that
 * can never fail proves nothing, so each check here is shown to fail with the original's message.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { Service, type ClientEnd } from "../labrpc/index.js";
import { Channel, go, now, sleep } from "../runtime/index.js";
import { runSim } from "../sim/index.js";
import type { ApplyMsg, RaftPeer, StartResult } from "./api.js";
import type { Persister } from "./persister.js";
import { TEST_TIME_LIMIT_MS, labRaft, makeRaftTester, type RaftServerFactory, type RaftTester } from "./tester.js";

/** How a fake cluster behaves. */
interface Behavior {
  /** Servers that claim to lead term 1 (default [0]). */
  readonly leaders?: readonly number[];
  /**
   * What server `me` sends on applyCh once the leader starts `cmd` at `index` (default: the entry,
   * on every server). Return [] to apply nothing.
   */
  readonly plan?: (me: number, index: number, cmd: unknown) => ApplyMsg[];
  /** Each server's term (default 1 for all). */
  readonly term?: (me: number) => number;
}

const entry = (index: number, command: unknown): ApplyMsg => ({
  commandValid: true,
  command,
  commandIndex: index,
  snapshotValid: false,
});

/** One fake peer: no real consensus, the leader just tells every live peer what to apply. */
class FakeRaft implements RaftPeer {
  dead = false;
  readonly snapshots: { index: number; bytes: Uint8Array }[] = [];
  /** Messages waiting to go out on applyCh, in order. */
  readonly outbox = new Channel<ApplyMsg>(10_000);

  constructor(
    readonly me: number,
    readonly ends: readonly ClientEnd[],
    readonly persister: Persister,
    readonly cluster: FakeCluster,
    applyCh: Channel<ApplyMsg>,
  ) {
    go(`fake pump S${me}`, async () => {
      for (;;) {
        const m = await this.outbox.recv();
        if (this.dead) return;
        await applyCh.send(m);
      }
    });
  }

  start(command: unknown): StartResult {
    if (this.dead || !this.cluster.leaders.includes(this.me)) return { index: -1, term: 1, isLeader: false };
    const index = ++this.cluster.lastIndex;
    for (const peer of this.cluster.peers) {
      if (peer === undefined || peer.dead) continue;
      for (const m of this.cluster.plan(peer.me, index, command)) peer.outbox.trySend(m);
    }
    return { index, term: 1, isLeader: true };
  }

  getState(): { term: number; isLeader: boolean } {
    return { term: this.cluster.term(this.me), isLeader: !this.dead && this.cluster.leaders.includes(this.me) };
  }

  snapshot(index: number, snapshot: Uint8Array): void {
    this.snapshots.push({ index, bytes: snapshot });
    this.persister.save(new Uint8Array([1, 2, 3]), snapshot);
  }

  kill(): void {
    this.dead = true;
  }

  killed(): boolean {
    return this.dead;
  }

  persistedSize(): number {
    return this.persister.raftStateSize();
  }

  /** An RPC handler, to check the tester's network wiring. */
  ping(): { from: number } {
    return { from: this.me };
  }
}

/** The shared state of a fake cluster, and the factory the tester calls to (re)start a server. */
class FakeCluster {
  readonly peers: (FakeRaft | undefined)[] = [];
  readonly leaders: readonly number[];
  readonly plan: (me: number, index: number, cmd: unknown) => ApplyMsg[];
  readonly term: (me: number) => number;
  lastIndex = 0;

  constructor(behavior: Behavior = {}) {
    this.leaders = behavior.leaders ?? [0];
    this.plan = behavior.plan ?? ((_me, index, cmd) => [entry(index, cmd)]);
    this.term = behavior.term ?? (() => 1);
  }

  readonly factory: RaftServerFactory = (ends, me, persister, applyCh) => {
    const peer = new FakeRaft(me, ends, persister, this, applyCh);
    this.peers[me] = peer;
    return { peer, service: Service.of("Raft", peer, ["ping"]) };
  };

  peer(i: number): FakeRaft {
    const p = this.peers[i];
    if (p === undefined) throw new Error(`no fake peer ${i}`);
    return p;
  }
}

/** Runs `body` on a fake cluster in a simulation; rejects with the tester's failure, if any. */
async function onFake(
  behavior: Behavior,
  body: (ts: RaftTester, cluster: FakeCluster) => Promise<void>,
  options: { servers?: number; snapshot?: boolean; budgetMs?: number } = {},
): Promise<void> {
  const cluster = new FakeCluster(behavior);
  await runSim(
    1,
    async () => {
      const t = { name: "fake", seed: 1, wallMs: () => 0, note: () => {} };
      const ts = makeRaftTester(t, {
        servers: options.servers ?? 3,
        snapshot: options.snapshot ?? false,
        raft: cluster.factory,
        // These fakes break Raft's safety on purpose: the monitors would name the property first.
        monitors: false,
      });
      await body(ts, cluster);
    },
    { virtualBudgetMs: options.budgetMs ?? 120_000 },
  );
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("RaftTester on a well-behaved fake", () => {
  it("finds the leader, agrees, and prints the original's line", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    await onFake({}, async (ts) => {
      ts.begin("Test (fake): good");
      expect(await ts.checkOneLeader()).toBe(0);
      expect(ts.checkTerms()).toBe(1);
      expect(await ts.one(101, 3, false)).toBe(1);
      expect(await ts.one("x".repeat(100), 3, false)).toBe(2);
      expect(await ts.one({ a: [1, 2] }, 3, false)).toBe(3); // compared by value
      expect(ts.nCommitted(2)).toEqual([3, "x".repeat(100)]);
      expect(await ts.wait(3, 3, -1)).toEqual({ a: [1, 2] });
      ts.end();
    });
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0]?.[0]).toMatch(/^Test \(fake\): good \.\.\. Passed -- {3}0\.6 {2}3 {4}0 {7}0 {4}3 {2}seed=1 wall=0ms$/);
  });

  it("wires the network: connect, disconnect, crash and restart", async () => {
    await onFake({}, async (ts, cluster) => {
      const ping = (from: number, to: number) =>
        cluster.peer(from).ends[to]!.call<{ from: number }>("Raft.ping", {});
      expect(await ping(0, 1)).toEqual({ from: 1 });
      expect(ts.rpcCount(1)).toBe(1);
      ts.disconnect(1);
      expect(await ping(0, 1)).toBeUndefined();
      expect(await ping(1, 2)).toBeUndefined();
      ts.connect(1);
      expect(await ping(1, 2)).toEqual({ from: 2 });

      const old = cluster.peer(2);
      ts.crash1(2);
      expect(old.killed()).toBe(true);
      expect(ts.rafts[2]).toBeUndefined();
      ts.start1(2);
      expect(await ping(0, 2)).toBeUndefined(); // restarted, not yet connected
      ts.connect(2);
      expect(await ping(0, 2)).toEqual({ from: 2 });
      expect(await old.ends[0]!.call("Raft.ping", {})).toBeUndefined(); // the old instance's ends are dead
      expect(ts.rpcTotal()).toBeGreaterThanOrEqual(6);
    });
  });

  it("gives a restarted server the last saved state, and orphans the old instance's persister", async () => {
    await onFake({}, async (ts, cluster) => {
      const old = cluster.peer(1);
      old.persister.save(new Uint8Array([7, 7]), new Uint8Array(0));
      ts.crash1(1);
      old.persister.save(new Uint8Array(100), null); // a zombie write after the crash
      expect(ts.logSize()).toBe(2);
      ts.start1(1);
      const fresh = cluster.peer(1);
      expect(fresh).not.toBe(old);
      expect(fresh.persister).not.toBe(old.persister);
      expect([...fresh.persister.readRaftState()]).toEqual([7, 7]);
    });
  });
});

describe("RaftTester checks fail with the original messages", () => {
  it("an apply out of order", async () => {
    // Server 1 skips index 1.
    const plan = (me: number, index: number, cmd: unknown) => (me === 1 && index === 1 ? [] : [entry(index, cmd)]);
    await expect(
      onFake({ plan }, async (ts) => {
        await ts.one(101, 3, true);
      }),
    ).rejects.toThrow("apply error: server 1 apply out of order 2");
  });

  it("two servers committing different values", async () => {
    const plan = (me: number, index: number, cmd: unknown) => [entry(index, me === 2 ? 999 : cmd)];
    await expect(
      onFake({ plan }, async (ts) => {
        await ts.one(101, 3, false);
      }),
    ).rejects.toThrow(/^apply error: commit index=1 server=2 999 != server=[01] 101$/);
  });

  it("values compared by value, not identity: equal objects pass, different ones fail", async () => {
    const plan = (me: number, index: number, cmd: unknown) => [entry(index, me === 1 ? { k: "v", n: 2 } : cmd)];
    await expect(
      onFake({ plan }, async (ts) => {
        await ts.one({ k: "v", n: 1 }, 3, false);
      }),
    ).rejects.toThrow(/^apply error: commit index=1 server=[12] \{"k":"v","n":\d\} != server=\d \{"k":"v","n":\d\}$/);
  });

  it("servers that disagree on the term", async () => {
    await expect(onFake({ term: (me) => (me === 2 ? 2 : 1) }, async (ts) => void ts.checkTerms())).rejects.toThrow(
      /^servers disagree on term$/,
    );
  });

  it("two leaders in one term", async () => {
    await expect(onFake({ leaders: [0, 1] }, (ts) => ts.checkOneLeader().then(() => {}))).rejects.toThrow(
      "term 1 has 2 (>1) leaders",
    );
  });

  it("no leader", async () => {
    await expect(onFake({ leaders: [] }, (ts) => ts.checkOneLeader().then(() => {}))).rejects.toThrow(
      "expected one leader, got none",
    );
  });

  it("a leader where there should be none", async () => {
    await expect(onFake({}, async (ts) => ts.checkNoLeader())).rejects.toThrow(
      "expected no leader among connected servers, but 0 claims to be leader",
    );
  });

  it("no agreement: one() without retry gives up after 2 s, with retry after 10 s", async () => {
    const never = () => [];
    let failedAt = -1;
    const timed = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (e) {
        failedAt = now();
        throw e;
      }
    };
    await expect(onFake({ plan: never }, (ts) => timed(ts.one(7, 1, false)))).rejects.toThrow(
      "one(7) failed to reach agreement",
    );
    expect(failedAt).toBe(2000);
    await expect(onFake({ plan: never }, (ts) => timed(ts.one(8, 1, true)))).rejects.toThrow(
      "one(8) failed to reach agreement",
    );
    expect(failedAt).toBe(10_000);
  });

  it("too few servers commit: wait()", async () => {
    const plan = (me: number, index: number, cmd: unknown) => (me === 2 ? [] : [entry(index, cmd)]);
    await expect(
      onFake({ plan }, async (ts) => {
        expect(await ts.one(5, 2, false)).toBe(1);
        await ts.wait(1, 3, -1);
      }),
    ).rejects.toThrow("only 2 decided for index 1; wanted 3");
  });

  it("the 120 s limit (the simulation's budget, enforced while the test runs)", async () => {
    await expect(
      onFake({}, async (ts) => {
        ts.begin("Test (fake): slow");
        await sleep(TEST_TIME_LIMIT_MS + 1);
        ts.end();
      }),
    ).rejects.toThrow(/^virtual time budget exceeded: test took longer than 120 seconds/);
  });
});

describe("RaftTester snapshot applier", () => {
  it("snapshots at index 9 from the applyCh reader, and a restart ingests the saved snapshot", async () => {
    await onFake(
      {},
      async (ts, cluster) => {
        for (let i = 1; i <= 10; i++) expect(await ts.one(i * 100, 3, false)).toBe(i);
        for (let s = 0; s < 3; s++) {
          const snaps = cluster.peer(s).snapshots;
          expect(snaps.map((x) => x.index)).toEqual([9]);
          const decoded: unknown = JSON.parse(new TextDecoder().decode(snaps[0]!.bytes));
          expect(decoded).toEqual([9, [null, 100, 200, 300, 400, 500, 600, 700, 800, 900]]);
        }
        // Restart server 1: its persister holds the snapshot, which the tester ingests in place of
        // its copy of server 1's log (so index 10, past the snapshot, is forgotten).
        expect(ts.nCommitted(10)).toEqual([3, 1000]);
        ts.crash1(1);
        ts.start1(1);
        ts.connect(1);
        expect(ts.logSize()).toBe(3);
        expect(ts.nCommitted(9)).toEqual([3, 900]);
        expect(ts.nCommitted(10)).toEqual([2, 1000]);
      },
      { snapshot: true },
    );
  });

  it("fails on a snapshot whose index does not match", async () => {
    const plan = (me: number, index: number, cmd: unknown): ApplyMsg[] =>
      me === 0 && index === 2
        ? [
            {
              commandValid: false,
              snapshotValid: true,
              snapshot: new TextEncoder().encode(JSON.stringify([1, [null, 1]])),
              snapshotTerm: 1,
              snapshotIndex: 2,
            },
          ]
        : [entry(index, cmd)];
    await expect(
      onFake(
        { plan },
        async (ts) => {
          await ts.one(1, 3, false);
          await ts.one(2, 3, false);
        },
        { snapshot: true },
      ),
    ).rejects.toThrow("apply error: server 0 snapshot doesn't match m.SnapshotIndex");
  });

  it("fails on an undecodable snapshot", async () => {
    const plan = (_me: number, index: number): ApplyMsg[] => [
      { commandValid: false, snapshotValid: true, snapshot: new Uint8Array([1, 2]), snapshotTerm: 1, snapshotIndex: index },
    ];
    await expect(onFake({ plan }, (ts) => ts.one(1, 3, true).then(() => {}), { snapshot: true })).rejects.toThrow(
      "snapshot decode error",
    );
  });

  it("ignores a message with neither commandValid nor snapshotValid, as Go's applierSnap does", async () => {
    const neither = { commandValid: false, snapshotValid: false } as unknown as ApplyMsg;
    const plan = (_me: number, index: number, cmd: unknown): ApplyMsg[] => [neither, entry(index, cmd)];
    await onFake(
      { plan },
      async (ts) => {
        for (let i = 1; i <= 3; i++) expect(await ts.one(i * 10, 3, false)).toBe(i);
      },
      { snapshot: true },
    );
  });

  it("fails on an index applied twice", async () => {
    const plan = (me: number, index: number, cmd: unknown) =>
      me === 2 && index === 2 ? [entry(1, 1), entry(index, cmd)] : [entry(index, cmd)];
    await expect(
      onFake(
        { plan },
        async (ts) => {
          await ts.one(1, 3, false);
          await ts.one(2, 3, false);
        },
        { snapshot: true },
      ),
    ).rejects.toThrow("apply error: server 2 apply out of order, expected index 2, got 1");
  });
});

describe("a Raft that closes applyCh in kill()", () => {
  /** The lab's Raft, except that kill() also closes applyCh (legal in Go: the tester ranges over it). */
  const closingRaft: RaftServerFactory = (ends, me, persister, applyCh) => {
    const { peer, service } = labRaft(ends, me, persister, applyCh);
    const wrapped: RaftPeer = {
      start: (command) => peer.start(command),
      getState: () => peer.getState(),
      snapshot: (index, snapshot) => peer.snapshot(index, snapshot),
      kill: () => {
        peer.kill();
        applyCh.close();
      },
      killed: () => peer.killed(),
      persistedSize: () => peer.persistedSize(),
    };
    return { peer: wrapped, service };
  };

  for (const snapshot of [false, true]) {
    it(`passes crashes, restarts and the end of the test (${snapshot ? "the snapshot applier" : "the plain applier"})`, async () => {
      vi.spyOn(console, "log").mockImplementation(() => {});
      await runSim(3, async () => {
        const ts = makeRaftTester({ name: "closing", seed: 3, wallMs: () => 0, note: () => {} }, { servers: 3, snapshot, raft: closingRaft });
        ts.begin("Test (closing applyCh)");
        for (let i = 1; i <= 12; i++) await ts.one(i, 3, true);
        ts.crash1(1);
        await ts.one(13, 2, true);
        ts.start1(1);
        ts.connect(1);
        await ts.one(14, 3, true);
        ts.end();
      });
    });
  }
});
