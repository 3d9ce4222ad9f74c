/**
 * Lab 3B: log replication. Port of the 3B tests of 6.5840's `src/raft/test_test.go`: same names,
 * titles, parameters and limits, in virtual time.
 */
import { random, sleep } from "../runtime/index.js";
import { simTest } from "../harness/index.js";
import { RAFT_ELECTION_TIMEOUT, fatal, fmtv, makeRaftTester, randInt, spawn } from "./tester.js";

simTest("TestBasicAgree3B", async (t) => {
  const servers = 3;
  const ts = makeRaftTester(t, { servers });
  ts.begin("Test (3B): basic agreement");

  const iters = 3;
  for (let index = 1; index < iters + 1; index++) {
    const [nd] = ts.nCommitted(index);
    if (nd > 0) fatal("some have committed before Start()");

    const xindex = await ts.one(index * 100, servers, false);
    if (xindex !== index) fatal(`got index ${xindex} but expected ${index}`);
  }
  ts.end();
});

// Check, based on counting bytes of RPCs, that each command is sent to each peer just once.
simTest("TestRPCBytes3B", async (t) => {
  const servers = 3;
  const ts = makeRaftTester(t, { servers });
  ts.begin("Test (3B): RPC byte count");

  await ts.one(99, servers, false);
  const bytes0 = ts.bytesTotal();

  const iters = 10;
  let sent = 0;
  for (let index = 2; index < iters + 2; index++) {
    const cmd = random.string(5000);
    const xindex = await ts.one(cmd, servers, false);
    if (xindex !== index) fatal(`got index ${xindex} but expected ${index}`);
    sent += cmd.length;
  }

  const got = ts.bytesTotal() - bytes0;
  const expected = servers * sent;
  if (got > expected + 50_000) fatal(`too many RPC bytes; got ${got}, expected ${expected}`);
  ts.end();
});

// Test just failure of followers.
simTest("TestFollowerFailure3B", async (t) => {
  const servers = 3;
  const ts = makeRaftTester(t, { servers });
  ts.begin("Test (3B): test progressive failure of followers");

  await ts.one(101, servers, false);

  // Disconnect one follower from the network.
  const leader1 = await ts.checkOneLeader();
  ts.disconnect((leader1 + 1) % servers);

  // The leader and remaining follower should be able to agree despite the disconnected follower.
  await ts.one(102, servers - 1, false);
  await sleep(RAFT_ELECTION_TIMEOUT);
  await ts.one(103, servers - 1, false);

  // Disconnect the remaining follower.
  const leader2 = await ts.checkOneLeader();
  ts.disconnect((leader2 + 1) % servers);
  ts.disconnect((leader2 + 2) % servers);

  // Submit a command.
  const { index, isLeader } = ts.raft(leader2).start(104);
  if (!isLeader) fatal("leader rejected Start()");
  if (index !== 4) fatal(`expected index 4, got ${index}`);

  await sleep(2 * RAFT_ELECTION_TIMEOUT);

  // Check that command 104 did not commit.
  const [n] = ts.nCommitted(index);
  if (n > 0) fatal(`${n} committed but no majority`);
  ts.end();
});

// Test just failure of leaders.
simTest("TestLeaderFailure3B", async (t) => {
  const servers = 3;
  const ts = makeRaftTester(t, { servers });
  ts.begin("Test (3B): test failure of leaders");

  await ts.one(101, servers, false);

  // Disconnect the first leader.
  const leader1 = await ts.checkOneLeader();
  ts.disconnect(leader1);

  // The remaining followers should elect a new leader.
  await ts.one(102, servers - 1, false);
  await sleep(RAFT_ELECTION_TIMEOUT);
  await ts.one(103, servers - 1, false);

  // Disconnect the new leader.
  const leader2 = await ts.checkOneLeader();
  ts.disconnect(leader2);

  // Submit a command to each server.
  for (let i = 0; i < servers; i++) ts.raft(i).start(104);

  await sleep(2 * RAFT_ELECTION_TIMEOUT);

  // Check that command 104 did not commit.
  const [n] = ts.nCommitted(4);
  if (n > 0) fatal(`${n} committed but no majority`);
  ts.end();
});

