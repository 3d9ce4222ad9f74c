import { dlog } from "../runtime/index.js";
import { currentSimulation, currentTask, runInTask, type Random, type Simulation } from "../sim/index.js";
import { encode } from "./codec.js";
import type { Server } from "./service.js";

/** Names of client ends and servers: any string or number (the testers use both). */
export type EndName = string | number;
export type ServerName = string | number;

/**
 * Delays and probabilities of the original labrpc (MIT 6.5840), in virtual milliseconds.
 */
export const LABRPC = {
  /**
   * Not in the original: every delivered request and reply takes at least this long, even on a
   * reliable network. In Go, a reliable RPC still costs real time (encoding, channel hand-offs,
   * goroutine scheduling: tens of microseconds to milliseconds). Without this, a loop of RPCs in
   * virtual time would take no time at all, and a client that loops "until 5 s have passed" (as
   * GenericTest's clients do) would never stop.
   */
  MIN_DELAY: 1,
  /**
   * Not in the original either: every request and reply that is not otherwise delayed takes
   * MIN_DELAY plus 0..RELIABLE_JITTER-1 ms more (1 or 2 ms), drawn per message. In Go every call
   * runs on its own goroutine, so concurrent calls on a reliable network reach the handler in any
   * order ("Concurrent calls to Call() may be delivered to the server out of order"); with one
   * fixed delay, a link here would be strictly FIFO and no reliable test would ever reorder.
   */
  RELIABLE_JITTER: 2,
  /** Unreliable network: each request is delayed 0..SHORT_DELAY-1 ms. */
  SHORT_DELAY: 27,
  /** Per mille of requests dropped, then of replies dropped, on an unreliable network. */
  DROP_PER_MILLE: 100,
  /** A call on a disabled end fails after 0..LONG_DELAY-1 ms when long delays are on... */
  LONG_DELAY: 7000,
  /** ...and after 0..NO_REPLY_DELAY-1 ms otherwise. */
  NO_REPLY_DELAY: 100,
  /** How often a caller re-checks that the server it waits for is still alive. */
  DEAD_CHECK_INTERVAL: 100,
  /** Long reordering: a reply is delayed with probability REORDER_NUM/REORDER_DEN... */
  REORDER_NUM: 600,
  REORDER_DEN: 900,
  /** ...by REORDER_MIN + int(1 + int(REORDER_SPREAD)) ms, skewed toward short delays. */
  REORDER_MIN: 200,
  REORDER_SPREAD: 2000,
} as const;

/**
 * The simulated network (labrpc): client ends call servers with copied arguments over links that
 * may lose requests, lose replies, delay and reorder them, or be cut entirely.
 *
 * The semantics and constants are the original's, in virtual time (see {@link LabClientEnd.call}),
 * with one addition: every delivered message takes at least {@link LABRPC.MIN_DELAY} ms, plus a
 * small random jitter where nothing else delays it, so that concurrent messages on a reliable
 * network may overtake each other as they do in Go. A network belongs to the simulation that was
 * running when it was made, and draws its delays and losses from a random stream of its own.
 */
export class Network {
  private readonly sim: Simulation;
  /** The network's own random stream: a peer drawing more or less does not change which messages are lost. */
  private readonly rand: Random;
  private isReliable = true;
  private hasLongDelays = false;
  private hasLongReordering = false;
  private isDone = false;
  private readonly ends = new Map<EndName, LabClientEnd>();
  private readonly enabled = new Map<EndName, boolean>();
  private readonly servers = new Map<ServerName, Server | undefined>();
  private readonly connections = new Map<EndName, ServerName | undefined>();
  private totalCount = 0;
  private totalBytes = 0;

  constructor() {
    const sim = currentSimulation();
    if (sim === undefined || sim.finished) {
      throw new Error("new Network() must be called inside a running simulation (runSim or simTest)");
    }
    this.sim = sim;
    this.rand = sim.stream("labrpc");
  }

  /** A reliable network delivers every message promptly; an unreliable one delays and drops (default reliable). */
  setReliable(yes: boolean): void {
    this.isReliable = yes;
  }

  /** Whether the network is reliable. */
  reliable(): boolean {
    return this.isReliable;
  }

  /** Calls on disabled ends fail after up to 7 s instead of 100 ms (the Raft tester turns this on). */
  setLongDelays(yes: boolean): void {
    this.hasLongDelays = yes;
  }

  /** Whether long delays are on. */
  longDelays(): boolean {
    return this.hasLongDelays;
  }

  /** Two replies in three are held back 200..2199 ms (TestFigure8Unreliable turns this on). */
  setLongReordering(yes: boolean): void {
    this.hasLongReordering = yes;
  }

  /** Whether long reordering is on. */
  longReordering(): boolean {
    return this.hasLongReordering;
  }

  /** Stops the network: later calls fail at once. */
  cleanup(): void {
    this.isDone = true;
  }

