/**
 * The sharded KV tester's cluster: a port of 6.5840's `src/shardkv/config.go`, on the shared
 * {@link ServerGroup}. One network carries everything: the controller's three servers (named
 * `ctlr-<random>`), three shard groups of `n` servers each (gids 100, 101, 102, servers named
 * `server-<gid>-<i>`), and the Clerks. Servers and Clerks reach other groups by name through
 * `makeEnd`, which makes a fresh, enabled end on every call.
 *
 * @module
 */
import type { Annotation } from "porcupine";
import { monitorRaftCluster } from "../monitors/attach.js";
import { monitorShardGroups } from "../monitors/attach-sharding.js";
import { superviseCluster } from "../monitors/supervise.js";
import { showCluster } from "../monitors/cluster-tap.js";
import { Network, type ClientEnd } from "../labrpc/index.js";
import { dlog, dmark, now, random } from "../runtime/index.js";
import { makeClerk as makeCtrlerClerk, type Clerk as CtrlerClerk } from "../shardctrler/client.js";
import { startServer as startCtrler, type ShardCtrler } from "../shardctrler/server.js";
import { fatal } from "../tester/failure.js";
import { ServerGroup } from "../tester/server-group.js";
import type { TestInfo } from "../tester/test-info.js";
import { makeClerk, type Clerk } from "./client.js";
import { startServer, type ShardKV } from "./server.js";
import { OpMarks } from "../tester/op-marks.js";

/** Servers of the controller service. */
export const NCTRLERS = 3;
/** Shard groups: gids 100, 101, 102. */
export const NGROUPS = 3;

/** A controller service (Go's `ctrler`): its servers and the tester's own Clerk of it. */
export class CtrlerService {
  /** The servers' names on the network. */
  readonly names: readonly string[];
  readonly group: ServerGroup<ShardCtrler>;
  /** The tester's Clerk of this controller (join, leave, and the tests' queries). */
  readonly ck: CtrlerClerk;

  constructor(
    readonly cfg: Config,
    /** 0 for the first service of a test, 1 for the second, ... (names its nodes). */
    readonly k: number,
  ) {
    this.names = Array.from({ length: NCTRLERS }, () => `ctlr-${random.string(20)}`);
    this.group = new ServerGroup<ShardCtrler>(cfg.net, NCTRLERS, { server: (i) => this.names[i]!, node: (i) => `ctlr${k}-${i}` });
    if (k === 0) superviseCluster(this.group, (c) => c.rf, cfg.t, { label: "controller" });
    else {
      showCluster(this.group, (c) => c.rf, `controller ${k}`);
      monitorRaftCluster(this.group, (c) => c.rf, { label: `controller ${k}` });
    }
    for (let i = 0; i < NCTRLERS; i++) this.startServer(i);
    for (let i = 0; i < NCTRLERS; i++) this.group.setLinks(i, this.group.all(), true);
    this.ck = makeCtrlerClerk(cfg.ctrlerEnds(this.names));
  }

  /** Starts (or restarts) controller server `k` from its saved state (Go's tests never do; explore does). */
  startServer(k: number): void {
    this.group.start(k, {
      launch: (ends, persister) => {
        const c = startCtrler(ends, k, persister);
        return { member: c, services: c.services() };
      },
    });
  }

  /** Kills every server. */
  kill(): void {
    for (const c of this.group.running) c?.kill();
  }
}

/** One shard group of the tester (Go's `group`). */
export class ShardGroup {
  readonly servers: ServerGroup<ShardKV>;
  /** `mendnames[i]`: server i's ends to the controller's servers (disabled when it is shut down). */
  readonly mendnames: (string[] | undefined)[];

  constructor(
    readonly cfg: Config,
    readonly gid: number,
  ) {
    this.servers = new ServerGroup<ShardKV>(cfg.net, cfg.n, { server: (i) => serverName(gid, i), node: (i) => serverName(gid, i) });
    // A tool watching the run (the step debugger) sees each group, named, before the monitors do.
    showCluster(this.servers, (kv) => kv.rf, `group ${gid}`);
    monitorRaftCluster(this.servers, (kv) => kv.rf, { label: `group ${gid}` });
    this.mendnames = new Array<string[] | undefined>(cfg.n).fill(undefined);
  }

  /** Names of this group's servers, in order. */
  names(): string[] {
    return Array.from({ length: this.cfg.n }, (_, i) => serverName(this.gid, i));
  }
}

/** Go's `servername(gid, i)`. */
export function serverName(gid: number, i: number): string {
  return `server-${gid}-${i}`;
}

