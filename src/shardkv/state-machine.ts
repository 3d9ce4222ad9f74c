/**
 * The replicated state machine of one shard group, without any IO: the current and previous
 * configurations, each shard's data and where it stands in a move (see `migration.ts`), and the
 * duplicate table. Every replica of the group applies the same commands in the same (log) order,
 * so all of them reconfigure at the same point of their history.
 *
 * @module
 */
import { NSHARDS, initialConfig, type Config } from "../shardctrler/shard-config.js";
import { key2shard } from "./key2shard.js";
import type { AppliedConfig, ShardInspection } from "./inspect.js";

/**
 * Where a shard stands in this group: `absent` (not ours), `serving` (ours), `pulling` (ours in
 * the current configuration, its data not here yet), `bepulled` (ours in the previous one, kept
 * for the new owner), `gcing` (ours and served, the old owner not yet told to drop it).
 */
export type ShardStatus = "absent" | "serving" | "pulling" | "bepulled" | "gcing";

/** A command as it travels through a group's Raft log (plain data). */
export type ShardCommand =
  | { readonly op: "get"; readonly key: string; readonly clientId: number; readonly requestId: number }
  | { readonly op: "put" | "append"; readonly key: string; readonly value: string; readonly clientId: number; readonly requestId: number }
  | { readonly op: "config"; readonly config: Config }
  | {
      readonly op: "insert";
      readonly num: number;
      readonly shard: number;
      readonly data: readonly (readonly [string, string])[];
      readonly dup: readonly (readonly [number, number])[];
    }
  | { readonly op: "delete"; readonly num: number; readonly shard: number }
  | { readonly op: "gcdone"; readonly num: number; readonly shard: number }
  /** A new leader's first entry: it commits the entries of earlier terms (Raft §8), which may be moves in progress. */
  | { readonly op: "noop" };

/** What applying a client command produced. */
export interface ShardApplyResult {
  readonly err: "OK" | "ErrNoKey" | "ErrWrongGroup";
  readonly value: string;
}

/** Whether `x` is a {@link ShardCommand} (what Raft hands back is `unknown`). */
export function isShardCommand(x: unknown): x is ShardCommand {
  if (typeof x !== "object" || x === null) return false;
  const c = x as Record<string, unknown>;
  switch (c["op"]) {
    case "get":
      return typeof c["key"] === "string" && typeof c["clientId"] === "number" && typeof c["requestId"] === "number";
    case "put":
    case "append":
      return typeof c["key"] === "string" && typeof c["value"] === "string" && typeof c["clientId"] === "number" && typeof c["requestId"] === "number";
    case "config":
      return typeof c["config"] === "object" && c["config"] !== null;
    case "insert":
      return typeof c["num"] === "number" && typeof c["shard"] === "number" && Array.isArray(c["data"]) && Array.isArray(c["dup"]);
    case "delete":
    case "gcdone":
      return typeof c["num"] === "number" && typeof c["shard"] === "number";
    case "noop":
      return true;
    default:
      return false;
  }
}

/** One shard in this group. */
interface Shard {
  status: ShardStatus;
  data: Map<string, string>;
  /**
   * The UTF-8 bytes of `[status, pairs]` in {@link ShardStateMachine.encode}, kept until the shard
   * changes: a server with a small maxraftstate snapshots every few entries, and an entry changes
   * at most one shard, so a snapshot re-encodes only that one.
   */
  bytes?: Uint8Array | undefined;
  /** Writes applied since it arrived (for the monitors; not in snapshots, so unknown after a restore). */
  writes?: number | undefined;
  /** The duplicate table when the shard was frozen for its new owner (for the monitors; not in snapshots). */
  frozenDup?: ReadonlyMap<number, number> | undefined;
}

const UTF8 = new TextEncoder();
const COMMA = 0x2c;

/** The statuses in which a shard's data is here and the group answers for it. */
const SERVED: ReadonlySet<ShardStatus> = new Set(["serving", "gcing"]);

/** The state of one shard group. */
export class ShardStateMachine {
  /** Log index of the last command applied (0: none). */
  lastApplied = 0;
  /** The configuration this group is in. */
  config: Config = initialConfig();
  /** The one before it (where the old owners of moving shards are found). */
  prev: Config = initialConfig();
  private readonly shards: Shard[] = Array.from({ length: NSHARDS }, () => ({ status: "absent" as ShardStatus, data: new Map<string, string>() }));
  /** clientId → the last requestId of a write applied for it (here, or in a group a shard came from). */
  private readonly dup = new Map<number, number>();
  /** The log index of the entry that made `config` current. */
  private configIndex = 0;
  /** The configurations applied since this instance began (for the monitors; not in snapshots). */
  private readonly history: AppliedConfig[] = [{ num: 0, index: 0, shards: initialConfig().shards }];

  constructor(readonly gid: number) {}

  /** Shard `s`'s status. */
  status(s: number): ShardStatus {
    return this.shards[s]!.status;
  }

