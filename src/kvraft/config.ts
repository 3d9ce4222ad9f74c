/**
 * The KV tester's cluster control: a port of 6.5840's `src/kvraft/config.go`, on the shared
 * {@link ServerGroup}. Servers, their links and partitions, crash and restart, Clerks with their
 * own ends, and the faults drawn on the history visualization.
 *
 * History timestamps: the original records `time.Since(t0)` in nanoseconds. Here a timestamp is
 * virtual time in µs (ms × 1000), made strictly increasing so that two events at the same virtual
 * instant keep the order in which they really happened (see {@link Config.stamp}).
 *
 * @module
 */
import type { Annotation } from "porcupine";
import { superviseCluster } from "../monitors/supervise.js";
import { Network, type ClientEnd } from "../labrpc/index.js";
import { dlog, dmark, now, random } from "../runtime/index.js";
import { ServerGroup } from "../tester/server-group.js";
import type { TestInfo } from "../tester/test-info.js";
import { makeClerk, type Clerk } from "./client.js";
import { startKVServer, type KVServer } from "./server.js";
import { OpMarks } from "../tester/op-marks.js";

/** Options of a {@link Config} beyond the original's. */
export interface ConfigOptions {
  /**
   * Servers answer gets by ReadIndex instead of through the log (real cluster mode's read path,
   * tested here in the simulation). With `true` the servers must offer it: the run fails if they do
   * not; with `"if-offered"` servers that do not keep their gets in the log (as a cluster node does).
   */
  readonly readIndex?: boolean | "if-offered";
}

/** A KV server that can answer gets by ReadIndex (the reference can; the lab does not ask it). */
interface ReadIndexReads {
  serveReadsByReadIndex?(): boolean;
}

/**
 * A KV cluster on a simulated network, with the original's helpers (Go's `config`). Server `i` is
 * called `i` on the network; every end has a fresh random name, so ends of a crashed instance stay
 * dead.
 */
export class Config {
  /** The simulated network. */
  readonly net = new Network();
  /** The servers: their ends, links, persisters, crash and restart (shared with the Raft tester). */
  readonly group: ServerGroup<KVServer>;
  /** Each Clerk's end names, indexed by server (not in the Clerk's shuffled order). */
  private readonly clerks = new Map<Clerk, string[]>();
  /** Faults, for the history visualization. */
  readonly annotations: Annotation[] = [];
  private openPartition: Annotation | undefined;
  private readonly downSince = new Map<number, number>();
  private lastStamp = -1;
  private finished = false;
  // begin()/end() statistics
  private title = "";
  private t0 = 0;
  private rpcs0 = 0;
  private ops = 0;

  constructor(
    /** The running test (name, seed, wall clock). */
    readonly t: TestInfo,
    /** Number of servers. */
    readonly n: number,
    unreliable: boolean,
    /** Snapshot when Raft's state reaches this many bytes; -1: never. */
    readonly maxraftstate: number,
    private readonly options: ConfigOptions = {},
  ) {
    this.group = new ServerGroup<KVServer>(this.net, n);
    // Raft's safety properties, checked at every step; in explore mode, the nemesis (src/explore).
    superviseCluster(this.group, (kv) => kv.rf, t);
    // Create a full set of KV servers.
    for (let i = 0; i < n; i++) this.startServer(i);
    this.connectAll();
    this.net.setReliable(!unreliable);
  }

  /** Each server's running KV server, or undefined while it is shut down. */
  get kvservers(): readonly (KVServer | undefined)[] {
    return this.group.running;
  }

  /** `[0, 1, …, n-1]`. */
  all(): number[] {
    return this.group.all();
  }

  /**
   * A history timestamp: virtual µs, strictly increasing, so events at one virtual instant keep
   * their real order (a return stamped before a later call is not mistaken for a concurrent one).
   */
  stamp(): number {
    const us = Math.floor(now() * 1000);
    this.lastStamp = us > this.lastStamp ? us : this.lastStamp + 1;
    return this.lastStamp;
  }

  /** Largest Raft state over all servers' persisters (bytes). */
  logSize(): number {
    return this.group.logSize();
  }

  /** Largest snapshot over all servers' persisters (bytes). */
  snapshotSize(): number {
    return this.group.snapshotSize();
  }

