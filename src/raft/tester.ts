/**
 * The Raft tester: a port of 6.5840's `src/raft/config.go`, in virtual time.
 *
 * A {@link RaftTester} starts `servers` Raft peers on a simulated network, reads every peer's
 * `applyCh` and checks each committed command against what every other peer committed, and gives the
 * tests their helpers: {@link RaftTester.checkOneLeader}, {@link RaftTester.one},
 * {@link RaftTester.crash1}, {@link RaftTester.disconnect}, ... Their semantics, constants and
 * failure messages are the original's; all sleeps are virtual, all randomness is the simulation's.
 *
 * A test reads like the Go one:
 *
 * ```ts
 * simTest("TestReElection3A", async (t) => {
 *   const ts = makeRaftTester(t, { servers: 3 });
 *   ts.begin("Test (3A): election after network failure");
 *   const leader1 = await ts.checkOneLeader();
 *   ts.disconnect(leader1);          // a new leader should be elected
 *   await ts.checkOneLeader();
 *   ts.end();
 * });
 * ```
 */
import { isDeepStrictEqual } from "node:util";
import type { ClusterMonitor } from "../monitors/attach.js";
import { superviseCluster } from "../monitors/supervise.js";
import { Network } from "../labrpc/index.js";
import { Channel, dlog, dmark, go, now, random, sleep } from "../runtime/index.js";
import { fatal } from "../tester/failure.js";
import { ServerGroup } from "../tester/server-group.js";
import type { TestInfo } from "../tester/test-info.js";
import { ELECTION_TIMEOUT_MS } from "../tester/timing.js";
import type { ApplyMsg, RaftPeer } from "./api.js";
import { labRaft, type RaftServerFactory } from "./service.js";
import { decodeSnapshot, encodeSnapshot } from "./tester-snapshot.js";

/**
 * The tester generously allows solutions to complete elections in one second (much more than the
 * paper's range of timeouts). Virtual ms.
 */
export const RAFT_ELECTION_TIMEOUT = ELECTION_TIMEOUT_MS;

/** The 3D applier snapshots at every index i with (i + 1) % SNAPSHOT_INTERVAL === 0 (9, 19, 29, ...). */
export const SNAPSHOT_INTERVAL = 10;

/** 3D: a Raft that snapshots must keep its persisted state below this many bytes. */
export const MAXLOGSIZE = 2000;

export { labRaft, type RaftServerFactory } from "./service.js";
export { TestFailure, fatal } from "../tester/failure.js";
export { TEST_TIME_LIMIT_MS } from "../tester/timing.js";

/** Options of {@link makeRaftTester}. */
export interface RaftTesterOptions {
  /** Number of Raft peers. */
  readonly servers: number;
  /** A reliable network neither drops nor delays messages (default true). */
  readonly reliable?: boolean;
  /** 3D: use the applier that snapshots every {@link SNAPSHOT_INTERVAL} entries (default false). */
  readonly snapshot?: boolean;
  /**
   * 3D, explore only: each server's service snapshots every `snapshotIntervals[i]` entries instead
   * of {@link SNAPSHOT_INTERVAL} (a real service snapshots when its own state is large enough, so
   * servers' snapshots need not fall on the same indices). The lab tests keep the default.
   */
  readonly snapshotIntervals?: readonly number[] | undefined;
  /**
   * Explore only: the service is slow. Called by server i's applier after it consumed an entry, it
   * returns how many virtual ms the service spends on it (0: none) before it reads applyCh again, so
   * that Raft's commitIndex may run ahead of what the service applied and snapshotted. The lab
   * tests leave it out (an applier that takes no time).
   */
  readonly serviceDelay?: ((server: number) => number) | undefined;
  /** The Raft to test (default {@link labRaft}); the tester's own tests pass broken fakes. */
  readonly raft?: RaftServerFactory;
  /**
   * Check Raft's five safety properties at every step (default true; see `src/monitors`).
   * Only the tester's own tests turn them off, to see the tester's checks fail on broken fakes.
   */
  readonly monitors?: boolean;
}

