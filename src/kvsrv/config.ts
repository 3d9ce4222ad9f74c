/**
 * The Lab 2 tester's server and Clerks: a port of 6.5840's 2024 `src/kvsrv/config.go`. One server,
 * called `0` on the network, with only the `KVServer` service (no Raft, no persister, no
 * restarts); every Clerk gets a fresh end with a random name, which `deleteClient` removes from
 * the network again, so a test can create and drop 100 000 Clerks.
 *
 * History timestamps are virtual µs, strictly increasing (as in the KV tester of Lab 4).
 *
 * @module
 */
import type { Annotation } from "porcupine";
import { Network, Server } from "../labrpc/index.js";
import { superviseNetwork } from "../tester/supervision.js";
import { dlog, now, random } from "../runtime/index.js";
import type { TestInfo } from "../tester/test-info.js";
import { makeClerk, type Clerk } from "./client.js";
import { startKVServer, type KVServer } from "./server.js";
import { OpMarks } from "../tester/op-marks.js";

/** The server's name on the network (Go's `SERVERID`). */
export const SERVERID = 0;

/** The server, its network and the test's Clerks (Go's `config`). */
export class Config {
  /** The simulated network. */
  readonly net = new Network();
  /** The one server. */
  readonly kvserver: KVServer;
  /** Each live Clerk's end name. */
  private readonly clerks = new Map<Clerk, string>();
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
    /** Whether the network loses and delays messages (labrpc's unreliable mode). */
    readonly unreliable: boolean,
    /** Starts the server (default: the lab's `startKVServer`; the tester's own tests plant others). */
    start: () => KVServer = startKVServer,
  ) {
    // In explore mode, the supervision hook may put a nemesis on the network (src/tester/supervision.ts).
    superviseNetwork(this.net, t);
    this.kvserver = start();
    const srv = new Server();
    for (const service of this.kvserver.services()) srv.addService(service);
    this.net.addServer(SERVERID, srv);
    this.net.setReliable(!unreliable);
  }

  /** A Clerk with a fresh end to the server, enabled (Go's `makeClient`). */
  makeClient(): Clerk {
    const name = random.string(20);
    const end = this.net.makeEnd(name);
    this.net.connect(name, SERVERID);
    this.net.enable(name, true);
    const ck = makeClerk(end);
    this.clerks.set(ck, name);
    return ck;
  }

  /** Removes the Clerk's end from the network (Go's `deleteClient`, with `net.DeleteEnd`). */
  deleteClient(ck: Clerk): void {
    const name = this.clerks.get(ck);
    if (name === undefined) return;
    this.net.deleteEnd(name);
    this.clerks.delete(ck);
  }

  /** How many Clerks have an end on the network now. */
  clientCount(): number {
    return this.clerks.size;
  }

  /**
   * A history timestamp: virtual µs, strictly increasing, so events at one virtual instant keep
   * their real order.
   */
  stamp(): number {
    const us = Math.floor(now() * 1000);
    this.lastStamp = us > this.lastStamp ? us : this.lastStamp + 1;
    return this.lastStamp;
  }

  /** The test's faults for the history visualization: the unreliable network, if it is. */
  faultAnnotations(): Annotation[] {
    if (!this.unreliable) return [];
    return [{ tag: "Test Framework", start: 0, end: this.stamp(), description: "unreliable network", backgroundColor: "#fff3cd" }];
  }

  /** The Clerk operations' marks for the timeline (numbering the Clerks). */
  readonly opMarks = new OpMarks();

  /** Counts one Clerk operation made through the test's wrappers (for {@link end}'s report). */
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
   * Ends a passed test: prints the original's line (virtual seconds, RPCs since `begin`, Clerk
   * operations made through the wrappers), then the seed and the wall time so far. The 120 s limit
   * is the simulation's (see `TEST_TIME_LIMIT_MS`), enforced all along.
   */
  end(): void {
    const secs = (now() - this.t0) / 1000;
    const nrpc = this.net.getTotalCount() - this.rpcs0;
    const stats = ` t ${secs.toFixed(1).padStart(4)} nrpc ${String(nrpc).padStart(5)} ops ${String(this.ops).padStart(4)}`;
    const line = `  ... Passed --${stats}  seed=${this.t.seed}`;
    dlog("tester", "TEST", `end: ${this.title}${line}`);
    console.log(`${line} wall=${Math.round(this.t.wallMs())}ms`);
  }

  /** Stops the network (idempotent; Go's `cleanup`). */
  cleanup(): void {
    if (this.finished) return;
    this.finished = true;
    this.net.cleanup();
  }
}

/** Starts the server on a fresh network (Go's `make_config(t, unreliable)`); `start` as in {@link Config}. */
export function makeConfig(t: TestInfo, unreliable: boolean, start?: () => KVServer): Config {
  return new Config(t, unreliable, start);
}

/** Runs `body` with a fresh {@link Config} and always cleans up (Go's `defer cfg.cleanup()`). */
export async function withConfig(t: TestInfo, unreliable: boolean, body: (cfg: Config) => Promise<void>, start?: () => KVServer): Promise<void> {
  const cfg = makeConfig(t, unreliable, start);
  try {
    await body(cfg);
  } finally {
    cfg.cleanup();
  }
}
