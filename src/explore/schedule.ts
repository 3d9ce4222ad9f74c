/**
 * A run's fault schedule: every fault the nemesis put into a run, in order, with what it hit. A
 * run records its schedule as it goes; replaying a schedule (or a part of it: shrinking removes
 * faults) puts exactly those faults into a run of the same seed, instead of drawing them.
 *
 * Faults on messages name the message by where it was decided (`point`), its method, its sender
 * and its receiver, the virtual time, and its rank (`nth`) among such messages at that instant.
 * Replaying the whole schedule therefore hits the very same messages and reproduces the run step
 * for step. With faults removed the run diverges after the first of them, and a later fault hits
 * the first message of its kind at or after its recorded time (the closest equivalent there is).
 */
import { formatTime } from "../sim/index.js";
import type { FaultPlan } from "./fault-plan.js";

/**
 * Where a message fault is decided: as the request is sent (`request`: drop, delay, or crash the
 * sender right after sending, deliver it again later), once the handler has returned (`handled`: crash the server, its
 * reply still on its way), or as the reply is sent (`reply`: drop or delay it). `start` is not a
 * message: a scenario's client saw a leader accept a command (`method` is "start()"), and the
 * leader may crash at once, before sending it anywhere. `watch` is not a message either: the
 * nemesis saw a new leader (`to`; `method` is "new leader") and hits it. `history` is a moment
 * where an earlier message hurts (`method` names it: {@link HistoryMoment}) at server `to`, which
 * may get one delivered again.
 */
export type MessagePoint = "request" | "handled" | "reply" | "start" | "watch" | "history";

/** Which message a fault hit. */
export interface MessageRef {
  readonly point: MessagePoint;
  /** "Service.Method". */
  readonly method: string;
  /** The sender's node, e.g. "S1", "client 3", "main". */
  readonly from: string;
  /** The server it went to, e.g. "S2". */
  readonly to: string;
  /** Virtual ms at which the fault was decided. */
  readonly at: number;
  /** Its rank among messages with the same point, method, sender and receiver at that instant. */
  readonly nth: number;
}

/**
 * The moments at which the nemesis delivers earlier messages again (`message-history.ts`): a new
 * leader was seen (to each other server), a server installed a snapshot it was sent, a server
 * caught up (was sent a batch of entries), a server restarted.
 */
export type HistoryMoment = "new leader" | "snapshot installed" | "caught up" | "restarted";

/** A request kept in the run's message history: which one, and what it said (for the reader). */
export interface SentMessage {
  readonly method: string;
  readonly from: string;
  readonly to: string;
  /** When it was first delivered, and its rank among such deliveries at that instant. */
  readonly at: number;
  readonly nth: number;
  /** What it carried, e.g. `T3 prev 4/T2 +2 entries commit 5`. */
  readonly summary: string;
}

/** Why a message was delayed. */
export type DelayReason = "reorder" | "stale" | "late";

/** A fault on one message. */
export type MessageFault = MessageRef & { readonly id: number } & (
    | { readonly kind: "drop" }
    | { readonly kind: "delay"; readonly ms: number; readonly why: DelayReason }
    /** Deliver a copy of the request again `ms` after it (at `request`): a stale retransmission. */
    | { readonly kind: "duplicate"; readonly ms: number }
    /**
     * Crash `server` (the sender at `request`, the receiver at `handled`; `afterMs` later, if set),
     * restarting it after `downMs` (-1: not until another fault's `restart`, or the healing), and
     * at the same moment restart the server `restart`, if it is down.
     */
    | {
        readonly kind: "crash";
        readonly server: number;
        readonly downMs: number;
        readonly afterMs?: number;
        readonly restart?: number;
        /** Its requests still in flight are lost too (a crash alone lets them arrive); at `handled`, its reply. */
        readonly lose?: boolean;
        /** Every server crashes, not only `server` (each restarts after `downMs`). */
        readonly all?: boolean;
      }
    /** Cut `server` off from every other server for `ms` (its messages in flight are lost too). */
    | { readonly kind: "isolate"; readonly server: number; readonly ms: number }
    /** At a `history` moment: deliver the earlier request `sent` again to its server, `afterMs` later. */
    | { readonly kind: "redeliver"; readonly sent: SentMessage; readonly afterMs: number }
    /**
     * At `reply`: hold the reply until its sender has moved on (`next election`: the candidate asks
     * for votes in a later term; `leads again`: the leader leads a later term), or `maxMs` at most.
     */
    | { readonly kind: "hold"; readonly until: "next election" | "leads again"; readonly maxMs: number }
  );