/** Like Go's `rand.Int()`, bounded to 31 bits so commands stay exact JS numbers. */
export function randInt(): number {
  return random.int(2 ** 31);
}

/**
 * Runs `fn` as a separate task (a goroutine) and returns a promise of its result, like a
 * `go func` that reports on a channel. If `fn` fails, the whole run fails with its error (the
 * promise then never settles, so no unhandled rejection is left behind).
 */
export function spawn<T>(name: string, fn: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve) => {
    go(name, async () => resolve(await fn()));
  });
}

/** Creates the tester and starts and connects all its servers (Go's `make_config`). */
export function makeRaftTester(t: TestInfo, options: RaftTesterOptions): RaftTester {
  return new RaftTester(t, options);
}

/** The Raft test harness (Go's `config`). Make one with {@link makeRaftTester}. */
export class RaftTester {
  /** Number of servers. */
  readonly n: number;
  /** The network; tests rarely need it (`ts.net.setLongReordering(true)`...). */
  readonly net: Network;
  /** The servers: their ends, links, persisters, crash and restart (shared with the KV tester). */
  readonly group: ServerGroup<RaftPeer>;
  /** Each server's running Raft, or undefined while it is crashed. */
  get rafts(): readonly (RaftPeer | undefined)[] {
    return this.group.running;
  }
  /** Whether each server is on the network. */
  get connected(): readonly boolean[] {
    return this.isConnected;
  }

  private readonly t: TestInfo;
  private readonly factory: RaftServerFactory;
  private readonly snapshotApplier: boolean;
  private readonly snapshotIntervals: readonly number[];
  private readonly serviceDelay: ((server: number) => number) | undefined;
  private readonly isConnected: boolean[];
  /** The tester's copy of each server's committed entries: `applied[i]` maps index to command. */
  private readonly applied: Map<number, unknown>[];
  private readonly lastApplied: number[];
  /** The safety monitors, told of every command an applier sees. */
  private readonly monitor: ClusterMonitor;
  private finished = false;
  private quiet = true; // no fault marks while building the cluster
  // begin()/end() statistics
  private title = "";
  private t0 = 0;
  private rpcs0 = 0;
  private bytes0 = 0;
  private maxIndex = 0;
  private maxIndex0 = 0;

  constructor(t: TestInfo, options: RaftTesterOptions) {
    const n = options.servers;
    this.t = t;
    this.n = n;
    this.factory = options.raft ?? labRaft;
    this.snapshotApplier = options.snapshot ?? false;
    this.snapshotIntervals = options.snapshotIntervals ?? new Array<number>(n).fill(SNAPSHOT_INTERVAL);
    if (this.snapshotIntervals.length !== n || this.snapshotIntervals.some((k) => !Number.isInteger(k) || k < 1)) {
      throw new Error(`makeRaftTester: snapshotIntervals must give a whole number >= 1 for each of the ${n} servers, got [${this.snapshotIntervals.join(", ")}]`);
    }
    this.serviceDelay = options.serviceDelay;
    this.isConnected = new Array<boolean>(n).fill(false);
    this.applied = Array.from({ length: n }, () => new Map<number, unknown>());
    this.lastApplied = new Array<number>(n).fill(0);

    this.net = new Network();
    this.group = new ServerGroup<RaftPeer>(this.net, n);
    this.monitor = options.monitors === false ? { applied: () => {} } : superviseCluster(this.group, (rf) => rf, t);
    this.setUnreliable(!(options.reliable ?? true));
    this.net.setLongDelays(true);

    for (let i = 0; i < n; i++) this.start1(i);
    for (let i = 0; i < n; i++) this.connect(i);
    this.quiet = false;
    dlog("tester", "TEST", `started ${n} servers (${options.reliable ?? true ? "reliable" : "unreliable"} network${this.snapshotApplier ? ", snapshots" : ""})`);
  }

  // ---------------------------------------------------------------------------------------------
  // Server lifecycle

  /** The running Raft of server `i`; fails the test if `i` is crashed. */
  raft(i: number): RaftPeer {
    const rf = this.group.running[i];
    if (rf === undefined) fatal(`server ${i} is crashed: it has no Raft to call`);
    return rf;
  }

