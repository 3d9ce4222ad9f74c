/**
 * The replicated state machine of the shard controller, without any IO: the list of
 * configurations and the table that makes Join, Leave and Move exactly-once. Every replica applies
 * the same commands in the same (log) order and, because {@link rebalance} is deterministic,
 * reaches the same configurations.
 *
 * @module
 */
import { initialConfig, type Config } from "./common.js";
import { rebalance } from "./rebalance.js";

/** A command as it travels through the Raft log (plain data). */
export type CtrlerCommand =
  | { readonly op: "join"; readonly servers: Readonly<Record<string, readonly string[]>>; readonly clientId: number; readonly requestId: number }
  | { readonly op: "leave"; readonly gids: readonly number[]; readonly clientId: number; readonly requestId: number }
  | { readonly op: "move"; readonly shard: number; readonly gid: number; readonly clientId: number; readonly requestId: number }
  | { readonly op: "query"; readonly num: number; readonly clientId: number; readonly requestId: number };

/** Whether `x` is a {@link CtrlerCommand} (what Raft hands back is `unknown`). */
export function isCtrlerCommand(x: unknown): x is CtrlerCommand {
  if (typeof x !== "object" || x === null) return false;
  const c = x as Record<string, unknown>;
  if (typeof c["clientId"] !== "number" || typeof c["requestId"] !== "number") return false;
  switch (c["op"]) {
    case "join":
      return typeof c["servers"] === "object" && c["servers"] !== null;
    case "leave":
      return Array.isArray(c["gids"]);
    case "move":
      return typeof c["shard"] === "number" && typeof c["gid"] === "number";
    case "query":
      return typeof c["num"] === "number";
    default:
      return false;
  }
}

/** The configurations plus the duplicate table. */
export class CtrlerStateMachine {
  private readonly configs: Config[] = [initialConfig()];
  /** clientId → the last requestId of a change applied for it. */
  private readonly lastChange = new Map<number, number>();
  /** Log index of the last command applied (0: none). */
  lastApplied = 0;

  /** Applies `cmd`, the command at log index `index`; a query returns the configuration asked for. */
  apply(index: number, cmd: CtrlerCommand): Config | undefined {
    if (index !== this.lastApplied + 1) throw new Error(`CtrlerStateMachine.apply: index ${index} out of order (last applied ${this.lastApplied})`);
    this.lastApplied = index;
    if (cmd.op === "query") return this.query(cmd.num);
    if (this.alreadyApplied(cmd.clientId, cmd.requestId)) return undefined;
    this.lastChange.set(cmd.clientId, cmd.requestId);
    const last = this.latest();
    const groups: Record<string, readonly string[]> = { ...last.groups };
    let shards = [...last.shards];
    switch (cmd.op) {
      case "join":
        for (const [gid, servers] of Object.entries(cmd.servers)) groups[gid] = [...servers];
        shards = rebalance(shards, Object.keys(groups).map(Number));
        break;
      case "leave":
        for (const gid of cmd.gids) delete groups[String(gid)];
        shards = rebalance(shards, Object.keys(groups).map(Number));
        break;
      case "move":
        if (cmd.shard >= 0 && cmd.shard < shards.length) shards[cmd.shard] = cmd.gid;
        break;
    }
    this.configs.push({ num: last.num + 1, shards, groups });
    return undefined;
  }

  /** Whether a change with this id was applied already (a retry). */
  alreadyApplied(clientId: number, requestId: number): boolean {
    const last = this.lastChange.get(clientId);
    return last !== undefined && requestId <= last;
  }

  /** Configuration `num`, or the latest for -1 or a number past it. */
  query(num: number): Config {
    return num < 0 || num >= this.configs.length ? this.latest() : this.configs[num]!;
  }

  /** The latest configuration. */
  latest(): Config {
    return this.configs[this.configs.length - 1]!;
  }

  /** The whole state as bytes: `[lastApplied, configs, [[clientId, requestId]…]]` as UTF-8 JSON. */
  encode(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify([this.lastApplied, this.configs, [...this.lastChange]]));
  }

  /** Rebuilds a state machine from {@link encode}'s bytes; empty bytes give a fresh one. */
  static decode(bytes: Uint8Array): CtrlerStateMachine {
    const sm = new CtrlerStateMachine();
    if (bytes.length === 0) return sm;
    const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (!Array.isArray(parsed) || parsed.length !== 3 || typeof parsed[0] !== "number" || !Array.isArray(parsed[1]) || !Array.isArray(parsed[2])) {
      throw new Error("CtrlerStateMachine.decode: not a controller snapshot");
    }
    const [lastApplied, configs, dup] = parsed as [number, Config[], [number, number][]];
    sm.lastApplied = lastApplied;
    sm.configs.length = 0;
    sm.configs.push(...configs);
    for (const [c, r] of dup) sm.lastChange.set(c, r);
    return sm;
  }
}