// Test that a follower participates after disconnect and re-connect.
simTest("TestFailAgree3B", async (t) => {
  const servers = 3;
  const ts = makeRaftTester(t, { servers });
  ts.begin("Test (3B): agreement after follower reconnects");

  await ts.one(101, servers, false);

  // Disconnect one follower from the network.
  const leader = await ts.checkOneLeader();
  ts.disconnect((leader + 1) % servers);

  // The leader and remaining follower should be able to agree despite the disconnected follower.
  await ts.one(102, servers - 1, false);
  await ts.one(103, servers - 1, false);
  await sleep(RAFT_ELECTION_TIMEOUT);
  await ts.one(104, servers - 1, false);
  await ts.one(105, servers - 1, false);

  // Re-connect.
  ts.connect((leader + 1) % servers);

  // The full set of servers should preserve previous agreements, and be able to agree on new commands.
  await ts.one(106, servers, true);
  await sleep(RAFT_ELECTION_TIMEOUT);
  await ts.one(107, servers, true);
  ts.end();
});

simTest("TestFailNoAgree3B", async (t) => {
  const servers = 5;
  const ts = makeRaftTester(t, { servers });
  ts.begin("Test (3B): no agreement if too many followers disconnect");

  await ts.one(10, servers, false);

  // 3 of 5 followers disconnect.
  const leader = await ts.checkOneLeader();
  ts.disconnect((leader + 1) % servers);
  ts.disconnect((leader + 2) % servers);
  ts.disconnect((leader + 3) % servers);

  const { index, isLeader } = ts.raft(leader).start(20);
  if (!isLeader) fatal("leader rejected Start()");
  if (index !== 2) fatal(`expected index 2, got ${index}`);

  await sleep(2 * RAFT_ELECTION_TIMEOUT);

  const [n] = ts.nCommitted(index);
  if (n > 0) fatal(`${n} committed but no majority`);

  // Repair.
  ts.connect((leader + 1) % servers);
  ts.connect((leader + 2) % servers);
  ts.connect((leader + 3) % servers);

  // The disconnected majority may have chosen a leader from among their own ranks, forgetting index 2.
  const leader2 = await ts.checkOneLeader();
  const r2 = ts.raft(leader2).start(30);
  if (!r2.isLeader) fatal("leader2 rejected Start()");
  if (r2.index < 2 || r2.index > 3) fatal(`unexpected index ${r2.index}`);

  await ts.one(1000, servers, true);
  ts.end();
});

simTest("TestConcurrentStarts3B", async (t) => {
  const servers = 3;
  const ts = makeRaftTester(t, { servers });
  ts.begin("Test (3B): concurrent Start()s");

  let success = false;
  loop: for (let attempt = 0; attempt < 5; attempt++) {
    if (attempt > 0) await sleep(3000); // give the solution some time to settle

    const leader = await ts.checkOneLeader();
    const { term, isLeader } = ts.raft(leader).start(1);
    if (!isLeader) continue; // leader moved on really quickly

    // 5 concurrent Start()s; each reports its index, or nothing if the term changed.
    const iters = 5;
    const starts: Promise<number | undefined>[] = [];
    for (let ii = 0; ii < iters; ii++) {
      starts.push(
        spawn(`start ${100 + ii}`, async () => {
          const r = ts.raft(leader).start(100 + ii);
          return r.term === term && r.isLeader ? r.index : undefined;
        }),
      );
    }
    const is = (await Promise.all(starts)).filter((i) => i !== undefined);

    for (let j = 0; j < servers; j++) {
      // Term changed: can't expect low RPC counts.
      if (ts.raft(j).getState().term !== term) continue loop;
    }

    const cmds: number[] = [];
    for (const index of is) {
      const cmd = await ts.wait(index, servers, term);
      if (typeof cmd !== "number" || !Number.isInteger(cmd)) fatal(`value ${fmtv(cmd)} is not an int`);
      // Peers have moved on to later terms, so we can't expect all Start()s to have succeeded.
      if (cmd === -1) continue loop;
      cmds.push(cmd);
    }

    for (let ii = 0; ii < iters; ii++) {
      const x = 100 + ii;
      if (!cmds.includes(x)) fatal(`cmd ${x} missing in [${cmds.join(" ")}]`);
    }

    success = true;
    break;
  }

  if (!success) fatal("term changed too often");
  ts.end();
});

simTest("TestRejoin3B", async (t) => {
  const servers = 3;
  const ts = makeRaftTester(t, { servers });
  ts.begin("Test (3B): rejoin of partitioned leader");

  await ts.one(101, servers, true);

  // Leader network failure.
  const leader1 = await ts.checkOneLeader();
  ts.disconnect(leader1);

  // Make old leader try to agree on some entries.
  ts.raft(leader1).start(102);
  ts.raft(leader1).start(103);
  ts.raft(leader1).start(104);

  // New leader commits, also for index=2.
  await ts.one(103, 2, true);

  // New leader network failure.
  const leader2 = await ts.checkOneLeader();
  ts.disconnect(leader2);

  // Old leader connected again.
  ts.connect(leader1);

  await ts.one(104, 2, true);

  // All together now.
  ts.connect(leader2);

  await ts.one(105, servers, true);
  ts.end();
});