/**
 * A fault of the nemesis's scheduler, which wakes `gapMs` after its previous wake-up (its first:
 * after the start of the run) and does one thing.
 */
export type ScheduledFault = { readonly id: number; readonly point: "scheduler"; readonly at: number; readonly gapMs: number } & (
  | { readonly kind: "crash"; readonly server: number; readonly downMs: number }
  | { readonly kind: "crash all"; readonly downMs: number }
  | { readonly kind: "partition"; readonly groups: readonly (readonly number[])[]; readonly ms: number }
);

/** One fault of a schedule. */
export type FaultEvent = MessageFault | ScheduledFault;

/** A fault before it is numbered. */
export type NewFault = FaultEvent extends infer F ? (F extends FaultEvent ? Omit<F, "id"> : never) : never;

/** A run's schedule, as saved to a file (JSON): enough to replay it with `--shrink`. */
export interface ScheduleFile {
  readonly version: 1;
  /** The test's file and full name (what vitest's -t matches), and the seed. */
  readonly file: string;
  readonly test: string;
  readonly seed: number;
  readonly plan: FaultPlan;
  /** Why the run failed (the first line of its error), if it did. */
  readonly failure?: string;
  readonly faults: readonly FaultEvent[];
  /** Ids of faults to leave out when replaying (what shrinking removed). */
  readonly removed?: readonly number[];
}

