/**
 * The Clerk (the `client.go` of Lab 2): the library the tests use to talk to the server. The tester
 * calls one operation at a time per Clerk (it awaits each).
 *
 * @module
 */

import type { ClientEnd } from "../labrpc/index.js";
import { uniqueId } from "../runtime/index.js";

/** A client of the key/value server. Create it with {@link makeClerk}. */
export class Clerk {
  /** Unique in the run, so no two Clerks share one. */
  readonly clientId: number = uniqueId();

  // You will have to modify this class.

  /** `server` reaches the one key/value server. */
  constructor(readonly server: ClientEnd) {
    // You'll have to add code here.
  }

  /**
   * Fetches the current value for a key; returns "" if the key does not exist. Keeps trying
   * forever in the face of all other errors. To send the RPC:
   *
   *   const reply = await this.server.call<GetReply>("KVServer.Get", args);
   *
   * `reply` is undefined if the request or the reply was lost: try again.
   */
  async get(key: string): Promise<string> {
    // You will have to modify this function.
    void key;
    throw new Error("not implemented: Clerk.get (Lab 2), in src/kvsrv/client.ts");
  }

  /**
   * Shared by Put and Append (Go's `PutAppend`); `op` is "Put" or "Append", sent as
   * `"KVServer." + op`. Returns the reply's value (for an Append, the old value). Keeps trying
   * until it gets a reply, and the server must execute it only once.
   */
  async putAppend(key: string, value: string, op: "Put" | "Append"): Promise<string> {
    // You will have to modify this function.
    void key;
    void value;
    throw new Error(`not implemented: Clerk.putAppend (${op}, Lab 2), in src/kvsrv/client.ts`);
  }

  /** Sets `key` to `value`. */
  async put(key: string, value: string): Promise<void> {
    await this.putAppend(key, value, "Put");
  }

  /** Appends `value` to the value of `key` and returns the value before the append. */
  async append(key: string, value: string): Promise<string> {
    return this.putAppend(key, value, "Append");
  }
}

/** Go's `MakeClerk(server)`. */
export function makeClerk(server: ClientEnd): Clerk {
  const ck = new Clerk(server);
  // You'll have to add code here.
  return ck;
}