  /** Whether this group answers for `key` now. */
  serves(key: string): boolean {
    return this.servesShard(key2shard(key));
  }

  /** Whether this group answers for shard `s` now: it is ours in the current configuration, and here. */
  servesShard(s: number): boolean {
    return this.config.shards[s] === this.gid && SERVED.has(this.shards[s]!.status);
  }

  /** Whether no shard is in the middle of a move (the group may move to the next configuration). */
  settled(): boolean {
    return this.shards.every((sh) => sh.status === "absent" || sh.status === "serving");
  }

  /** The shards with status `status`. */
  shardsIn(status: ShardStatus): number[] {
    const out: number[] = [];
    this.shards.forEach((sh, s) => {
      if (sh.status === status) out.push(s);
    });
    return out;
  }

  /** Whether a write with this id was applied already. */
  isDuplicate(clientId: number, requestId: number): boolean {
    const last = this.dup.get(clientId);
    return last !== undefined && requestId <= last;
  }

  /** Shard `s`'s pairs, for the new owner (`bepulled` shards only; undefined otherwise). */
  outgoing(num: number, s: number): { data: [string, string][]; dup: [number, number][] } | undefined {
    const sh = this.shards[s]!;
    if (this.config.num !== num || sh.status !== "bepulled") return undefined;
    return { data: [...sh.data], dup: [...this.dup] };
  }

  /** Whether this group has dropped its copy of shard `s` as configuration `num` moved it (or never had to keep one). */
  deleted(num: number, s: number): boolean {
    return this.config.num > num || (this.config.num === num && this.shards[s]!.status !== "bepulled");
  }

  /** Bytes of data held, per shard (for the tests of the state machine and the monitors). */
  shardData(s: number): ReadonlyMap<string, string> {
    return this.shards[s]!.data;
  }

  /** Applies `cmd`, the command at log index `index`; client commands get a result. */
  apply(index: number, cmd: ShardCommand): ShardApplyResult | undefined {
    this.inspection = undefined;
    if (index !== this.lastApplied + 1) throw new Error(`ShardStateMachine.apply: index ${index} out of order (last applied ${this.lastApplied})`);
    this.lastApplied = index;
    switch (cmd.op) {
      case "get": {
        if (!this.serves(cmd.key)) return { err: "ErrWrongGroup", value: "" };
        const value = this.shards[key2shard(cmd.key)]!.data.get(cmd.key);
        return value === undefined ? { err: "ErrNoKey", value: "" } : { err: "OK", value };
      }
      case "put":
      case "append": {
        if (!this.serves(cmd.key)) return { err: "ErrWrongGroup", value: "" };
        if (this.isDuplicate(cmd.clientId, cmd.requestId)) return { err: "OK", value: "" };
        const sh = this.shards[key2shard(cmd.key)]!;
        sh.data.set(cmd.key, cmd.op === "put" ? cmd.value : (sh.data.get(cmd.key) ?? "") + cmd.value);
        sh.bytes = undefined;
        if (sh.writes !== undefined) sh.writes++;
        this.dup.set(cmd.clientId, cmd.requestId);
        this.dupBytes = undefined;
        return { err: "OK", value: "" };
      }
      case "config":
        this.reconfigure(index, cmd.config);
        return undefined;
      case "insert": {
        const sh = this.shards[cmd.shard]!;
        if (cmd.num !== this.config.num || sh.status !== "pulling") return undefined; // stale or repeated
        sh.data = new Map(cmd.data.map(([k, v]) => [k, v]));
        for (const [c, r] of cmd.dup) if (!this.isDuplicate(c, r)) this.dup.set(c, r);
        this.dupBytes = undefined;
        sh.status = "gcing";
        sh.bytes = undefined;
        sh.writes = 0;
        return undefined;
      }
      case "delete": {
        const sh = this.shards[cmd.shard]!;
        if (cmd.num !== this.config.num || sh.status !== "bepulled") return undefined;
        sh.data = new Map();
        sh.status = "absent";
        sh.bytes = undefined;
        return undefined;
      }
      case "gcdone": {
        const sh = this.shards[cmd.shard]!;
        if (cmd.num === this.config.num && sh.status === "gcing") {
          sh.status = "serving";
          sh.bytes = undefined;
        }
        return undefined;
      }
      case "noop":
        return undefined;
    }
  }

  /** Moves to `next` if it is the very next configuration and no move of the current one is pending. */
  private reconfigure(index: number, next: Config): void {
    if (next.num !== this.config.num + 1 || !this.settled()) return;
    for (let s = 0; s < NSHARDS; s++) {
      const sh = this.shards[s]!;
      sh.bytes = undefined;
      const had = this.config.shards[s] === this.gid;
      const has = next.shards[s] === this.gid;
      if (has && !had) {
        sh.status = this.config.shards[s] === 0 ? "serving" : "pulling";
        sh.writes = 0;
      }
      else if (had && !has) {
        // Nobody will pull a shard that goes to gid 0 (no groups left): it is dropped.
        if (next.shards[s] === 0) {
          sh.data = new Map();
          sh.status = "absent";
        } else {
          sh.status = "bepulled";
          sh.frozenDup = new Map(this.dup);
        }
      }
    }
    this.prev = this.config;
    this.config = next;
    this.configIndex = index;
    this.history.push({ num: next.num, index, shards: next.shards });
  }

