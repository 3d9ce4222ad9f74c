/**
 * Lab 3A: leader election. Port of the 3A tests of 6.5840's `src/raft/test_test.go`: same names,
 * titles, parameters and limits, in virtual time.
 */
import { simTest } from "../harness/index.js";
import { random, sleep } from "../runtime/index.js";
import { RAFT_ELECTION_TIMEOUT, fatal, makeRaftTester } from "./tester.js";

simTest("TestInitialElection3A", async (t) => {
  const servers = 3;
  const ts = makeRaftTester(t, { servers });
  ts.begin("Test (3A): initial election");

  // Is a leader elected?
  await ts.checkOneLeader();

  // Sleep a bit to avoid racing with followers learning of the election, then check that all
  // peers agree on the term.
  await sleep(50);
  const term1 = ts.checkTerms();
  if (term1 < 1) fatal(`term is ${term1}, but should be at least 1`);

  // Does the leader+term stay the same if there is no network failure?
  await sleep(2 * RAFT_ELECTION_TIMEOUT);
  const term2 = ts.checkTerms();
  if (term1 !== term2) console.log("warning: term changed even though there were no failures");

  // There should still be a leader.
  await ts.checkOneLeader();
  ts.end();
});

simTest("TestReElection3A", async (t) => {
  const servers = 3;
  const ts = makeRaftTester(t, { servers });
  ts.begin("Test (3A): election after network failure");

  const leader1 = await ts.checkOneLeader();

  // If the leader disconnects, a new one should be elected.
  ts.disconnect(leader1);
  await ts.checkOneLeader();

  // If the old leader rejoins, that shouldn't disturb the new leader, and the old leader should
  // switch to follower.
  ts.connect(leader1);
  const leader2 = await ts.checkOneLeader();

  // If there's no quorum, no new leader should be elected.
  ts.disconnect(leader2);
  ts.disconnect((leader2 + 1) % servers);
  await sleep(2 * RAFT_ELECTION_TIMEOUT);

  // Check that the one connected server does not think it is the leader.
  ts.checkNoLeader();

  // If a quorum arises, it should elect a leader.
  ts.connect((leader2 + 1) % servers);
  await ts.checkOneLeader();

  // Re-join of last node shouldn't prevent leader from existing.
  ts.connect(leader2);
  await ts.checkOneLeader();
  ts.end();
});

simTest("TestManyElections3A", async (t) => {
  const servers = 7;
  const ts = makeRaftTester(t, { servers });
  ts.begin("Test (3A): multiple elections");

  await ts.checkOneLeader();

  const iters = 10;
  for (let ii = 1; ii < iters; ii++) {
    // Disconnect three nodes (perhaps the same one twice).
    const i1 = random.int(servers);
    const i2 = random.int(servers);
    const i3 = random.int(servers);
    ts.disconnect(i1);
    ts.disconnect(i2);
    ts.disconnect(i3);

    // Either the current leader should still be alive, or the remaining four should elect a new one.
    await ts.checkOneLeader();

    ts.connect(i1);
    ts.connect(i2);
    ts.connect(i3);
  }

  await ts.checkOneLeader();
  ts.end();
});
