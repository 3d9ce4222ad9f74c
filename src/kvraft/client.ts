/**
 * The Clerk (the `client.go` of the lab): the library an application uses to talk to the
 * replicated KV service. Each operation is retried, forever, until some server answers it as the
 * leader; the (clientId, requestId) pair in every request lets the servers apply it only once
 * however many times it is sent.
 *
 * @module
 */

import type { ClientEnd } from "../labrpc/index.js";
import { dlog, sleep, uniqueId } from "../runtime/index.js";
import type { CasArgs, CasReply, Err, GetArgs, GetReply, PutAppendArgs, PutAppendReply } from "./common.js";

/**
 * Pause after every server in turn failed to answer (no leader yet, or none reachable): replies
 * of ErrWrongLeader take no virtual time on a reliable network, so without it a Clerk would spin.
 */
const RETRY_ROUND_PAUSE_MS = 20;

/** A client of the KV service. Call one operation at a time (await each), as the lab's tests do. */
export class Clerk {
  /** Unique in the run (`uniqueId()`), so no two Clerks ever share an entry of the servers' duplicate table. */
  readonly clientId: number;
  private lastRequestId = 0;
  /** The server that answered last time: probably still the leader. */
  private leader = 0;
  private readonly name: string;

  /** Use {@link makeClerk}. */
  constructor(private readonly servers: readonly ClientEnd[]) {
    if (servers.length === 0) throw new Error("makeClerk: no servers");
    this.clientId = uniqueId();
    this.name = `C${this.clientId}`;
  }

  /** The current value of `key`, or "" if it does not exist. */
  async get(key: string): Promise<string> {
    const args: GetArgs = { key, ...this.nextId() };
    const reply = await this.call<GetReply>("Get", args);
    return reply.err === "OK" ? reply.value : "";
  }

  /** Sets `key` to `value`. */
  async put(key: string, value: string): Promise<void> {
    const args: PutAppendArgs = { key, value, ...this.nextId() };
    await this.call<PutAppendReply>("Put", args);
  }

  /** Appends `value` to the value of `key` (a missing key counts as ""). */
  async append(key: string, value: string): Promise<void> {
    const args: PutAppendArgs = { key, value, ...this.nextId() };
    await this.call<PutAppendReply>("Append", args);
  }

  /**
   * Sets `key` to `value` if it currently holds `expected` (a missing key holds ""), atomically.
   * Returns whether it did. Even when the request is sent several times, it is applied once and
   * every copy gets the same answer.
   */
  async cas(key: string, expected: string, value: string): Promise<boolean> {
    const args: CasArgs = { key, expected, value, ...this.nextId() };
    const reply = await this.call<CasReply>("Cas", args);
    return reply.ok;
  }

  private nextId(): { clientId: number; requestId: number } {
    return { clientId: this.clientId, requestId: ++this.lastRequestId };
  }

  /**
   * Sends `KVServer.<method>` to the presumed leader, then to each server in turn, until one
   * answers as the leader. A lost request or reply (`undefined`), an unreachable server and
   * ErrWrongLeader (not the leader, lost leadership, or the server's own apply timeout) all mean
   * "try the next one": retrying is safe because servers drop duplicates.
   */
  private async call<R extends { readonly err: Err }>(method: "Get" | "Put" | "Append" | "Cas", args: GetArgs | PutAppendArgs | CasArgs): Promise<R> {
    let failedInRound = 0;
    for (;;) {
      const server = this.leader;
      const end = this.servers[server];
      if (end === undefined) throw new Error(`Clerk: no server ${server}`);
      const reply = await end.call<R>(`KVServer.${method}`, args);
      if (reply !== undefined && reply.err !== "ErrWrongLeader") {
        dlog(this.name, "CLNT", () => `#${args.requestId} ${method}('${args.key}') done by end ${server}: ${reply.err}`);
        return reply;
      }
      dlog(this.name, "CLNT", () => `#${args.requestId} ${method} to end ${server}: ${reply === undefined ? "no reply" : reply.err}, trying next`);
      this.leader = (server + 1) % this.servers.length;
      if (++failedInRound >= this.servers.length) {
        failedInRound = 0;
        await sleep(RETRY_ROUND_PAUSE_MS);
      }
    }
  }
}

/** Creates a Clerk that reaches the KV servers through `servers` (in any order). */
export function makeClerk(servers: readonly ClientEnd[]): Clerk {
  return new Clerk(servers);
}
