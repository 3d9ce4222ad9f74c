/**
 * Peer RPC between the processes of a cluster, behind labrpc's {@link ClientEnd} contract: a call
 * resolves to the reply, or to `undefined` when the peer cannot be reached, the link drops, or no
 * reply comes within the call timeout. Handlers run as in labrpc: each request runs its handler
 * (found in a labrpc {@link Server}) on a private copy of its arguments, concurrently with others.
 *
 * - One TCP connection per pair of nodes, carrying both nodes' calls: the node with the lower id
 *   dials (and redials with exponential backoff while the link is down), the other accepts. The
 *   dialer's first frame is HELLO (its id, the id it wants, its `--peers`); the acceptor answers
 *   WELCOME, or REJECT with the reason (a wrong id, another cluster) and closes.
 * - Frames are length-prefixed (see `wire.ts`); calls are multiplexed by a call id, so many may be
 *   in flight on one connection (pipelining), and their replies may come back in any order.
 * - Frames made during one turn of the event loop leave together, in one socket write per link at
 *   the end of the turn, before the persister writes the turn's saves (`end-of-turn.ts`): on
 *   loopback a write's system call, which also runs the receiving side of TCP, costs far more than
 *   the frame's bytes, so under load a node makes one write per peer per turn instead of one per
 *   message. Order on a link is unchanged.
 * - No frame leaves before the saves made before it are durable (the {@link SendGate}): Raft's
 *   "persist before you reply or send" holds with a persister that writes in the background. The
 *   exceptions are the requests `leavesBeforeDurable` names (a leader's AppendEntries, the KV
 *   requests a node forwards, see `send-gate.ts`) and the replies `replyLeavesBeforeDurable` names
 *   (to KV requests): they leave at once, ahead of held frames.
 * - Fault injection: traffic to and from the peers given to {@link TcpTransport.drop} is dropped
 *   (calls to them fail at once, frames from them are ignored) until {@link TcpTransport.heal}.
 *
 * Peers are numbered by Raft index here (0..N-1); messages name them by node id (index + 1).
 */
import { createServer, connect, type Server as NetServer, type Socket } from "node:net";
import { encode, UnknownMethodError, type ClientEnd, type Server } from "../labrpc/index.js";
import { checkSendable, type WireFormat } from "./sendable.js";
import { LocalEnd } from "./local-end.js";
import { OPEN_GATE, type SendGate } from "./send-gate.js";
import { FRAME, FrameDecoder, encodeFrame, encodeJsonFrame, type CallError, type Frame, type FrameKind, type Hello, type Request } from "./wire.js";
import { atEndOfTurn } from "./end-of-turn.js";

/** Timing and limits of the transport, in ms and bytes. */
export const TRANSPORT = {
  /** A call with no reply by then resolves to undefined. Above the KV server's 500 ms apply timeout. */
  CALL_TIMEOUT_MS: 2000,
  /** First and largest pause between attempts to dial a peer. */
  DIAL_BACKOFF_MIN_MS: 20,
  DIAL_BACKOFF_MAX_MS: 500,
  /** A dial or a handshake that takes longer is abandoned. */
  HANDSHAKE_TIMEOUT_MS: 2000,
  /** A call fails at once when this much is already waiting to be written to the peer's socket. */
  MAX_BUFFERED_BYTES: 32 * 1024 * 1024,
} as const;

/** Up to this many bytes, a turn's frames are copied into one buffer for their write; above, they go out in one writev. */
const COALESCE_COPY_BYTES = 64 * 1024;

