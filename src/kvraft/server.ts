/**
 * The replicated KV server (the `server.go` of the lab): RPC handlers that submit operations to
 * Raft and wait for them to come out of `applyCh`, and an applier task that feeds committed
 * commands and snapshots to the {@link KVStateMachine}.
 *
 * Reads are linearizable because they go through the log like writes: a get is answered only once
 * its log entry is committed and applied, i.e. at a point between its call and its reply where the
 * state reflects every write that completed before the get began. That is what the lab asks for.
 *
 * Real cluster mode turns on a faster path with {@link KVServer.serveReadsByReadIndex}: a get asks
 * Raft for a read index (ReadIndex, Raft thesis §6.4: the leader's commitIndex, confirmed by a round
 * of heartbeats sent after the get arrived), waits until the state machine has applied through it,
 * and answers from the state, with no log entry and no disk write. Until the leader has committed an
 * entry of its own term, gets go through the log as before. (No leases: they trade safety for speed.)
 *
 * @module
 */

import { Service, type ClientEnd } from "../labrpc/index.js";
import type { ReadIndexResult } from "../raft/api.js";
import { labRaft, type ApplyMsg, type Persister, type RaftPeer, type RaftServerFactory } from "../raft/index.js";
import { Channel, after, dlog, dmark, go, type Timer } from "../runtime/index.js";
import { APPLY_TIMEOUT_MS, type CasArgs, type CasReply, type GetArgs, type GetReply, type PutAppendArgs, type PutAppendReply } from "./common.js";
import { KVStateMachine, isCommand, type ApplyResult, type Command } from "./state-machine.js";

/** What a handler learns about the operation it submitted. */
type Outcome = ApplyResult | "ErrWrongLeader";

/** A handler waiting for the entry at some log index to be applied. */
interface Waiter {
  readonly clientId: number;
  readonly requestId: number;
  readonly resolve: (outcome: Outcome) => void;
}

/**
 * Snapshot once Raft's persisted state reaches this fraction of `maxraftstate`: a little early, so
 * entries that arrive while the snapshot is being taken do not push it far over.
 */
const SNAPSHOT_THRESHOLD = 0.9;

/** One KV server: a Raft peer plus the state machine it replicates. */
export class KVServer {
  /** This server's Raft peer (the tester reads it, as `kv.rf` in Go). */
  readonly rf: RaftPeer;
  /** The RPC service of this server's Raft peer. */
  private readonly raftRpc: Service;
  private readonly applyCh = new Channel<ApplyMsg>();
  private sm: KVStateMachine;
  /** Handlers waiting for a log index; several when leadership changed in between. */
  private readonly waiters = new Map<number, Waiter[]>();
  /** Gets served by ReadIndex, waiting until the state machine has applied through their index. */
  private readWaiters: { readonly index: number; readonly resolve: (applied: boolean) => void }[] = [];
  /** Whether gets go through the log (the lab's way) or by ReadIndex (see the module comment). */
  private readPath: "log" | "read-index" = "log";
  private dead = false;

  /** Use {@link startKVServer}. */
  constructor(
    servers: readonly ClientEnd[],
    readonly me: number,
    persister: Persister,
    private readonly maxraftstate: number,
    raft: RaftServerFactory = labRaft,
  ) {
    // Restore before Raft starts: Raft resumes applying right after the snapshot.
    this.sm = KVStateMachine.decode(persister.readSnapshot());
    const { peer, service } = raft(servers, me, persister, this.applyCh);
    this.rf = peer;
    this.raftRpc = service;
    dlog(me, "SRVR", () => `started, restored up to index ${this.sm.lastApplied} (${this.sm.size} keys)`);
    go(`kvserver ${me} applier`, () => this.applier());
  }

  /**
   * From now on, answers gets by ReadIndex when the Raft peer offers `readIndex()` (see the module
   * comment); real cluster mode calls it before serving. Returns whether it could.
   */
  serveReadsByReadIndex(): boolean {
    if (this.rf.readIndex === undefined) return false;
    this.readPath = "read-index";
    return true;
  }

  /** The labrpc services to register for this server: `KVServer` and its Raft peer's `Raft`. */
  services(): Service[] {
    const kv = new Service("KVServer", {
      Get: (args: GetArgs) => (this.readPath === "read-index" ? this.getByReadIndex(args) : this.get(args)),
      Put: (args: PutAppendArgs) => this.putAppend("put", args),
      Append: (args: PutAppendArgs) => this.putAppend("append", args),
      Cas: (args: CasArgs) => this.cas(args),
    });
    return [kv, this.raftRpc];
  }

  /** Stops this server and its Raft peer; pending handlers answer ErrWrongLeader. */
  kill(): void {
    this.dead = true;
    this.rf.kill();
    for (const list of this.waiters.values()) for (const w of list) w.resolve("ErrWrongLeader");
    this.waiters.clear();
    this.releaseReads(true);
  }

