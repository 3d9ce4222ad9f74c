/**
 * Your shard controller server (the `server.go` of the lab, 5A): a replicated state machine on
 * your Raft that keeps the numbered list of configurations. Join, Leave, Move and Query go through
 * the log; Join and Leave rebalance the shards (as evenly as possible, moving as few as possible,
 * the same way on every replica).
 *
 * @module
 */
import { Service, type ClientEnd } from "../labrpc/index.js";
import { labRaft, type ApplyMsg, type Persister, type RaftPeer, type RaftServerFactory } from "../raft/index.js";
import { Channel } from "../runtime/index.js";
import { initialConfig, type ChangeReply, type Config, type JoinArgs, type LeaveArgs, type MoveArgs, type QueryArgs, type QueryReply } from "./common.js";

/** One controller server. */
export class ShardCtrler {
  /** This server's Raft peer (the testers read it: Go's `Raft()`). */
  readonly rf: RaftPeer;
  readonly applyCh = new Channel<ApplyMsg>();
  private readonly raftRpcService: Service;
  /** Indexed by config num. */
  configs: Config[] = [initialConfig()];

  // Your data here (5A).

  /** Use {@link startServer}. */
  constructor(servers: readonly ClientEnd[], readonly me: number, persister: Persister, raft: RaftServerFactory = labRaft) {
    const made = raft(servers, me, persister, this.applyCh);
    this.rf = made.peer;
    this.raftRpcService = made.service;
    // Your code here (5A).
  }

  /** The RPC services this server offers: `ShardCtrler` and its Raft peer's `Raft`. */
  services(): Service[] {
    const handlers = {
      Join: (a: JoinArgs) => this.join(a),
      Leave: (a: LeaveArgs) => this.leave(a),
      Move: (a: MoveArgs) => this.move(a),
      Query: (a: QueryArgs) => this.query(a),
    };
    return [new Service("ShardCtrler", handlers), this.raftRpcService];
  }

  /** The tester calls kill() when this instance won't be needed again. */
  kill(): void {
    this.rf.kill();
    // Your code here, if desired.
  }

  private async join(args: JoinArgs): Promise<ChangeReply> {
    // Your code here (5A).
    void args;
    throw new Error("not implemented: ShardCtrler.join (5A), in src/shardctrler/server.ts");
  }

  private async leave(args: LeaveArgs): Promise<ChangeReply> {
    // Your code here (5A).
    void args;
    throw new Error("not implemented: ShardCtrler.leave (5A), in src/shardctrler/server.ts");
  }

  private async move(args: MoveArgs): Promise<ChangeReply> {
    // Your code here (5A).
    void args;
    throw new Error("not implemented: ShardCtrler.move (5A), in src/shardctrler/server.ts");
  }

  private async query(args: QueryArgs): Promise<QueryReply> {
    // Your code here (5A).
    void args;
    throw new Error("not implemented: ShardCtrler.query (5A), in src/shardctrler/server.ts");
  }
}

/**
 * Starts a controller server. `servers` reach the Raft peers of all the controller's servers,
 * `servers[me]` this one; `persister` holds the state to restart from. Must return quickly.
 */
export function startServer(servers: readonly ClientEnd[], me: number, persister: Persister, raft: RaftServerFactory = labRaft): ShardCtrler {
  return new ShardCtrler(servers, me, persister, raft);
}
