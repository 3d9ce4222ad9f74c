/**
 * The shard Clerk (mostly given in the lab, like Go's `client.go`): it asks the controller for the
 * latest configuration, sends each request to the group that serves the key's shard, and on
 * ErrWrongGroup (or when no server of the group answers) waits 100 ms and asks the controller
 * again. You will have to modify it so that servers can detect duplicate requests (5B).
 *
 * @module
 */
import type { ClientEnd } from "../labrpc/index.js";
import { sleep } from "../runtime/index.js";
import { makeClerk as makeCtrlerClerk, type Clerk as CtrlerClerk } from "../shardctrler/client.js";
import { initialConfig } from "../shardctrler/shard-config.js";
import { key2shard, type GetReply, type PutAppendReply } from "./common.js";

/** A client of the sharded key/value service. */
export class Clerk {
  private readonly ctl: CtrlerClerk;
  private config = initialConfig();

  /** Use {@link makeClerk}. */
  constructor(
    ctrlers: readonly ClientEnd[],
    private readonly makeEnd: (name: string) => ClientEnd,
  ) {
    this.ctl = makeCtrlerClerk(ctrlers);
    // You'll have to add code here.
  }

  /**
   * Fetch the current value for a key; "" if the key does not exist. Keeps trying forever in the
   * face of all other errors. You will have to modify this function.
   */
  async get(key: string): Promise<string> {
    const args = { key };
    for (;;) {
      const shard = key2shard(key);
      const gid = this.config.shards[shard] ?? 0;
      const names = this.config.groups[gid];
      if (names !== undefined) {
        // try each server for the shard.
        for (const name of names) {
          const srv = this.makeEnd(name);
          const r = await srv.call<GetReply>("ShardKV.Get", args);
          if (r !== undefined && (r.err === "OK" || r.err === "ErrNoKey")) return r.value;
          if (r !== undefined && r.err === "ErrWrongGroup") break;
          // ... not ok, or ErrWrongLeader
        }
      }
      await sleep(100);
      // ask controller for the latest configuration.
      this.config = await this.ctl.query(-1);
    }
  }

  /** Shared by Put and Append. You will have to modify this function. */
  private async putAppend(key: string, value: string, op: "Put" | "Append"): Promise<void> {
    const args = { key, value, op };
    for (;;) {
      const shard = key2shard(key);
      const gid = this.config.shards[shard] ?? 0;
      const names = this.config.groups[gid];
      if (names !== undefined) {
        for (const name of names) {
          const srv = this.makeEnd(name);
          const r = await srv.call<PutAppendReply>("ShardKV.PutAppend", args);
          if (r !== undefined && r.err === "OK") return;
          if (r !== undefined && r.err === "ErrWrongGroup") break;
          // ... not ok, or ErrWrongLeader
        }
      }
      await sleep(100);
      this.config = await this.ctl.query(-1);
    }
  }

  /** Sets `key` to `value`. */
  async put(key: string, value: string): Promise<void> {
    await this.putAppend(key, value, "Put");
  }

  /** Appends `value` to the value of `key`. */
  async append(key: string, value: string): Promise<void> {
    await this.putAppend(key, value, "Append");
  }
}

/** Creates a Clerk: `ctrlers` reach the controller's servers, `makeEnd(name)` any server by name. */
export function makeClerk(ctrlers: readonly ClientEnd[], makeEnd: (name: string) => ClientEnd): Clerk {
  return new Clerk(ctrlers, makeEnd);
}
