/**
 * The run's message history: copies of requests delivered earlier in the run, kept so that the
 * nemesis can deliver them again, much later, to the server they were addressed to (restarted or
 * not), at the moments where a stale message hurts: just after a new leader was elected (an
 * AppendEntries, InstallSnapshot or RequestVote of an earlier term), just after a follower
 * installed a snapshot (an older AppendEntries or InstallSnapshot, below the snapshot), just after
 * it caught up (a shorter AppendEntries or an older snapshot of the same leader), just after it restarted (anything).
 * An asynchronous network may deliver any message ever sent at any time, so a correct Raft and a
 * correct KV service must survive every such delivery; a follower that trusts a message because it
 * arrives now (it truncates entries, moves commitIndex, installs a snapshot older than its log,
 * counts a vote of an earlier election) does not.
 *
 * What is kept is bounded: per link and method, the last {@link PER_LINK} requests of distinct
 * content (a heartbeat identical to the previous one is not kept again).
 */
import type { HistoryMoment, SentMessage } from "./schedule.js";

/** Requests kept per (method, sender, receiver). */
const PER_LINK = 24;

/** One kept request. */
export interface KeptRequest extends SentMessage {
  /** The receiver's server index. */
  readonly server: number;
  /** The term it carried (Raft requests), else undefined. */
  readonly term: number | undefined;
  /** AppendEntries: the index of its last entry (prevLogIndex + entries); InstallSnapshot: lastIncludedIndex. */
  readonly index: number | undefined;
  /** Delivers a copy of it now, if its server is up. */
  readonly deliver: () => void;
}

/** What a request says that matters here, read from its arguments. */
export interface RequestShape {
  /** The Raft server that sent it (leaderId, candidateId), else undefined. */
  readonly sender: number | undefined;
  readonly term: number | undefined;
  readonly index: number | undefined;
  readonly entries: number;
  readonly summary: string;
}

/** A number field of `args`, if it has one (a student's arguments may name theirs otherwise). */
function num(args: unknown, field: string): number | undefined {
  const v = typeof args === "object" && args !== null ? (args as Record<string, unknown>)[field] : undefined;
  return typeof v === "number" ? v : undefined;
}

/**
 * Reads what matters from a request's arguments: Raft's three RPCs by the field names of Figure 2
 * (`src/raft/rpc-types.ts`), read defensively, as a student's Raft may lack some; anything else
 * (a Clerk's request) by its fields, short.
 */
export function requestShape(method: string, args: unknown): RequestShape {
  const term = num(args, "term");
  if (method === "Raft.AppendEntries") {
    const prev = num(args, "prevLogIndex");
    const entries = typeof args === "object" && args !== null && Array.isArray((args as Record<string, unknown>)["entries"]) ? ((args as Record<string, unknown>)["entries"] as unknown[]).length : 0;
    const index = prev === undefined ? undefined : prev + entries;
    const what = entries === 0 ? "no entries" : `+${entries} entries`;
    return { sender: num(args, "leaderId"), term, index, entries, summary: `T${term ?? "?"} prev ${prev ?? "?"}/T${num(args, "prevLogTerm") ?? "?"} ${what} commit ${num(args, "leaderCommit") ?? "?"}` };
  }
  if (method === "Raft.InstallSnapshot") {
    const index = num(args, "lastIncludedIndex");
    return { sender: num(args, "leaderId"), term, index, entries: 0, summary: `T${term ?? "?"} snapshot through ${index ?? "?"}/T${num(args, "lastIncludedTerm") ?? "?"}` };
  }
  if (method === "Raft.RequestVote") {
    const candidate = num(args, "candidateId");
    return { sender: candidate, term, index: undefined, entries: 0, summary: `T${term ?? "?"} from S${candidate ?? "?"}, log ends ${num(args, "lastLogIndex") ?? "?"}/T${num(args, "lastLogTerm") ?? "?"}` };
  }
  const fields = typeof args === "object" && args !== null ? Object.entries(args).map(([k, v]) => `${k} ${typeof v === "string" && v.length > 12 ? `${v.slice(0, 12)}…` : String(v)}`) : [];
  return { sender: undefined, term: undefined, index: undefined, entries: 0, summary: fields.join(", ") };
}

/** The methods whose requests are kept. */
export function keepsMethod(method: string): boolean {
  return method.startsWith("Raft.") || method.startsWith("KVServer.");
}

/** The history; see the module comment. */
export class MessageHistory {
  private readonly byLink = new Map<string, KeptRequest[]>();
  /** Content of the last request kept per link, so that identical ones are kept once. */
  private readonly lastSummary = new Map<string, string>();

  /** Whether a request with this content on this link would be kept (it differs from the last one kept). */
  wants(method: string, from: string, server: number, shape: RequestShape): boolean {
    return keepsMethod(method) && this.lastSummary.get(linkKey(method, from, server)) !== shape.summary;
  }

  /** Keeps a request. */
  add(kept: KeptRequest): void {
    const key = linkKey(kept.method, kept.from, kept.server);
    const list = this.byLink.get(key) ?? [];
    list.push(kept);
    if (list.length > PER_LINK) list.shift();
    this.byLink.set(key, list);
    this.lastSummary.set(key, kept.summary);
  }

  /** The kept request `sent` names (replay), or else the latest kept one of its link sent before it. */
  find(sent: SentMessage, server: number): KeptRequest | undefined {
    const list = this.byLink.get(linkKey(sent.method, sent.from, server)) ?? [];
    const exact = list.find((k) => k.at === sent.at && k.nth === sent.nth);
    if (exact !== undefined) return exact;
    return list.filter((k) => k.at <= sent.at).at(-1);
  }

  /**
   * The kept requests that are stale at `moment` for `server`, most recent last:
   * - `new leader` (of term `term`): Raft requests of earlier terms, and Clerks' requests;
   * - `snapshot installed` (through `index`, in `term`): AppendEntries and InstallSnapshots of at
   *   most that term that end below `index`;
   * - `caught up` (a batch from `from` ending at `index`, in `term`): shorter AppendEntries and older
   *   InstallSnapshots of the same sender and term, or of earlier terms;
   * - `restarted`: anything sent to it.
   */
  stale(moment: HistoryMoment, server: number, at: { readonly term?: number; readonly index?: number; readonly from?: string }): KeptRequest[] {
    const out: KeptRequest[] = [];
    for (const list of this.byLink.values()) {
      for (const k of list) {
        if (k.server !== server) continue;
        if (isStale(k, moment, at)) out.push(k);
      }
    }
    return out.sort((a, b) => a.at - b.at || a.nth - b.nth);
  }
}

function isStale(k: KeptRequest, moment: HistoryMoment, at: { readonly term?: number; readonly index?: number; readonly from?: string }): boolean {
  const term = at.term ?? Infinity;
  const index = at.index ?? Infinity;
  switch (moment) {
    case "restarted":
      return true;
    case "new leader":
      return k.term === undefined || k.term < term;
    case "snapshot installed":
      return (k.method === "Raft.AppendEntries" || k.method === "Raft.InstallSnapshot") && k.term !== undefined && k.term <= term && k.index !== undefined && k.index < index;
    case "caught up":
      // Shorter AppendEntries, and snapshots older than what it just got (its commitIndex lags behind).
      return (k.method === "Raft.AppendEntries" || k.method === "Raft.InstallSnapshot") && k.term !== undefined && k.index !== undefined && (k.term < term || (k.from === at.from && k.term === term && k.index < index));
  }
}

function linkKey(method: string, from: string, server: number): string {
  return `${method}|${from}|${server}`;
}
