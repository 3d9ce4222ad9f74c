/**
 * The leader's parallel write (thesis §10.2.1) on storage that lags its saves: the reference Raft
 * counts itself toward a majority only at the index its persister reports durable, and the
 * durability monitors (src/monitors/durability.ts) hold over its runs. Each monitor is shown
 * failing on a planted bug: a persister that reports its saves durable at once though they are not
 * (so the leader counts its unsynced last index), and followers whose replies leave before their
 * saves are durable.
 *
 * The network here models a node whose AppendEntries leave at once while its replies and
 * RequestVotes wait for its storage, as real cluster mode does (src/cluster/send-gate.ts); the leader's storage is slow
 * (40 ms), one follower's fast (2 ms) and the other's slow (30 ms): the case where counting the
 * leader early shows.
 */
import { describe, expect, it } from "vitest";
import { Network, Server, Service, type ClientEnd } from "../labrpc/index.js";
import { checkAppendAcknowledged, checkDurableCommit, checkVoteAcknowledged, type DurableState } from "../monitors/durability.js";
import { violationMessage, type Violation } from "../monitors/violation.js";
import { Channel, go, sleep } from "../runtime/index.js";
import { runSim } from "../sim/index.js";
import { LaggingPersister } from "../tester/lagging-persister.js";
import type { ApplyMsg } from "./api.js";
import { make, type Raft } from "./raft.js";
import type { AppendEntriesArgs, InstallSnapshotArgs, RequestVoteArgs } from "./rpc-types.js";
import { decodeState } from "./state-codec.js";

/** A planted bug: reports every save durable at once, while the data is still on its way to disk. */
class LyingPersister extends LaggingPersister {
  override whenDurable(fn: () => void): void {
    fn();
  }
}

interface Plant {
  /** The leader counts its unsynced last index (its persister says "durable" at once). */
  readonly leaderCountsUnsynced?: boolean;
  /** Replies leave before the saves they acknowledge are durable. */
  readonly repliesBeforeDurable?: boolean;
}

const N = 3;

