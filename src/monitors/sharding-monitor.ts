/**
 * The sharding monitor (Lab 5): watches every running replica of every shard group through its
 * optional `inspect()` (see `src/shardkv/inspect.ts`) and checks, after every step, the three
 * properties of {@link SHARDING_PROPERTIES}:
 *
 * - **Single Owner**: for each (configuration, shard), the first group seen accepting writes owns
 *   it; any other group seen accepting writes to it in the same configuration breaks it.
 * - **Intact Handoff**: the state a group freezes for a shard it hands off in configuration `n` (the
 *   first replica seen holding it; every other replica must hold the same) is compared with the
 *   state the new owner has when it starts serving the shard in `n`, before any write: the same
 *   pairs, and every duplicate-table entry that travels with the shard (the old group's table when
 *   it froze the shard) at least as recent in the new one.
 * - **Configuration Agreement**: each replica's applied configurations go up one at a time, and
 *   every replica of a group applies configuration `n` with the same shards at the same log index.
 *
 * Like the Raft monitor it only reads: no randomness, no time, nothing changed.
 */
import type { ShardInspection } from "../shardkv/inspect.js";
import type { ShardingViolation } from "./sharding-violation.js";

/** A shard's state at one moment, comparable across groups. */
interface ShardState {
  readonly gid: number;
  readonly server: string;
  /** The pairs, sorted by key, as JSON. */
  readonly digest: string;
  /** The duplicate-table entries that travel with the shard (undefined: not known). */
  readonly dup: ReadonlyMap<number, number> | undefined;
}

/** What the monitor keeps about one running incarnation of one replica. */
interface Replica {
  readonly gid: number;
  readonly server: string;
  readonly inspect: () => ShardInspection;
  /** How many of its applied configurations have been checked. */
  appliedChecked: number;
  /** The first entry of its applied list when last checked: another one means it restored a snapshot. */
  appliedFirst: object | undefined;
  /** The (config, shard) keys ({@link slot}) whose frozen state this replica has been checked for. */
  readonly seen: Set<number>;
  /** The configuration of {@link ownedMask}. */
  ownedNum: number;
  /** The shards this replica was seen accepting writes to in configuration `ownedNum` (one bit each): already checked. */
  ownedMask: number;
  /** The inspection checked last: a replica that answers with the same object has not changed. */
  last: ShardInspection | undefined;
}

/** The shards a monitor can tell apart in its per-replica bit masks and keys. */
const MAX_SHARDS = 32;

/** One number for (configuration, shard): the monitors' map keys, checked after every step. */
function slot(num: number, shard: number): number {
  return num * MAX_SHARDS + shard;
}