/** The sharded KV cluster of one test (Go's `config`). */
export class Config {
  /** The simulated network. */
  readonly net = new Network();
  /** The controller service the groups use. */
  readonly ctl: CtrlerService;
  /** The shard groups, gids 100 + gi. */
  readonly groups: ShardGroup[];
  /** Faults, for the history visualization. */
  readonly annotations: Annotation[] = [];
  private ctrlers = 0;
  private lastStamp = -1;
  private finished = false;
  private readonly services: CtrlerService[] = [];

  constructor(
    /** The running test. */
    readonly t: TestInfo,
    /** Servers per group. */
    readonly n: number,
    unreliable: boolean,
    /** Snapshot when Raft's state reaches this many bytes; -1: never. */
    readonly maxraftstate: number,
  ) {
    this.ctl = this.startCtrlerService();
    this.groups = Array.from({ length: NGROUPS }, (_, gi) => new ShardGroup(this, 100 + gi));
    // Sharding's safety properties, checked at every step (the Raft ones are on each group).
    monitorShardGroups(this.groups);
    for (let gi = 0; gi < NGROUPS; gi++) this.startGroup(gi);
    this.net.setReliable(!unreliable);
  }

  /** Starts a controller service on this network (a test may start a second, independent one). */
  startCtrlerService(): CtrlerService {
    const service = new CtrlerService(this, this.ctrlers++);
    this.services.push(service);
    return service;
  }

  /** Fresh, enabled ends to the named controller servers. */
  ctrlerEnds(names: readonly string[]): ClientEnd[] {
    return names.map((name) => this.makeEnd(name));
  }

  /** Go's `make_end`: a new end with a random name, connected to server `name` and enabled. */
  makeEnd(name: string): ClientEnd {
    const endName = random.string(20);
    const end = this.net.makeEnd(endName);
    this.net.connect(endName, name);
    this.net.enable(endName, true);
    return end;
  }

  /** The gid of group `gi`. */
  gid(gi: number): number {
    return this.groups[gi]!.gid;
  }

  /** The Clerk operations' marks for the timeline (numbering the Clerks). */
  readonly opMarks = new OpMarks();

  /** A Clerk of the service as controller `ctl` describes it. */
  makeClient(ctl: CtrlerService = this.ctl): Clerk {
    const ck = makeClerk(this.ctrlerEnds(ctl.names), (name) => this.makeEnd(name));
    dlog("tester", "TEST", "new clerk");
    // Each operation marked for the timeline (the shard tests call the Clerk directly).
    const { get, put, append } = { get: ck.get.bind(ck), put: ck.put.bind(ck), append: ck.append.bind(ck) };
    ck.get = (key) => this.opMarks.watch(ck, "get", key, undefined, get(key), (v) => v);
    ck.put = (key, value) => this.opMarks.watch(ck, "put", key, value, put(key, value));
    ck.append = (key, value) => this.opMarks.watch(ck, "append", key, value, append(key, value));
    return ck;
  }

  /** Shuts server i of group gi down: its ends to the controller disabled, then a crash (see ServerGroup). */
  shutdownServer(gi: number, i: number): void {
    const g = this.groups[gi]!;
    for (const name of g.mendnames[i] ?? []) this.net.enable(name, false);
    if (g.servers.shutdown(i)) dmark(serverName(g.gid, i), "TEST", { kind: "crash" }, `shut down ${serverName(g.gid, i)}`);
  }

  /** Shuts every server of group gi down. */
  shutdownGroup(gi: number): void {
    for (let i = 0; i < this.n; i++) this.shutdownServer(gi, i);
  }

  /** Starts (or restarts) server i of group gi from its saved state, connected to its peers and the controller. */
  startServer(gi: number, i: number): void {
    const g = this.groups[gi]!;
    const restart = g.servers.persister(i) !== undefined;
    const mendnames = this.ctl.names.map(() => random.string(20));
    const mends = mendnames.map((endName, j) => {
      const end = this.net.makeEnd(endName);
      this.net.connect(endName, this.ctl.names[j]!);
      this.net.enable(endName, true);
      return end;
    });
    g.mendnames[i] = mendnames;
    g.servers.start(i, {
      launch: (ends, persister) => {
        const kv = startServer(ends, i, persister, this.maxraftstate, g.gid, mends, (name) => this.makeEnd(name));
        return { member: kv, services: kv.services() };
      },
    });
    g.servers.setLinks(i, g.servers.all(), true, { quiet: true });
    if (restart) dmark(serverName(g.gid, i), "TEST", { kind: "restart" }, `restart ${serverName(g.gid, i)}`);
  }