/** Options of {@link TcpTransport.start}. */
export interface TransportOptions {
  /** This node's Raft index (its id - 1). */
  readonly me: number;
  /** `host:port` of every node, by Raft index (the `--peers` list). */
  readonly peers: readonly string[];
  /** Where to listen (default `peers[me]`). */
  readonly listen?: string;
  /** The services peers call (labrpc's Server: KVServer and Raft). */
  readonly server: Server;
  /** Holds frames back until saves are durable (default: none). */
  readonly gate?: SendGate;
  /** The requests (by `Service.Method`) that leave without waiting for the gate (default: none). */
  readonly leavesBeforeDurable?: (svcMeth: string) => boolean;
  /** The calls (by `Service.Method`) whose replies leave without waiting for the gate (default: none). */
  readonly replyLeavesBeforeDurable?: (svcMeth: string) => boolean;
  /** Default {@link TRANSPORT.CALL_TIMEOUT_MS}. */
  readonly callTimeoutMs?: number;
  /** Notes worth a log line (links up and down, refused handshakes). */
  readonly note?: (message: string) => void;
  /** A handler threw: a bug in this node's code (the caller just gets no reply). */
  readonly onHandlerError?: (svcMeth: string, error: unknown) => void;
}

/** Splits `host:port`; throws naming `what` if it is not one. */
export function parseHostPort(text: string, what: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(text);
  const port = m === null ? NaN : Number(m[2]);
  if (m === null || !(port >= 0 && port <= 65535)) {
    throw new Error(`${what}: "${text}" is not host:port (e.g. 127.0.0.1:7001)`);
  }
  return { host: m[1]!.replace(/^\[|\]$/g, ""), port };
}

/** The TCP transport of one node; see the module comment. */
export class TcpTransport {
  private readonly links = new Map<number, PeerLink>();
  private readonly dropped = new Set<number>();
  private readonly listener: NetServer;
  private readonly sockets = new Set<Socket>();
  private readonly gate: SendGate;
  private readonly callTimeoutMs: number;
  private readonly note: (message: string) => void;
  private readonly endList: ClientEnd[];
  private stopped = false;

  private constructor(private readonly options: TransportOptions, listener: NetServer) {
    this.listener = listener;
    this.gate = options.gate ?? OPEN_GATE;
    this.callTimeoutMs = options.callTimeoutMs ?? TRANSPORT.CALL_TIMEOUT_MS;
    this.note = options.note ?? (() => {});
    this.endList = options.peers.map((_, i) => (i === options.me ? new LocalEnd(options.server) : new TcpEnd(this, i)));
  }

  /**
   * A transport whose ends can be handed to Raft and the KV server at once; it carries nothing
   * until {@link listen}. (Listening only once the services are in the server means that no peer
   * ever meets a node that does not know "Raft.AppendEntries" yet.)
   */
  static create(options: TransportOptions): TcpTransport {
    const { me, peers } = options;
    if (!(me >= 0 && me < peers.length)) throw new RangeError(`TcpTransport: me=${me} is not an index of the ${peers.length} peers`);
    return new TcpTransport(options, createServer());
  }

  /** {@link create}, then {@link listen}. */
  static async start(options: TransportOptions): Promise<TcpTransport> {
    const t = TcpTransport.create(options);
    await t.listen();
    return t;
  }

  /**
   * Listens on this node's address and starts dialing the peers with higher ids. Rejects with a
   * clear message if the address is in use or cannot be bound.
   */
  async listen(): Promise<void> {
    const { me, peers } = this.options;
    const address = this.options.listen ?? peers[me]!;
    const { host, port } = parseHostPort(address, "listen address");
    const listener = this.listener;
    await new Promise<void>((resolve, reject) => {
      listener.once("error", (e: NodeJS.ErrnoException) => {
        reject(
          new Error(
            e.code === "EADDRINUSE"
              ? `peer address ${address} is already in use (another node or program listens there): pick another port, or stop that program`
              : `cannot listen for peers on ${address}: ${e.message}`,
            { cause: e },
          ),
        );
      });
      listener.listen(port, host, () => resolve());
    });
    listener.on("connection", (socket) => this.accept(socket));
    for (let peer = me + 1; peer < peers.length; peer++) void this.dialLoop(peer);
  }

  /** The port actually listened on (useful with port 0). */
  get port(): number {
    const a = this.listener.address();
    return typeof a === "object" && a !== null ? a.port : 0;
  }

  /** One end per node, by Raft index; `ends()[me]` calls this node's own services in process. */
  ends(): readonly ClientEnd[] {
    return this.endList;
  }

