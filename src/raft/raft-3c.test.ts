/**
 * Lab 3C: persistence. Port of the 3C tests of 6.5840's `src/raft/test_test.go`: same names,
 * titles, parameters and limits, in virtual time.
 */
import { random, sleep } from "../runtime/index.js";
import { simTest, type SimTestContext } from "../harness/index.js";
import { RAFT_ELECTION_TIMEOUT, fatal, makeRaftTester, randInt, spawn } from "./tester.js";

simTest("TestPersist13C", async (t) => {
  const servers = 3;
  const ts = makeRaftTester(t, { servers });
  ts.begin("Test (3C): basic persistence");

  await ts.one(11, servers, true);

  // Crash and re-start all.
  for (let i = 0; i < servers; i++) ts.start1(i);
  for (let i = 0; i < servers; i++) {
    ts.disconnect(i);
    ts.connect(i);
  }

  await ts.one(12, servers, true);

  const leader1 = await ts.checkOneLeader();
  ts.disconnect(leader1);
  ts.start1(leader1);
  ts.connect(leader1);

  await ts.one(13, servers, true);

  const leader2 = await ts.checkOneLeader();
  ts.disconnect(leader2);
  await ts.one(14, servers - 1, true);
  ts.start1(leader2);
  ts.connect(leader2);

  await ts.wait(4, servers, -1); // wait for leader2 to join before killing i3

  const i3 = ((await ts.checkOneLeader()) + 1) % servers;
  ts.disconnect(i3);
  await ts.one(15, servers - 1, true);
  ts.start1(i3);
  ts.connect(i3);

  await ts.one(16, servers, true);
  ts.end();
});

simTest("TestPersist23C", async (t) => {
  const servers = 5;
  const ts = makeRaftTester(t, { servers });
  ts.begin("Test (3C): more persistence");

  let index = 1;
  for (let iters = 0; iters < 5; iters++) {
    await ts.one(10 + index, servers, true);
    index++;

    const leader1 = await ts.checkOneLeader();

    ts.disconnect((leader1 + 1) % servers);
    ts.disconnect((leader1 + 2) % servers);

    await ts.one(10 + index, servers - 2, true);
    index++;

    ts.disconnect((leader1 + 0) % servers);
    ts.disconnect((leader1 + 3) % servers);
    ts.disconnect((leader1 + 4) % servers);

    ts.start1((leader1 + 1) % servers);
    ts.start1((leader1 + 2) % servers);
    ts.connect((leader1 + 1) % servers);
    ts.connect((leader1 + 2) % servers);

    await sleep(RAFT_ELECTION_TIMEOUT);

    ts.start1((leader1 + 3) % servers);
    ts.connect((leader1 + 3) % servers);

    await ts.one(10 + index, servers - 2, true);
    index++;

    ts.connect((leader1 + 4) % servers);
    ts.connect((leader1 + 0) % servers);
  }

  await ts.one(1000, servers, true);
  ts.end();
});

simTest("TestPersist33C", async (t) => {
  const servers = 3;
  const ts = makeRaftTester(t, { servers });
  ts.begin("Test (3C): partitioned leader and one follower crash, leader restarts");

  await ts.one(101, 3, true);

  const leader = await ts.checkOneLeader();
  ts.disconnect((leader + 2) % servers);

  await ts.one(102, 2, true);

  ts.crash1((leader + 0) % servers);
  ts.crash1((leader + 1) % servers);
  ts.connect((leader + 2) % servers);
  ts.start1((leader + 0) % servers);
  ts.connect((leader + 0) % servers);

  await ts.one(103, 2, true);

  ts.start1((leader + 1) % servers);
  ts.connect((leader + 1) % servers);

  await ts.one(104, servers, true);
  ts.end();
});

/** The Figure 8 tests' pause: with probability 1/10 up to half an election timeout, else 0-12 ms. */
function figure8Pause(): Promise<void> {
  if (random.int(1000) < 100) return sleep(random.int(RAFT_ELECTION_TIMEOUT / 2));
  return sleep(random.int(13));
}

// Test the scenarios described in Figure 8 of the extended Raft paper. Each iteration asks a
// leader, if there is one, to insert a command in the Raft log. If there is a leader, that leader
// will fail quickly with a high probability (perhaps without committing the command), or crash
// after a while with low probability (most likely committing the command). If the number of alive
// servers isn't enough to form a majority, perhaps start a new server. The leader in a new term
// may try to finish replicating log entries that haven't been committed yet.
simTest("TestFigure83C", async (t) => {
  const servers = 5;
  const ts = makeRaftTester(t, { servers });
  ts.begin("Test (3C): Figure 8");

  await ts.one(randInt(), 1, true);

  let nup = servers;
  for (let iters = 0; iters < 1000; iters++) {
    let leader = -1;
    for (let i = 0; i < servers; i++) {
      if (ts.rafts[i]?.start(randInt()).isLeader === true) leader = i;
    }

    await figure8Pause();

    if (leader !== -1) {
      ts.crash1(leader);
      nup -= 1;
    }

    if (nup < 3) {
      const s = random.int(servers);
      if (ts.rafts[s] === undefined) {
        ts.start1(s);
        ts.connect(s);
        nup += 1;
      }
    }
  }

  for (let i = 0; i < servers; i++) {
    if (ts.rafts[i] === undefined) {
      ts.start1(i);
      ts.connect(i);
    }
  }

  await ts.one(randInt(), servers, true);
  ts.end();
});