  /** {@link inspect}'s last answer, until the next apply: the monitors ask after every step. */
  private inspection: ShardInspection | undefined;

  /**
   * A read-only view for the tester's sharding monitors (see `inspect.ts`): the same object until
   * the state changes, so a monitor can skip a replica that has not moved.
   */
  inspect(): ShardInspection {
    return (this.inspection ??= this.buildInspection());
  }

  private buildInspection(): ShardInspection {
    return {
      gid: this.gid,
      configNum: this.config.num,
      prevShards: this.prev.shards,
      applied: this.history,
      shards: this.shards.map((sh, s) => ({
        accepting: this.servesShard(s),
        handingOff: sh.status === "bepulled",
        frozenDup: sh.status === "bepulled" ? sh.frozenDup : undefined,
        data: sh.data,
        writesSinceArrival: sh.writes,
      })),
      dup: this.dup,
    };
  }

  /** {@link encode}'s bytes of `config,prev,configIndex,[`, and what they were made from. */
  private configBytes: { readonly config: Config; readonly prev: Config; readonly configIndex: number; readonly bytes: Uint8Array } | undefined;
  /** {@link encode}'s bytes of `],dup]`, until the duplicate table changes. */
  private dupBytes: Uint8Array | undefined;

  /**
   * The whole state as bytes: the UTF-8 JSON of the {@link SnapshotData} tuple (equal states give
   * equal bytes). Assembled from cached pieces, because servers with a small maxraftstate snapshot
   * every few entries and an entry changes one shard: the bytes are exactly those of
   * `TextEncoder.encode(JSON.stringify(tuple))` (each piece is whole JSON values and punctuation,
   * and JSON.stringify escapes lone surrogates, so encoding the pieces apart changes nothing).
   */
  encode(): Uint8Array {
    const shards = this.shards.map((sh) => (sh.bytes ??= UTF8.encode(JSON.stringify([sh.status, [...sh.data]]))));
    let cb = this.configBytes;
    if (cb === undefined || cb.config !== this.config || cb.prev !== this.prev || cb.configIndex !== this.configIndex) {
      const text = `${JSON.stringify(this.config)},${JSON.stringify(this.prev)},${JSON.stringify(this.configIndex)},[`;
      cb = this.configBytes = { config: this.config, prev: this.prev, configIndex: this.configIndex, bytes: UTF8.encode(text) };
    }
    const dup = (this.dupBytes ??= UTF8.encode(`],${JSON.stringify([...this.dup])}]`));
    const head = UTF8.encode(`[${JSON.stringify(this.lastApplied)},`);
    let size = head.length + cb.bytes.length + dup.length + shards.length - 1;
    for (const b of shards) size += b.length;
    const out = new Uint8Array(size);
    let at = 0;
    const put = (b: Uint8Array): void => {
      out.set(b, at);
      at += b.length;
    };
    put(head);
    put(cb.bytes);
    shards.forEach((b, s) => {
      if (s > 0) out[at++] = COMMA;
      put(b);
    });
    put(dup);
    if (at !== size) throw new Error(`ShardStateMachine.encode: assembled ${at} bytes, expected ${size}`);
    return out;
  }

  /** Rebuilds a state machine from {@link encode}'s bytes; empty bytes give an empty one. */
  static decode(gid: number, bytes: Uint8Array): ShardStateMachine {
    const sm = new ShardStateMachine(gid);
    if (bytes.length === 0) return sm;
    const parsed = JSON.parse(new TextDecoder().decode(bytes)) as SnapshotData;
    if (!Array.isArray(parsed) || parsed.length !== 6 || typeof parsed[0] !== "number") throw new Error("ShardStateMachine.decode: not a shard group snapshot");
    const [lastApplied, config, prev, configIndex, shards, dup] = parsed;
    sm.lastApplied = lastApplied;
    sm.config = config;
    sm.prev = prev;
    sm.configIndex = configIndex;
    sm.history.length = 0;
    sm.history.push({ num: config.num, index: configIndex, shards: config.shards });
    shards.forEach(([status, pairs], s) => {
      sm.shards[s] = { status, data: new Map(pairs) };
    });
    for (const [c, r] of dup) sm.dup.set(c, r);
    return sm;
  }
}

/** A snapshot's JSON: `[lastApplied, config, prev, configIndex, [[status, pairs] per shard], dup]`. */
type SnapshotData = [number, Config, Config, number, [ShardStatus, [string, string][]][], [number, number][]];