  /** Creates a client end, disabled and unconnected. Names must be unique. */
  makeEnd(name: EndName): LabClientEnd {
    if (this.ends.has(name)) throw new Error(`Network.makeEnd: end ${String(name)} already exists`);
    const end = new LabClientEnd(name, this);
    this.ends.set(name, end);
    this.enabled.set(name, false);
    this.connections.set(name, undefined);
    return end;
  }

  /** Removes a client end; its later calls behave as on a disabled end. */
  deleteEnd(name: EndName): void {
    if (!this.ends.has(name)) throw new Error(`Network.deleteEnd: end ${String(name)} doesn't exist`);
    this.ends.delete(name);
    this.enabled.delete(name);
    this.connections.delete(name);
  }

  /** Adds (or replaces) the server called `name`. */
  addServer(name: ServerName, server: Server): void {
    this.servers.set(name, server);
  }

  /** Removes the server called `name`: calls in progress to it fail within 100 ms, and never reply. */
  deleteServer(name: ServerName): void {
    this.servers.set(name, undefined);
  }

  /** Connects a client end to a server (it stays disabled until {@link enable}). */
  connect(endName: EndName, serverName: ServerName): void {
    if (!this.ends.has(endName)) throw new Error(`Network.connect: end ${String(endName)} doesn't exist`);
    this.connections.set(endName, serverName);
  }

  /** Enables or disables a client end: the only per-link switch. */
  enable(endName: EndName, enabled: boolean): void {
    if (!this.ends.has(endName)) throw new Error(`Network.enable: end ${String(endName)} doesn't exist`);
    this.enabled.set(endName, enabled);
  }

  /** Requests that reached server `name`. */
  getCount(name: ServerName): number {
    const server = this.servers.get(name);
    if (server === undefined) throw new Error(`Network.getCount: no server ${String(name)}`);
    return server.getCount();
  }

  /** Every call made on the network, delivered or not. */
  getTotalCount(): number {
    return this.totalCount;
  }

  /** Bytes of all requests sent, plus bytes of all replies delivered. */
  getTotalBytes(): number {
    return this.totalBytes;
  }

  /** @internal The whole delivery algorithm of one call; see {@link LabClientEnd.call}. */
  async deliver<Reply>(endName: EndName, svcMeth: string, args: unknown): Promise<Reply | undefined> {
    if (this.isDone) return undefined;
    const sim = this.sim;
    const rand = this.rand;
    const request = this.encodeOrFail(args, `${svcMeth} args`);
    this.totalCount++;
    this.totalBytes += request.bytes;

    const enabled = this.enabled.get(endName) === true;
    const serverName = this.connections.get(endName);
    const server = serverName === undefined ? undefined : this.servers.get(serverName);
    const reliable = this.isReliable;
    const longReordering = this.hasLongReordering;

    if (!enabled || serverName === undefined || server === undefined) {
      // Simulate no reply and an eventual timeout.
      const ms = this.hasLongDelays ? rand.int(LABRPC.LONG_DELAY) : rand.int(LABRPC.NO_REPLY_DELAY);
      this.traceMessage("unreachable", svcMeth, endName, serverName ?? "(none)");
      await sim.sleep(ms, "rpc-no-reply");
      return undefined;
    }
    // A sender still busy (e.g. writing to stable storage) sends when it is done.
    const senderBusy = currentTask()?.node.busyFor() ?? 0;
    if (senderBusy > 0) await sim.sleep(senderBusy, "rpc-sender-busy");
    if (reliable) {
      await sim.sleep(this.promptDelay(), "rpc-request");
    } else {
      await sim.sleep(Math.max(LABRPC.MIN_DELAY, rand.int(LABRPC.SHORT_DELAY)), "rpc-short-delay");
      if (rand.int(1000) < LABRPC.DROP_PER_MILLE) {
        this.traceMessage("request lost", svcMeth, endName, serverName);
        dlog("net", "DROP", () => `request ${svcMeth} on ${String(endName)} -> ${String(serverName)} lost`);
        return undefined;
      }
    }
    this.traceMessage("request delivered", svcMeth, endName, serverName);

    // Run the handler as its own task; meanwhile re-check every 100 ms that the server still lives.
    let handler: (a: unknown) => unknown;
    try {
      handler = server.lookup(svcMeth);
    } catch (e) {
      sim.fail(e);
      throw e;
    }
    let settled = false;
    let reply: { copy: Reply; bytes: number } | undefined;
    // The handler is code of the server's node, not of the caller's.
    const run = async (): Promise<unknown> => handler(request.copy);
    const handled = (server.owner === undefined ? run() : runInTask(server.owner, run)).then(
      (r) => {
        settled = true;
        try {
          reply = this.encodeOrFail(r as Reply, `${svcMeth} reply`);
        } catch {
          // encodeOrFail has failed the run; nothing to deliver.
        }
      },
      (e: unknown) => {
        settled = true;
        const message = e instanceof Error ? e.message : String(e);
        sim.fail(new Error(`handler ${svcMeth} on server ${String(serverName)} threw: ${message}`, { cause: e }));
      },
    );
    let dead = false;
    while (!settled && !dead) {
      await raceTimer(sim, handled, LABRPC.DEAD_CHECK_INTERVAL);
      dead = this.isServerDead(endName, serverName, server);
    }
    // Do not reply if the server was deleted or cut meanwhile: a positive reply to a request that
    // the server persisted into a superseded persister would break the testers' assumptions.
    if (reply === undefined || this.isServerDead(endName, serverName, server)) {
      this.traceMessage("no reply (server dead or cut)", svcMeth, endName, serverName);
      return undefined;
    }
    if (!reliable && rand.int(1000) < LABRPC.DROP_PER_MILLE) {
      this.traceMessage("reply lost", svcMeth, endName, serverName);
      dlog("net", "DROP", () => `reply of ${svcMeth} on ${String(endName)} <- ${String(serverName)} lost`);
      return undefined;
    }
    // Likewise a server still busy with what its handler did (persisting before replying).
    const serverBusy = server.owner?.node.busyFor() ?? 0;
    if (serverBusy > 0) await sim.sleep(serverBusy, "rpc-server-busy");
    if (longReordering && rand.int(LABRPC.REORDER_DEN) < LABRPC.REORDER_NUM) {
      const ms = LABRPC.REORDER_MIN + rand.int(1 + rand.int(LABRPC.REORDER_SPREAD));
      await sim.sleep(ms, "rpc-reorder");
    } else {
      await sim.sleep(this.promptDelay(), "rpc-reply");
    }
    this.traceMessage("reply delivered", svcMeth, endName, serverName);
    this.totalBytes += reply.bytes;
    return reply.copy;
  }

