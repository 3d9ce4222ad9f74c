/**
 * The shard Clerk (the `client.go` of the lab): finds the group that serves a key's shard in the
 * latest configuration it knows, tries that group's servers, and on ErrWrongGroup (or when no
 * server of the group answers) waits 100 ms and asks the controller for the latest configuration.
 *
 * @module
 */
import type { ClientEnd } from "../labrpc/index.js";
import { dlog, sleep, uniqueId } from "../runtime/index.js";
import { makeClerk as makeCtrlerClerk, type Clerk as CtrlerClerk } from "../shardctrler/client.js";
import { initialConfig, type Config } from "../shardctrler/shard-config.js";
import { key2shard, type Err, type GetArgs, type GetReply, type PutAppendArgs, type PutAppendReply } from "./common.js";

/** Pause before asking the controller again (the original's 100 ms). */
const RETRY_MS = 100;

/** A client of the sharded KV service. Call one operation at a time (await each). */
export class Clerk {
  /** Unique in the run, so no two Clerks share an entry of a duplicate table. */
  readonly clientId: number;
  private lastRequestId = 0;
  private readonly sm: CtrlerClerk;
  private config: Config = initialConfig();
  private readonly ends = new Map<string, ClientEnd>();
  /** gid → the index of the server that answered last time. */
  private readonly leaders = new Map<number, number>();

  /** Use {@link makeClerk}. */
  constructor(
    ctrlers: readonly ClientEnd[],
    private readonly makeEnd: (name: string) => ClientEnd,
  ) {
    this.sm = makeCtrlerClerk(ctrlers);
    this.clientId = uniqueId();
  }

  /** The current value of `key`, or "" if it does not exist. Keeps trying forever. */
  async get(key: string): Promise<string> {
    const args: GetArgs = { key, clientId: this.clientId, requestId: ++this.lastRequestId };
    const reply = await this.call<GetReply>("Get", args, (r) => r.err === "OK" || r.err === "ErrNoKey");
    return reply.err === "OK" ? reply.value : "";
  }

  /** Sets `key` to `value`. */
  async put(key: string, value: string): Promise<void> {
    await this.putAppend(key, value, "Put");
  }

  /** Appends `value` to the value of `key`. */
  async append(key: string, value: string): Promise<void> {
    await this.putAppend(key, value, "Append");
  }

  private async putAppend(key: string, value: string, op: "Put" | "Append"): Promise<void> {
    const args: PutAppendArgs = { key, value, op, clientId: this.clientId, requestId: ++this.lastRequestId };
    await this.call<PutAppendReply>("PutAppend", args, (r) => r.err === "OK");
  }

  private async call<R extends { readonly err: Err }>(method: "Get" | "PutAppend", args: GetArgs | PutAppendArgs, done: (r: R) => boolean): Promise<R> {
    const shard = key2shard(args.key);
    for (;;) {
      const gid = this.config.shards[shard]!;
      const servers = this.config.groups[String(gid)];
      if (servers !== undefined && servers.length > 0) {
        const first = this.leaders.get(gid) ?? 0;
        for (let k = 0; k < servers.length; k++) {
          const si = (first + k) % servers.length;
          const reply = await this.endTo(servers[si]!).call<R>(`ShardKV.${method}`, args);
          if (reply !== undefined && done(reply)) {
            this.leaders.set(gid, si);
            return reply;
          }
          if (reply?.err === "ErrWrongGroup") break;
        }
      }
      dlog(`C${this.clientId}`, "CLNT", () => `#${args.requestId} ${method}('${args.key}') shard ${shard}: not served by gid ${gid} in config ${this.config.num}; asking the controller`);
      await sleep(RETRY_MS);
      this.config = await this.sm.query(-1);
    }
  }

  private endTo(name: string): ClientEnd {
    let end = this.ends.get(name);
    if (end === undefined) this.ends.set(name, (end = this.makeEnd(name)));
    return end;
  }
}

/** Creates a Clerk: `ctrlers` reach the controller's servers, `makeEnd(name)` any server by name. */
export function makeClerk(ctrlers: readonly ClientEnd[], makeEnd: (name: string) => ClientEnd): Clerk {
  return new Clerk(ctrlers, makeEnd);
}