  /** Whether the link to `peer` is up. */
  connected(peer: number): boolean {
    return this.links.has(peer);
  }

  /** Drops all traffic to and from `peers` (Raft indices) until {@link heal}; calls waiting on them fail now. */
  drop(peers: Iterable<number>): void {
    for (const p of peers) {
      if (p === this.options.me || !(p >= 0 && p < this.options.peers.length)) continue;
      this.dropped.add(p);
      this.links.get(p)?.failPending();
    }
  }

  /** Ends all dropping. */
  heal(): void {
    this.dropped.clear();
  }

  /** The peers (Raft indices) traffic is dropped with. */
  droppedPeers(): number[] {
    return [...this.dropped].sort((a, b) => a - b);
  }

  /** Closes the listener and every connection; pending calls resolve to undefined. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const link of this.links.values()) link.close();
    for (const s of this.sockets) s.destroy();
    if (this.listener.listening) await new Promise<void>((resolve) => this.listener.close(() => resolve()));
  }

  /** @internal A call on the end of `peer`. */
  call<Reply>(peer: number, svcMeth: string, args: unknown): Promise<Reply | undefined> {
    // Check the arguments even when the call cannot go out: a bad value is a bug wherever it goes.
    // They are serialized in this same turn (PeerLink.call), so the frame is the copy labrpc makes;
    // a value JSON does not carry exactly (bytes) goes as labrpc's copy in V8's format, as it used to.
    const format = checkSendable(args, `${svcMeth} args`);
    const request: Request = { m: svcMeth, a: format === "json" ? args : encode(args, `${svcMeth} args`).copy };
    const link = this.links.get(peer);
    if (this.stopped || link === undefined || this.dropped.has(peer)) return Promise.resolve(undefined);
    return link.call<Reply>(request, format, this.callTimeoutMs);
  }