  /** The delay of a message that nothing else delays: MIN_DELAY plus a jitter (see {@link LABRPC.RELIABLE_JITTER}). */
  private promptDelay(): number {
    return LABRPC.MIN_DELAY + this.rand.int(LABRPC.RELIABLE_JITTER);
  }

  /** Records what happened to one message in the run's trace (what the determinism check compares). */
  private traceMessage(what: string, svcMeth: string, endName: EndName, serverName: ServerName): void {
    this.sim.trace.add(this.sim.now(), `rpc ${what} ${svcMeth} ${String(endName)} -> ${String(serverName)}`);
  }

  /** Encodes `value`; a value that cannot cross the network fails the whole run, not just this call. */
  private encodeOrFail<T>(value: T, path: string): { copy: T; bytes: number } {
    try {
      return encode(value, path);
    } catch (e) {
      this.sim.fail(e);
      throw e;
    }
  }

  private isServerDead(endName: EndName, serverName: ServerName, server: Server): boolean {
    return this.enabled.get(endName) !== true || this.servers.get(serverName) !== server;
  }
}

/** Waits for `promise` or `ms` virtual ms, whichever comes first, leaving no timer behind. */
function raceTimer(sim: Simulation, promise: Promise<void>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = sim.after(ms, resolve, "rpc-dead-check");
    void promise.then(() => {
      timer.cancel();
      resolve();
    });
  });
}

/**
 * What a caller needs from one end of a link to one server: Raft, the KV server and the Clerk use
 * only this, so they run unchanged over labrpc's simulated ends ({@link LabClientEnd}) and over
 * real transports (the TCP ends of `src/cluster`). The contract is {@link LabClientEnd.call}'s:
 * the reply, or `undefined` when the request or the reply was lost or the server could not be
 * reached in time (the handler may have run); a call always settles.
 */
export interface ClientEnd {
  call<Reply = unknown>(svcMeth: string, args: unknown): Promise<Reply | undefined>;
}

/**
 * One caller's end of a simulated link to one server. Made with {@link Network.makeEnd}.
 */
export class LabClientEnd implements ClientEnd {
  /** @internal */
  constructor(
    readonly name: EndName,
    private readonly net: Network,
  ) {}

  /**
   * Sends an RPC and waits for the reply: `await end.call<AppendEntriesReply>("Raft.AppendEntries", args)`.
   *
   * The arguments are copied now and the reply when it is delivered, so caller and server never
   * share objects. Resolves to the reply, or to `undefined` if the request was lost, the reply was
   * lost, or the server is down or unreachable: `undefined` means "unknown", since the handler may
   * have run. A call always settles (perhaps after a long delay) unless the handler never returns,
   * so there is no need for timeouts around it. Concurrent calls are fine and may be reordered.
   *
   * Throws (and fails the run) if the arguments are not plain data, or if the service or method is
   * unknown to the server.
   */
  call<Reply = unknown>(svcMeth: string, args: unknown): Promise<Reply | undefined> {
    return this.net.deliver<Reply>(this.name, svcMeth, args);
  }
}
