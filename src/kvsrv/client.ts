/**
 * The Clerk of Lab 2 (the `client.go` of `src/kvsrv`): it sends each operation to the one server
 * until a reply arrives. A Put or Append carries the Clerk's id and a fresh request id, the same in
 * every retry, so the server executes it once.
 *
 * @module
 */
import type { ClientEnd } from "../labrpc/index.js";
import { dlog, uniqueId } from "../runtime/index.js";
import type { GetArgs, GetReply, PutAppendArgs, PutAppendReply } from "./common.js";

/** A client of the key/value server. Call one operation at a time (await each), as the tests do. */
export class Clerk {
  /** Unique in the run (`uniqueId()`), so no two Clerks share an entry of the server's table. */
  readonly clientId: number;
  private lastRequestId = 0;

  /** Use {@link makeClerk}. */
  constructor(private readonly server: ClientEnd) {
    this.clientId = uniqueId();
  }

  /** The current value of `key`, or "" if it has none. Keeps trying forever. */
  async get(key: string): Promise<string> {
    const args: GetArgs = { key };
    for (;;) {
      const answer = await this.server.call<GetReply>("KVServer.Get", args);
      if (answer !== undefined) return answer.value;
    }
  }

  /**
   * Shared by Put and Append (Go's `PutAppend`); `op` is "Put" or "Append". Returns the reply's
   * value: for an Append, the value before it.
   */
  async putAppend(key: string, value: string, op: "Put" | "Append"): Promise<string> {
    const args: PutAppendArgs = { key, value, clientId: this.clientId, requestId: ++this.lastRequestId };
    for (let attempt = 1; ; attempt++) {
      const reply = await this.server.call<PutAppendReply>(`KVServer.${op}`, args);
      if (reply !== undefined) return reply.value;
      dlog(`C${this.clientId}`, "CLNT", () => `#${args.requestId} ${op}('${key}'): no reply (attempt ${attempt}), retrying`);
    }
  }

  /** Sets `key` to `value`. */
  async put(key: string, value: string): Promise<void> {
    await this.putAppend(key, value, "Put");
  }

  /** Appends `value` to the value of `key` (a missing key counts as "") and returns the old value. */
  async append(key: string, value: string): Promise<string> {
    return this.putAppend(key, value, "Append");
  }
}

/** Creates a Clerk that talks to the server through `server` (Go's `MakeClerk`). */
export function makeClerk(server: ClientEnd): Clerk {
  return new Clerk(server);
}