  /** Starts every server of group gi. */
  startGroup(gi: number): void {
    for (let i = 0; i < this.n; i++) this.startServer(gi, i);
  }

  /** Go's `join(gi)`: group gi joins the test's controller. */
  async join(gi: number): Promise<void> {
    await this.joinm([gi], this.ctl);
  }

  /** Go's `ctljoin(gi, ctl)`: group gi joins controller `ctl`. */
  async ctljoin(gi: number, ctl: CtrlerService): Promise<void> {
    await this.joinm([gi], ctl);
  }

  /** Go's `joinm(gis, ctl)`: the groups `gis` join in one Join. */
  async joinm(gis: readonly number[], ctl: CtrlerService = this.ctl): Promise<void> {
    const m: Record<number, string[]> = {};
    for (const gi of gis) m[this.gid(gi)] = this.groups[gi]!.names();
    dlog("tester", "TEST", () => `join ${gis.map((gi) => this.gid(gi)).join(" ")}`);
    await ctl.ck.join(m);
  }

  /** Go's `leave(gi)`. */
  async leave(gi: number): Promise<void> {
    await this.leavem([gi]);
  }

  /** Go's `leavem(gis)`: the groups `gis` leave in one Leave. */
  async leavem(gis: readonly number[]): Promise<void> {
    dlog("tester", "TEST", () => `leave ${gis.map((gi) => this.gid(gi)).join(" ")}`);
    await this.ctl.ck.leave(gis.map((gi) => this.gid(gi)));
  }

  /**
   * Go's `checklogs()`: over every server of every group, the Raft state is at most 8 ×
   * maxraftstate, and with maxraftstate -1 there is no snapshot.
   */
  checklogs(): void {
    for (const g of this.groups) {
      for (let i = 0; i < this.n; i++) {
        const p = g.servers.persister(i);
        if (p === undefined) continue;
        const raft = p.raftStateSize();
        const snap = p.snapshotSize();
        if (this.maxraftstate >= 0 && raft > 8 * this.maxraftstate) fatal(`persister.RaftStateSize() ${raft}, but maxraftstate ${this.maxraftstate}`);
        if (this.maxraftstate < 0 && snap > 0) fatal("maxraftstate is -1, but snapshot is non-empty!");
      }
    }
  }

  /** Σ over every server of every group of its Raft state plus its snapshot (TestChallenge1Delete). */
  totalStateBytes(): number {
    let total = 0;
    for (const g of this.groups) {
      for (let i = 0; i < this.n; i++) {
        const p = g.servers.persister(i);
        if (p !== undefined) total += p.raftStateSize() + p.snapshotSize();
      }
    }
    return total;
  }

  /** Virtual ms since the run started (Go's `time.Since(t0)` in the tests' loops). */
  elapsed(): number {
    return now();
  }

  /** A history timestamp: virtual µs, strictly increasing (see the KV tester). */
  stamp(): number {
    const us = Math.floor(now() * 1000);
    this.lastStamp = us > this.lastStamp ? us : this.lastStamp + 1;
    return this.lastStamp;
  }

  /** The faults so far, for the history visualization. */
  faultAnnotations(): Annotation[] {
    const t = this.stamp();
    return this.annotations.map((a) => (a.end === undefined ? { ...a, end: t } : { ...a }));
  }

  /** Prints the test's title (the original prints it itself, with no statistics). */
  begin(title: string): void {
    console.log(title);
    dlog("tester", "TEST", `begin: ${title}`);
  }

  /** Prints the original's `  ... Passed` with the seed and the wall time so far. */
  passed(): void {
    dlog("tester", "TEST", `  ... Passed  seed=${this.t.seed}`);
    console.log(`  ... Passed  seed=${this.t.seed} wall=${Math.round(this.t.wallMs())}ms`);
  }

  /** Shuts down every group, kills the controllers, stops the network (idempotent; Go's `cleanup`). */
  cleanup(): void {
    if (this.finished) return;
    this.finished = true;
    for (const g of this.groups) for (const kv of g.servers.running) kv?.kill();
    for (const s of this.services) s.kill();
    this.net.cleanup();
  }
}

/** Runs `body` with a fresh {@link Config} and always cleans up (Go's `defer cfg.cleanup()`). */
export async function withConfig(
  t: TestInfo,
  n: number,
  unreliable: boolean,
  maxraftstate: number,
  body: (cfg: Config) => Promise<void>,
): Promise<void> {
  const cfg = new Config(t, n, unreliable, maxraftstate);
  try {
    await body(cfg);
  } finally {
    cfg.cleanup();
  }
}
