/**
 * The shard controller's tester: a port of 6.5840's `src/shardctrler/config.go` (the KV tester
 * without snapshots and statistics), on the shared {@link ServerGroup}. Servers called 0..n-1,
 * Clerks with their own shuffled ends, crash and restart, and Go's `t.Run` subtests.
 *
 * @module
 */
import { superviseCluster } from "../monitors/supervise.js";
import { Network, type ClientEnd } from "../labrpc/index.js";
import { dlog, random } from "../runtime/index.js";
import { fatal } from "../tester/failure.js";
import { ServerGroup } from "../tester/server-group.js";
import type { TestInfo } from "../tester/test-info.js";
import { makeClerk, type Clerk } from "./client.js";
import { startServer, type ShardCtrler } from "./server.js";

/** A controller cluster on a simulated network, with the original's helpers (Go's `config`). */
export class Config {
  /** The simulated network. */
  readonly net = new Network();
  /** The servers: their ends, links, persisters, crash and restart. */
  readonly group: ServerGroup<ShardCtrler>;
  private readonly clerks = new Map<Clerk, string[]>();
  private subtest: string | undefined;
  private finished = false;

  constructor(
    /** The running test. */
    readonly t: TestInfo,
    /** Number of servers. */
    readonly n: number,
    unreliable: boolean,
  ) {
    this.group = new ServerGroup<ShardCtrler>(this.net, n);
    superviseCluster(this.group, (c) => c.rf, t);
    for (let i = 0; i < n; i++) this.startServer(i);
    this.connectAll();
    this.net.setReliable(!unreliable);
  }

  /** Each server's running controller, or undefined while it is shut down. */
  get servers(): readonly (ShardCtrler | undefined)[] {
    return this.group.running;
  }

  /** `[0, 1, …, n-1]`. */
  all(): number[] {
    return this.group.all();
  }

  /** Connects every server to every server. */
  connectAll(): void {
    for (let i = 0; i < this.n; i++) this.group.setLinks(i, this.all(), true);
  }

  /**
   * A Clerk with its own fresh ends to all servers, handed to it shuffled, of which only the ends
   * to servers in `to` are enabled.
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
    for (const j of to) this.net.enable(names[j]!, true);
    return ck;
  }

  /** Shuts server i down: cut off, removed from the network, its persister superseded, killed. */
  shutdownServer(i: number): void {
    this.group.shutdown(i);
  }

  /** Starts (or restarts) server i from its saved state. */
  startServer(i: number): void {
    this.group.start(i, {
      launch: (ends, persister) => {
        const c = startServer(ends, i, persister);
        return { member: c, services: c.services() };
      },
    });
  }

  /** Whether some running server believes it is the leader, and the first such server. */
  leader(): [boolean, number] {
    for (let i = 0; i < this.n; i++) {
      if (this.servers[i]?.rf.getState().isLeader === true) return [true, i];
    }
    return [false, 0];
  }

  /**
   * Runs one subtest (Go's `t.Run(name, ...)`): prints `=== RUN`, and a failure inside it names it
   * (`TestBasic/LeaveJoin: ...`), as `go test` does.
   */
  async run(name: string, body: () => Promise<void>): Promise<void> {
    this.subtest = name;
    console.log(`=== RUN   ${this.t.name}/${name}`);
    dlog("tester", "TEST", `=== RUN ${this.t.name}/${name}`);
    try {
      await body();
    } finally {
      this.subtest = undefined;
    }
  }

  /** Fails the test (`t.Fatalf`), naming the subtest that is running. */
  fatal(message: string): never {
    return fatal(this.subtest === undefined ? message : `${this.t.name}/${this.subtest}: ${message}`);
  }

  /** Prints the original's `  ... Passed` with the seed and the wall time so far. */
  passed(): void {
    dlog("tester", "TEST", "  ... Passed");
    console.log(`  ... Passed  seed=${this.t.seed} wall=${Math.round(this.t.wallMs())}ms`);
  }

  /** Kills every server and stops the network (idempotent; Go's `cleanup`). */
  cleanup(): void {
    if (this.finished) return;
    this.finished = true;
    for (const c of this.servers) c?.kill();
    this.net.cleanup();
  }
}

/** Runs `body` with a fresh {@link Config} of `n` servers and always cleans up. */
export async function withConfig(t: TestInfo, n: number, unreliable: boolean, body: (cfg: Config) => Promise<void>): Promise<void> {
  const cfg = new Config(t, n, unreliable);
  try {
    await body(cfg);
  } finally {
    cfg.cleanup();
  }
}