  /** Enables the links between server i and the servers in `to`, both ways. */
  connect(i: number, to: readonly number[]): void {
    this.group.setLinks(i, to, true);
  }

  /** Disables the links between server i and the servers in `from`, both ways. */
  disconnect(i: number, from: readonly number[]): void {
    this.group.setLinks(i, from, false);
  }

  /** Connects every server to every server. */
  connectAll(): void {
    const healing = this.openPartition !== undefined;
    this.closePartition();
    for (let i = 0; i < this.n; i++) this.connect(i, this.all());
    // One group holding everyone: the timeline ends the partition's shading here.
    if (healing) dmark("tester", "TEST", { kind: "partition", groups: [this.all()] }, "partition healed: all connected");
  }

  /** Two groups: each server reaches its own group and not the other. */
  partition(p1: readonly number[], p2: readonly number[]): void {
    for (const i of p1) {
      this.disconnect(i, p2);
      this.connect(i, p1);
    }
    for (const i of p2) {
      this.disconnect(i, p1);
      this.connect(i, p2);
    }
    this.closePartition();
    const description = `partition [${p1.join(" ")}] [${p2.join(" ")}]`;
    if (p1.length > 0 && p2.length > 0) {
      this.openPartition = { tag: "Test Framework", start: this.stamp(), description, backgroundColor: "#ffe0b2" };
      this.annotations.push(this.openPartition);
    }
    dmark("tester", "TEST", { kind: "partition", groups: [[...p1], [...p2]] }, description);
  }

  private closePartition(): void {
    if (this.openPartition !== undefined) this.openPartition.end = this.stamp();
    this.openPartition = undefined;
  }

  /**
   * A Clerk with its own fresh ends to all servers, handed to it shuffled (so it cannot assume
   * that its end i reaches server i), of which only the ends to servers in `to` are enabled.
   */
  makeClient(to: readonly number[]): Clerk {
    const names: string[] = [];
    const ends: ClientEnd[] = [];
    for (let j = 0; j < this.n; j++) {
      const name = random.string(20);
      names.push(name);
      ends.push(this.net.makeEnd(name));
      this.net.connect(name, j);
    }
    const ck = makeClerk(random.shuffle(ends));
    this.clerks.set(ck, names);
    this.connectClient(ck, to);
    dlog("tester", "TEST", () => `new clerk C${ck.clientId} connected to [${to.join(" ")}]`);
    return ck;
  }

  /** Forgets a Clerk (its ends stay; nothing uses them again). */
  deleteClient(ck: Clerk): void {
    this.clerks.delete(ck);
  }

  /** Enables the Clerk's ends to the servers in `to`. */
  connectClient(ck: Clerk, to: readonly number[]): void {
    this.setClientLinks(ck, to, true);
  }

  /** Disables the Clerk's ends to the servers in `from`. */
  disconnectClient(ck: Clerk, from: readonly number[]): void {
    this.setClientLinks(ck, from, false);
  }

  private setClientLinks(ck: Clerk, servers: readonly number[], enabled: boolean): void {
    const names = this.clerks.get(ck);
    for (const j of servers) {
      const name = names?.[j];
      if (name !== undefined) this.net.enable(name, enabled);
    }
  }

  /**
   * Shuts server i down (see `ServerGroup.shutdown`): cut off, removed from the network, its
   * persister superseded, killed. The old instance may still run for a while, but it can neither
   * reply nor write into the state a restart will read.
   */
  shutdownServer(i: number): void {
    if (!this.group.shutdown(i)) return;
    this.downSince.set(i, this.stamp());
    dmark(i, "TEST", { kind: "crash" }, `shut down S${i}`);
  }