  /** Shuts server `i` down but keeps its persistent state (see `ServerGroup.shutdown`). */
  crash1(i: number): void {
    this.isConnected[i] = false;
    const wasRunning = this.group.shutdown(i);
    if (wasRunning && !this.quiet) dmark(i, "TEST", { kind: "crash" }, `crash S${i}`);
  }

  /**
   * Starts (or restarts) server `i`, killing it first if it runs. It gets fresh client ends (so the
   * old instance can no longer send) and a copy of its persister; a saved snapshot is ingested into
   * the tester's copy of its log, as a KV server would. Does not connect it: call {@link connect}.
   */
  start1(i: number): void {
    const restart = this.group.persister(i) !== undefined;
    this.crash1(i);
    const applyCh = new Channel<ApplyMsg>(); // unbuffered, like make(chan ApplyMsg)
    this.group.start(i, {
      beforeLaunch: (persister) => {
        this.lastApplied[i] = 0;
        const snapshot = persister.readSnapshot();
        if (snapshot.length > 0) {
          // Mimic the KV server and process the snapshot now.
          const err = this.ingestSnap(i, snapshot, -1);
          if (err !== "") fatal(err);
        }
      },
      launch: (ends, persister) => {
        const { peer, service } = this.factory(ends, i, persister, applyCh);
        return { member: peer, services: [service] };
      },
      afterLaunch: (peer) => {
        if (this.snapshotApplier) go(`applier-snap S${i}`, () => this.applierSnap(i, peer, applyCh));
        else go(`applier S${i}`, () => this.applier(i, applyCh));
      },
    });
    if (restart && !this.quiet) dmark(i, "TEST", { kind: "restart" }, `restart S${i}`);
  }

  /** Attaches server `i` to the network: enables its links to and from every connected server. */
  connect(i: number): void {
    this.isConnected[i] = true;
    this.group.setLinks(i, this.group.all().filter((j) => this.isConnected[j]), true);
    if (!this.quiet) dmark(i, "TEST", { kind: "connect" }, `connect S${i}`);
  }

  /** Detaches server `i` from the network: disables all its links, both ways. */
  disconnect(i: number): void {
    this.isConnected[i] = false;
    this.group.setLinks(i, this.group.all(), false);
    if (!this.quiet) dmark(i, "TEST", { kind: "disconnect" }, `disconnect S${i}`);
  }

  /** Makes the network drop and delay messages (`true`) or deliver them all promptly (`false`). */
  setUnreliable(unreliable: boolean): void {
    this.net.setReliable(!unreliable);
    dlog("tester", "TEST", `network ${unreliable ? "unreliable" : "reliable"}`);
  }

  /** Holds two replies in three back for 200..2199 ms (TestFigure8Unreliable3C). */
  setLongReordering(on: boolean): void {
    this.net.setLongReordering(on);
    dlog("tester", "TEST", `long reordering ${on ? "on" : "off"}`);
  }

  /** RPCs that reached server `i`. */
  rpcCount(i: number): number {
    return this.net.getCount(i);
  }

  /** RPCs sent on the whole network. */
  rpcTotal(): number {
    return this.net.getTotalCount();
  }

  /** Bytes sent on the whole network (requests, and replies delivered). */
  bytesTotal(): number {
    return this.net.getTotalBytes();
  }

  /** The largest persisted Raft state among all servers, in bytes. */
  logSize(): number {
    return this.group.logSize();
  }

  // ---------------------------------------------------------------------------------------------
  // Appliers: read applyCh and check every committed command

  /**
   * Records that server `i` committed `cmd` at `index`, checking that no server committed a
   * different value there. Returns the error ("" if none) and whether `index - 1` was committed.
   */
  private checkLogs(i: number, index: number, cmd: unknown): { err: string; prevOk: boolean } {
    let err = "";
    for (let j = 0; j < this.n; j++) {
      const log = this.applied[j]!;
      if (log.has(index) && !sameCommand(log.get(index), cmd)) {
        // Some server has already committed a different value for this entry!
        err = `commit index=${index} server=${i} ${fmtv(cmd)} != server=${j} ${fmtv(log.get(index))}`;
      }
    }
    const log = this.applied[i]!;
    const prevOk = log.has(index - 1);
    log.set(index, cmd);
    if (index > this.maxIndex) this.maxIndex = index;
    return { err, prevOk };
  }