  // ---------------------------------------------------------------------------------------------
  // Connections

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 1000);
    socket.on("close", () => this.sockets.delete(socket));
    socket.on("error", () => {}); // "close" follows; the link's owner handles it there
  }

  /** Keeps a link to `peer` (a node with a higher id) up, redialing with backoff while it is down. */
  private async dialLoop(peer: number): Promise<void> {
    let backoff: number = TRANSPORT.DIAL_BACKOFF_MIN_MS;
    let lastFailure = "";
    while (!this.stopped) {
      const outcome = await this.dialOnce(peer);
      if (this.stopped) return;
      if (outcome.link !== undefined) {
        backoff = TRANSPORT.DIAL_BACKOFF_MIN_MS;
        lastFailure = "";
        await outcome.link.closed;
        continue;
      }
      if (outcome.failure !== lastFailure && outcome.failure !== "") this.note(`node ${peer + 1}: ${outcome.failure}`);
      lastFailure = outcome.failure;
      await new Promise((r) => setTimeout(r, backoff));
      backoff = Math.min(2 * backoff, TRANSPORT.DIAL_BACKOFF_MAX_MS);
    }
  }

  private dialOnce(peer: number): Promise<{ link?: PeerLink; failure: string }> {
    const { host, port } = parseHostPort(this.options.peers[peer]!, `address of node ${peer + 1}`);
    return new Promise((resolve) => {
      const socket = connect({ host, port });
      this.track(socket);
      const decoder = new FrameDecoder();
      let settled = false;
      const finish = (outcome: { link?: PeerLink; failure: string }): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (outcome.link === undefined) socket.destroy();
        resolve(outcome);
      };
      const timer = setTimeout(() => finish({ failure: "no answer to the handshake in time" }), TRANSPORT.HANDSHAKE_TIMEOUT_MS);
      socket.once("connect", () => {
        const hello: Hello = { from: this.options.me + 1, to: peer + 1, peers: this.options.peers };
        socket.write(encodeFrame(FRAME.HELLO, 0, hello));
      });
      socket.on("close", () => finish({ failure: "" }));
      socket.on("error", (e: NodeJS.ErrnoException) => finish({ failure: e.code === "ECONNREFUSED" ? "" : `cannot connect: ${e.message}` }));
      const onData = (chunk: Buffer): void => {
        let frames: Frame[];
        try {
          frames = decoder.push(chunk);
        } catch (e) {
          finish({ failure: (e as Error).message });
          return;
        }
        const first = frames[0];
        if (first === undefined) return;
        socket.off("data", onData);
        if (first.kind === FRAME.WELCOME) {
          const link = this.adopt(peer, socket, decoder);
          finish({ link, failure: "" });
          for (const f of frames.slice(1)) link.receive(f);
        } else if (first.kind === FRAME.REJECT) {
          finish({ failure: `refused the link: ${String(first.payload)}` });
        } else {
          finish({ failure: `answered the handshake with frame kind ${first.kind}: not a raftlab node` });
        }
      };
      socket.on("data", onData);
    });
  }

  /** A connection from a node with a lower id: check its HELLO, then make it the link to that node. */
  private accept(socket: Socket): void {
    this.track(socket);
    if (this.stopped) {
      socket.destroy();
      return;
    }
    const decoder = new FrameDecoder();
    const timer = setTimeout(() => socket.destroy(), TRANSPORT.HANDSHAKE_TIMEOUT_MS);
    const refuse = (why: string): void => {
      clearTimeout(timer);
      socket.end(encodeFrame(FRAME.REJECT, 0, why));
      this.note(`refused a peer connection: ${why}`);
    };
    const onData = (chunk: Buffer): void => {
      let frames: Frame[];
      try {
        frames = decoder.push(chunk);
      } catch (e) {
        clearTimeout(timer);
        socket.destroy();
        this.note(`closed a peer connection: ${(e as Error).message}`);
        return;
      }
      const first = frames[0];
      if (first === undefined) return;
      socket.off("data", onData);
      if (first.kind !== FRAME.HELLO) {
        refuse(`the first frame must be HELLO, got kind ${first.kind}`);
        return;
      }
      const why = this.checkHello(first.payload);
      if (why !== undefined) {
        refuse(why);
        return;
      }
      clearTimeout(timer);
      const peer = (first.payload as Hello).from - 1;
      socket.write(encodeFrame(FRAME.WELCOME, 0, null));
      const link = this.adopt(peer, socket, decoder);
      for (const f of frames.slice(1)) link.receive(f);
    };
    socket.on("data", onData);
  }

  /** Why a HELLO is refused, or undefined if it is fine. */
  private checkHello(payload: unknown): string | undefined {
    const h = payload as Partial<Hello> | null;
    const me = this.options.me + 1;
    const mine = this.options.peers.join(",");
    if (h === null || typeof h !== "object" || typeof h.from !== "number" || typeof h.to !== "number" || !Array.isArray(h.peers)) {
      return "malformed HELLO";
    }
    if (h.to !== me) return `node ${h.from} dialed node ${h.to} at ${this.options.peers[me - 1]}, but node ${me} listens there: check the order of --peers`;
    if (h.peers.join(",") !== mine) return `node ${h.from} was started with --peers ${h.peers.join(",")}, and node ${me} with --peers ${mine}: every node needs the same list`;
    if (!(h.from >= 1 && h.from < me)) return `node ${h.from} may not dial node ${me} (the lower id dials)`;
    return undefined;
  }

  /** Makes `socket` (past its handshake) the link to `peer`, replacing an older one. */
  private adopt(peer: number, socket: Socket, decoder: FrameDecoder): PeerLink {
    this.links.get(peer)?.close();
    if (this.stopped) socket.destroy(); // a handshake that finished after stop(): the link closes at once
    const link = new PeerLink(peer, socket, decoder, {
      gate: this.gate,
      leavesBeforeDurable: this.options.leavesBeforeDurable ?? (() => false),
      replyLeavesBeforeDurable: this.options.replyLeavesBeforeDurable ?? (() => false),
      dropped: () => this.dropped.has(peer),
      dispatch: (svcMeth, args) => this.dispatch(svcMeth, args),
      onHandlerError: (svcMeth, e) => this.options.onHandlerError?.(svcMeth, e),
    });
    this.links.set(peer, link);
    this.note(`link to node ${peer + 1} up`);
    void link.closed.then(() => {
      if (this.links.get(peer) === link) {
        this.links.delete(peer);
        if (!this.stopped) this.note(`link to node ${peer + 1} down`);
      }
    });
    return link;
  }

  /**
   * Runs the handler of `svcMeth` on `args` (already a private copy: it was just deserialized).
   * The reply is checked as labrpc checks it, and serialized by the caller in the same turn.
   */
  private async dispatch(svcMeth: string, args: unknown): Promise<Outgoing> {
    const handler = this.options.server.lookup(svcMeth);
    const reply = await handler(args);
    // Serialized (or copied) now, as labrpc copies it now: what the handler does later is not sent.
    return checkSendable(reply, `${svcMeth} reply`) === "json" ? { json: JSON.stringify(reply) } : { copy: encode(reply, `${svcMeth} reply`).copy };
  }
}

