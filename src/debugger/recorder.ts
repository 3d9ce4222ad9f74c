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
  /** A shard server's view (Lab 5's `inspect()`), and what of it was last recorded. */
  shards: (() => ShardInspection) | undefined;
  shardsSeen: ShardInspection | undefined;
}

/**
 * What the recorder reads of a Lab 5 shard server's optional `inspect()` (the shape of
 * `src/shardkv/inspect.ts`, written out here: the debugger is harness, kept in a handout without
 * Lab 5, so it names no file of the lab).
 */
interface ShardInspection {
  readonly gid: number;
  readonly configNum: number;
  readonly prevShards: readonly number[];
  readonly applied: readonly { readonly shards: readonly number[] }[];
  readonly shards: readonly { readonly accepting: boolean; readonly handingOff: boolean }[];
}

/** One cluster the recorder watches: its servers are peers `first` … `first + group.n - 1` of the recording. */
interface WatchedCluster {
  readonly group: ServerGroup<Member>;
  readonly first: number;
  /** Its name when the run has several (`controller`, `group 100`). */
  readonly label: string | undefined;
}

/** The short name of a labelled cluster in its peers' names: `controller` → `ctl`, `controller 1` → `ctl1`, `group 100` → `100`. */
function clusterPrefix(label: string): string {
  return label.replace(/^controller ?/, "ctl").replace(/^group /, "");
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
  /** The clusters shown to the tap, in order (Lab 3 and 4: one, unlabelled; Lab 5: the controller's and each group). */
  private readonly clusters: WatchedCluster[] = [];
  /** Each peer's name: `S2` with one cluster, `100:S2` (group 100's server 2) or `ctl:S0` with several. */
  private readonly peerNames: string[] = [];
  /** Node name and server name → peer, for runs with several clusters (there, node names and server names are unique; Raft's `S2` is not). */
  private readonly peerByNode = new Map<string, number>();
  private readonly peerByServer = new Map<string | number, number>();
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
      ...(this.named() ? { peerNames: this.peerNames, groups: this.clusters.map((c) => ({ label: c.label ?? "", first: c.first, count: c.group.n })) } : {}),
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
    // With several clusters a task name (`S0 ticker`) does not say whose it is: the timer is nobody's.
    this.push({ step: this.step, time: ev.time, kind: "timer", peer: this.named() ? -1 : serverIndex(ev.task), text });
  }

  private logLine(entry: LogEntry): void {
    const mark = entry.mark;
    const step = this.logStep();
    if (mark?.kind === "violation") {
      // With several clusters a monitor's peer numbers are of its own group (its message names the group).
      const peers = this.named() ? [] : mark.peers;
      this.violation ??= { property: mark.property, step, peers };
      this.push({ step, time: entry.time, kind: "violation", peer: peers[0] ?? -1, text: entry.message, topic: entry.topic }, true);
      return;
    }
    if (this.named()) {
      // The logging task's node says whose line it is (every group has an `S0`).
      const node = currentTask()?.node.name;
      const peer = node === undefined ? -1 : this.peerOfNode(node);
      const text = peer >= 0 || typeof entry.peer !== "string" ? entry.message : `${entry.peer}: ${entry.message}`;
      this.push({ step, time: entry.time, kind: "log", peer, text, topic: entry.topic });
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
      cluster: <S extends Member>(group: ServerGroup<S>, raftOf: (member: S) => RaftPeer, label?: string): void => {
        const first = this.watched.length;
        this.clusters.push({ group: group as unknown as ServerGroup<Member>, first, label });
        for (let i = 0; i < group.n; i++) {
          this.watched.push({ peer: undefined, state: DOWN, log: new ShadowLog(), shards: undefined, shardsSeen: undefined });
          this.peerNames.push(label === undefined ? `S${i}` : `${clusterPrefix(label)}:S${i}`);
          this.peerByNode.set(group.naming.node(i), first + i);
          this.peerByServer.set(group.naming.server(i), first + i);
        }
        group.observe((event) => {
          const p = first + event.i;
          const w = this.watched[p];
          if (w === undefined) return;
          const time = this.now();
          const name = this.peerName(p);
          if (event.kind === "start") {
            w.peer = raftOf(event.member as S);
            w.log = new ShadowLog();
            const shards = (event.member as { inspect?: () => unknown }).inspect;
            w.shards = typeof shards === "function" ? () => shards.call(event.member) as ShardInspection : undefined;
            w.shardsSeen = undefined;
            if (typeof w.peer.inspect !== "function") this.inspectable = false;
            this.push({ step: this.step, time, kind: "start", peer: p, text: `${name} ${event.restart ? "restarted from its saved state" : "started"}` }, true);
          } else if (event.kind === "crash") {
            w.peer = undefined;
            w.shards = undefined;
            this.push({ step: this.step, time, kind: "crash", peer: p, text: `${name} crashed` }, true);
          } else {
            const peers = event.peers.filter((j) => j !== event.i).map((j) => first + j);
            if (peers.length === 0) return;
            const text = `${name} ${event.enabled ? "connected to" : "cut off from"} ${peers.map((j) => this.peerName(j)).join(" ")}`;
            this.push({ step: this.step, time, kind: "links", peer: p, text, topic: event.enabled ? "up" : "down", links: peers }, true);
          }
        });
      },
    };
  }

  /** Whether peers are named by cluster (a run with several clusters, or a labelled one). */
  private named(): boolean {
    return this.clusters.length > 1 || this.clusters.some((c) => c.label !== undefined);
  }

  /** Peer `p`'s name (`S2`, or `100:S2` with several clusters). */
  private peerName(p: number): string {
    return this.peerNames[p] ?? `S${p}`;
  }

  /** The peer whose node this is (a restarted server's node has the same name), or -1. */
  private peerOfNode(node: string): number {
    return this.peerByNode.get(node) ?? this.peerByNode.get(node.replace(/#\d+$/, "")) ?? -1;
  }

  /** The cluster peer `p` belongs to, and its index there. */
  private clusterOf(p: number): { cluster: WatchedCluster; i: number } | undefined {
    for (const c of this.clusters) if (p >= c.first && p < c.first + c.group.n) return { cluster: c, i: p - c.first };
    return undefined;
  }

  /**
   * Lab 5: what a shard server's `inspect()` shows changed since it was last recorded: a new
   * configuration (the shards it gains and loses), a shard that arrived, one handed off or dropped.
   */
  private shardEvents(p: number, w: Watched, step: number): void {
    let ins: ShardInspection;
    try {
      ins = w.shards!();
    } catch {
      return; // a shard server under construction: nothing to show
    }
    // A member whose inspect() is not a shard server's (a Raft peer is its own member in Lab 3): nothing to show.
    if (typeof ins !== "object" || ins === null || typeof ins.configNum !== "number" || !Array.isArray(ins.shards) || !Array.isArray(ins.applied)) {
      w.shards = undefined;
      return;
    }
    const seen = w.shardsSeen;
    if (ins === seen) return;
    w.shardsSeen = ins;
    const time = this.now();
    const name = this.peerName(p);
    const push = (text: string): void => this.push({ step, time, kind: "shard", peer: p, text, topic: "SHRD" });
    if (seen === undefined || seen.configNum !== ins.configNum) {
      const gains: number[] = [];
      const loses: number[] = [];
      // The configuration applied last is the current one (after a restore, the snapshot's).
      const current = ins.applied[ins.applied.length - 1]?.shards ?? [];
      for (let s = 0; s < current.length; s++) {
        const was = ins.prevShards[s] === ins.gid;
        const has = current[s] === ins.gid;
        if (has && !was) gains.push(s);
        if (was && !has) loses.push(s);
      }
      const moves = `${gains.length > 0 ? ` gains ${gains.join(" ")}` : ""}${loses.length > 0 ? ` hands off ${loses.join(" ")}` : ""}`;
      push(`${name} in configuration ${ins.configNum}${moves === "" ? "" : ":"}${moves}`);
      return;
    }
    for (let s = 0; s < ins.shards.length; s++) {
      const before = seen.shards[s]!;
      const after = ins.shards[s]!;
      if (after.accepting && !before.accepting) push(`${name} serves shard ${s} (configuration ${ins.configNum})`);
      else if (before.handingOff && !after.handingOff) push(`${name} dropped shard ${s} (configuration ${ins.configNum})`);
    }
  }

  private diffPeers(step: number): void {
    for (let i = 0; i < this.watched.length; i++) {
      const w = this.watched[i]!;
      if (w.shards !== undefined) this.shardEvents(i, w, step);
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
    const sim = this.sim;
    if (this.clusters.length === 0 || sim === undefined) return;
    this.push({ step: this.step, time: this.now(), kind: "edit", peer: "server" in e ? e.server : -1, text: describeEdit(e, this.peerNames).trim() }, true);
    // Its own node, so a restart's random draws (new end names) come from a stream of its own.
    this.editNode ??= sim.node("debugger");
    sim.runIn(this.editNode, () => {
      switch (e.kind) {
        case "crash": {
          const at = this.clusterOf(e.server);
          at?.cluster.group.shutdown(at.i);
          break;
        }
        case "restart": {
          const at = this.clusterOf(e.server);
          if (at === undefined) break;
          const group = at.cluster.group;
          if (group.running[at.i] === undefined) {
            group.relaunch(at.i);
            group.setLinks(at.i, group.all().filter((j) => group.running[j] !== undefined), true);
          }
          break;
        }
        case "partition":
          // Links join the servers of one cluster (its own Raft group): each cluster is split as the partition splits its servers.
          for (const c of this.clusters) {
            const group = c.group;
            const all = group.all();
            const sides = e.groups.map((g) => g.filter((p) => p >= c.first && p < c.first + group.n).map((p) => p - c.first)).filter((g) => g.length > 0);
            for (const g of sides) for (const i of g) group.setLinks(i, all.filter((j) => !g.includes(j)), false);
            for (const g of sides) for (const i of g) group.setLinks(i, g.filter((j) => j !== i && group.running[j] !== undefined), true);
          }
          break;
        case "heal":
          for (const c of this.clusters) {
            const group = c.group;
            const all = group.all();
            for (const i of all) if (group.running[i] !== undefined) group.setLinks(i, all.filter((j) => group.running[j] !== undefined), true);
          }
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
        const named = this.named();
        const m: RecMessage = {
          id: this.messages.length,
          method: msg.svcMeth,
          from,
          fromPeer: named ? this.peerOfNode(from) : serverIndex(from),
          to: named ? (this.peerByServer.get(msg.serverName) ?? -1) : typeof msg.serverName === "number" ? msg.serverName : -1,
          sentAt: this.now(),
          sentStep: this.step,
          args: summarize(args),
          nth: 0,
        };
        this.messages.push(m);
        this.byInfo.set(msg, m);
        this.push({ step: this.step, time: m.sentAt, kind: "send", peer: m.fromPeer, text: `${from} → ${this.toName(m.to)} ${m.method} ${m.args}`, topic: m.method, msg: m.id });
      },
      replied: (msg, reply) => {
        const m = this.byInfo.get(msg);
        if (m === undefined) return;
        m.answerAt = this.now();
        m.answerStep = this.step;
        m.reply = summarize(reply);
        this.push({ step: this.step, time: m.answerAt, kind: "answer", peer: m.fromPeer, text: `${m.from} ← ${this.toName(m.to)} ${m.method} reply ${m.reply}`, topic: m.method, msg: m.id });
      },
    };
  }

  /** How event texts name a message's server: `S2` (`100:S2` with several clusters; `?` for a server no cluster has). */
  private toName(to: number): string {
    return to < 0 && this.named() ? "?" : this.peerName(to);
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
    if (e !== undefined) this.push({ step: this.step, time: this.now(), kind: "edit", peer: m.to, text: describeEdit(e, this.peerNames).trim(), topic: m.method, msg: m.id }, true);
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
          this.push({ step: this.step, time: this.now(), kind: "lost", peer: m.to, text: `${m.method} ${m.from} → ${this.toName(m.to)}: server unreachable`, topic: m.method, msg: m.id });
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
        this.push({ step: this.step, time: this.now(), kind: drop ? "lost" : "deliver", peer: m.to, text: `${m.method} ${m.from} → ${this.toName(m.to)} ${drop ? "lost" : "delivered"}`, topic: m.method, msg: m.id });
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
        this.push({ step: this.step, time: this.now(), kind: drop ? "reply-lost" : "reply", peer: m.to, text: `${this.toName(m.to)} → ${m.from} ${m.method} reply ${drop ? "lost" : "sent"}`, topic: m.method, msg: m.id });
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