  /** Starts (or restarts, after {@link shutdownServer}) server i from its saved state. */
  startServer(i: number): void {
    const restart = this.group.persister(i) !== undefined;
    this.group.start(i, {
      launch: (ends, persister) => {
        const kv = startKVServer(ends, i, persister, this.maxraftstate);
        const wanted = this.options.readIndex ?? false;
        const switched = wanted !== false && (kv as KVServer & ReadIndexReads).serveReadsByReadIndex?.() === true;
        if (wanted === true && !switched) {
          throw new Error(`server ${i} cannot answer gets by ReadIndex (no KVServer.serveReadsByReadIndex, or its Raft has no readIndex)`);
        }
        return { member: kv, services: kv.services() };
      },
    });
    if (restart) {
      const since = this.downSince.get(i);
      if (since !== undefined) {
        this.annotations.push({ tag: `Server ${i}`, start: since, end: this.stamp(), description: "down (restarts from its persister)", backgroundColor: "#ffcdd2" });
        this.downSince.delete(i);
      }
      dmark(i, "TEST", { kind: "restart" }, `restart S${i}`);
    }
  }

  /** The faults so far as visualization annotations; those still in effect end now. */
  faultAnnotations(): Annotation[] {
    const t = this.stamp();
    const out = this.annotations.map((a) => (a.end === undefined ? { ...a, end: t } : { ...a }));
    for (const [i, since] of this.downSince) {
      out.push({ tag: `Server ${i}`, start: since, end: t, description: "down", backgroundColor: "#ffcdd2" });
    }
    return out;
  }

  /** Whether some server believes it is the leader, and the first such server. */
  leader(): [boolean, number] {
    for (let i = 0; i < this.n; i++) {
      if (this.kvservers[i]?.rf.getState().isLeader === true) return [true, i];
    }
    return [false, 0];
  }

  /** Two groups that put the current leader in the minority: p1 has n/2+1 servers, p2 the rest, leader last. */
  makePartition(): [number[], number[]] {
    const [, l] = this.leader();
    const half = Math.floor(this.n / 2);
    const others = this.all().filter((i) => i !== l);
    return [others.slice(0, half + 1), [...others.slice(half + 1), l]];
  }

  /** The Clerk operations' marks for the timeline (numbering the Clerks). */
  readonly opMarks = new OpMarks();

  /** Counts one Clerk operation (for {@link end}'s report). */
  op(): void {
    this.ops++;
  }

  /** Starts a test: prints the title and remembers the counters for {@link end}. */
  begin(description: string): void {
    console.log(`${description} ...`);
    dlog("tester", "TEST", `begin: ${description}`);
    this.title = description;
    this.t0 = now();
    this.rpcs0 = this.net.getTotalCount();
    this.ops = 0;
  }

  /**
   * Ends a passed (sub)test: prints the original's line (virtual seconds, peers, RPCs including
   * the Clerks', Clerk operations), then the seed and the wall time so far. The 120 s limit is the
   * simulation's (see `TEST_TIME_LIMIT_MS`), enforced all along rather than checked here.
   */
  end(): void {
    const secs = (now() - this.t0) / 1000;
    const nrpc = this.net.getTotalCount() - this.rpcs0;
    const stats = `  ${secs.toFixed(1).padStart(4)}  ${this.n} ${String(nrpc).padStart(5)} ${String(this.ops).padStart(4)}`;
    const line = `  ... Passed --${stats}  seed=${this.t.seed}`;
    // The log gets no wall time: it is part of the run's trace, which must not depend on the machine.
    dlog("tester", "TEST", `end: ${this.title}${line}`);
    console.log(`${line} wall=${Math.round(this.t.wallMs())}ms`);
  }

  /** Kills every server and stops the network (idempotent; Go's `cleanup`). */
  cleanup(): void {
    if (this.finished) return;
    this.finished = true;
    for (const kv of this.kvservers) kv?.kill();
    this.net.cleanup();
  }
}

/** Starts `n` KV servers on a fresh network (`make_config`). */
export function makeConfig(t: TestInfo, n: number, unreliable: boolean, maxraftstate: number, options: ConfigOptions = {}): Config {
  return new Config(t, n, unreliable, maxraftstate, options);
}

/** Runs `body` with a fresh {@link Config} and always cleans up (Go's `defer cfg.cleanup()`). */
export async function withConfig(
  t: TestInfo,
  n: number,
  unreliable: boolean,
  maxraftstate: number,
  body: (cfg: Config) => Promise<void>,
  options: ConfigOptions = {},
): Promise<void> {
  const cfg = makeConfig(t, n, unreliable, maxraftstate, options);
  try {
    await body(cfg);
  } finally {
    cfg.cleanup();
  }
}