/** A {@link ClientEnd} to one peer over the transport. */
class TcpEnd implements ClientEnd {
  constructor(
    private readonly transport: TcpTransport,
    private readonly peer: number,
  ) {}

  call<Reply = unknown>(svcMeth: string, args: unknown): Promise<Reply | undefined> {
    return this.transport.call<Reply>(this.peer, svcMeth, args);
  }
}

/** A checked reply: its JSON text, or (when JSON does not carry it exactly, see `sendable.ts`) labrpc's copy of it. */
type Outgoing = { readonly json: string } | { readonly copy: unknown };

interface LinkHooks {
  readonly gate: SendGate;
  readonly leavesBeforeDurable: (svcMeth: string) => boolean;
  readonly replyLeavesBeforeDurable: (svcMeth: string) => boolean;
  readonly dropped: () => boolean;
  readonly dispatch: (svcMeth: string, args: unknown) => Promise<Outgoing>;
  readonly onHandlerError: (svcMeth: string, error: unknown) => void;
}

interface Pending {
  readonly resolve: (reply: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * One connection to a peer, past its handshake: calls out, requests in, frames held back by the
 * gate until durable. Invariant: frames that wait for the gate leave in the order they were made.
 */
class PeerLink {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Frames waiting for the gate, in order; their tickets never decrease. */
  private readonly held: { readonly ticket: number; readonly frame: Buffer }[] = [];
  /** Frames to write at the end of this turn, in order, and their total size. */
  private outgoing: Buffer[] = [];
  private outgoingBytes = 0;
  private flushScheduled = false;
  private readonly unsubscribe: () => void;
  private isClosed = false;
  /** Resolves when the connection has closed. */
  readonly closed: Promise<void>;

  constructor(
    readonly peer: number,
    private readonly socket: Socket,
    decoder: FrameDecoder,
    private readonly hooks: LinkHooks,
  ) {
    this.unsubscribe = hooks.gate.onDurable(() => this.release());
    this.closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    void this.closed.then(() => this.shut());
    socket.on("data", (chunk: Buffer) => {
      let frames: Frame[];
      try {
        frames = decoder.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const f of frames) this.receive(f);
    });
  }

  call<Reply>(request: Request, format: WireFormat, timeoutMs: number): Promise<Reply | undefined> {
    if (this.isClosed || this.socket.writableLength + this.outgoingBytes > TRANSPORT.MAX_BUFFERED_BYTES) return Promise.resolve(undefined);
    const id = this.nextId;
    this.nextId = this.nextId >= 0xffffffff ? 1 : this.nextId + 1;
    const frame = encodeFrame(FRAME.REQUEST, id, request, format);
    return new Promise<Reply | undefined>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(undefined);
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (r: unknown) => void, reject, timer });
      if (this.hooks.leavesBeforeDurable(request.m)) this.write(frame);
      else this.send(frame);
    });
  }

  /** Handles one frame from the peer. */
  receive(frame: Frame): void {
    if (this.hooks.dropped()) return;
    switch (frame.kind) {
      case FRAME.REQUEST:
        this.serve(frame.id, frame.payload as Request);
        return;
      case FRAME.REPLY:
      case FRAME.ERROR: {
        const p = this.pending.get(frame.id);
        if (p === undefined) return; // timed out already
        this.pending.delete(frame.id);
        clearTimeout(p.timer);
        if (frame.kind === FRAME.REPLY) p.resolve(frame.payload);
        else {
          const err = frame.payload as CallError;
          // An unknown method is the caller's bug: fail loudly, as labrpc fails the run.
          if (err.kind === "unknown-method") p.reject(new UnknownMethodError(`node ${this.peer + 1}: ${err.message}`));
          else p.resolve(undefined);
        }
        return;
      }
      default:
        this.socket.destroy(); // a protocol violation: start over with a fresh connection
    }
  }

  /** Fails every call waiting for a reply (traffic with the peer is being dropped). */
  failPending(): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.resolve(undefined);
      this.pending.delete(id);
    }
  }

  close(): void {
    this.socket.destroy();
    this.shut();
  }

  private serve(id: number, request: Request): void {
    let result: Promise<Outgoing>;
    try {
      result = this.hooks.dispatch(request.m, request.a);
    } catch (e) {
      result = Promise.reject(e);
    }
    result.then(
      (reply) => {
        if (this.isClosed || this.hooks.dropped()) return;
        const frame = "json" in reply ? encodeJsonFrame(FRAME.REPLY, id, reply.json) : encodeFrame(FRAME.REPLY, id, reply.copy);
        if (this.hooks.replyLeavesBeforeDurable(request.m)) this.write(frame);
        else this.send(frame);
      },
      (e: unknown) => {
        const unknown = e instanceof UnknownMethodError;
        if (!unknown) this.hooks.onHandlerError(request.m, e);
        const err: CallError = { kind: unknown ? "unknown-method" : "handler-failed", message: e instanceof Error ? e.message : String(e) };
        this.reply(FRAME.ERROR, id, err);
      },
    );
  }

  private reply(kind: FrameKind, id: number, payload: unknown): void {
    if (this.isClosed || this.hooks.dropped()) return;
    this.send(encodeFrame(kind, id, payload));
  }

  /** Writes `frame` now if every save made before it is durable, else once it is. */
  private send(frame: Buffer): void {
    const ticket = this.hooks.gate.ticket();
    if (this.held.length === 0 && ticket <= this.hooks.gate.durable()) this.write(frame);
    else this.held.push({ ticket, frame });
  }

  private release(): void {
    if (this.held.length === 0 || this.isClosed) return;
    const durable = this.hooks.gate.durable();
    let n = 0;
    while (n < this.held.length && this.held[n]!.ticket <= durable) this.write(this.held[n++]!.frame);
    this.held.splice(0, n);
  }

  /** Queues `frame` for the write at the end of this turn (see the module comment). */
  private write(frame: Buffer): void {
    if (this.isClosed) return;
    this.outgoing.push(frame);
    this.outgoingBytes += frame.length;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      atEndOfTurn("sockets", () => this.flush());
    }
  }

  /** Writes the turn's frames in one system call. */
  private flush(): void {
    this.flushScheduled = false;
    const frames = this.outgoing;
    const bytes = this.outgoingBytes;
    this.outgoing = [];
    this.outgoingBytes = 0;
    if (this.isClosed || frames.length === 0) return;
    if (frames.length === 1) this.socket.write(frames[0]!);
    else if (bytes <= COALESCE_COPY_BYTES) this.socket.write(Buffer.concat(frames, bytes));
    else {
      // Large frames (a snapshot) are not worth copying: one writev of them all.
      this.socket.cork();
      for (const f of frames) this.socket.write(f);
      this.socket.uncork();
    }
  }

  private shut(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.unsubscribe();
    this.held.length = 0;
    this.outgoing = [];
    this.outgoingBytes = 0;
    this.failPending();
  }
}
