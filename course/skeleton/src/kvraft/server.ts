/**
 * Your KV server (the `server.go` of the lab): RPC handlers that submit each operation to Raft
 * with `rf.start()` and answer once it comes out of `applyCh` committed, and a task that reads
 * `applyCh` and applies each committed operation to the key/value state, exactly once (4A). In 4B
 * it also snapshots its state when Raft's persisted state grows near `maxraftstate`, and restores
 * from the snapshot on a restart.
 *
 * As in Raft: no locks, but state may change at every `await`; time and randomness from
 * `src/runtime` only.
 *
 * Waiting for an operation to come out of `applyCh`, with a timeout (Go's
 * `select { case r := <-ch: ...; case <-time.After(d): ... }`): use `select([ch], { timeoutMs })`
 * or `recvTimeout(ch, ms)` from `src/runtime`. Not `Promise.race([ch.recv(), sleep(ms)])`: when
 * the sleep wins, its receive stays registered on the channel and swallows the next value sent,
 * and an applier that sends to it with `await ch.send(...)` may then block for good. Snapshots
 * and persisted state: `encode`/`decode` of `src/runtime` (labgob's role). See
 * docs/runtime-and-hangs.md.
 *
 * @module
 */

import { Service, type ClientEnd } from "../labrpc/index.js";
import { labRaft, type ApplyMsg, type Persister, type RaftPeer, type RaftServerFactory } from "../raft/index.js";
import { Channel } from "../runtime/index.js";
import type { CasArgs, CasReply, GetArgs, GetReply, PutAppendArgs, PutAppendReply } from "./common.js";

/** One KV server: a Raft peer, and the key/value state it replicates. */
export class KVServer {
  /** This server's Raft peer (the tester reads it, as `kv.rf` in Go). */
  readonly rf: RaftPeer;
  /** Raft sends committed commands (and snapshots) here. */
  readonly applyCh = new Channel<ApplyMsg>();
  /** The RPC service of this server's Raft peer; services() hands it to the network. */
  private readonly raftRpcService: Service;
  private stopped = false;

  // Your definitions here (4A, 4B).

  /**
   * Use {@link startKVServer}. `maxraftstate` is the size (in bytes) of Raft's persisted state at
   * which to snapshot (-1: never); compare it with `this.rf.persistedSize()`.
   */
  constructor(
    servers: readonly ClientEnd[],
    readonly me: number,
    readonly persister: Persister,
    readonly maxraftstate: number,
    raft: RaftServerFactory = labRaft,
  ) {
    // You may need initialization code here (4B: restore from persister.readSnapshot()).
    const made = raft(servers, me, persister, this.applyCh);
    this.rf = made.peer;
    this.raftRpcService = made.service;
    // You may need initialization code here (4A: start a task that reads applyCh, with go()).
  }

  /** The RPC services this server offers: `KVServer` (its handlers below) and its Raft peer's `Raft`. */
  services(): Service[] {
    const handlers = {
      Get: (a: GetArgs) => this.get(a),
      Put: (a: PutAppendArgs) => this.put(a),
      Append: (a: PutAppendArgs) => this.append(a),
      Cas: (a: CasArgs) => this.cas(a),
    };
    return [new Service("KVServer", handlers), this.raftRpcService];
  }

  /**
   * The tester calls kill() when a KVServer instance won't be needed again. Stop your tasks and
   * answer waiting handlers (e.g. ErrWrongLeader), so nothing is left hanging.
   */
  kill(): void {
    this.stopped = true;
    this.rf.kill();
    // Your code here, if desired.
  }

  /** Whether kill() has been called. */
  killed(): boolean {
    return this.stopped;
  }

  // RPC handlers: the network calls them with a copy of the arguments and sends back the reply.

  /** `KVServer.Get`. */
  private async get(args: GetArgs): Promise<GetReply> {
    // Your code here (4A).
    void args;
    throw new Error("not implemented: KVServer.get (4A), in src/kvraft/server.ts");
  }

  /** `KVServer.Put`. */
  private async put(args: PutAppendArgs): Promise<PutAppendReply> {
    // Your code here (4A).
    void args;
    throw new Error("not implemented: KVServer.put (4A), in src/kvraft/server.ts");
  }

  /** `KVServer.Append`. */
  private async append(args: PutAppendArgs): Promise<PutAppendReply> {
    // Your code here (4A).
    void args;
    throw new Error("not implemented: KVServer.append (4A), in src/kvraft/server.ts");
  }

  /** `KVServer.Cas` (beyond the original lab). */
  private async cas(args: CasArgs): Promise<CasReply> {
    // Your code here (4A, cas).
    void args;
    throw new Error("not implemented: KVServer.cas (compare-and-swap), in src/kvraft/server.ts");
  }
}

/**
 * Starts a KV server (the tester's `StartKVServer`). `servers` reach the Raft peers of all the
 * servers, `servers[me]` this one; `persister` holds what this server saved before it crashed.
 * `raft` builds the Raft peer (default: yours, `labRaft`). It must return quickly: start tasks
 * for long-running work.
 */
export function startKVServer(
  servers: readonly ClientEnd[],
  me: number,
  persister: Persister,
  maxraftstate: number,
  raft: RaftServerFactory = labRaft,
): KVServer {
  return new KVServer(servers, me, persister, maxraftstate, raft);
}
