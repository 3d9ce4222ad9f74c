/**
 * The shard controller's Clerk (the `client.go` of the lab): Query, Join, Leave and Move, each
 * retried until some controller server answers it as the leader, pausing 100 ms after every round
 * of servers that did not.
 *
 * @module
 */
import type { ClientEnd } from "../labrpc/index.js";
import { dlog, sleep, uniqueId } from "../runtime/index.js";
import type { ChangeReply, Config, QueryReply } from "./common.js";

/** Pause after every server in turn failed to answer as the leader (the original's 100 ms). */
export const CLERK_RETRY_MS = 100;

/** A client of the shard controller. Call one operation at a time (await each). */
export class Clerk {
  /** Unique in the run, so no two Clerks share an entry of the servers' duplicate table. */
  readonly clientId: number;
  private lastRequestId = 0;
  /** The server that answered last time: probably still the leader. */
  private leader = 0;

  /** Use {@link makeClerk}. */
  constructor(private readonly servers: readonly ClientEnd[]) {
    if (servers.length === 0) throw new Error("makeClerk: no controller servers");
    this.clientId = uniqueId();
  }

  /** Configuration `num`; -1 (or a number past the latest): the latest. */
  async query(num: number): Promise<Config> {
    const reply = await this.call<QueryReply>("Query", { num });
    return reply.config;
  }

  /** Adds groups: gid → server names. */
  async join(servers: Readonly<Record<number, readonly string[]>>): Promise<void> {
    const copy: Record<string, readonly string[]> = {};
    for (const [gid, names] of Object.entries(servers)) copy[gid] = [...names];
    await this.call<ChangeReply>("Join", { servers: copy });
  }

  /** Removes groups. */
  async leave(gids: readonly number[]): Promise<void> {
    await this.call<ChangeReply>("Leave", { gids: [...gids] });
  }

  /** Puts `shard` on group `gid`. */
  async move(shard: number, gid: number): Promise<void> {
    await this.call<ChangeReply>("Move", { shard, gid });
  }

  private async call<R extends ChangeReply>(method: "Query" | "Join" | "Leave" | "Move", fields: object): Promise<R> {
    const args = { ...fields, clientId: this.clientId, requestId: ++this.lastRequestId };
    for (;;) {
      for (let k = 0; k < this.servers.length; k++) {
        const server = (this.leader + k) % this.servers.length;
        const reply = await this.servers[server]!.call<R>(`ShardCtrler.${method}`, args);
        if (reply !== undefined && !reply.wrongLeader) {
          this.leader = server;
          return reply;
        }
      }
      dlog(`ctlclerk${this.clientId}`, "CLNT", () => `#${args.requestId} ${method}: no leader answered, retrying in ${CLERK_RETRY_MS} ms`);
      await sleep(CLERK_RETRY_MS);
    }
  }
}

/** Creates a Clerk that reaches the controller servers through `servers` (in any order). */
export function makeClerk(servers: readonly ClientEnd[]): Clerk {
  return new Clerk(servers);
}