  /**
   * Reads server i's applyCh and checks that entries come in order and match the other servers'.
   * Ends when Raft closes applyCh (as Go's `for m := range applyCh` does).
   */
  private async applier(i: number, applyCh: Channel<ApplyMsg>): Promise<void> {
    for await (const m of applyCh) {
      if (!m.commandValid) continue; // ignore other types of ApplyMsg
      this.monitor.applied(i, m.commandIndex, m.command);
      let { err, prevOk } = this.checkLogs(i, m.commandIndex, m.command);
      if (m.commandIndex > 1 && !prevOk) err = `server ${i} apply out of order ${m.commandIndex}`;
      if (err !== "") fatal(`apply error: ${err}`);
    }
  }

  /**
   * The 3D applier: like {@link applier}, plus it ingests snapshots, and at every index with
   * (index + 1) % SNAPSHOT_INTERVAL === 0 it makes a snapshot and calls `rf.snapshot()` right here,
   * in the task that reads applyCh (a Raft that waits for applyCh inside snapshot() would hang).
   * Messages with neither flag set are ignored, and it ends when Raft closes applyCh, as in Go.
   */
  private async applierSnap(i: number, rf: RaftPeer, applyCh: Channel<ApplyMsg>): Promise<void> {
    for await (const m of applyCh) {
      let err = "";
      if (m.snapshotValid) {
        err = this.ingestSnap(i, m.snapshot, m.snapshotIndex);
      } else if (m.commandValid) {
        const index = m.commandIndex;
        this.monitor.applied(i, index, m.command);
        if (index !== this.lastApplied[i]! + 1) {
          err = `server ${i} apply out of order, expected index ${this.lastApplied[i]! + 1}, got ${index}`;
        }
        if (err === "") {
          const r = this.checkLogs(i, index, m.command);
          err = r.err;
          if (index > 1 && !r.prevOk) err = `server ${i} apply out of order ${index}`;
        }
        this.lastApplied[i] = index;
        if ((index + 1) % this.snapshotIntervals[i]! === 0) {
          const log = this.applied[i]!;
          const xlog = Array.from({ length: index + 1 }, (_, j) => (log.has(j) ? log.get(j) : null));
          rf.snapshot(index, encodeSnapshot(index, xlog));
        }
      }
      if (err !== "") fatal(`apply error: ${err}`);
      // Without a slow service, no await at all: the lab tests run exactly as before.
      if (this.serviceDelay !== undefined && !(await this.serviceWork(i, rf, this.serviceDelay))) return;
    }
  }

  /**
   * The time a slow service spends on an entry it consumed (only with {@link
   * RaftTesterOptions.serviceDelay}); false if its server crashed meanwhile: the service died with
   * it and reads no more (its restart has a new applier, which must be the only one to apply).
   */
  private async serviceWork(i: number, rf: RaftPeer, delay: (server: number) => number): Promise<boolean> {
    const ms = delay(i);
    if (ms > 0) await sleep(ms);
    return ms === 0 || this.group.running[i] === rf;
  }

  /** Replaces the tester's copy of server i's log with a snapshot's; returns "" or an error. */
  private ingestSnap(i: number, snapshot: Uint8Array, index: number): string {
    if (!(snapshot instanceof Uint8Array)) fatal("nil snapshot");
    const decoded = decodeSnapshot(snapshot);
    if (decoded === undefined) fatal("snapshot decode error");
    const { lastIncludedIndex, xlog } = decoded;
    if (index !== -1 && index !== lastIncludedIndex) {
      return `server ${i} snapshot doesn't match m.SnapshotIndex`;
    }
    const log = new Map<number, unknown>();
    xlog.forEach((cmd, j) => log.set(j, cmd));
    this.applied[i] = log;
    this.lastApplied[i] = lastIncludedIndex;
    dlog("tester", "TEST", `S${i} ingested a snapshot through index ${lastIncludedIndex}`);
    return "";
  }

