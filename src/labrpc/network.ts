import { dlog } from "../runtime/index.js";
import { currentSimulation, currentTask, runInTask, type Random, type Simulation } from "../sim/index.js";
import { encode } from "./codec.js";
import { LABRPC, originalFaults, type FaultPolicy, type MessageInfo, type NetworkConditions } from "./faults.js";
import { MESSAGE_TAP, type MessageTap } from "./message-tap.js";
import type { EndName, ServerName } from "./names.js";
import type { Server } from "./service.js";

export type { EndName, ServerName } from "./names.js";

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
  /** The switches of the original (its defaults: reliable, no long delays, no long reordering). */
  private readonly settings = { reliable: true, longDelays: false, longReordering: false };
  private isDone = false;
  private readonly ends = new Map<EndName, LabClientEnd>();
  private readonly enabled = new Map<EndName, boolean>();
  private readonly servers = new Map<ServerName, Server | undefined>();
  private readonly connections = new Map<EndName, ServerName | undefined>();
  private totalCount = 0;
  private totalBytes = 0;
  private faults: FaultPolicy = originalFaults;
  /** A tool watching every message (see `message-tap.ts`), if one is attached to the run. */
  private readonly tap: MessageTap | undefined;

  constructor() {
    const sim = currentSimulation();
    if (sim === undefined || sim.finished) {
      throw new Error("new Network() must be called inside a running simulation (runSim or simTest)");
    }
    this.sim = sim;
    this.rand = sim.stream("labrpc");
    this.tap = sim.probes.get(MESSAGE_TAP);
    if (this.tap !== undefined) this.faults = this.tap.wrap(originalFaults);
  }

  /** A reliable network delivers every message promptly; an unreliable one delays and drops (default reliable). */
  setReliable(yes: boolean): void {
    this.settings.reliable = yes;
  }

  /** Calls on disabled ends fail after up to 7 s instead of 100 ms (the Raft tester turns this on). */
  setLongDelays(yes: boolean): void {
    this.settings.longDelays = yes;
  }

  /** Two replies in three are held back 200..2199 ms (TestFigure8Unreliable turns this on). */
  setLongReordering(yes: boolean): void {
    this.settings.longReordering = yes;
  }

  /** Whether the network is reliable. */
  reliable(): boolean {
    return this.settings.reliable;
  }

  /** Whether long delays are on. */
  longDelays(): boolean {
    return this.settings.longDelays;
  }

  /** Whether long reordering is on. */
  longReordering(): boolean {
    return this.settings.longReordering;
  }

  /** Replaces the policy that decides delays and losses (default {@link originalFaults}). */
  setFaultPolicy(policy: FaultPolicy): void {
    this.faults = this.tap === undefined ? policy : this.tap.wrap(policy);
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
    // For the dump of waiting tasks: the caller waits on this RPC until it settles.
    const untrack = currentTask()?.trackWait(`RPC ${svcMeth} (end ${String(endName)})`);
    try {
      if (this.isDone) return undefined;
      const sim = this.sim;
      const rand = this.rand;
      const request = this.encodeOrFail(args, `${svcMeth} args`);
      this.totalCount++;
      this.totalBytes += request.bytes;

      const enabled = this.enabled.get(endName) === true;
      const serverName = this.connections.get(endName);
      const server = serverName === undefined ? undefined : this.servers.get(serverName);
      const msg: MessageInfo = { svcMeth, endName, serverName: serverName ?? "(none)" };
      this.tap?.sending(msg, request.copy);
      // The settings as they were when the call was made (Go's processReq reads them once too).
      const { reliable, longDelays, longReordering } = this.settings;
      const net: NetworkConditions = { rand, reliable: () => reliable, longDelays: () => longDelays, longReordering: () => longReordering };
      const faults = this.faults;

      if (!enabled || serverName === undefined || server === undefined) {
        // Simulate no reply and an eventual timeout.
        const ms = faults.unreachableDelay(msg, net);
        this.traceMessage("unreachable", msg);
        await sim.sleep(ms, "rpc-no-reply");
        return undefined;
      }
      // A sender still busy (e.g. writing to stable storage) sends when it is done.
      const senderBusy = currentTask()?.node.busyFor() ?? 0;
      if (senderBusy > 0) await sim.sleep(senderBusy, "rpc-sender-busy");
      await sim.sleep(faults.requestDelay(msg, net), reliable ? "rpc-request" : "rpc-short-delay");
      if (faults.dropRequest(msg, net)) {
        this.traceMessage("request lost", msg);
        dlog("net", "DROP", () => `request ${svcMeth} on ${String(endName)} -> ${String(serverName)} lost`);
        return undefined;
      }
      this.traceMessage("request delivered", msg);

      // Run the handler as its own task; meanwhile re-check every 100 ms that the server still lives.
      let handler: (a: unknown) => unknown;
      try {
        handler = server.lookup(svcMeth);
      } catch (e) {
        sim.fail(e);
        throw e;
      }
      const againMs = faults.deliverAgain?.(msg, net) ?? 0;
      // The copy is taken now, before the handler may change the arguments it was given.
      if (againMs > 0) this.deliverCopyLater(endName, svcMeth, this.encodeOrFail(request.copy, `${svcMeth} args`).copy, againMs);
      faults.requestDelivered?.(msg, request.copy, () => {
        const kept = this.encodeOrFail(request.copy, `${svcMeth} args`).copy;
        return () => this.deliverKeptCopy(serverName, svcMeth, kept);
      });
      let settled = false;
      let reply: { copy: Reply; bytes: number } | undefined;
      const handled = this.runHandler(server, serverName, svcMeth, handler, request.copy, (outcome) => {
        settled = true;
        if (!outcome.ok) return;
        try {
          reply = this.encodeOrFail(outcome.reply as Reply, `${svcMeth} reply`);
        } catch {
          // encodeOrFail has failed the run; nothing to deliver.
        }
      });
      let dead = false;
      while (!settled && !dead) {
        await raceTimer(sim, handled, LABRPC.DEAD_CHECK_INTERVAL);
        dead = this.isServerDead(endName, serverName, server);
      }
      if (reply !== undefined && !dead) faults.afterHandler?.(msg, net, reply.copy);
      // Do not reply if the server was deleted or cut meanwhile: a positive reply to a request that
      // the server persisted into a superseded persister would break the testers' assumptions.
      if (reply === undefined || this.isServerDead(endName, serverName, server)) {
        this.traceMessage("no reply (server dead or cut)", msg);
        return undefined;
      }
      if (faults.dropReply(msg, net)) {
        this.traceMessage("reply lost", msg);
        dlog("net", "DROP", () => `reply of ${svcMeth} on ${String(endName)} <- ${String(serverName)} lost`);
        return undefined;
      }
      // Likewise a server still busy with what its handler did (persisting before replying).
      const serverBusy = server.owner?.node.busyFor() ?? 0;
      if (serverBusy > 0) await sim.sleep(serverBusy, "rpc-server-busy");
      const replyDelay = faults.replyDelay(msg, net);
      await sim.sleep(replyDelay, replyDelay >= LABRPC.REORDER_MIN ? "rpc-reorder" : "rpc-reply");
      const hold = faults.holdReply?.(msg, net);
      if (hold !== undefined) {
        await hold;
        if (this.isDone) return undefined;
      }
      this.traceMessage("reply delivered", msg);
      this.tap?.replied(msg, reply.copy);
      this.totalBytes += reply.bytes;
      return reply.copy;
    } finally {
      untrack?.();
    }
  }

  /**
   * Delivers `args` to whatever server `endName` reaches `ms` from now, if the end is enabled then
   * (see {@link FaultPolicy.deliverAgain}): the handler runs on the server's node, and its reply,
   * like that of a retransmission whose caller stopped waiting, goes nowhere.
   */
  private deliverCopyLater(endName: EndName, svcMeth: string, args: unknown, ms: number): void {
    this.sim.after(
      ms,
      () => {
        const serverName = this.connections.get(endName);
        const server = serverName === undefined ? undefined : this.servers.get(serverName);
        const msg: MessageInfo = { svcMeth, endName, serverName: serverName ?? "(none)" };
        if (this.isDone || this.enabled.get(endName) !== true || serverName === undefined || server === undefined) {
          this.traceMessage("copy lost", msg);
          return;
        }
        this.traceMessage("copy delivered", msg);
        dlog("net", "NET", () => `a copy of ${svcMeth} on ${String(endName)} -> ${String(serverName)} delivered again`);
        let handler: (a: unknown) => unknown;
        try {
          handler = server.lookup(svcMeth);
        } catch (e) {
          this.sim.fail(e);
          return;
        }
        void this.runHandler(server, serverName, svcMeth, handler, args, () => {});
      },
      "rpc-copy",
    );
  }

  /**
   * Delivers a kept copy of a request (see {@link FaultPolicy.requestDelivered}) now to the server
   * called `serverName`, if it is up: the handler runs on the server's node, its reply goes nowhere.
   */
  private deliverKeptCopy(serverName: ServerName, svcMeth: string, kept: unknown): void {
    const server = this.servers.get(serverName);
    const msg: MessageInfo = { svcMeth, endName: "(kept copy)", serverName };
    if (this.isDone || server === undefined) {
      this.traceMessage("kept copy lost", msg);
      return;
    }
    this.traceMessage("kept copy delivered", msg);
    dlog("net", "NET", () => `an earlier ${svcMeth} to ${String(serverName)} delivered again`);
    let handler: (a: unknown) => unknown;
    try {
      handler = server.lookup(svcMeth);
    } catch (e) {
      this.sim.fail(e);
      return;
    }
    // A fresh copy each time: the same message may be delivered again more than once.
    void this.runHandler(server, serverName, svcMeth, handler, this.encodeOrFail(kept, `${svcMeth} args`).copy, () => {});
  }

  /**
   * Runs `handler(args)` as code of the server's node (not of the caller's), then calls `settle`
   * with its reply, or with `ok: false` once a handler that threw has failed the run, naming the
   * method and the server. (`settle` runs in the same microtask as a plain `.then` would, so the
   * order of events within an instant is what it always was.)
   */
  private runHandler(
    server: Server,
    serverName: ServerName,
    svcMeth: string,
    handler: (a: unknown) => unknown,
    args: unknown,
    settle: (outcome: { readonly ok: true; readonly reply: unknown } | { readonly ok: false }) => void,
  ): Promise<void> {
    const run = async (): Promise<unknown> => handler(args);
    return (server.owner === undefined ? run() : runInTask(server.owner, run)).then(
      (reply) => settle({ ok: true, reply }),
      (e: unknown) => {
        const message = e instanceof Error ? e.message : String(e);
        this.sim.fail(new Error(`handler ${svcMeth} on server ${String(serverName)} threw: ${message}`, { cause: e }));
        settle({ ok: false });
      },
    );
  }

  /** Records what happened to one message in the run's trace (what the determinism check compares). */
  private traceMessage(what: string, msg: MessageInfo): void {
    if (!this.sim.trace.recording) return;
    this.sim.trace.add(this.sim.now(), `rpc ${what} ${msg.svcMeth} ${String(msg.endName)} -> ${String(msg.serverName)}`);
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