  /** Whether {@link kill} was called. */
  killed(): boolean {
    return this.dead;
  }

  private async get(args: GetArgs): Promise<GetReply> {
    const out = await this.submit({ op: "get", key: args.key, clientId: args.clientId, requestId: args.requestId });
    return out === "ErrWrongLeader" ? { err: out, value: "" } : { err: out.err, value: out.value };
  }

  /** A get by ReadIndex: no log entry; through the log while Raft cannot give a read index yet. */
  private async getByReadIndex(args: GetArgs): Promise<GetReply> {
    const point = await this.readPoint();
    if (point.kind === "not-yet") return this.get(args);
    if (point.kind === "not-leader" || !(await this.appliedThrough(point.index))) return { err: "ErrWrongLeader", value: "" };
    const value = this.sm.get(args.key);
    dlog(this.me, "SRVR", () => `C${args.clientId}#${args.requestId} get('${args.key}') by read index ${point.index}, applied ${this.sm.lastApplied}`);
    return value === undefined ? { err: "ErrNoKey", value: "" } : { err: "OK", value };
  }

  /**
   * Raft's read index, or "not-leader" if it does not come within {@link APPLY_TIMEOUT_MS} (a leader
   * cut off from the majority cannot confirm a round: the Clerk tries another server meanwhile).
   */
  private readPoint(): Promise<ReadIndexResult> {
    const readIndex = this.rf.readIndex?.bind(this.rf);
    if (this.dead || readIndex === undefined) return Promise.resolve({ kind: "not-leader" });
    return new Promise<ReadIndexResult>((resolve) => {
      const timer = after(APPLY_TIMEOUT_MS, () => resolve({ kind: "not-leader" }), "kv-read-index-timeout");
      void readIndex().then((point) => {
        timer.cancel();
        resolve(point);
      });
    });
  }

  /**
   * Resolves true once the state machine has applied through `index`; false if this server is
   * killed first or {@link APPLY_TIMEOUT_MS} passes (the Clerk then tries again, maybe elsewhere).
   */
  private appliedThrough(index: number): Promise<boolean> {
    if (this.sm.lastApplied >= index) return Promise.resolve(!this.dead);
    return new Promise<boolean>((resolve) => {
      let timer: Timer | undefined = undefined;
      const entry = {
        index,
        resolve: (applied: boolean) => {
          timer?.cancel();
          resolve(applied);
        },
      };
      this.readWaiters.push(entry);
      timer = after(
        APPLY_TIMEOUT_MS,
        () => {
          this.readWaiters = this.readWaiters.filter((w) => w !== entry);
          resolve(false);
        },
        "kv-read-timeout",
      );
    });
  }

  /** Answers the ReadIndex gets whose index is now applied (all of them, as failed, when `kill`ed). */
  private releaseReads(killed = false): void {
    if (this.readWaiters.length === 0) return;
    const ready = killed ? this.readWaiters : this.readWaiters.filter((w) => w.index <= this.sm.lastApplied);
    if (ready.length === 0) return;
    this.readWaiters = killed ? [] : this.readWaiters.filter((w) => w.index > this.sm.lastApplied);
    for (const w of ready) w.resolve(!killed);
  }

  private async putAppend(op: "put" | "append", args: PutAppendArgs): Promise<PutAppendReply> {
    const out = await this.submit({ op, key: args.key, value: args.value, clientId: args.clientId, requestId: args.requestId });
    return { err: out === "ErrWrongLeader" ? out : "OK" };
  }

  private async cas(args: CasArgs): Promise<CasReply> {
    const cmd: Command = {
      op: "cas",
      key: args.key,
      expected: args.expected,
      value: args.value,
      clientId: args.clientId,
      requestId: args.requestId,
    };
    const out = await this.submit(cmd);
    return out === "ErrWrongLeader" ? { err: out, ok: false } : { err: "OK", ok: out.ok };
  }

