/**
 * A made-up but plausible log of a 3-peer Raft run with every kind of mark (elections, a crash and
 * restart, a disconnection, a partition, commits, a snapshot, RPCs, tester lines): test input for
 * the viewer and the timeline that does not depend on a working Raft.
 */
import type { LogEntry, Mark, Topic } from "../runtime/log-types.js";

/** The synthetic run's entries, in time order. */
export function syntheticRun(): LogEntry[] {
  const out: LogEntry[] = [];
  const add = (time: number, peer: number | string, topic: Topic, message: string, mark?: Mark): void => {
    out.push(mark === undefined ? { time, peer, topic, message } : { time, peer, topic, message, mark });
  };
  const role = (t: number, p: number, r: "follower" | "candidate" | "leader", term: number): void =>
    add(t, p, r === "leader" ? "LEAD" : r === "candidate" ? "VOTE" : "TERM", `${r} in T${term}`, { kind: "role", role: r, term });
  const commits = (from: number, to: number, peers: number[], start: number, every: number): number => {
    let t = start;
    for (let i = from; i <= to; i++, t += every) {
      for (const p of peers) add(t + p * 3, p, "CMIT", `commit index ${i}`, { kind: "commit", index: i });
    }
    return t;
  };
  const heartbeats = (leader: number, others: number[], from: number, to: number): void => {
    for (let t = from; t < to; t += 100) {
      for (const o of others) add(t + 4 + o, o, "RPC", "", { kind: "rpc", method: "Raft.AppendEntries", from: leader, to: o, sent: t });
    }
  };

  add(0, "tester", "TEST", "Test (3C): crash, disconnect and partition (synthetic)");
  for (const p of [0, 1, 2]) role(0, p, "follower", 0);
  add(120, 0, "TIMR", "election timeout in 412 ms");
  role(412, 1, "candidate", 1);
  add(412, 1, "VOTE", "requesting votes for T1");
  for (const p of [0, 2]) add(415 + p, 1, "RPC", "", { kind: "rpc", method: "Raft.RequestVote", from: 1, to: p, sent: 412 });
  add(416, 0, "VOTE", "granting vote to S1 for T1");
  role(416, 0, "follower", 1);
  role(417, 2, "follower", 1);
  role(419, 1, "leader", 1);
  heartbeats(1, [0, 2], 420, 2400);
  add(500, "tester", "TEST", "one(101) with 3 servers");
  let t = commits(1, 12, [1, 0, 2], 560, 120);
  add(t, "tester", "TEST", "crash S2");
  add(t, 2, "TEST", "crash", { kind: "crash" });
  const crashAt = t;
  t = commits(13, 18, [1, 0], t + 60, 110);
  add(t + 30, 1, "SNAP", "snapshot through index 15", { kind: "snapshot", index: 15 });
  add(crashAt + 900, "tester", "TEST", "restart S2");
  add(crashAt + 900, 2, "TEST", "restart", { kind: "restart" });
  role(crashAt + 901, 2, "follower", 1);
  add(crashAt + 1000, 2, "SNAP", "installed snapshot through index 15", { kind: "snapshot", index: 15 });
  const cutAt = 2400;
  add(cutAt, "tester", "TEST", "disconnect leader S1");
  add(cutAt, 1, "TEST", "disconnect", { kind: "disconnect" });
  add(cutAt + 20, "net", "DROP", "request Raft.AppendEntries on 1-0 -> 0 lost");
  role(2850, 0, "candidate", 2);
  role(2853, 2, "follower", 2);
  role(2856, 0, "leader", 2);
  heartbeats(0, [2], 2860, 3900);
  commits(19, 24, [0, 2], 2900, 150);
  add(3900, "tester", "TEST", "reconnect S1");
  add(3900, 1, "TEST", "connect", { kind: "connect" });
  role(3904, 1, "follower", 2);
  heartbeats(0, [1, 2], 3910, 4600);
  commits(19, 26, [1], 3920, 40);
  add(4600, "tester", "TEST", "partition [0] [1 2]", { kind: "partition", groups: [[1, 2], [0]] });
  role(5020, 2, "candidate", 3);
  add(5040, 2, "WARN", "vote request to S0 timed out");
  role(5150, 2, "candidate", 4);
  role(5155, 1, "follower", 4);
  role(5160, 2, "leader", 4);
  heartbeats(2, [1], 5170, 6200);
  commits(27, 30, [2, 1], 5300, 200);
  add(6200, "tester", "TEST", "heal partition", { kind: "partition", groups: [[0, 1, 2]] });
  role(6230, 0, "follower", 4);
  heartbeats(2, [0, 1], 6210, 7000);
  commits(27, 30, [0], 6260, 30);
  add(7000, "tester", "TEST", "  ... Passed --   7.0  3   412   31034   30");
  return out.sort((a, b) => a.time - b.time);
}
