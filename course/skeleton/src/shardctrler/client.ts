/**
 * The controller's Clerk (given in the lab, like Go's `client.go`): each operation tries every
 * server in turn until one answers as the leader, and waits 100 ms between rounds. You may add
 * what your servers need to detect duplicates (a client id, request numbers).
 *
 * @module
 */
import type { ClientEnd } from "../labrpc/index.js";
import { sleep } from "../runtime/index.js";
import type { ChangeReply, Config, QueryReply } from "./common.js";

/** A client of the shard controller. */
export class Clerk {
  /** Use {@link makeClerk}. */
  constructor(private readonly servers: readonly ClientEnd[]) {
    // Your code here (5A), if you need it.
  }

  /** Configuration `num`; -1: the latest. */
  async query(num: number): Promise<Config> {
    for (;;) {
      // try each known server.
      for (const srv of this.servers) {
        const r = await srv.call<QueryReply>("ShardCtrler.Query", { num });
        if (r !== undefined && !r.wrongLeader) return r.config;
      }
      await sleep(100);
    }
  }

  /** Adds groups: gid → server names. */
  async join(servers: Readonly<Record<number, readonly string[]>>): Promise<void> {
    await this.change("ShardCtrler.Join", { servers });
  }

  /** Removes groups. */
  async leave(gids: readonly number[]): Promise<void> {
    await this.change("ShardCtrler.Leave", { gids });
  }

  /** Puts `shard` on group `gid`. */
  async move(shard: number, gid: number): Promise<void> {
    await this.change("ShardCtrler.Move", { shard, gid });
  }

  private async change(method: string, args: object): Promise<void> {
    for (;;) {
      for (const srv of this.servers) {
        const r = await srv.call<ChangeReply>(method, args);
        if (r !== undefined && !r.wrongLeader) return;
      }
      await sleep(100);
    }
  }
}

/** Creates a Clerk that reaches the controller's servers through `servers` (in any order). */
export function makeClerk(servers: readonly ClientEnd[]): Clerk {
  return new Clerk(servers);
}
