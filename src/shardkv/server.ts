/**
 * The shard server (the `server.go` of the lab): one replica of one group. RPC handlers that submit
 * client operations to the group's Raft and wait for them to be applied; an applier that feeds the
 * {@link ShardStateMachine}; and, on the leader, three tasks that keep the group moving: one polls
 * the controller for the next configuration, one pulls the shards the group gains, one tells old
 * owners to drop the shards the group has received (see `migration.ts`).
 *
 * @module
 */
import { Service, type ClientEnd } from "../labrpc/index.js";
import { labRaft, type ApplyMsg, type Persister, type RaftPeer, type RaftServerFactory } from "../raft/index.js";
import { Channel, after, dlog, go, sleep, type Timer } from "../runtime/index.js";
import { makeClerk as makeCtrlerClerk, type Clerk as CtrlerClerk } from "../shardctrler/client.js";
import { APPLY_TIMEOUT_MS, POLL_CONFIG_MS, type GetArgs, type GetReply, type PutAppendArgs, type PutAppendReply } from "./common.js";
import type { ShardInspection } from "./inspect.js";
import { MIGRATION_RETRY_MS, type DeleteShardReply, type FetchShardReply, type ShardMoveArgs } from "./migration.js";
import { ShardStateMachine, isShardCommand, type ShardApplyResult, type ShardCommand } from "./state-machine.js";

/** What a handler learns about the command it submitted. */
type Outcome = ShardApplyResult | "ErrWrongLeader";

/** A handler waiting for the entry at some log index to be applied; `tag` names its command. */
interface Waiter {
  readonly tag: string;
  readonly resolve: (outcome: Outcome) => void;
}

/** Snapshot once Raft's state reaches this fraction of `maxraftstate`. */
const SNAPSHOT_THRESHOLD = 0.9;

/** Names a command, so a waiter recognises its own at its index. */
function tagOf(cmd: ShardCommand): string {
  switch (cmd.op) {
    case "get":
    case "put":
    case "append":
      return `c${cmd.clientId}#${cmd.requestId}`;
    case "delete":
      return `delete ${cmd.num}/${cmd.shard}`;
    default:
      return cmd.op;
  }
}

/** One shard server. */
export class ShardKV {
  /** This server's Raft peer (the tester reads it). */
  readonly rf: RaftPeer;
  private readonly raftRpc: Service;
  private readonly applyCh = new Channel<ApplyMsg>();
  private sm: ShardStateMachine;
  private readonly waiters = new Map<number, Waiter[]>();
  private readonly mck: CtrlerClerk;
  /** Shards whose pull, or whose deletion request, is in flight (one at a time per shard). */
  private readonly inFlight = new Set<string>();
  private readonly ends = new Map<string, ClientEnd>();
  private dead = false;

  /** Use {@link startServer}. */
  constructor(
    servers: readonly ClientEnd[],
    readonly me: number,
    persister: Persister,
    private readonly maxraftstate: number,
    readonly gid: number,
    ctrlers: readonly ClientEnd[],
    private readonly makeEnd: (name: string) => ClientEnd,
    raft: RaftServerFactory = labRaft,
  ) {
    this.sm = ShardStateMachine.decode(gid, persister.readSnapshot());
    this.mck = makeCtrlerClerk(ctrlers);
    const { peer, service } = raft(servers, me, persister, this.applyCh);
    this.rf = peer;
    this.raftRpc = service;
    dlog(this.name, "SRVR", () => `started in config ${this.sm.config.num}, restored up to index ${this.sm.lastApplied}`);
    go(`${this.name} applier`, () => this.applier());
    go(`${this.name} config poller`, () => this.leaderLoop(POLL_CONFIG_MS, () => this.pollConfig()));
    go(`${this.name} shard puller`, () => this.leaderLoop(MIGRATION_RETRY_MS, () => this.pullShards()));
    go(`${this.name} shard collector`, () => this.leaderLoop(MIGRATION_RETRY_MS, () => this.collectShards()));
  }

  private get name(): string {
    return `${this.gid}-${this.me}`;
  }

  /** The labrpc services to register for this server: `ShardKV` and its Raft peer's `Raft`. */
  services(): Service[] {
    const kv = new Service("ShardKV", {
      Get: (args: GetArgs) => this.get(args),
      PutAppend: (args: PutAppendArgs) => this.putAppend(args),
      FetchShard: (args: ShardMoveArgs) => this.fetchShard(args),
      DeleteShard: (args: ShardMoveArgs) => this.deleteShard(args),
    });
    return [kv, this.raftRpc];
  }

  /** A read-only view of this replica's state, for the tester's sharding monitors (see `inspect.ts`). */
  inspect(): ShardInspection {
    return this.sm.inspect();
  }