/** Reads a schedule file's text, or throws a message naming what is wrong and how to get a good one. */
export function parseScheduleFile(text: string, source: string): ScheduleFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source}: not JSON (${(e as Error).message}); pass a schedule written by npm run explore (<output>/schedules/*.json)`);
  }
  const d = data as Partial<ScheduleFile>;
  if (d.version !== 1 || typeof d.file !== "string" || typeof d.test !== "string" || !Number.isSafeInteger(d.seed) || !Array.isArray(d.faults) || typeof d.plan !== "object") {
    throw new Error(`${source}: not a version-1 fault schedule (needs version, file, test, seed, plan, faults); pass one written by npm run explore`);
  }
  d.faults.forEach((f, i) => {
    if (typeof f !== "object" || f === null || typeof f.kind !== "string" || typeof f.at !== "number" || typeof f.id !== "number") {
      throw new Error(`${source}: fault ${i} has no kind, at or id: ${JSON.stringify(f)}`);
    }
  });
  return d as ScheduleFile;
}

/** A peer's name in scenario text: `S2` for servers, the node name otherwise. */
function peer(n: number): string {
  return `S${n}`;
}

/**
 * One fault as a line of a readable scenario, e.g.
 * `  1.203s  crash S2 right after it replied to Raft.RequestVote from S1; restart 300 ms later`.
 */
export function describeFault(f: FaultEvent): string {
  const time = formatTime(f.at).padStart(8);
  return `${time}  ${faultText(f)}`;
}

function faultText(f: FaultEvent): string {
  const restart = (ms: number): string => (ms === 0 ? "restart at once" : ms < 0 ? "keep it down" : `restart ${ms} ms later`);
  if (f.point === "scheduler") {
    if (f.kind === "crash") return f.server < 0 ? "crash nobody (no server is up)" : `crash ${peer(f.server)}; ${restart(f.downMs)}`;
    if (f.kind === "crash all") return `crash every server; ${restart(f.downMs)}`;
    return `partition ${f.groups.map((g) => g.map(peer).join(" ")).join(" | ")} for ${f.ms} ms`;
  }
  const msg = `${f.method} ${f.from} -> ${f.to}`;
  switch (f.kind) {
    case "drop":
      return `drop the ${f.point === "request" ? "request" : "reply"} of ${msg}`;
    case "delay": {
      const why = f.why === "stale" ? "delivered late, after newer ones" : f.why === "late" ? "past the next election" : "reordered";
      return `delay the ${f.point === "request" ? "request" : "reply"} of ${msg} by ${f.ms} ms (${why})`;
    }
    case "duplicate":
      return `deliver the request of ${msg} again ${f.ms} ms later (a stale copy)`;
    case "redeliver": {
      const moment =
        f.method === "new leader" ? `${f.to} saw a new leader` : f.method === "restarted" ? `${f.to} restarted` : f.method === "caught up" ? `${f.to} was sent a batch of entries` : `${f.to} was sent a snapshot`;
      return `deliver again the ${f.sent.method} ${f.sent.from} -> ${f.sent.to} of ${formatTime(f.sent.at).trim()} (${f.sent.summary}), ${f.afterMs} ms after ${moment} (an earlier message)`;
    }
    case "hold":
      return `hold the reply of ${msg} until ${f.from} ${f.until === "next election" ? "asks for votes in a later term" : "leads a later term"} (at most ${f.maxMs} ms)`;
    case "isolate":
      return `cut ${peer(f.server)} off, right after it became leader, for ${f.ms} ms (its messages in flight are lost)`;
    case "crash": {
      const also = (f.lose === true && f.point !== "handled" ? " (its messages in flight are lost)" : "") + (f.restart !== undefined ? `; restart ${peer(f.restart)}` : "");
      if (f.point === "watch") {
        const when = f.afterMs !== undefined && f.afterMs > 0 ? `${f.afterMs} ms after it became leader` : "right after it became leader";
        return `crash ${peer(f.server)} ${when}; ${restart(f.downMs)}${also}`;
      }
      if (f.point === "start") return `crash ${peer(f.server)} right after it accepted a command from ${f.from}, before sending it; ${restart(f.downMs)}${also}`;
      return f.point === "request"
        ? `crash ${peer(f.server)} right after it sent ${f.method} to ${f.to}; ${restart(f.downMs)}`
        : `crash ${f.all === true ? "every server" : peer(f.server)} right after ${peer(f.server)} handled ${f.method} from ${f.from} (its reply ${f.lose === true ? "lost" : "still goes out"}); ${restart(f.downMs)}${f.restart !== undefined ? `; restart ${peer(f.restart)}` : ""}`;
    }
  }
}

/**
 * The faults to replay, looked up as the run goes: scheduler faults in order, message faults by
 * message (see the module comment). Faults whose id is in `removed` are skipped.
 */
export class ScheduleReplay {
  private readonly scheduled: ScheduledFault[];
  /** Pending message faults by key (point, method, sender, receiver), in time order. */
  private readonly pending = new Map<string, MessageFault[]>();

  constructor(faults: readonly FaultEvent[], removed: ReadonlySet<number> = new Set()) {
    this.scheduled = faults.filter((f): f is ScheduledFault => f.point === "scheduler");
    for (const f of faults) {
      if (f.point === "scheduler" || removed.has(f.id)) continue;
      const key = messageKey(f.point, f.method, f.from, f.to);
      const list = this.pending.get(key) ?? [];
      list.push(f);
      this.pending.set(key, list);
    }
    this.removed = removed;
  }

  private readonly removed: ReadonlySet<number>;

  /** The scheduler's faults in order, each with whether it is to be applied (false: removed). */
  schedulerFaults(): readonly { readonly fault: ScheduledFault; readonly apply: boolean }[] {
    return this.scheduled.map((fault) => ({ fault, apply: !this.removed.has(fault.id) }));
  }

  /**
   * The faults to apply to the message `ref` (usually none): those recorded for exactly this
   * message, and any recorded earlier for such a message that no message matched exactly.
   */
  take(ref: MessageRef): MessageFault[] {
    const list = this.pending.get(messageKey(ref.point, ref.method, ref.from, ref.to));
    if (list === undefined || list.length === 0) return [];
    const out: MessageFault[] = [];
    while (list.length > 0) {
      const f = list[0]!;
      const exact = f.at === ref.at && f.nth === ref.nth;
      if (!(exact || f.at < ref.at)) break;
      out.push(f);
      list.shift();
    }
    return out;
  }
}

/** The key that message faults are looked up by. */
export function messageKey(point: MessagePoint, method: string, from: string, to: string): string {
  return `${point}|${method}|${from}|${to}`;
}
