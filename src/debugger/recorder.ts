/**
 * Records one simulated run for the step debugger, through the probes of the kernel
 * (`src/sim/run-probes.ts`), the network's message tap and the testers' cluster tap: every step,
 * timer event, message and log line, and each peer's Raft state as changes (from `getState()` and
 * `inspect()`, read only). With no edits it only watches: the run is the very run it would be
 * without the recorder (same events, same trace hash). With edits (a branch) it applies them: to
 * messages as the network's fault policy decides their fate, to servers right after their step.
 *
 * Memory: events beyond `maxEvents` are counted, not kept (monitor violations and edits always
 * are); peer state is kept as changes, and a log change holds only the entries that changed.
 */
import { MESSAGE_TAP, type FaultPolicy, type MessageInfo, type MessageTap } from "../labrpc/index.js";
import type { RaftInspection, RaftPeer } from "../raft/api.js";
import type { LogEntry } from "../runtime/log-types.js";
import { currentTask, type FiredEvent, type SimNode, type Simulation } from "../sim/index.js";
import { CLUSTER_TAP, type ClusterTap } from "../monitors/cluster-tap.js";
import type { Member, ServerGroup } from "../tester/server-group.js";
import { ShadowLog } from "../monitors/shadow-log.js";
import { describeEdit, isMessageEdit, targetKey, type Edit, type MessageEdit, type ServerEdit } from "./edits.js";
import { summarize } from "./summarize.js";
import { INITIAL_PEER, type PeerChange, type PeerScalars, type RecEvent, type RecMessage, type RecStep, type Recording } from "./recording.js";

/** Options of {@link Recorder}. */
export interface RecorderOptions {
  /** The branch's edits (none: a plain recording). */
  readonly edits?: readonly Edit[];
  /** Events kept at most (default 1 000 000: about 350 MB of heap at the ~340 bytes an event, message and change cost together). */
  readonly maxEvents?: number;
}

/** The run a recording is of. */
export interface RecordedRunName {
  readonly name: string;
  readonly fullName: string;
  readonly file: string;
  readonly seed: number;
}

/** What the recorder keeps of one watched peer. */
interface Watched {
  peer: RaftPeer | undefined;
  state: PeerScalars;
  log: ShadowLog;
}

/** The state of a peer not started yet (and what the page starts from). */
const DOWN: PeerScalars = INITIAL_PEER;

/** Records a run; see the module comment. Attach before the test body runs, finish once it is over. */
export class Recorder {
  private readonly steps: RecStep[] = [{ time: 0, firstEvent: 0 }];
  private readonly events: RecEvent[] = [];
  private readonly messages: RecMessage[] = [];
  private readonly changes: PeerChange[] = [];
  private readonly watched: Watched[] = [];
  private readonly byInfo = new WeakMap<MessageInfo, RecMessage>();
  private readonly ranks = new Map<string, { at: number; count: number }>();
  private readonly messageEdits = new Map<string, MessageEdit>();
  private readonly serverEdits: ServerEdit[];
  private readonly maxEvents: number;
  private readonly interned = new Map<string, string>();
  private eventsDropped = 0;
  private step = 0;
  /**
   * Between the recorder's step observer and the next event: the other observers (the safety
   * monitors) are judging the step that just ended, and what they log belongs to it.
   */
  private judging = false;
  private inspectable = true;
  private violation: { property: string; step: number; peers: readonly number[] } | undefined;
  private sim: Simulation | undefined;
  private group: ServerGroup<Member> | undefined;
  private editNode: SimNode | undefined;

  constructor(
    private readonly run: RecordedRunName,
    private readonly options: RecorderOptions = {},
  ) {
    this.maxEvents = options.maxEvents ?? 1_000_000;
    const edits = options.edits ?? [];
    for (const e of edits) if (isMessageEdit(e)) this.messageEdits.set(targetKey(e), e);
    this.serverEdits = edits.filter((e): e is ServerEdit => !isMessageEdit(e)).sort((a, b) => a.step - b.step);
  }

  /** Watches `sim` from now on (call before the test body starts anything). */
  attach(sim: Simulation): void {
    this.sim = sim;
    sim.probes.onEvent((ev) => this.timer(ev));
    sim.probes.onLog((entry) => this.logLine(entry));
    sim.probes.attach(MESSAGE_TAP, this.messageTap());
    sim.probes.attach(CLUSTER_TAP, this.clusterTap());
    sim.onStep(() => this.endStep());
  }