simTest("TestBackup3B", async (t) => {
  const servers = 5;
  const ts = makeRaftTester(t, { servers });
  ts.begin("Test (3B): leader backs up quickly over incorrect follower logs");

  await ts.one(randInt(), servers, true);

  // Put leader and one follower in a partition.
  const leader1 = await ts.checkOneLeader();
  ts.disconnect((leader1 + 2) % servers);
  ts.disconnect((leader1 + 3) % servers);
  ts.disconnect((leader1 + 4) % servers);

  // Submit lots of commands that won't commit.
  for (let i = 0; i < 50; i++) ts.raft(leader1).start(randInt());

  await sleep(RAFT_ELECTION_TIMEOUT / 2);

  ts.disconnect((leader1 + 0) % servers);
  ts.disconnect((leader1 + 1) % servers);

  // Allow other partition to recover.
  ts.connect((leader1 + 2) % servers);
  ts.connect((leader1 + 3) % servers);
  ts.connect((leader1 + 4) % servers);

  // Lots of successful commands to new group.
  for (let i = 0; i < 50; i++) await ts.one(randInt(), 3, true);

  // Now another partitioned leader and one follower.
  const leader2 = await ts.checkOneLeader();
  let other = (leader1 + 2) % servers;
  if (leader2 === other) other = (leader2 + 1) % servers;
  ts.disconnect(other);

  // Lots more commands that won't commit.
  for (let i = 0; i < 50; i++) ts.raft(leader2).start(randInt());

  await sleep(RAFT_ELECTION_TIMEOUT / 2);

  // Bring original leader back to life.
  for (let i = 0; i < servers; i++) ts.disconnect(i);
  ts.connect((leader1 + 0) % servers);
  ts.connect((leader1 + 1) % servers);
  ts.connect(other);

  // Lots of successful commands to new group.
  for (let i = 0; i < 50; i++) await ts.one(randInt(), 3, true);

  // Now everyone.
  for (let i = 0; i < servers; i++) ts.connect(i);
  await ts.one(randInt(), servers, true);
  ts.end();
});

simTest("TestCount3B", async (t) => {
  const servers = 3;
  const ts = makeRaftTester(t, { servers });
  ts.begin("Test (3B): RPC counts aren't too high");

  const rpcs = (): number => {
    let n = 0;
    for (let j = 0; j < servers; j++) n += ts.rpcCount(j);
    return n;
  };

  let leader = await ts.checkOneLeader();

  let total1 = rpcs();
  if (total1 > 30 || total1 < 1) fatal(`too many or few RPCs (${total1}) to elect initial leader`);

  let total2 = 0;
  let success = false;
  loop: for (let attempt = 0; attempt < 5; attempt++) {
    if (attempt > 0) await sleep(3000); // give the solution some time to settle

    leader = await ts.checkOneLeader();
    total1 = rpcs();

    const iters = 10;
    const { index: starti, term, isLeader } = ts.raft(leader).start(1);
    if (!isLeader) continue; // leader moved on really quickly
    const cmds: number[] = [];
    for (let i = 1; i < iters + 2; i++) {
      const x = randInt();
      cmds.push(x);
      const r = ts.raft(leader).start(x);
      if (r.term !== term) continue loop; // term changed while starting
      if (!r.isLeader) continue loop; // no longer the leader, so term has changed
      if (starti + i !== r.index) fatal("Start() failed");
    }

    for (let i = 1; i < iters + 1; i++) {
      const cmd = await ts.wait(starti + i, servers, term);
      if (cmd !== cmds[i - 1]) {
        if (cmd === -1) continue loop; // term changed: try again
        fatal(`wrong value ${fmtv(cmd)} committed for index ${starti + i}; expected [${cmds.join(" ")}]`);
      }
    }

    let failed = false;
    total2 = 0;
    for (let j = 0; j < servers; j++) {
      // Term changed: can't expect low RPC counts (but keep going to update total2).
      if (ts.raft(j).getState().term !== term) failed = true;
      total2 += ts.rpcCount(j);
    }
    if (failed) continue loop;

    if (total2 - total1 > (iters + 1 + 3) * 3) fatal(`too many RPCs (${total2 - total1}) for ${iters} entries`);

    success = true;
    break;
  }

  if (!success) fatal("term changed too often");

  await sleep(RAFT_ELECTION_TIMEOUT);

  const total3 = rpcs();
  if (total3 - total2 > 3 * 20) fatal(`too many RPCs (${total3 - total2}) for 1 second of idleness`);
  ts.end();
});
