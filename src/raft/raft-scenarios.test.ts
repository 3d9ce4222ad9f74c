/**
 * Directed scenarios, beyond the original 28 tests: each builds one situation of the paper step
 * by step with the tester's own tools (disconnect, connect, start), instead of waiting for random
 * faults to stumble on it. The Figure 8 bug (committing an entry of an earlier term by counting
 * replicas) rarely shows up in the random tests (of seeds 1-500, only seed 369 of
 * TestFigure8Unreliable3C fails); here it fails on every seed.
 */
import { sleep } from "../runtime/index.js";
import { simTest } from "../harness/index.js";
import { RAFT_ELECTION_TIMEOUT, fatal, makeRaftTester } from "./tester.js";

/**
 * The paper's Figure 8 with five servers. S1 (here `l1`) holds an entry of its old term that
 * nobody else has; `l2` is elected without it and appends a different entry at the same index,
 * alone. `l1` is then elected again and replicates its old entry to a majority, but appends
 * nothing of its new term, so that entry must not be committed: `l2` can still be elected (its
 * last entry has the later term) and overwrite it. An implementation that commits by counting
 * replicas applies the old entry, and the applier sees two different commands at one index.
 */
simTest("TestFigure8Scenario", async (t) => {
  const servers = 5;
  const ts = makeRaftTester(t, { servers });
  ts.begin("Test: Figure 8 scenario: no commit of an earlier term's entry by counting replicas");

  await ts.one(101, servers, false);

  /** Cuts the current leader off and has it append `cmd` alone; returns the leader. */
  const appendAlone = async (cmd: number): Promise<number> => {
    const leader = await ts.checkOneLeader();
    ts.disconnect(leader);
    if (!ts.raft(leader).start(cmd).isLeader) {
      fatal(`leader ${leader} refused start() right after being disconnected (it should lead until it hears of a later term)`);
    }
    return leader;
  };

  // l1 appends 102 while cut off: only l1 has it. The other four elect l2, which appends 103 alone.
  const l1 = await appendAlone(102);
  const l2 = await appendAlone(103);

  // Keep one more server away so that l1 plus the remaining two form the only majority; only l1
  // can win there (its log is more up-to-date than theirs).
  const others = [...Array(servers).keys()].filter((i) => i !== l1 && i !== l2);
  const away = others[0]!;
  ts.disconnect(away);
  ts.connect(l1);
  const again = await ts.checkOneLeader();
  if (again !== l1) fatal(`expected ${l1} (the only up-to-date log) to be elected, but ${again} leads`);
  // Heartbeats carry 102 to the majority; nothing of l1's new term is started.
  await sleep(RAFT_ELECTION_TIMEOUT);

  // l1 goes away; l2 comes back and can win with the same two servers (its last term is later).
  ts.disconnect(l1);
  ts.connect(l2);
  await ts.one(104, 3, true);

  ts.connect(l1);
  ts.connect(away);
  await ts.one(105, servers, true);

  ts.end();
});