  /** The recording, once the run is over. */
  finish(outcome: { ok: boolean; error?: string; traceHash: string; wallMs: number }): Recording {
    const sim = this.sim;
    const end = sim?.now() ?? 0;
    // The last step holds what happened after the last observed one (a failure's report); the
    // peers are not read again: the run is over, and its last state was observed.
    this.steps[this.step] = { time: end, firstEvent: this.steps[this.step]!.firstEvent };
    return {
      version: 1,
      test: this.run.name,
      fullName: this.run.fullName,
      file: this.run.file,
      seed: this.run.seed,
      edits: this.options.edits ?? [],
      peers: this.watched.length,
      steps: this.steps,
      events: this.events,
      messages: this.messages,
      changes: this.changes,
      inspectable: this.inspectable,
      eventsDropped: this.eventsDropped,
      traceHash: outcome.traceHash,
      outcome: {
        ok: outcome.ok,
        ...(outcome.error === undefined ? {} : { error: outcome.error }),
        ...(this.violation === undefined ? {} : { violation: this.violation }),
        endStep: this.step,
        virtualMs: end,
      },
      wallMs: outcome.wallMs,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Steps and events

  private push(ev: RecEvent, always = false): void {
    if (this.events.length >= this.maxEvents && !always) {
      this.eventsDropped++;
      return;
    }
    this.events.push(ev);
    // An event of the step just judged (see `judging`): the new step starts after it.
    if (ev.step < this.step) this.steps[this.step] = { time: this.steps[this.step]!.time, firstEvent: this.events.length };
  }

  /**
   * The step a log line belongs to: while the step observers that run after the recorder's judge
   * the step that just ended (a monitor reporting a violation), that step; else the current one.
   */
  private logStep(): number {
    const last = this.events[this.events.length - 1];
    return this.judging && this.step > 0 && (last === undefined || last.step < this.step) ? this.step - 1 : this.step;
  }

  private now(): number {
    return this.sim?.now() ?? 0;
  }

  private timer(ev: FiredEvent): void {
    this.judging = false;
    const key = `${ev.task}: ${ev.label}`;
    let text = this.interned.get(key);
    if (text === undefined) this.interned.set(key, (text = key));
    this.push({ step: this.step, time: ev.time, kind: "timer", peer: serverIndex(ev.task), text });
  }

  private logLine(entry: LogEntry): void {
    const mark = entry.mark;
    const step = this.logStep();
    if (mark?.kind === "violation") {
      this.violation ??= { property: mark.property, step, peers: mark.peers };
      this.push({ step, time: entry.time, kind: "violation", peer: mark.peers[0] ?? -1, text: entry.message, topic: entry.topic }, true);
      return;
    }
    const peer = typeof entry.peer === "number" ? entry.peer : -1;
    const text = typeof entry.peer === "number" ? entry.message : `${entry.peer}: ${entry.message}`;
    this.push({ step, time: entry.time, kind: "log", peer, text, topic: entry.topic });
  }

  /** A step is over: record what changed in the peers, then apply the server edits due after it. */
  private endStep(): void {
    const step = this.step;
    this.diffPeers(step);
    this.steps[step] = { time: this.now(), firstEvent: this.steps[step]!.firstEvent };
    this.step = step + 1;
    this.steps.push({ time: this.now(), firstEvent: this.events.length });
    // What an edit does belongs to the next step (it happens after this one).
    while (this.serverEdits.length > 0 && this.serverEdits[0]!.step <= step) this.applyServerEdit(this.serverEdits.shift()!);
    this.judging = true;
  }

  // ---------------------------------------------------------------------------------------------
  // Peers

  private clusterTap(): ClusterTap {
    return {
      cluster: <S extends Member>(group: ServerGroup<S>, raftOf: (member: S) => RaftPeer): void => {
        this.group = group as unknown as ServerGroup<Member>;
        for (let i = this.watched.length; i < group.n; i++) this.watched.push({ peer: undefined, state: DOWN, log: new ShadowLog() });
        group.observe((event) => {
          const w = this.watched[event.i];
          if (w === undefined) return;
          const time = this.now();
          if (event.kind === "start") {
            w.peer = raftOf(event.member as S);
            w.log = new ShadowLog();
            if (typeof w.peer.inspect !== "function") this.inspectable = false;
            this.push({ step: this.step, time, kind: "start", peer: event.i, text: `S${event.i} ${event.restart ? "restarted from its saved state" : "started"}` }, true);
          } else if (event.kind === "crash") {
            w.peer = undefined;
            this.push({ step: this.step, time, kind: "crash", peer: event.i, text: `S${event.i} crashed` }, true);
          } else {
            const peers = event.peers.filter((j) => j !== event.i);
            if (peers.length === 0) return;
            const text = `S${event.i} ${event.enabled ? "connected to" : "cut off from"} ${peers.map((j) => `S${j}`).join(" ")}`;
            this.push({ step: this.step, time, kind: "links", peer: event.i, text, topic: event.enabled ? "up" : "down", links: peers }, true);
          }
        });
      },
    };
  }

  private diffPeers(step: number): void {
    for (let i = 0; i < this.watched.length; i++) {
      const w = this.watched[i]!;
      let next: PeerScalars;
      let view: RaftInspection | undefined;
      try {
        next = w.peer === undefined ? { ...w.state, up: false, role: "follower" as const, nextIndex: null, matchIndex: null } : this.read(w.peer);
        view = w.peer?.inspect?.();
      } catch {
        // A Raft under construction may throw ("not implemented"): its state stays unknown. The
        // run itself fails where the tester or the monitors call the same method.
        continue;
      }
      const set: Partial<Record<keyof PeerScalars, unknown>> = {};
      let changed = false;
      for (const k of Object.keys(next) as (keyof PeerScalars)[]) {
        if (!sameValue(next[k], w.state[k])) {
          set[k] = next[k];
          changed = true;
        }
      }
      let logFrom: number | undefined;
      let logTerms: number[] | undefined;
      try {
        if (view !== undefined && w.log.differs(view)) {
          const change = w.log.update(view);
          logFrom = change.from;
          logTerms = [];
          for (let index = change.from; index <= view.lastIndex; index++) logTerms.push(view.termAt(index) ?? -1);
        }
      } catch {
        logFrom = undefined; // termAt threw: the log stays as last seen
      }
      w.state = next;
      if (changed || logFrom !== undefined) {
        this.changes.push({
          step,
          peer: i,
          ...(changed ? { set: set as Partial<PeerScalars> } : {}),
          ...(logFrom === undefined ? {} : { logFrom, logTerms: logTerms! }),
        });
      }
    }
  }

  private read(peer: RaftPeer): PeerScalars {
    const { term, isLeader } = peer.getState();
    const v = peer.inspect?.();
    if (v === undefined) return { ...DOWN, up: true, term, role: isLeader ? "leader" : "follower" };
    return {
      up: true,
      term: v.term,
      role: v.role,
      votedFor: v.votedFor,
      commitIndex: v.commitIndex,
      lastApplied: v.lastApplied,
      snapshotIndex: v.snapshotIndex,
      snapshotTerm: v.snapshotTerm,
      lastIndex: v.lastIndex,
      nextIndex: v.nextIndex ?? null,
      matchIndex: v.matchIndex ?? null,
    };
  }

  private applyServerEdit(e: ServerEdit): void {
    const group = this.group;
    const sim = this.sim;
    if (group === undefined || sim === undefined) return;
    this.push({ step: this.step, time: this.now(), kind: "edit", peer: "server" in e ? e.server : -1, text: describeEdit(e).trim() }, true);
    const all = group.all();
    // Its own node, so a restart's random draws (new end names) come from a stream of its own.
    this.editNode ??= sim.node("debugger");
    sim.runIn(this.editNode, () => {
      switch (e.kind) {
        case "crash":
          group.shutdown(e.server);
          break;
        case "restart":
          if (group.running[e.server] === undefined) {
            group.relaunch(e.server);
            group.setLinks(e.server, all.filter((j) => group.running[j] !== undefined), true);
          }
          break;
        case "partition":
          for (const g of e.groups) for (const i of g) group.setLinks(i, all.filter((j) => !g.includes(j)), false);
          for (const g of e.groups) for (const i of g) group.setLinks(i, g.filter((j) => j !== i && group.running[j] !== undefined), true);
          break;
        case "heal":
          for (const i of all) if (group.running[i] !== undefined) group.setLinks(i, all.filter((j) => group.running[j] !== undefined), true);
          break;
      }
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Messages

  private messageTap(): MessageTap {
    return {
      wrap: (policy) => this.wrap(policy),
      sending: (msg, args) => {
        const from = currentTask()?.node.name ?? "?";
        const m: RecMessage = {
          id: this.messages.length,
          method: msg.svcMeth,
          from,
          fromPeer: serverIndex(from),
          to: typeof msg.serverName === "number" ? msg.serverName : -1,
          sentAt: this.now(),
          sentStep: this.step,
          args: summarize(args),
          nth: 0,
        };
        this.messages.push(m);
        this.byInfo.set(msg, m);
        this.push({ step: this.step, time: m.sentAt, kind: "send", peer: m.fromPeer, text: `${from} → S${m.to} ${m.method} ${m.args}`, topic: m.method, msg: m.id });
      },
      replied: (msg, reply) => {
        const m = this.byInfo.get(msg);
        if (m === undefined) return;
        m.answerAt = this.now();
        m.answerStep = this.step;
        m.reply = summarize(reply);
        this.push({ step: this.step, time: m.answerAt, kind: "answer", peer: m.fromPeer, text: `${m.from} ← S${m.to} ${m.method} reply ${m.reply}`, topic: m.method, msg: m.id });
      },
    };
  }

  /** The rank of a decision at `point` on `m` among such decisions at this instant. */
  private rank(point: "request" | "reply", m: RecMessage): number {
    const key = `${point}|${m.method}|${m.from}|${m.to}`;
    const at = this.now();
    const r = this.ranks.get(key);
    const nth = r !== undefined && r.at === at ? r.count : 0;
    this.ranks.set(key, { at, count: nth + 1 });
    return nth;
  }

  private editFor(point: "request" | "reply", m: RecMessage, nth: number): MessageEdit | undefined {
    if (this.messageEdits.size === 0) return undefined;
    const e = this.messageEdits.get(targetKey({ point, method: m.method, from: m.from, to: m.to, at: this.now(), nth }));
    if (e !== undefined) this.push({ step: this.step, time: this.now(), kind: "edit", peer: m.to, text: describeEdit(e).trim(), topic: m.method, msg: m.id }, true);
    return e;
  }

  /**
   * The network's fault policy, wrapped: every decision is `policy`'s first (so its random draws
   * are what they would be), observed, and changed only where an edit says so.
   */
  private wrap(policy: FaultPolicy): FaultPolicy {
    const edits = new WeakMap<MessageInfo, { request?: MessageEdit; reply?: MessageEdit }>();
    return {
      unreachableDelay: (msg, net) => {
        const d = policy.unreachableDelay(msg, net);
        const m = this.byInfo.get(msg);
        if (m !== undefined) {
          m.lost = true;
          m.deliverAt = this.now() + d;
          m.deliverStep = this.step;
          this.push({ step: this.step, time: this.now(), kind: "lost", peer: m.to, text: `${m.method} ${m.from} → S${m.to}: server unreachable`, topic: m.method, msg: m.id });
        }
        return d;
      },
      requestDelay: (msg, net) => {
        let d = policy.requestDelay(msg, net);
        const m = this.byInfo.get(msg);
        if (m === undefined) return d;
        const nth = this.rank("request", m);
        (m as { nth: number }).nth = nth;
        (m as { sentAt: number }).sentAt = this.now();
        const e = this.editFor("request", m, nth);
        if (e !== undefined) {
          edits.set(msg, { request: e });
          if (e.kind === "delay") d += e.ms;
          else if (e.kind === "deliver-now") d = Math.max(1, e.until - this.now());
        }
        m.deliverAt = this.now() + d;
        return d;
      },
      dropRequest: (msg, net) => {
        const inner = policy.dropRequest(msg, net);
        const m = this.byInfo.get(msg);
        if (m === undefined) return inner;
        const drop = inner || edits.get(msg)?.request?.kind === "drop";
        m.deliverAt = this.now();
        m.deliverStep = this.step;
        if (drop) m.lost = true;
        this.push({ step: this.step, time: this.now(), kind: drop ? "lost" : "deliver", peer: m.to, text: `${m.method} ${m.from} → S${m.to} ${drop ? "lost" : "delivered"}`, topic: m.method, msg: m.id });
        return drop;
      },
      deliverAgain: (msg, net) => {
        const inner = policy.deliverAgain?.(msg, net) ?? 0;
        const e = edits.get(msg)?.request;
        return e?.kind === "duplicate" ? e.ms : inner;
      },
      afterHandler: (msg, net, reply) => policy.afterHandler?.(msg, net, reply),
      dropReply: (msg, net) => {
        const inner = policy.dropReply(msg, net);
        const m = this.byInfo.get(msg);
        if (m === undefined) return inner;
        const nth = this.rank("reply", m);
        m.replyNth = nth;
        m.replyAt = this.now();
        m.replyStep = this.step;
        const e = this.editFor("reply", m, nth);
        if (e !== undefined) edits.set(msg, { ...edits.get(msg), reply: e });
        const drop = inner || e?.kind === "drop";
        if (drop) m.replyLost = true;
        this.push({ step: this.step, time: this.now(), kind: drop ? "reply-lost" : "reply", peer: m.to, text: `S${m.to} → ${m.from} ${m.method} reply ${drop ? "lost" : "sent"}`, topic: m.method, msg: m.id });
        return drop;
      },
      replyDelay: (msg, net) => {
        let d = policy.replyDelay(msg, net);
        const e = edits.get(msg)?.reply;
        if (e?.kind === "delay") d += e.ms;
        else if (e?.kind === "deliver-now") d = Math.max(1, e.until - this.now());
        return d;
      },
    };
  }
}

/** The server index of a node or task name (`S2`, `S2 ticker` → 2), or -1. */
function serverIndex(name: string): number {
  const m = /^S(\d+)\b/.exec(name);
  return m === null ? -1 : Number(m[1]);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return false;
}
