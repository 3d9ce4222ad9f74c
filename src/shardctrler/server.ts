/**
 * The shard controller server (the `server.go` of the lab): RPC handlers that submit Join, Leave,
 * Move and Query to Raft and wait for them to come out of `applyCh`, and an applier task that feeds
 * committed commands to the {@link CtrlerStateMachine}.
 *
 * The lab's `StartServer` has no `maxraftstate`, but every Query goes through the log (it must see
 * every change that finished before it), so the log grows with every poll of every shard server.
 * The reference snapshots on its own once Raft's state passes {@link CTRLER_SNAPSHOT_BYTES}; the
 * snapshot holds every configuration, so old ones can still be queried after a restart.
 *
 * @module
 */
import { Service, type ClientEnd } from "../labrpc/index.js";
import { labRaft, type ApplyMsg, type Persister, type RaftPeer, type RaftServerFactory } from "../raft/index.js";
import { Channel, after, dlog, go, type Timer } from "../runtime/index.js";
import { APPLY_TIMEOUT_MS, type ChangeReply, type Config, type JoinArgs, type LeaveArgs, type MoveArgs, type QueryArgs, type QueryReply } from "./common.js";
import { CtrlerStateMachine, isCtrlerCommand, type CtrlerCommand } from "./state-machine.js";

/** What a handler learns about the operation it submitted: the query's answer, or lost leadership. */
type Outcome = { readonly config: Config | undefined } | "ErrWrongLeader";

/** A handler waiting for the entry at some log index to be applied. */
interface Waiter {
  readonly clientId: number;
  readonly requestId: number;
  readonly resolve: (outcome: Outcome) => void;
}

/** The controller snapshots once its Raft state reaches this many bytes. */
export const CTRLER_SNAPSHOT_BYTES = 16_000;

/** One controller server: a Raft peer plus the configurations it replicates. */
export class ShardCtrler {
  /** This server's Raft peer (the testers read it: Go's `Raft()`). */
  readonly rf: RaftPeer;
  private readonly raftRpc: Service;
  private readonly applyCh = new Channel<ApplyMsg>();
  private sm: CtrlerStateMachine;
  private readonly waiters = new Map<number, Waiter[]>();
  private dead = false;

  /** Use {@link startServer}. */
  constructor(
    servers: readonly ClientEnd[],
    readonly me: number,
    persister: Persister,
    raft: RaftServerFactory = labRaft,
  ) {
    this.sm = CtrlerStateMachine.decode(persister.readSnapshot());
    const { peer, service } = raft(servers, me, persister, this.applyCh);
    this.rf = peer;
    this.raftRpc = service;
    go(`shardctrler ${me} applier`, () => this.applier());
  }

  /** The labrpc services to register for this server: `ShardCtrler` and its Raft peer's `Raft`. */
  services(): Service[] {
    const ctrler = new Service("ShardCtrler", {
      Join: (args: JoinArgs) => this.change({ op: "join", servers: args.servers, clientId: args.clientId, requestId: args.requestId }),
      Leave: (args: LeaveArgs) => this.change({ op: "leave", gids: args.gids, clientId: args.clientId, requestId: args.requestId }),
      Move: (args: MoveArgs) => this.change({ op: "move", shard: args.shard, gid: args.gid, clientId: args.clientId, requestId: args.requestId }),
      Query: (args: QueryArgs) => this.query(args),
    });
    return [ctrler, this.raftRpc];
  }

  /** Stops this server and its Raft peer; pending handlers answer ErrWrongLeader. */
  kill(): void {
    this.dead = true;
    this.rf.kill();
    for (const list of this.waiters.values()) for (const w of list) w.resolve("ErrWrongLeader");
    this.waiters.clear();
  }

  private async change(cmd: CtrlerCommand): Promise<ChangeReply> {
    if (this.sm.alreadyApplied(cmd.clientId, cmd.requestId)) return { wrongLeader: false, err: "OK" };
    const out = await this.submit(cmd);
    return out === "ErrWrongLeader" ? { wrongLeader: true, err: out } : { wrongLeader: false, err: "OK" };
  }

