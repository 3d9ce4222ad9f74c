/**
 * The student-style Raft (the harness's second implementation, see `raft.ts`) does the lab's job:
 * agreement, a follower that rejoins and catches up over several batches, a crash and restart from
 * its persisted state, and snapshots installed on a follower that fell behind; the safety monitors
 * watch it through its inspect(). (Every lab test of 3A-3D runs on it in a scratch copy:
 * `npm run mutants -- --impl student-style` and the README's figures.)
 */
import { simTest } from "../../harness/index.js";
import { sleep } from "../../runtime/index.js";
import { RAFT_ELECTION_TIMEOUT, makeRaftTester } from "../../raft/tester.js";
import { MAX_BATCH, studentRaft } from "./raft.js";

simTest("StudentStyleAgreesCatchesUpAndRestarts", async (t) => {
  const ts = makeRaftTester(t, { servers: 3, raft: studentRaft });
  ts.begin("Student-style Raft: agreement, catching up in batches, restart");
  await ts.one(101, 3, false);
  const leader = await ts.checkOneLeader();
  const away = (leader + 1) % 3;
  ts.disconnect(away);
  // More entries than one AppendEntries carries: the follower catches up over several.
  for (let i = 0; i < 3 * MAX_BATCH; i++) await ts.one(1000 + i, 2, false);
  ts.connect(away);
  await ts.one(102, 3, true);
  ts.crash1(leader);
  ts.start1(leader);
  ts.connect(leader);
  await sleep(RAFT_ELECTION_TIMEOUT);
  await ts.one(103, 3, true);
  ts.end();
});

simTest("StudentStyleInstallsSnapshots", async (t) => {
  const ts = makeRaftTester(t, { servers: 3, raft: studentRaft, snapshot: true });
  ts.begin("Student-style Raft: a follower that fell behind gets the leader's snapshot");
  await ts.one(1, 3, false);
  const leader = await ts.checkOneLeader();
  const away = (leader + 1) % 3;
  ts.disconnect(away);
  for (let i = 0; i < 35; i++) await ts.one(100 + i, 2, false);
  ts.connect(away);
  await ts.one(200, 3, true);
  ts.end();
});
