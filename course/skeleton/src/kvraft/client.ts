/**
 * The Clerk (the `client.go` of the lab): the library applications use to talk to your replicated
 * KV service. The tester calls one operation at a time per Clerk (it awaits each).
 *
 * @module
 */

import type { ClientEnd } from "../labrpc/index.js";
import { uniqueId } from "../runtime/index.js";

/** A client of the KV service. Create it with {@link makeClerk}. */
export class Clerk {
  /** Unique in the run, so no two Clerks share one (the tester logs it). */
  readonly clientId: number = uniqueId();

  // You will have to modify this class (4A).

  /** `servers` reach the KV servers, in no particular order: any of them may be the leader. */
  constructor(readonly servers: readonly ClientEnd[]) {
    // You'll have to add code here (4A).
  }

  /**
   * Fetches the current value for a key; returns "" if the key does not exist. Keeps trying forever
   * in the face of all other errors. To send an RPC to server i:
   *
   *   const reply = await this.servers[i]!.call<GetReply>("KVServer.Get", args);
   *
   * `reply` is undefined if the request or the reply was lost or the server is unreachable. Keep
   * trying another server then; when no server answers, pause a little (`await sleep(ms)`) before
   * the next round, or a Clerk would spin without letting virtual time pass.
   */
  async get(key: string): Promise<string> {
    // You will have to modify this function (4A).
    void key; // (marks the argument as used, for the compiler, until your code uses it)
    throw new Error("not implemented: Clerk.get (4A), in src/kvraft/client.ts");
  }

  /** Sets `key` to `value` (the original's `Put`). Keeps trying until it succeeds. */
  async put(key: string, value: string): Promise<void> {
    // You will have to modify this function (4A).
    void key;
    void value;
    throw new Error("not implemented: Clerk.put (4A), in src/kvraft/client.ts");
  }

  /** Appends `value` to the value of `key` (a missing key counts as ""). Keeps trying until it succeeds. */
  async append(key: string, value: string): Promise<void> {
    // You will have to modify this function (4A).
    void key;
    void value;
    throw new Error("not implemented: Clerk.append (4A), in src/kvraft/client.ts");
  }

  /**
   * Compare-and-swap (beyond the original lab; tested by `src/kvraft/cas.test.ts`): sets `key` to
   * `value` if it currently holds `expected` (a missing key holds ""), atomically, and returns
   * whether it did. Even if the request is sent several times, it must take effect at most once.
   */
  async cas(key: string, expected: string, value: string): Promise<boolean> {
    // Your code here (4A, cas).
    void key;
    void expected;
    void value;
    throw new Error("not implemented: Clerk.cas (compare-and-swap), in src/kvraft/client.ts");
  }
}

/** Creates a Clerk that reaches the KV servers through `servers` (the tester's `MakeClerk`). */
export function makeClerk(servers: readonly ClientEnd[]): Clerk {
  return new Clerk(servers);
}