simTest("TestUnreliableAgree3C", async (t) => {
  const servers = 5;
  const ts = makeRaftTester(t, { servers, reliable: false });
  ts.begin("Test (3C): unreliable agreement");

  const wg: Promise<number>[] = [];
  for (let iters = 1; iters < 50; iters++) {
    for (let j = 0; j < 4; j++) {
      wg.push(spawn(`one(${100 * iters + j})`, () => ts.one(100 * iters + j, 1, true)));
    }
    await ts.one(iters, 1, true);
  }

  ts.setUnreliable(false);

  await Promise.all(wg);

  await ts.one(100, servers, true);
  ts.end();
});

simTest("TestFigure8Unreliable3C", async (t) => {
  const servers = 5;
  const ts = makeRaftTester(t, { servers, reliable: false });
  ts.begin("Test (3C): Figure 8 (unreliable)");

  await ts.one(random.int(10000), 1, true);

  let nup = servers;
  for (let iters = 0; iters < 1000; iters++) {
    if (iters === 200) ts.setLongReordering(true);
    let leader = -1;
    for (let i = 0; i < servers; i++) {
      const { isLeader } = ts.raft(i).start(random.int(10000));
      if (isLeader && ts.connected[i]) leader = i;
    }

    await figure8Pause();

    if (leader !== -1 && random.int(1000) < RAFT_ELECTION_TIMEOUT / 2) {
      ts.disconnect(leader);
      nup -= 1;
    }

    if (nup < 3) {
      const s = random.int(servers);
      if (!ts.connected[s]) {
        ts.connect(s);
        nup += 1;
      }
    }
  }

  for (let i = 0; i < servers; i++) {
    if (!ts.connected[i]) ts.connect(i);
  }

  // The network stays unreliable, with long reordering, for this last agreement.
  await ts.one(random.int(10000), servers, true);
  ts.end();
});

async function internalChurn(t: SimTestContext, unreliable: boolean): Promise<void> {
  const servers = 5;
  const ts = makeRaftTester(t, { servers, reliable: !unreliable });
  ts.begin(unreliable ? "Test (3C): unreliable churn" : "Test (3C): churn");

  let stop = false;

  // A client: submits random commands to whoever is leader, and returns those it saw committed.
  const client = async (me: number): Promise<number[]> => {
    const values: number[] = [];
    while (!stop) {
      const x = randInt();
      let index = -1;
      let ok = false;
      for (let i = 0; i < servers; i++) {
        // Try them all, maybe one of them is a leader.
        const r = ts.rafts[i]?.start(x);
        if (r?.isLeader === true) {
          ok = true;
          index = r.index;
        }
      }
      if (ok) {
        // Maybe the leader will commit our value, maybe not; but don't wait forever.
        for (const to of [10, 20, 50, 100, 200]) {
          const [nd, cmd] = ts.nCommitted(index);
          if (nd > 0) {
            if (typeof cmd !== "number") fatal("wrong command type");
            if (cmd === x) values.push(x);
            break;
          }
          await sleep(to);
        }
      } else {
        await sleep(79 + me * 17);
      }
    }
    return values;
  };

  // A client that fails fails the whole run (Go's "client failed").
  const ncli = 3;
  const clients = Array.from({ length: ncli }, (_, i) => spawn(`client ${i}`, () => client(i)));

  for (let iters = 0; iters < 20; iters++) {
    if (random.int(1000) < 200) {
      ts.disconnect(random.int(servers));
    }

    if (random.int(1000) < 500) {
      const i = random.int(servers);
      if (ts.rafts[i] === undefined) ts.start1(i);
      ts.connect(i);
    }

    if (random.int(1000) < 200) {
      const i = random.int(servers);
      if (ts.rafts[i] !== undefined) ts.crash1(i);
    }

    // Make crash/restart infrequent enough that the peers can often keep up, but not so infrequent
    // that everything has settled down from one change to the next. Pick a value smaller than the
    // election timeout, but not hugely smaller.
    await sleep((RAFT_ELECTION_TIMEOUT * 7) / 10);
  }

  await sleep(RAFT_ELECTION_TIMEOUT);
  ts.setUnreliable(false);
  for (let i = 0; i < servers; i++) {
    if (ts.rafts[i] === undefined) ts.start1(i);
    ts.connect(i);
  }

  stop = true;

  const values = (await Promise.all(clients)).flat();

  await sleep(RAFT_ELECTION_TIMEOUT);

  const lastIndex = await ts.one(randInt(), servers, true);

  const really: number[] = [];
  for (let index = 1; index <= lastIndex; index++) {
    const v = await ts.wait(index, servers, -1);
    if (typeof v !== "number") fatal("not an int");
    really.push(v);
  }

  for (const v1 of values) {
    if (!really.includes(v1)) fatal("didn't find a value");
  }
  ts.end();
}

simTest("TestReliableChurn3C", (t) => internalChurn(t, false));

simTest("TestUnreliableChurn3C", (t) => internalChurn(t, true));