  // ---------------------------------------------------------------------------------------------
  // Checkers

  /**
   * Checks that one of the connected servers thinks it is the leader, and that no other connected
   * server of the same term thinks so too; returns the leader of the highest term. Tries 10 times,
   * 450-549 ms apart, in case re-elections are needed.
   */
  async checkOneLeader(): Promise<number> {
    for (let iters = 0; iters < 10; iters++) {
      await sleep(450 + random.int(100));

      const leaders = new Map<number, number[]>();
      for (let i = 0; i < this.n; i++) {
        const rf = this.group.running[i];
        if (!this.isConnected[i] || rf === undefined) continue;
        const { term, isLeader } = rf.getState();
        if (isLeader) leaders.set(term, [...(leaders.get(term) ?? []), i]);
      }

      let lastTermWithLeader = -1;
      for (const [term, ls] of leaders) {
        if (ls.length > 1) fatal(`term ${term} has ${ls.length} (>1) leaders`);
        if (term > lastTermWithLeader) lastTermWithLeader = term;
      }
      const leader = leaders.get(lastTermWithLeader)?.[0];
      if (leader !== undefined) {
        dlog("tester", "TEST", `checkOneLeader: S${leader} leads in term ${lastTermWithLeader}`);
        return leader;
      }
    }
    fatal("expected one leader, got none");
  }

  /** Checks that all connected servers agree on the term, and returns it. */
  checkTerms(): number {
    let term = -1;
    for (let i = 0; i < this.n; i++) {
      const rf = this.group.running[i];
      if (!this.isConnected[i] || rf === undefined) continue;
      const xterm = rf.getState().term;
      if (term === -1) term = xterm;
      else if (term !== xterm) fatal("servers disagree on term");
    }
    dlog("tester", "TEST", `checkTerms: connected servers agree on term ${term}`);
    return term;
  }

  /** Checks that none of the connected servers thinks it is the leader. */
  checkNoLeader(): void {
    for (let i = 0; i < this.n; i++) {
      const rf = this.group.running[i];
      if (this.isConnected[i] && rf !== undefined && rf.getState().isLeader) {
        fatal(`expected no leader among connected servers, but ${i} claims to be leader`);
      }
    }
    dlog("tester", "TEST", "checkNoLeader: no connected server claims to lead");
  }

  /**
   * How many servers think the entry at `index` is committed, and its command. Counts every server,
   * connected or not; fails if two servers committed different commands there.
   */
  nCommitted(index: number): [count: number, cmd: unknown] {
    let count = 0;
    let cmd: unknown = undefined;
    for (let i = 0; i < this.n; i++) {
      const log = this.applied[i]!;
      if (!log.has(index)) continue;
      const cmd1 = log.get(index);
      if (count > 0 && !sameCommand(cmd, cmd1)) {
        fatal(`committed values do not match: index ${index}, ${fmtv(cmd)}, ${fmtv(cmd1)}`);
      }
      count++;
      cmd = cmd1;
    }
    return [count, cmd];
  }

  /**
   * Waits for at least `n` servers to commit `index`, polling 30 times with a backoff from 10 ms
   * to 1.28 s, and returns the command. Returns -1 if some server's term passes `startTerm`
   * (unless it is -1): then nobody can promise that the command commits.
   */
  async wait(index: number, n: number, startTerm: number): Promise<unknown> {
    let to = 10;
    for (let iters = 0; iters < 30; iters++) {
      const [nd] = this.nCommitted(index);
      if (nd >= n) break;
      await sleep(to);
      if (to < 1000) to *= 2;
      if (startTerm > -1) {
        for (const rf of this.group.running) {
          // Someone has moved on: can no longer guarantee that we'll "win".
          if (rf !== undefined && rf.getState().term > startTerm) return -1;
        }
      }
    }
    const [nd, cmd] = this.nCommitted(index);
    if (nd < n) fatal(`only ${nd} decided for index ${index}; wanted ${n}`);
    dlog("tester", "TEST", () => `wait(${index}): ${nd} servers committed ${fmtv(cmd)}`);
    return cmd;
  }