  /** Stops this server and its Raft peer; pending handlers answer ErrWrongLeader. */
  kill(): void {
    this.dead = true;
    this.rf.kill();
    for (const list of this.waiters.values()) for (const w of list) w.resolve("ErrWrongLeader");
    this.waiters.clear();
  }

  private async get(args: GetArgs): Promise<GetReply> {
    const early = this.reject(args.key);
    if (early !== undefined) return { err: early, value: "" };
    const out = await this.submit({ op: "get", key: args.key, clientId: args.clientId, requestId: args.requestId });
    return out === "ErrWrongLeader" ? { err: out, value: "" } : { err: out.err, value: out.value };
  }

  private async putAppend(args: PutAppendArgs): Promise<PutAppendReply> {
    const early = this.reject(args.key);
    if (early !== undefined) return { err: early };
    if (this.sm.isDuplicate(args.clientId, args.requestId)) return { err: "OK" };
    const op = args.op === "Put" ? "put" : "append";
    const out = await this.submit({ op, key: args.key, value: args.value, clientId: args.clientId, requestId: args.requestId });
    return { err: out === "ErrWrongLeader" ? out : out.err };
  }

  /** ErrWrongLeader on a follower; on the leader, ErrWrongGroup for a key this group does not serve now. */
  private reject(key: string): "ErrWrongLeader" | "ErrWrongGroup" | undefined {
    if (this.dead || !this.rf.getState().isLeader) return "ErrWrongLeader";
    return this.sm.serves(key) ? undefined : "ErrWrongGroup";
  }

  /** Another group asks for a shard it gains in configuration `num`. */
  private fetchShard(args: ShardMoveArgs): FetchShardReply {
    const out = this.sm.outgoing(args.num, args.shard);
    if (out === undefined) return { err: "ErrNotReady", data: [], dup: [] };
    return { err: "OK", data: out.data, dup: out.dup };
  }

  /** The new owner of a shard has it: drop our copy (through the log). */
  private async deleteShard(args: ShardMoveArgs): Promise<DeleteShardReply> {
    if (this.sm.deleted(args.num, args.shard)) return { err: "OK" };
    if (this.sm.config.num < args.num) return { err: "ErrNotReady" };
    const out = await this.submit({ op: "delete", num: args.num, shard: args.shard });
    if (out === "ErrWrongLeader") return { err: out };
    return { err: this.sm.deleted(args.num, args.shard) ? "OK" : "ErrNotReady" };
  }

  /** Puts `cmd` into the log and waits until the entry at its index is applied (or gives up). */
  private submit(cmd: ShardCommand): Promise<Outcome> {
    if (this.dead) return Promise.resolve("ErrWrongLeader");
    const { index, isLeader } = this.rf.start(cmd);
    if (!isLeader || index <= this.sm.lastApplied) return Promise.resolve("ErrWrongLeader");
    return new Promise<Outcome>((resolve) => {
      let timer: Timer | undefined = undefined;
      const waiter: Waiter = {
        tag: tagOf(cmd),
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
        "shardkv-apply-timeout",
      );
    });
  }

  /**
   * Once per term in which this server leads: a no-op entry. Raft commits entries of earlier terms
   * only along with one of the leader's own, and a group that owns no shard gets no client
   * entries: without it, a delete or a configuration logged before a crash of the whole group
   * could stay uncommitted (and the group stuck) for good.
   */
  private noopTerm = -1;

  private proposeNoopOnce(): void {
    const { term, isLeader } = this.rf.getState();
    if (!isLeader || term === this.noopTerm) return;
    this.noopTerm = term;
    this.rf.start({ op: "noop" } satisfies ShardCommand);
  }

  /** Runs `work` every `ms` while this server lives, when it is the leader. */
  private async leaderLoop(ms: number, work: () => Promise<void> | void): Promise<void> {
    while (!this.dead) {
      if (this.rf.getState().isLeader) await work();
      await sleep(ms);
    }
  }

  /** Asks the controller for the configuration after ours, and proposes it once no move is pending. */
  private async pollConfig(): Promise<void> {
    this.proposeNoopOnce();
    if (!this.sm.settled()) return;
    const num = this.sm.config.num + 1;
    const next = await this.mck.query(num);
    dlog(this.name, "SRVR", () => `polled config ${num}: got ${next.num}`);
    if (this.dead || next.num !== num || this.sm.config.num + 1 !== num || !this.sm.settled()) return;
    this.rf.start({ op: "config", config: next } satisfies ShardCommand);
  }

  /** Starts pulling every shard we gained and do not have yet (one request per shard at a time). */
  private pullShards(): void {
    for (const shard of this.sm.shardsIn("pulling")) {
      const key = `pull ${this.sm.config.num}/${shard}`;
      if (this.inFlight.has(key)) continue;
      this.inFlight.add(key);
      void this.pullShard(this.sm.config.num, shard).finally(() => this.inFlight.delete(key));
    }
  }

