/**
 * What the network does to messages: the seam where faults are decided.
 *
 * The network asks its {@link FaultPolicy} at each decision point of a call, in this order:
 * {@link FaultPolicy.requestDelay}, {@link FaultPolicy.dropRequest}, {@link FaultPolicy.deliverAgain}
 * (for a request delivered), then (once the handler has replied) {@link FaultPolicy.afterHandler},
 * {@link FaultPolicy.dropReply} and
 * {@link FaultPolicy.replyDelay}; a call to an unreachable server asks only
 * {@link FaultPolicy.unreachableDelay}. {@link originalFaults} is labrpc's own behaviour, and the
 * default; an exploration harness can plug in a policy that aims faults (drop this message, delay
 * that reply past the next election, crash a server right after it replied) and delegate the rest
 * to it.
 */
import type { Random } from "../sim/index.js";
import type { EndName, ServerName } from "./names.js";

/** The message a decision is about. */
export interface MessageInfo {
  /** `"Service.Method"`. */
  readonly svcMeth: string;
  /** The client end it was sent on. */
  readonly endName: EndName;
  /** The server it goes to. */
  readonly serverName: ServerName;
}

/** What a policy may consult: the network's settings and its random stream. */
export interface NetworkConditions {
  /** The network's own random stream (draw from it to stay deterministic). */
  readonly rand: Random;
  reliable(): boolean;
  longDelays(): boolean;
  longReordering(): boolean;
}

/** Decides the fate of each message. Every method must be deterministic given `net.rand`. */
export interface FaultPolicy {
  /** How long (ms) a call to a disabled, unconnected or missing server takes to fail. */
  unreachableDelay(msg: MessageInfo, net: NetworkConditions): number;
  /** How long (ms) a request takes to reach the server (or to be lost). */
  requestDelay(msg: MessageInfo, net: NetworkConditions): number;
  /** Whether the request is lost (asked after its delay): the handler never runs. */
  dropRequest(msg: MessageInfo, net: NetworkConditions): boolean;
  /**
   * Asked once a request is delivered, before its handler runs: after how many ms a copy of it is
   * delivered again on the same end (0: never), as a stale retransmission would be. Not in the
   * original labrpc, which never duplicates a message; Raft's RPCs and a KV server's duplicate
   * table must tolerate it all the same. The copy goes to whatever server the end reaches by then,
   * if it is enabled; its handler runs as the original's does and its reply goes nowhere.
   */
  deliverAgain?(msg: MessageInfo, net: NetworkConditions): number;
  /**
   * Told once a request is delivered, before its handler runs, with its arguments (read them now,
   * do not keep them: the handler may change them). `keepCopy()` takes a copy of them at once and
   * returns a function that delivers that copy again whenever it is called, at any later time, to
   * the server the request was addressed to if it is up then (restarted or not, reachable or not:
   * an asynchronous network may deliver any message ever sent, at any time); its handler runs as
   * the original's did, and its reply goes nowhere. Not in the original labrpc. A policy that
   * never calls `keepCopy` changes nothing.
   */
  requestDelivered?(msg: MessageInfo, args: unknown, keepCopy: () => () => void): void;
  /**
   * Asked once a reply has waited its {@link replyDelay}: a promise to hold it until (the reply
   * arrives when it settles), or undefined to deliver it now. Not in the original labrpc; a reply
   * held past its sender's next election is what a slow network may produce.
   */
  holdReply?(msg: MessageInfo, net: NetworkConditions): Promise<void> | undefined;
  /**
   * Called once the handler has returned its reply, before the network decides the reply's fate.
   * A policy may crash or cut the server here (through the cluster it was given); the network
   * re-checks that the server is alive after this, so such a reply is never delivered. `reply` is
   * the handler's reply (a copy: read it, do not keep it to change).
   */
  afterHandler?(msg: MessageInfo, net: NetworkConditions, reply: unknown): void;
  /** Whether the reply is lost (the handler ran). */
  dropReply(msg: MessageInfo, net: NetworkConditions): boolean;
  /** How long (ms) the reply takes to reach the caller. */
  replyDelay(msg: MessageInfo, net: NetworkConditions): number;
}

/** Delays and probabilities of the original labrpc (MIT 6.5840), in virtual milliseconds. */
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

/** The delay of a message that nothing else delays: MIN_DELAY plus a jitter. */
function promptDelay(net: NetworkConditions): number {
  return LABRPC.MIN_DELAY + net.rand.int(LABRPC.RELIABLE_JITTER);
}

/** labrpc's own behaviour (`processReq` of the original, plus MIN_DELAY and its jitter). */
export const originalFaults: FaultPolicy = {
  unreachableDelay: (_msg, net) => (net.longDelays() ? net.rand.int(LABRPC.LONG_DELAY) : net.rand.int(LABRPC.NO_REPLY_DELAY)),
  requestDelay: (_msg, net) => (net.reliable() ? promptDelay(net) : Math.max(LABRPC.MIN_DELAY, net.rand.int(LABRPC.SHORT_DELAY))),
  dropRequest: (_msg, net) => !net.reliable() && net.rand.int(1000) < LABRPC.DROP_PER_MILLE,
  dropReply: (_msg, net) => !net.reliable() && net.rand.int(1000) < LABRPC.DROP_PER_MILLE,
  replyDelay: (_msg, net) =>
    net.longReordering() && net.rand.int(LABRPC.REORDER_DEN) < LABRPC.REORDER_NUM
      ? LABRPC.REORDER_MIN + net.rand.int(1 + net.rand.int(LABRPC.REORDER_SPREAD))
      : promptDelay(net),
};
