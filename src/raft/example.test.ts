/**
 * The example test from the README, kept here so it is known to work: a new test is a few lines
 * on top of the tester. (Not part of the 28 original tests, so its name has no part suffix.)
 */
import { sleep } from "../runtime/index.js";
import { simTest } from "../harness/index.js";
import { RAFT_ELECTION_TIMEOUT, makeRaftTester } from "./tester.js";

simTest("ExampleLeaderComesBack", async (t) => {
  const ts = makeRaftTester(t, { servers: 3 });
  ts.begin("Example: an old leader rejoins and follows");
  await ts.one(101, 3, false);
  const leader = await ts.checkOneLeader();
  ts.disconnect(leader);
  await ts.one(102, 2, false); // the other two agree without it
  await sleep(RAFT_ELECTION_TIMEOUT);
  ts.connect(leader);
  await ts.one(103, 3, true); // and it catches up
  ts.end();
});