function digestOf(data: ReadonlyMap<string, string>): string {
  return JSON.stringify([...data].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Checks the sharding properties over the replicas it is told about; see the module comment. */
export class ShardingMonitor {
  private readonly replicas = new Map<string, Replica>();
  /** `gid/num` → how the first replica of the group seen applying configuration num applied it. */
  private readonly configLedger = new Map<string, { readonly index: number; readonly shards: string; readonly server: string }>();
  /** {@link slot}(num, shard) → the group seen accepting writes to the shard in configuration num. */
  private readonly owners = new Map<number, { readonly gid: number; readonly server: string }>();
  /** {@link slot}(num, shard) → the state the old owner froze for the new one. */
  private readonly frozen = new Map<number, ShardState>();
  /** {@link slot}(num, shard) → the state the new owner had when it started serving the shard. */
  private readonly arrived = new Map<number, ShardState>();
  private violation: ShardingViolation | undefined;

  /** Replica `server` of group `gid` (re)started: watch it through `inspect` from now on. */
  watch(gid: number, server: string, inspect: () => ShardInspection): void {
    this.replicas.set(server, { gid, server, inspect, appliedChecked: 0, appliedFirst: undefined, seen: new Set(), ownedNum: -1, ownedMask: 0, last: undefined });
  }

  /** Replica `server` crashed: stop watching it. */
  unwatch(server: string): void {
    this.replicas.delete(server);
  }

  /** Checks every watched replica now; the first violation, and the same one at every later call. */
  check(): ShardingViolation | undefined {
    if (this.violation !== undefined) return this.violation;
    for (const r of this.replicas.values()) {
      const ins = r.inspect();
      if (ins === r.last) continue;
      r.last = ins;
      const v = this.checkReplica(r, ins);
      if (v !== undefined) return (this.violation = v);
    }
    return undefined;
  }

  private checkReplica(r: Replica, ins: ShardInspection): ShardingViolation | undefined {
    return this.checkConfigurations(r, ins) ?? this.checkOwners(r, ins) ?? this.checkHandoffs(r, ins);
  }

  private checkConfigurations(r: Replica, ins: ShardInspection): ShardingViolation | undefined {
    const applied = ins.applied;
    // A snapshot installed since the last check starts a new list (a jump over configurations that
    // is legitimate): check it from its start.
    if (applied[0] !== r.appliedFirst) {
      r.appliedFirst = applied[0];
      r.appliedChecked = 0;
    }
    for (let k = r.appliedChecked; k < applied.length; k++) {
      const a = applied[k]!;
      const before = k > 0 ? applied[k - 1] : undefined;
      if (before !== undefined && a.num !== before.num + 1) {
        return {
          property: "Configuration Agreement",
          summary: `${r.server} applied configuration ${a.num} right after configuration ${before.num} (at index ${a.index})`,
          details: ["configurations must be applied one at a time, in order"],
          gids: [r.gid],
          configs: [before.num, a.num],
          shards: [],
        };
      }
      const key = `${r.gid}/${a.num}`;
      const shards = a.shards.join(" ");
      const known = this.configLedger.get(key);
      if (known === undefined) this.configLedger.set(key, { index: a.index, shards, server: r.server });
      else if (known.index !== a.index || known.shards !== shards) {
        return {
          property: "Configuration Agreement",
          summary: `${r.server} applied configuration ${a.num} at index ${a.index} as [${shards}], but ${known.server} applied it at index ${known.index} as [${known.shards}]`,
          gids: [r.gid],
          configs: [a.num],
          shards: [],
        };
      }
    }
    r.appliedChecked = applied.length;
    return undefined;
  }

  private checkOwners(r: Replica, ins: ShardInspection): ShardingViolation | undefined {
    if (ins.shards.length > MAX_SHARDS) throw new Error(`ShardingMonitor: ${ins.shards.length} shards; it tells at most ${MAX_SHARDS} apart`);
    if (r.ownedNum !== ins.configNum) {
      r.ownedNum = ins.configNum;
      r.ownedMask = 0;
    }
    for (let s = 0; s < ins.shards.length; s++) {
      // A (configuration, shard) this replica was seen accepting is recorded already: its owner is this group, or the violation was reported.
      if (!ins.shards[s]!.accepting || (r.ownedMask & (1 << s)) !== 0) continue;
      r.ownedMask |= 1 << s;
      const key = slot(ins.configNum, s);
      const owner = this.owners.get(key);
      if (owner === undefined) this.owners.set(key, { gid: ins.gid, server: r.server });
      else if (owner.gid !== ins.gid) {
        return {
          property: "Single Owner",
          summary: `${r.server} (group ${ins.gid}) accepts writes to shard ${s} in configuration ${ins.configNum}, but ${owner.server} (group ${owner.gid}) did too`,
          gids: [owner.gid, ins.gid],
          configs: [ins.configNum],
          shards: [s],
        };
      }
    }
    return undefined;
  }

  private checkHandoffs(r: Replica, ins: ShardInspection): ShardingViolation | undefined {
    for (let s = 0; s < ins.shards.length; s++) {
      const view = ins.shards[s]!;
      const key = slot(ins.configNum, s);
      if (view.handingOff && !r.seen.has(key)) {
        r.seen.add(key);
        const state: ShardState = { gid: ins.gid, server: r.server, digest: digestOf(view.data), dup: view.frozenDup === undefined ? undefined : new Map(view.frozenDup) };
        const first = this.frozen.get(key);
        if (first === undefined) {
          this.frozen.set(key, state);
          const v = this.compare(ins.configNum, s);
          if (v !== undefined) return v;
        } else if (first.dup === undefined && state.dup !== undefined && first.digest === state.digest) {
          // The first replica seen had restarted from a snapshot and lost track: this one knows.
          this.frozen.set(key, { ...first, dup: state.dup });
          const v = this.compare(ins.configNum, s);
          if (v !== undefined) return v;
        } else if (first.digest !== state.digest) {
          return {
            property: "Intact Handoff",
            summary: `${r.server} holds shard ${s} for its new owner in configuration ${ins.configNum} with other pairs than ${first.server} (group ${first.gid}) froze`,
            details: [`${first.server}: ${first.digest}`, `${r.server}: ${state.digest}`],
            gids: [ins.gid],
            configs: [ins.configNum],
            shards: [s],
          };
        }
      }
      const from = ins.prevShards[s] ?? 0;
      if (view.accepting && from !== 0 && from !== ins.gid && view.writesSinceArrival === 0 && !this.arrived.has(key)) {
        this.arrived.set(key, { gid: ins.gid, server: r.server, digest: digestOf(view.data), dup: new Map(ins.dup) });
        const v = this.compare(ins.configNum, s);
        if (v !== undefined) return v;
      }
    }
    return undefined;
  }

  /** Compares what left the old group with what arrived in the new one, once both are known. */
  private compare(num: number, s: number): ShardingViolation | undefined {
    const key = slot(num, s);
    const left = this.frozen.get(key);
    const came = this.arrived.get(key);
    if (left === undefined || came === undefined) return undefined;
    const base = { property: "Intact Handoff" as const, gids: [left.gid, came.gid], configs: [num], shards: [s] };
    if (left.digest !== came.digest) {
      return {
        ...base,
        summary: `shard ${s} left group ${left.gid} and arrived in group ${came.gid} (configuration ${num}) with different pairs`,
        details: [`left ${left.server}: ${left.digest}`, `arrived at ${came.server}: ${came.digest}`],
      };
    }
    for (const [client, request] of left.dup ?? []) {
      const there = came.dup?.get(client);
      if (there === undefined || there < request) {
        return {
          ...base,
          summary: `shard ${s} arrived in group ${came.gid} (configuration ${num}) without group ${left.gid}'s duplicate-table entry of client ${client} (request ${request}; there: ${there ?? "none"})`,
          details: ["a retry of that client's last write could be applied twice"],
        };
      }
    }
    return undefined;
  }
}
