/**
 * Lab 3D: log compaction. Port of the 3D tests of 6.5840's `src/raft/test_test.go`: same names,
 * titles, parameters and limits, in virtual time. The tester's 3D applier snapshots every
 * SNAPSHOT_INTERVAL entries and ingests the snapshots Raft sends up.
 */
import { random } from "../runtime/index.js";
import { simTest, type SimTestContext } from "../harness/index.js";
import { MAXLOGSIZE, SNAPSHOT_INTERVAL, fatal, makeRaftTester, randInt } from "./tester.js";

/**
 * The five "install snapshots" tests: 30 rounds in which one follower (the victim) is disconnected
 * or crashed while 5-14 commands are started (perhaps enough to snapshot), then brought back, so it
 * may need an InstallSnapshot to catch up.
 */
async function snapcommon(
  t: SimTestContext,
  name: string,
  disconnect: boolean,
  reliable: boolean,
  crash: boolean,
): Promise<void> {
  const iters = 30;
  const servers = 3;
  const ts = makeRaftTester(t, { servers, reliable, snapshot: true });
  ts.begin(name);

  await ts.one(randInt(), servers, true);
  let leader1 = await ts.checkOneLeader();

  for (let i = 0; i < iters; i++) {
    let victim = (leader1 + 1) % servers;
    let sender = leader1;
    if (i % 3 === 1) {
      sender = (leader1 + 1) % servers;
      victim = leader1;
    }

    if (disconnect) {
      ts.disconnect(victim);
      await ts.one(randInt(), servers - 1, true);
    }
    if (crash) {
      ts.crash1(victim);
      await ts.one(randInt(), servers - 1, true);
    }

    // Perhaps send enough to get a snapshot.
    const nn = SNAPSHOT_INTERVAL / 2 + random.int(SNAPSHOT_INTERVAL);
    for (let j = 0; j < nn; j++) ts.rafts[sender]?.start(randInt());

    // Let applier tasks catch up with the Start()s.
    if (!disconnect && !crash) {
      // Make sure all followers have caught up, so that an InstallSnapshot RPC isn't required for
      // TestSnapshotBasic3D().
      await ts.one(randInt(), servers, true);
    } else {
      await ts.one(randInt(), servers - 1, true);
    }

    if (ts.logSize() >= MAXLOGSIZE) fatal("Log size too large");
    if (disconnect) {
      // Reconnect a follower, who may be behind and need to receive a snapshot to catch up.
      ts.connect(victim);
      await ts.one(randInt(), servers, true);
      leader1 = await ts.checkOneLeader();
    }
    if (crash) {
      ts.start1(victim);
      ts.connect(victim);
      await ts.one(randInt(), servers, true);
      leader1 = await ts.checkOneLeader();
    }
  }
  ts.end();
}

simTest("TestSnapshotBasic3D", (t) => snapcommon(t, "Test (3D): snapshots basic", false, true, false));

simTest("TestSnapshotInstall3D", (t) =>
  snapcommon(t, "Test (3D): install snapshots (disconnect)", true, true, false),
);

simTest("TestSnapshotInstallUnreliable3D", (t) =>
  snapcommon(t, "Test (3D): install snapshots (disconnect+unreliable)", true, false, false),
);

simTest("TestSnapshotInstallCrash3D", (t) =>
  snapcommon(t, "Test (3D): install snapshots (crash)", false, true, true),
);

simTest("TestSnapshotInstallUnCrash3D", (t) =>
  snapcommon(t, "Test (3D): install snapshots (unreliable+crash)", false, false, true),
);

// Do the servers persist the snapshots, and restart using snapshot along with the tail of the log?
simTest("TestSnapshotAllCrash3D", async (t) => {
  const servers = 3;
  const iters = 5;
  const ts = makeRaftTester(t, { servers, snapshot: true });
  ts.begin("Test (3D): crash and restart all servers");

  await ts.one(randInt(), servers, true);

  for (let i = 0; i < iters; i++) {
    // Perhaps enough to get a snapshot.
    const nn = SNAPSHOT_INTERVAL / 2 + random.int(SNAPSHOT_INTERVAL);
    for (let j = 0; j < nn; j++) await ts.one(randInt(), servers, true);

    const index1 = await ts.one(randInt(), servers, true);

    // Crash all.
    for (let s = 0; s < servers; s++) ts.crash1(s);

    // Revive all.
    for (let s = 0; s < servers; s++) {
      ts.start1(s);
      ts.connect(s);
    }

    const index2 = await ts.one(randInt(), servers, true);
    if (index2 < index1 + 1) fatal(`index decreased from ${index1} to ${index2}`);
  }
  ts.end();
});

// Do servers correctly initialize their in-memory copy of the snapshot, making sure that future
// writes to persistent state don't lose state?
simTest("TestSnapshotInit3D", async (t) => {
  const servers = 3;
  const ts = makeRaftTester(t, { servers, snapshot: true });
  ts.begin("Test (3D): snapshot initialization after crash");

  await ts.one(randInt(), servers, true);

  // Enough ops to make a snapshot.
  const nn = SNAPSHOT_INTERVAL + 1;
  for (let i = 0; i < nn; i++) await ts.one(randInt(), servers, true);

  // Crash all.
  for (let s = 0; s < servers; s++) ts.crash1(s);

  // Revive all.
  for (let s = 0; s < servers; s++) {
    ts.start1(s);
    ts.connect(s);
  }

  // A single op, to get something to be written back to persistent storage.
  await ts.one(randInt(), servers, true);

  // Crash all.
  for (let s = 0; s < servers; s++) ts.crash1(s);

  // Revive all.
  for (let s = 0; s < servers; s++) {
    ts.start1(s);
    ts.connect(s);
  }

  // Do another op to trigger potential bug.
  await ts.one(randInt(), servers, true);
  ts.end();
});
