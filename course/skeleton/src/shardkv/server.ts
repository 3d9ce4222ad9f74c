/**
 * Your shard server (the `server.go` of the lab): one replica of one shard group, a replicated
 * state machine on your Raft. 5A: serve only the shards the current configuration gives your
 * group (ErrWrongGroup otherwise), polling the controller about every 100 ms. 5B: move shards
 * between groups as configurations change, exactly once, and snapshot with `maxraftstate`.
 *
 * Optional: an `inspect()` method (see `src/shardkv/inspect.ts`) lets the tester's sharding
 * monitors check your state at every step.
 *
 * @module
 */
import { Service, type ClientEnd } from "../labrpc/index.js";
import { labRaft, type ApplyMsg, type Persister, type RaftPeer, type RaftServerFactory } from "../raft/index.js";
import { Channel } from "../runtime/index.js";
import type { GetArgs, GetReply, PutAppendArgs, PutAppendReply } from "./common.js";

/** One shard server. */
export class ShardKV {
  /** This server's Raft peer (the tester reads it). */
  readonly rf: RaftPeer;
  readonly applyCh = new Channel<ApplyMsg>();
  private readonly raftRpcService: Service;

  // Your definitions here.

  /** Use {@link startServer}. */
  constructor(
    servers: readonly ClientEnd[],
    readonly me: number,
    readonly persister: Persister,
    readonly maxraftstate: number,
    readonly gid: number,
    readonly ctrlers: readonly ClientEnd[],
    readonly makeEnd: (name: string) => ClientEnd,
    raft: RaftServerFactory = labRaft,
  ) {
    const made = raft(servers, me, persister, this.applyCh);
    this.rf = made.peer;
    this.raftRpcService = made.service;
    // Your initialization code here.
    // Use something like this to talk to the shardctrler:
    // this.mck = makeClerk(ctrlers)   (from ../shardctrler/client.js)
  }

  /** The RPC services this server offers: `ShardKV` (add your own methods) and its Raft peer's `Raft`. */
  services(): Service[] {
    const handlers = {
      Get: (a: GetArgs) => this.get(a),
      PutAppend: (a: PutAppendArgs) => this.putAppend(a),
    };
    return [new Service("ShardKV", handlers), this.raftRpcService];
  }

  /** The tester calls kill() when this instance won't be needed again. */
  kill(): void {
    this.rf.kill();
    // Your code here, if desired.
  }

  private async get(args: GetArgs): Promise<GetReply> {
    // Your code here.
    void args;
    throw new Error("not implemented: ShardKV.get (5A), in src/shardkv/server.ts");
  }

  private async putAppend(args: PutAppendArgs): Promise<PutAppendReply> {
    // Your code here.
    void args;
    throw new Error("not implemented: ShardKV.putAppend (5A), in src/shardkv/server.ts");
  }
}

/**
 * Starts a shard server. `servers` reach the Raft peers of this group, `servers[me]` this one;
 * `persister` holds the state to restart from; snapshot when Raft's state nears `maxraftstate`
 * bytes (-1: never); `gid` is this group; `ctrlers` reach the controller's servers (pass them to
 * the controller's `makeClerk`); `makeEnd(name)` gives an end to any server by name, to send RPCs
 * to other groups. Must return quickly: start long-running work with `go()`.
 */
export function startServer(
  servers: readonly ClientEnd[],
  me: number,
  persister: Persister,
  maxraftstate: number,
  gid: number,
  ctrlers: readonly ClientEnd[],
  makeEnd: (name: string) => ClientEnd,
  raft: RaftServerFactory = labRaft,
): ShardKV {
  return new ShardKV(servers, me, persister, maxraftstate, gid, ctrlers, makeEnd, raft);
}