  private async pullShard(num: number, shard: number): Promise<void> {
    const from = this.sm.prev.shards[shard]!;
    for (const name of this.sm.prev.groups[String(from)] ?? []) {
      const reply = await this.endTo(name).call<FetchShardReply>("ShardKV.FetchShard", { num, shard } satisfies ShardMoveArgs);
      if (reply?.err !== "OK") continue;
      if (this.sm.config.num === num && this.sm.status(shard) === "pulling") {
        dlog(this.name, "SRVR", () => `pulled shard ${shard} of config ${num} from group ${from} (${reply.data.length} keys)`);
        this.rf.start({ op: "insert", num, shard, data: reply.data, dup: reply.dup } satisfies ShardCommand);
      }
      return;
    }
  }

  /** Tells the old owners of the shards we received to drop their copies. */
  private collectShards(): void {
    for (const shard of this.sm.shardsIn("gcing")) {
      const key = `gc ${this.sm.config.num}/${shard}`;
      if (this.inFlight.has(key)) continue;
      this.inFlight.add(key);
      void this.collectShard(this.sm.config.num, shard).finally(() => this.inFlight.delete(key));
    }
  }

  private async collectShard(num: number, shard: number): Promise<void> {
    const from = this.sm.prev.shards[shard]!;
    for (const name of this.sm.prev.groups[String(from)] ?? []) {
      const reply = await this.endTo(name).call<DeleteShardReply>("ShardKV.DeleteShard", { num, shard } satisfies ShardMoveArgs);
      if (reply?.err !== "OK") continue;
      if (this.sm.config.num === num && this.sm.status(shard) === "gcing") this.rf.start({ op: "gcdone", num, shard } satisfies ShardCommand);
      return;
    }
  }

  /** One end per server name, made on first use (`make_end`). */
  private endTo(name: string): ClientEnd {
    let end = this.ends.get(name);
    if (end === undefined) this.ends.set(name, (end = this.makeEnd(name)));
    return end;
  }

  /** The applier task: applies what Raft commits, in order, and answers the waiting handlers. */
  private async applier(): Promise<void> {
    for await (const m of this.applyCh) {
      if (this.dead) continue;
      if (m.commandValid) this.applyCommand(m.commandIndex, m.command);
      else this.installSnapshot(m.snapshotIndex, m.snapshot);
    }
  }

  private applyCommand(index: number, command: unknown): void {
    if (index <= this.sm.lastApplied) return;
    if (index !== this.sm.lastApplied + 1) throw new Error(`ShardKV ${this.name}: Raft applied index ${index} but the last applied index is ${this.sm.lastApplied} (a gap)`);
    if (!isShardCommand(command)) throw new Error(`ShardKV ${this.name}: index ${index} holds ${JSON.stringify(command)}, which is not a shard command`);
    const before = this.sm.config.num;
    const result = this.sm.apply(index, command);
    if (command.op === "insert" || command.op === "delete" || command.op === "gcdone") {
      dlog(this.name, "APLY", () => `applied ${index}: ${command.op} shard ${command.shard} of config ${command.num} -> ${this.sm.status(command.shard)} (in config ${this.sm.config.num})`);
    }
    if (command.op === "config" && this.sm.config.num !== before) {
      dlog(this.name, "SRVR", () => `config ${this.sm.config.num} at index ${index}: shards [${this.sm.config.shards.join(" ")}]`);
    }
    const list = this.waiters.get(index);
    if (list !== undefined) {
      this.waiters.delete(index);
      const tag = tagOf(command);
      for (const w of list) w.resolve(w.tag === tag ? (result ?? { err: "OK", value: "" }) : "ErrWrongLeader");
    }
    if (this.maxraftstate >= 0 && this.rf.persistedSize() >= this.maxraftstate * SNAPSHOT_THRESHOLD) {
      this.rf.snapshot(index, this.sm.encode());
    }
  }

  private installSnapshot(index: number, snapshot: Uint8Array): void {
    if (index <= this.sm.lastApplied) return;
    const sm = ShardStateMachine.decode(this.gid, snapshot);
    if (sm.lastApplied !== index) throw new Error(`ShardKV ${this.name}: Raft delivered a snapshot for index ${index}, but it holds the state through index ${sm.lastApplied}`);
    this.sm = sm;
    for (const [i, list] of this.waiters) {
      if (i > index) continue;
      this.waiters.delete(i);
      for (const w of list) w.resolve("ErrWrongLeader");
    }
  }
}

/**
 * Starts a shard server (`StartServer` of the lab): `servers` reach the Raft peers of this group,
 * `servers[me]` this one; `persister` holds the state to restart from; snapshot when Raft's state
 * nears `maxraftstate` bytes (-1: never); `gid` is this group; `ctrlers` reach the controller's
 * servers; `makeEnd(name)` gives an end to any server by name (for other groups). Returns at once.
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
