import type { ClientEnd } from "../labrpc/index.js";
import { now, sleep, uniqueId } from "../runtime/index.js";
import type { KvWireArgs, KvWireReply } from "./kv-wire.js";

/** A KV operation as the HTTP API takes it, with the ids that name it in the duplicate table. */
export interface KvRequest {
  readonly op: "Get" | "Put" | "Append" | "Cas";
  readonly args: KvWireArgs;
}

/** What {@link Router.route} found out. */
export type RouteResult =
  | { readonly ok: true; readonly reply: KvWireReply }
  | { readonly ok: false; readonly leader: number | undefined };

/** Pause after every node in turn failed to take the request (no leader yet). */
const ROUND_PAUSE_MS = 20;

/**
 * Sends each request to the leader's KV server, wherever it arrived: to this node's own services
 * when it leads, else forwarded over the peer transport to the node it believes leads, else to
 * each node in turn, until one answers as the leader or the deadline passes. Retrying is safe:
 * a request keeps its (clientId, requestId) across attempts, so the leader applies it once.
 *
 * The Clerk of the lab does the same but retries forever and makes its own ids; an HTTP request
 * needs a deadline (503 after it) and may bring its own ids.
 */
export class Router {
  private next = 0;

  constructor(
    private readonly ends: readonly ClientEnd[],
    private readonly leaderHint: () => number | undefined,
  ) {}

  /** Routes `request` until it is answered or `deadline` (runtime ms) passes. */
  async route(request: KvRequest, deadline: number): Promise<RouteResult> {
    let failedInRound = 0;
    // A hinted leader that just failed us: go round the others until the hint moves.
    let skip: number | undefined;
    while (now() < deadline) {
      const hint = this.leaderHint();
      const target: number = hint !== undefined && hint !== skip ? hint : this.next++ % this.ends.length;
      const reply = await this.ends[target]!.call<KvWireReply>(`KVServer.${request.op}`, request.args);
      if (reply !== undefined && reply.err !== "ErrWrongLeader") return { ok: true, reply };
      if (target === hint) skip = hint;
      if (++failedInRound >= this.ends.length) {
        failedInRound = 0;
        skip = undefined;
        await sleep(Math.max(0, Math.min(ROUND_PAUSE_MS, deadline - now())));
      }
    }
    return { ok: false, leader: this.leaderHint() };
  }
}

/**
 * Ids for requests that bring none: a pool of client ids, each with its own sequence of request
 * ids, one request at a time per client id (the duplicate table's rule: a client's requests are
 * numbered in the order it sends them, and it sends one at a time). A request takes an idle
 * client id, or a fresh one when all are busy, and gives it back when answered. So the duplicate
 * table gains at most one entry per concurrent request, not one per request.
 */
export class IdPool {
  private readonly idle: { readonly clientId: number; lastRequestId: number }[] = [];

  /** Ids for one request; call `release` once it is answered (or given up). */
  take(): { readonly clientId: number; readonly requestId: number; readonly release: () => void } {
    const client = this.idle.pop() ?? { clientId: uniqueId(), lastRequestId: 0 };
    const requestId = ++client.lastRequestId;
    return { clientId: client.clientId, requestId, release: () => this.idle.push(client) };
  }
}