  /**
   * Does a complete agreement on `cmd` among at least `expectedServers` servers and returns its
   * index. It may pick the wrong leader first and re-submit after giving up on it; it gives up
   * entirely after 10 s. With `retry` false it calls Start() only once (the early 3B tests).
   */
  async one(cmd: unknown, expectedServers: number, retry: boolean): Promise<number> {
    const t0 = now();
    let starts = 0;
    while (now() - t0 < 10_000 && !this.finished) {
      // Try all the servers, maybe one is the leader.
      let index = -1;
      for (let si = 0; si < this.n; si++) {
        starts = (starts + 1) % this.n;
        const rf = this.isConnected[starts] ? this.group.running[starts] : undefined;
        if (rf === undefined) continue;
        const r = rf.start(cmd);
        if (r.isLeader) {
          index = r.index;
          break;
        }
      }

      if (index !== -1) {
        // Somebody claimed to be the leader and to have submitted our command; wait a while.
        const t1 = now();
        while (now() - t1 < 2000) {
          const [nd, cmd1] = this.nCommitted(index);
          if (nd > 0 && nd >= expectedServers && sameCommand(cmd1, cmd)) {
            dlog("tester", "TEST", () => `one(${fmtv(cmd)}) committed at index ${index} by ${nd} servers`);
            return index;
          }
          await sleep(20);
        }
        if (!retry) fatal(`one(${fmtv(cmd)}) failed to reach agreement`);
      } else {
        await sleep(50);
      }
    }
    if (!this.finished) fatal(`one(${fmtv(cmd)}) failed to reach agreement`);
    return -1;
  }

  // ---------------------------------------------------------------------------------------------
  // Test start and end

  /** Starts a test: remembers the title and the counters for {@link end}'s report. */
  begin(title: string): void {
    this.title = title;
    this.t0 = now();
    this.rpcs0 = this.rpcTotal();
    this.bytes0 = this.bytesTotal();
    this.maxIndex0 = this.maxIndex;
    dlog("tester", "TEST", `begin: ${title}`);
  }

  /**
   * Ends a passed test: prints the original's line (virtual seconds, peers, RPCs, bytes,
   * agreements, then the seed and wall time). The 120 s limit is the simulation's (see
   * `TEST_TIME_LIMIT_MS`), enforced all along rather than checked here.
   */
  end(): void {
    const secs = (now() - this.t0) / 1000;
    const nrpc = this.rpcTotal() - this.rpcs0;
    const nbytes = this.bytesTotal() - this.bytes0;
    const ncmds = this.maxIndex - this.maxIndex0;
    const stats = `  ${secs.toFixed(1).padStart(4)}  ${this.n} ${pad(nrpc, 4)} ${pad(nbytes, 7)} ${pad(ncmds, 4)}`;
    const line = `${this.title} ... Passed --${stats}  seed=${this.t.seed}`;
    // The log gets no wall time: it is part of the run's trace, which must not depend on the machine.
    dlog("tester", "TEST", `end: ${line}`);
    console.log(`${line} wall=${Math.round(this.t.wallMs())}ms`);
  }

  /**
   * Kills every Raft and stops the network (idempotent; Go's `cleanup`). A simulated test need not
   * call it: when its body returns the run ends and every task stops with it.
   */
  cleanup(): void {
    if (this.finished) return;
    this.finished = true;
    for (const rf of this.group.running) rf?.kill();
    this.net.cleanup();
  }
}

// -----------------------------------------------------------------------------------------------
// Helpers

/** Commands are compared by value: they cross the network, so equal commands are never the same object. */
function sameCommand(a: unknown, b: unknown): boolean {
  return a === b || isDeepStrictEqual(a, b);
}

/** Formats a command like Go's %v, shortening long strings (TestRPCBytes sends 5000 characters). */
export function fmtv(v: unknown): string {
  if (v === undefined || v === null) return "<nil>";
  if (typeof v === "string") return v.length > 40 ? `${v.slice(0, 40)}...(${v.length} chars)` : v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  const json = JSON.stringify(v);
  return json.length > 80 ? `${json.slice(0, 80)}...` : json;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width);
}
