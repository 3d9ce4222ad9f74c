/**
 * Your key/value server (the `server.go` of Lab 2): one server holding a map of strings. Each Put
 * and Append must be executed exactly once however often a Clerk sends it; Get needs no such care.
 * Duplicate detection must free memory quickly (the memory tests measure it).
 *
 * No locks are needed: a handler that does not `await` runs to its end before any other.
 *
 * @module
 */

import { Service } from "../labrpc/index.js";
import type { GetArgs, GetReply, PutAppendArgs, PutAppendReply } from "./common.js";

/** The key/value server. Create it with {@link startKVServer}. */
export class KVServer {
  // Your definitions here.

  /** The RPC handler of `KVServer.Get`. */
  get(args: GetArgs): GetReply {
    // Your code here.
    void args;
    throw new Error("not implemented: KVServer.get (Lab 2), in src/kvsrv/server.ts");
  }

  /** The RPC handler of `KVServer.Put`. */
  put(args: PutAppendArgs): PutAppendReply {
    // Your code here.
    void args;
    throw new Error("not implemented: KVServer.put (Lab 2), in src/kvsrv/server.ts");
  }

  /** The RPC handler of `KVServer.Append`: appends and answers the old value. */
  append(args: PutAppendArgs): PutAppendReply {
    // Your code here.
    void args;
    throw new Error("not implemented: KVServer.append (Lab 2), in src/kvsrv/server.ts");
  }

  /** The RPC service the tester registers on the server: `KVServer` with its three handlers. */
  services(): Service[] {
    const handlers = {
      Get: (a: GetArgs) => this.get(a),
      Put: (a: PutAppendArgs) => this.put(a),
      Append: (a: PutAppendArgs) => this.append(a),
    };
    return [new Service("KVServer", handlers)];
  }
}

/** Go's `StartKVServer()`: called once by the tester; must return quickly. */
export function startKVServer(): KVServer {
  const kv = new KVServer();
  // You may need initialization code here.
  return kv;
}