/** Runs 3 reference Rafts with lagging storage and 150 commands; returns the first violation and how far they committed. */
async function run(seed: number, plant: Plant = {}): Promise<{ violation: Violation | undefined; committed: number }> {
  const result = await runSim(seed, async (sim) => {
    const net = new Network();
    const rafts: Raft[] = [];
    const persisters: LaggingPersister[] = [];
    let violation: Violation | undefined;
    const found = (v: Violation | undefined): void => {
      violation ??= v;
    };
    const cache = new Map<Uint8Array, DurableState | undefined>();
    const durableOf = (i: number): DurableState | undefined => {
      const bytes = persisters[i]!.durableRaftState();
      if (!cache.has(bytes)) {
        const s = decodeState(bytes);
        cache.set(
          bytes,
          s === undefined
            ? undefined
            : {
                currentTerm: s.currentTerm,
                votedFor: s.votedFor,
                snapshotIndex: s.snapshotIndex,
                snapshotTerm: s.snapshotTerm,
                lastIndex: s.snapshotIndex + s.entries.length,
                termAt: (k) => (k === s.snapshotIndex ? s.snapshotTerm : s.entries[k - s.snapshotIndex - 1]?.term),
              },
        );
      }
      return cache.get(bytes);
    };

    // The leader's disk is slow, one follower's fast and the other's slow: so an entry is durable on
    // one server (the fast follower) well before it is on a majority.
    const lagOf = (i: number): number => {
      const leader = rafts.findIndex((rf) => rf.getState().isLeader);
      if (i === leader) return 40;
      return i === [0, 1, 2].find((k) => k !== leader) ? 2 : 30;
    };
    for (let i = 0; i < N; i++) {
      const Kind = plant.leaderCountsUnsynced === true ? LyingPersister : LaggingPersister;
      persisters.push(new Kind(() => lagOf(i)));
    }
    for (let i = 0; i < N; i++) {
      const ends: ClientEnd[] = [];
      const persister = persisters[i]!;
      for (let j = 0; j < N; j++) {
        const name = `S${i}->S${j}`;
        const end = net.makeEnd(name);
        net.connect(name, `server ${j}`);
        net.enable(name, true);
        // Requests leave at once, but a RequestVote only once the term and vote it carries are durable.
        ends.push({
          call: async <R>(svcMeth: string, args: unknown): Promise<R | undefined> => {
            if (svcMeth === "Raft.RequestVote") await persister.durable();
            return end.call<R>(svcMeth, args);
          },
        });
      }
      const server = sim.runIn(sim.node(`S${i}`), () => {
        const applyCh = new Channel<ApplyMsg>(16);
        const rf = make(ends, i, persister, applyCh) as Raft;
        rafts.push(rf);
        go(`S${i} drain`, async () => {
          for (;;) await applyCh.recv();
        });
        const gate = async (): Promise<void> => {
          if (plant.repliesBeforeDurable !== true) await persister.durable();
        };
        const s = new Server();
        s.addService(
          new Service("Raft", {
            AppendEntries: async (args: AppendEntriesArgs) => {
              const reply = rf.appendEntries(args);
              await gate();
              if (reply.success) {
                const index = args.prevLogIndex + args.entries.length;
                found(checkAppendAcknowledged(i, index, args.entries.at(-1)?.term ?? args.prevLogTerm, durableOf(i)));
              }
              return reply;
            },
            RequestVote: async (args: RequestVoteArgs) => {
              const reply = rf.requestVote(args);
              await gate();
              if (reply.voteGranted) found(checkVoteAcknowledged(i, args.candidateId, args.term, durableOf(i)));
              return reply;
            },
            InstallSnapshot: async (args: InstallSnapshotArgs) => {
              const reply = rf.installSnapshot(args);
              await gate();
              return reply;
            },
          }),
        );
        return s;
      });
      net.addServer(`server ${i}`, server);
    }

    // Durable Commit, at every step: each leader's commitIndex against the servers' durable logs.
    const checked = rafts.map(() => 0);
    const stop = sim.onStep(() => {
      rafts.forEach((rf, i) => {
        const view = rf.inspect();
        if (view.role !== "leader" || view.commitIndex <= checked[i]!) return;
        checked[i] = view.commitIndex;
        found(checkDurableCommit(i, view.term, view.commitIndex, view, rafts.map((_, k) => durableOf(k))));
      });
    });

    for (let k = 1; k <= 150; k++) {
      const leader = rafts.find((rf) => rf.getState().isLeader);
      leader?.start(k);
      await sleep(leader === undefined ? 50 : 7);
    }
    await sleep(500);
    stop();
    const committed = Math.max(...rafts.map((rf) => rf.inspect().commitIndex));
    for (const rf of rafts) rf.kill();
    return { violation, committed };
  });
  return result.value;
}

describe("the leader's parallel write on storage that lags its saves", () => {
  it("commits with a majority of durable copies, and the durability monitors stay quiet", async () => {
    for (const seed of [1, 2, 3]) {
      const { violation, committed } = await run(seed);
      expect(violation === undefined ? "" : violationMessage(violation, 0)).toBe("");
      expect(committed).toBeGreaterThan(100);
    }
  });

  it("Durable Commit fails on a leader that counts its unsynced last index", async () => {
    const { violation } = await run(1, { leaderCountsUnsynced: true });
    expect(violation?.property).toBe("Durable Commit");
    const message = violationMessage(violation!, 0);
    expect(message).toMatch(/^Durable Commit violated: S\d, leader of T\d+, committed through index \d+, but only 1 of 3 servers hold that entry durably/);
    expect(message).toMatch(/Raft thesis §3\.8, §10\.2\.1/);
  });

  it("Durable Acknowledgement fails on replies that leave before their saves are durable", async () => {
    const { violation } = await run(1, { repliesBeforeDurable: true });
    expect(violation?.property).toBe("Durable Acknowledgement");
    expect(violationMessage(violation!, 0)).toMatch(/^Durable Acknowledgement violated: S\d (granted its vote to S\d in T\d+|replied success to an AppendEntries through index \d+)/);
  });
});
