/**
 * A recorded run, as the step debugger's page reads it: the run's steps (each a batch of events at
 * one virtual instant, the finest grain at which the run's state can differ, since tasks woken by
 * events run only once every event of the batch has fired), what happened in each (timer events,
 * messages, log lines, the debugger's own edits), and how each peer's Raft state changed, as
 * changes only. The page rebuilds the state at any step from these changes (`peer-states.ts`).
 *
 * Plain JSON: the server sends it, and an exported page embeds it.
 */
import type { Edit } from "./edits.js";

/** The fields of a peer's state the debugger shows (from `getState()` and `inspect()`). */
export interface PeerScalars {
  /** Whether the server is running. */
  up: boolean;
  term: number;
  role: "follower" | "candidate" | "leader";
  votedFor: number | null;
  commitIndex: number;
  lastApplied: number;
  snapshotIndex: number;
  snapshotTerm: number;
  lastIndex: number;
  /** A leader's nextIndex[] and matchIndex[] (when its inspect() gives them), else null. */
  nextIndex: readonly number[] | null;
  matchIndex: readonly number[] | null;
}

/** A peer's state before any change is recorded (a server not started yet). */
export const INITIAL_PEER: PeerScalars = {
  up: false,
  term: 0,
  role: "follower",
  votedFor: null,
  commitIndex: 0,
  lastApplied: 0,
  snapshotIndex: 0,
  snapshotTerm: 0,
  lastIndex: 0,
  nextIndex: null,
  matchIndex: null,
};

/** A scalar field of {@link PeerScalars}. */
export type PeerField = keyof PeerScalars;

/**
 * One change of one peer at one step: scalar fields that changed, and/or its log (the terms of its
 * entries above the snapshot: entries from `logFrom` on are replaced by `logTerms`).
 */
export interface PeerChange {
  readonly step: number;
  readonly peer: number;
  readonly set?: Partial<PeerScalars>;
  readonly logFrom?: number;
  readonly logTerms?: readonly number[];
}

/** Kinds of recorded events. */
export type EventKind =
  /** A timer fired (`text`: the task and label, e.g. `S1 ticker: sleep`). */
  | "timer"
  /** A request was sent (`msg` set). */
  | "send"
  /** A request reached its server. */
  | "deliver"
  /** A request was lost (or the server could not be reached). */
  | "lost"
  /** A reply was sent back (its fate decided). */
  | "reply"
  /** A reply reached the caller. */
  | "answer"
  /** A reply was lost. */
  | "reply-lost"
  /** A log line (`peer`, `topic`). */
  | "log"
  /** A monitor found a safety property violated (`text`: its first line). */
  | "violation"
  /** One of the debugger's edits took effect. */
  | "edit"
  /** A server started or restarted. */
  | "start"
  /** A server crashed. */
  | "crash"
  /** A server's links to `links` were enabled (`topic` "up") or cut ("down"). */
  | "links"
  /** Lab 5: a shard server moved to a configuration (the shards it gains and hands off), began to serve a shard that arrived, or dropped one it handed off. */
  | "shard";

/** One recorded event. */
export interface RecEvent {
  /** The step it belongs to (its batch). */
  readonly step: number;
  /** Virtual ms. */
  readonly time: number;
  readonly kind: EventKind;
  /** The peer it belongs to (a server index), or -1 (the tester, a client, the network). */
  readonly peer: number;
  /** What to show. */
  readonly text: string;
  /** For log lines: the topic. For messages: the method. */
  readonly topic?: string;
  /** For message events: the message's id (one per call). */
  readonly msg?: number;
  /** For `links` events: the peers on the other ends. */
  readonly links?: readonly number[];
}

/** One message (one call): what the space-time view draws and what a branch can edit. */
export interface RecMessage {
  readonly id: number;
  /** "Raft.AppendEntries". */
  readonly method: string;
  /** The caller's node ("S1", "client 3", "main") and its server index (-1 for a client or the tester). */
  readonly from: string;
  readonly fromPeer: number;
  /** The server it goes to. */
  readonly to: number;
  /** When the request was sent, and when its delivery (or loss) was decided for. */
  readonly sentAt: number;
  readonly sentStep: number;
  /** A one-line summary of the arguments. */
  readonly args: string;
  /** Request: when it arrives (or was lost); undefined while unknown. */
  deliverAt?: number;
  deliverStep?: number;
  lost?: boolean;
  /** Its rank among requests of this method, sender and receiver at `sentAt` (how an edit names it). */
  readonly nth: number;
  /** The reply: when it was sent, its rank, when it arrived (or was lost), and its summary. */
  replyAt?: number;
  replyStep?: number;
  replyNth?: number;
  answerAt?: number;
  answerStep?: number;
  replyLost?: boolean;
  reply?: string;
}

/** One step: a batch of events at one instant. */
export interface RecStep {
  readonly time: number;
  /** Index in {@link Recording.events} of its first event. */
  readonly firstEvent: number;
}

/** How the run ended. */
export interface RecOutcome {
  readonly ok: boolean;
  /** The failure message's first lines, if it failed. */
  readonly error?: string;
  /** The safety property a monitor found violated, and at which step. */
  readonly violation?: { readonly property: string; readonly step: number; readonly peers: readonly number[] };
  /** The step at which the run ended. */
  readonly endStep: number;
  readonly virtualMs: number;
}

/** A whole recorded run. */
export interface Recording {
  readonly version: 1;
  /** The test's name, full name (what -t matches) and file; the seed; the edits it ran with. */
  readonly test: string;
  readonly fullName: string;
  readonly file: string;
  readonly seed: number;
  readonly edits: readonly Edit[];
  /** Number of servers (peer lanes). */
  readonly peers: number;
  /**
   * With several Raft clusters (Lab 5: the controller's and each shard group): each peer's name,
   * `ctl:S0` or `100:S2` (cluster, then its server), and the clusters, each `count` peers from
   * `first`. Absent with one cluster: the peers are `S0`, `S1`, ...
   */
  readonly peerNames?: readonly string[];
  readonly groups?: readonly { readonly label: string; readonly first: number; readonly count: number }[];
  readonly steps: RecStep[];
  readonly events: RecEvent[];
  readonly messages: RecMessage[];
  readonly changes: PeerChange[];
  /** Whether the peers had `inspect()` (without it only role and term are known). */
  readonly inspectable: boolean;
  /** Events beyond the recorder's cap were not kept (their count), so memory stays bounded. */
  readonly eventsDropped: number;
  /** The trace hash of the run (a branch's prefix is compared against it). */
  readonly traceHash: string;
  readonly outcome: RecOutcome;
  /** Wall ms the recorded run took (inflated by recording). */
  readonly wallMs: number;
}