  private async query(args: QueryArgs): Promise<QueryReply> {
    const out = await this.submit({ op: "query", num: args.num, clientId: args.clientId, requestId: args.requestId });
    if (out === "ErrWrongLeader" || out.config === undefined) return { wrongLeader: true, err: "ErrWrongLeader", config: this.sm.query(0) };
    return { wrongLeader: false, err: "OK", config: out.config };
  }

  /** Puts `cmd` into the log and waits until the entry at its index is applied (or gives up). */
  private submit(cmd: CtrlerCommand): Promise<Outcome> {
    if (this.dead) return Promise.resolve("ErrWrongLeader");
    const { index, isLeader } = this.rf.start(cmd);
    if (!isLeader || index <= this.sm.lastApplied) return Promise.resolve("ErrWrongLeader");
    return new Promise<Outcome>((resolve) => {
      let timer: Timer | undefined = undefined;
      const waiter: Waiter = {
        clientId: cmd.clientId,
        requestId: cmd.requestId,
        resolve: (outcome) => {
          timer?.cancel();
          resolve(outcome);
        },
      };
      const list = this.waiters.get(index);
      if (list === undefined) this.waiters.set(index, [waiter]);
      else list.push(waiter);
      timer = after(
        APPLY_TIMEOUT_MS,
        () => {
          const rest = (this.waiters.get(index) ?? []).filter((w) => w !== waiter);
          if (rest.length === 0) this.waiters.delete(index);
          else this.waiters.set(index, rest);
          resolve("ErrWrongLeader");
        },
        "ctrler-apply-timeout",
      );
    });
  }

  /** The applier task: applies what Raft commits, in order, and answers the waiting handlers. */
  private async applier(): Promise<void> {
    for await (const m of this.applyCh) {
      if (this.dead) continue;
      if (!m.commandValid) {
        this.installSnapshot(m.snapshotIndex, m.snapshot);
        continue;
      }
      const index = m.commandIndex;
      if (index <= this.sm.lastApplied) continue;
      const cmd = m.command;
      if (!isCtrlerCommand(cmd)) throw new Error(`ShardCtrler ${this.me}: index ${index} holds ${JSON.stringify(cmd)}, which is not a controller command`);
      const config = this.sm.apply(index, cmd);
      if (cmd.op !== "query") dlog(this.me, "APLY", () => `applied ${index}: ${cmd.op} -> config ${this.sm.latest().num} [${this.sm.latest().shards.join(" ")}]`);
      const list = this.waiters.get(index);
      if (list !== undefined) {
        this.waiters.delete(index);
        for (const w of list) {
          const ours = w.clientId === cmd.clientId && w.requestId === cmd.requestId;
          w.resolve(ours ? { config } : "ErrWrongLeader");
        }
      }
      if (this.rf.persistedSize() >= CTRLER_SNAPSHOT_BYTES) this.rf.snapshot(index, this.sm.encode());
    }
  }

  private installSnapshot(index: number, snapshot: Uint8Array): void {
    if (index <= this.sm.lastApplied) return;
    const sm = CtrlerStateMachine.decode(snapshot);
    if (sm.lastApplied !== index) throw new Error(`ShardCtrler ${this.me}: Raft delivered a snapshot for index ${index}, but it holds the state through index ${sm.lastApplied}`);
    this.sm = sm;
    for (const [i, list] of this.waiters) {
      if (i > index) continue;
      this.waiters.delete(i);
      for (const w of list) w.resolve("ErrWrongLeader");
    }
  }
}

/**
 * Starts a controller server (`StartServer` of the lab). `servers` reach the Raft peers of all the
 * controller's servers, `servers[me]` this one; `persister` holds the state to restart from. Returns
 * at once.
 */
export function startServer(servers: readonly ClientEnd[], me: number, persister: Persister, raft: RaftServerFactory = labRaft): ShardCtrler {
  return new ShardCtrler(servers, me, persister, raft);
}