  /**
   * Puts `cmd` into the log and waits until the entry at its index is applied. Answers
   * ErrWrongLeader if this peer is not the leader, if another command ended up at that index (we
   * lost leadership meanwhile), or after {@link APPLY_TIMEOUT_MS}: the Clerk then tries elsewhere.
   */
  private submit(cmd: Command): Promise<Outcome> {
    if (this.dead) return Promise.resolve("ErrWrongLeader");
    if (cmd.op !== "get") {
      // A retry of a write we already applied: answer from the duplicate table.
      const done = this.sm.appliedReply(cmd.clientId, cmd.requestId);
      if (done !== undefined) return Promise.resolve(done);
    }
    const { index, term, isLeader } = this.rf.start(cmd);
    if (!isLeader) return Promise.resolve("ErrWrongLeader");
    // Defensive, for other Rafts: the lab's never returns an index at or below what was applied.
    if (index <= this.sm.lastApplied) return Promise.resolve("ErrWrongLeader");
    dlog(this.me, "SRVR", () => `T${term} submitted ${describe(cmd)} at index ${index}`);
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
          this.removeWaiter(index, waiter);
          dlog(this.me, "SRVR", () => `timed out waiting for index ${index} (${describe(cmd)})`);
          resolve("ErrWrongLeader");
        },
        "kv-apply-timeout",
      );
    });
  }

  private removeWaiter(index: number, waiter: Waiter): void {
    const list = this.waiters.get(index);
    if (list === undefined) return;
    const rest = list.filter((w) => w !== waiter);
    if (rest.length === 0) this.waiters.delete(index);
    else this.waiters.set(index, rest);
  }

  /** The applier task: applies what Raft commits, in order, and answers the waiting handlers. */
  private async applier(): Promise<void> {
    for await (const m of this.applyCh) {
      if (this.dead) continue; // drain, so a killed Raft never blocks on applyCh
      if (m.commandValid) this.applyCommand(m.commandIndex, m.command);
      else this.installSnapshot(m.snapshotIndex, m.snapshot);
    }
  }

  private applyCommand(index: number, command: unknown): void {
    if (index <= this.sm.lastApplied) return; // already covered by a snapshot
    if (index !== this.sm.lastApplied + 1) {
      throw new Error(`KVServer ${this.me}: Raft applied index ${index} but the last applied index is ${this.sm.lastApplied} (a gap)`);
    }
    if (!isCommand(command)) {
      throw new Error(`KVServer ${this.me}: index ${index} holds ${JSON.stringify(command)}, which is not a KV command`);
    }
    const result = this.sm.apply(index, command);
    dlog(this.me, "APLY", () => `applied ${index}: ${describe(command)}${command.op === "get" ? ` -> '${short(result.value)}'` : command.op === "cas" ? ` -> ${result.ok}` : ""}`);
    const list = this.waiters.get(index);
    if (list !== undefined) {
      this.waiters.delete(index);
      for (const w of list) {
        // The same operation (by identity) at our index: it is ours, even if re-proposed in another term.
        const ours = w.clientId === command.clientId && w.requestId === command.requestId;
        w.resolve(ours ? result : "ErrWrongLeader");
      }
    }
    this.releaseReads();
    this.maybeSnapshot();
  }

  private installSnapshot(index: number, snapshot: Uint8Array): void {
    if (index <= this.sm.lastApplied) return;
    const sm = KVStateMachine.decode(snapshot);
    if (sm.lastApplied !== index) {
      // Installing it would claim index `index` while holding the state at another: a Raft bug
      // (or a snapshot from the wrong server) that must not be papered over.
      throw new Error(
        `KVServer ${this.me}: Raft delivered a snapshot for index ${index}, but the snapshot holds the state through index ${sm.lastApplied}`,
      );
    }
    this.sm = sm;
    dmark(this.me, "SNAP", { kind: "snapshot", index }, () => `installed snapshot up to ${index} (${sm.size} keys)`);
    // Handlers waiting inside the snapshot cannot learn their outcome: let their Clerks retry.
    for (const [i, list] of this.waiters) {
      if (i > index) continue;
      this.waiters.delete(i);
      for (const w of list) w.resolve("ErrWrongLeader");
    }
    this.releaseReads();
  }

  /** Hands Raft a snapshot when its persisted state nears `maxraftstate` (-1: never). */
  private maybeSnapshot(): void {
    if (this.maxraftstate < 0) return;
    if (this.rf.persistedSize() < this.maxraftstate * SNAPSHOT_THRESHOLD) return;
    const index = this.sm.lastApplied;
    const bytes = this.sm.encode();
    dlog(this.me, "SNAP", () => `raft state ${this.rf.persistedSize()} B, snapshot ${bytes.length} B up to ${index}`);
    this.rf.snapshot(index, bytes);
  }
}

/**
 * Starts a KV server (`StartKVServer` of the lab). `servers` reach the Raft peers of all servers,
 * `servers[me]` this one; `persister` holds the state to restart from. Snapshots are taken when
 * Raft's persisted state nears `maxraftstate` bytes (-1: never). `raft` builds the Raft peer (default:
 * the lab's). Returns at once.
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

function describe(cmd: Command): string {
  const id = `C${cmd.clientId}#${cmd.requestId}`;
  switch (cmd.op) {
    case "get":
      return `${id} get('${cmd.key}')`;
    case "put":
    case "append":
      return `${id} ${cmd.op}('${cmd.key}', '${short(cmd.value)}')`;
    case "cas":
      return `${id} cas('${cmd.key}', '${short(cmd.expected)}', '${short(cmd.value)}')`;
  }
}

function short(s: string): string {
  return s.length <= 40 ? s : `…${s.slice(-37)}`;
}
