/**
 * The nemesis: the fault injector of explore runs (Jepsen's word). It is the network's fault policy
 * (it decides the fate of each message on top of labrpc's own behaviour), a scheduler task that
 * crashes servers and splits the cluster, and a watcher that hits new leaders, with intensities
 * from the run's {@link FaultPlan}, and faults aimed where bugs hide: a crash right after a server
 * handled a request (its reply still goes out) or sent one, right after a leader accepted a command
 * (before it sent it anywhere: the scenario's clients call {@link Nemesis.afterStart}), right after a
 * client's write; a request delivered late after newer ones, or delivered again later (a stale
 * copy, maybe to the server restarted); a reply delayed past the next election; a new leader cut
 * off or crashed at once. The plan's strategy (`strategies.ts`) lines faults up into the known
 * traps. From the run's message history (`message-history.ts`) it delivers earlier requests again
 * at the moments where they hurt, and it holds replies until their sender has moved on to a later
 * election or term.
 *
 * Every fault it puts in is recorded in the run's schedule (`schedule.ts`), and it can replay a
 * schedule instead of drawing faults: that is how shrinking removes faults from a failing run.
 *
 * Determinism: its decisions come from its own stream (`nemesis`), its jitter from another
 * (`nemesis jitter`, drawn for every message in both modes), and it always consults labrpc's own
 * policy first, so the network's stream is drawn exactly as without the nemesis. Its timers run
 * on a node of its own. A run with the nemesis is a pure function of (code, seed), like any other.
 */
import { originalFaults, type FaultPolicy, type MessageInfo, type Network, type NetworkConditions } from "../labrpc/index.js";
import { dlog, dmark, type RandomSource } from "../runtime/index.js";
import { currentTask, type SimNode, type Simulation } from "../sim/index.js";
import { NO_FAULTS, type FaultPlan } from "./fault-plan.js";
import { MessageHistory, keepsMethod, requestShape } from "./message-history.js";
import { ScheduleReplay, describeFault, messageKey, type FaultEvent, type HistoryMoment, type MessageFault, type MessagePoint, type MessageRef, type NewFault } from "./schedule.js";
import { Strategy } from "./strategies.js";
import { fatal } from "../tester/failure.js";

/** What the nemesis may do to a cluster (a scenario provides it; lab tests give none: no crashes, no partitions). */
export interface ClusterControl {
  /** Number of servers (0..n-1). */
  readonly n: number;
  /** Whether server `i` is running. */
  isUp(i: number): boolean;
  /** A running server that believes it leads, of the highest term such a server has, if any. */
  leader(): { readonly server: number; readonly term: number } | undefined;
  /** Crashes server `i` (it keeps its persisted state). */
  crash(i: number): void;
  /** The term running server `i` is in (its getState()), if the cluster can tell: checked after each restart. */
  term?(i: number): number | undefined;
  /** Restarts server `i` from its persisted state and connects it as the current partition allows. */
  restart(i: number): void;
  /** Splits the servers into `groups`: each reaches its own group only. */
  partition(groups: readonly (readonly number[])[]): void;
  /** Connects every server to every server. */
  heal(): void;
}

/** Options of {@link Nemesis}. */
export interface NemesisOptions {
  readonly sim: Simulation;
  readonly plan: FaultPlan;
  /** Needed for crashes and partitions; without it the nemesis only touches messages. */
  readonly control?: ClusterControl;
  /** Replay these faults instead of drawing them. */
  readonly replay?: ScheduleReplay;
  /** Told of every fault as it is put in (e.g. to save the schedule). */
  readonly onFault?: (fault: FaultEvent) => void;
}

/** What was decided for one request at its `request` point, for the decisions that follow. */
interface RequestFate {
  readonly drop: boolean;
  /** A copy of the request is delivered again this many ms after it (0: none). */
  readonly againMs: number;
  /** The sending server and when it sent the request (for crashes that lose what was in flight). */
  readonly sender: number | undefined;
  readonly sentAt: number;
}
/** What was decided for one reply at its `reply` point (or, for `lost`, by a crash of its server). */
interface ReplyFate {
  readonly extraMs: number;
  readonly lost?: boolean;
  /** Held until its sender (a server) moves on; see {@link FaultPlan.holdReplyPerMille}. */
  readonly hold?: { readonly until: "next election" | "leads again"; readonly maxMs: number };
}

/** A reply being held, and what releases it. */
interface HeldReply {
  readonly sender: number;
  /** The term of the request it answers. */
  readonly term: number;
  readonly until: "next election" | "leads again";
  readonly release: () => void;
}

/** The fault injector; see the module comment. Install with {@link Nemesis.install}. */
export class Nemesis implements FaultPolicy {
  /** The faults put in so far. */
  readonly schedule: FaultEvent[] = [];
  private readonly sim: Simulation;
  private readonly plan: FaultPlan;
  private readonly control: ClusterControl | undefined;
  private readonly replay: ScheduleReplay | undefined;
  private readonly onFault: ((fault: FaultEvent) => void) | undefined;
  private readonly rand: RandomSource;
  private readonly jitter: RandomSource;
  private readonly node: SimNode;
  /** After {@link heal}: no more faults, ever. */
  private calm = false;
  /** Ranks of messages per (point, method, sender, receiver) at the current instant. */
  private readonly ranks = new Map<string, { at: number; count: number }>();
  private readonly requestFates = new WeakMap<MessageInfo, RequestFate>();
  private readonly replyFates = new WeakMap<MessageInfo, ReplyFate>();
  /** Bumped by each partition, so that only the latest one's end heals. */
  private partitionEpoch = 0;
  /** Servers cut off by an `isolate` fault: their requests in flight, to or from them, are lost. */
  private readonly isolated = new Set<number>();
  /** Servers crashed by a fault that loses their requests in flight: when (what they sent until then is lost). */
  private readonly lostUntil = new Map<number, number>();
  /** The plan's strategy, when drawing faults with a cluster to crash. */
  private readonly strategy: Strategy | undefined;
  /** Earlier requests, kept to be delivered again (when the plan says so). */
  private readonly history: MessageHistory | undefined;
  /** The sender and term of each Raft request (for held replies). */
  private readonly raftRequests = new WeakMap<MessageInfo, { readonly sender: number; readonly term: number }>();
  /** Replies held until their sender moves on. */
  private held: HeldReply[] = [];
  /**
   * Per server, the highest term it put in a Raft reply so far: what it must find again after a
   * restart (Figure 2: currentTerm is on stable storage before a server responds to an RPC).
   */
  private readonly repliedTerm: number[] = [];
  /** Servers whose vote request the aim below lost, until they reply in a term learnt otherwise (drawn runs only). */
  private readonly voteLost = new Set<number>();
  /** The servers of the smaller side of the partition in force, if any (a leader there leads in vain). */
  private minority: ReadonlySet<number> = new Set();

  constructor(options: NemesisOptions) {
    this.sim = options.sim;
    this.plan = options.control === undefined ? { ...options.plan, ...NO_SERVER_FAULTS } : options.plan;
    this.control = options.control;
    this.replay = options.replay;
    this.onFault = options.onFault;
    this.rand = options.sim.stream("nemesis");
    this.jitter = options.sim.stream("nemesis jitter");
    this.node = options.sim.node("nemesis");
    this.strategy =
      options.control !== undefined && this.plan.strategy !== "none"
        ? new Strategy(this.plan.strategy, this.rand, options.control.n, this.plan.strategyPerMille)
        : undefined;
    this.history = this.plan.historyPerMille > 0 ? new MessageHistory() : undefined;
  }

  /** Makes this the network's fault policy and starts the scheduler (if it has something to do). */
  install(net: Network): void {
    net.setFaultPolicy(this);
    if (this.control === undefined) return;
    const run = this.replay !== undefined ? () => this.replayScheduler(this.replay!) : () => this.drawScheduler();
    if (this.replay !== undefined || this.plan.crashEveryMs > 0 || this.plan.partitionEveryMs > 0) {
      this.sim.runIn(this.node, () => this.sim.go("nemesis scheduler", run));
    }
    const watch = this.plan.newLeaderPerMille > 0 || this.plan.strategy !== "none" || this.plan.historyPerMille > 0 || this.plan.holdReplyPerMille > 0;
    if (watch) this.sim.runIn(this.node, () => this.sim.go("nemesis leader watch", () => this.watchLeaders()));
  }

  /**
   * Ends the faults (the liveness phase): no more faults on messages, the scheduler stops, crashed
   * servers restart and every link is back.
   */
  heal(): void {
    this.calm = true;
    this.partitionEpoch++;
    this.isolated.clear();
    this.lostUntil.clear();
    for (const h of [...this.held]) h.release();
    dlog("nemesis", "NET", "heal: no more faults; every server up and connected");
    const control = this.control;
    if (control === undefined) return;
    control.heal();
    for (let i = 0; i < control.n; i++) {
      if (control.isUp(i)) continue;
      control.restart(i);
      this.checkTermKept(i);
    }
  }

  /**
   * Server `server` just restarted from its persisted state: it must be in a term at least as high
   * as any it replied in before (Figure 2: currentTerm is on stable storage before a server
   * responds to an RPC). A server that forgets a term it revealed may accept a deposed leader's
   * requests of the older term again.
   */
  private checkTermKept(server: number): void {
    const replied = this.repliedTerm[server];
    const term = this.control?.term?.(server);
    if (replied === undefined || term === undefined || term >= replied) return;
    fatal(
      `persistence: S${server} restarted in T${term}, but before its crash it had replied to an RPC in T${replied} ` +
        `(Figure 2: currentTerm is on stable storage before a server responds; was a term learnt from an AppendEntries or InstallSnapshot persisted?)`,
    );
  }

  // ---------------------------------------------------------------------------------------------
  // FaultPolicy: labrpc's own decision first (so its stream is drawn as without us), then ours.

  unreachableDelay(msg: MessageInfo, net: NetworkConditions): number {
    return originalFaults.unreachableDelay(msg, net);
  }

  requestDelay(msg: MessageInfo, net: NetworkConditions): number {
    const base = originalFaults.requestDelay(msg, net) + this.jitterMs();
    if (this.calm) return base;
    const ref = this.ref("request", msg);
    let drop = false;
    let extra = 0;
    let againMs = 0;
    for (const f of this.decide(ref, () => this.drawRequestFaults(ref))) {
      if (f.kind === "drop") drop = true;
      else if (f.kind === "delay") extra += f.ms;
      else if (f.kind === "duplicate") againMs = f.ms;
      else if (f.kind === "crash") this.crashSoon(f);
    }
    if (drop || againMs > 0 || this.control !== undefined) this.requestFates.set(msg, { drop, againMs, sender: serverIndex(ref.from), sentAt: ref.at });
    return base + extra;
  }

  requestDelivered(msg: MessageInfo, args: unknown, keepCopy: () => () => void): void {
    if (this.calm || (this.history === undefined && this.plan.holdReplyPerMille === 0) || !keepsMethod(msg.svcMeth)) return;
    const server = typeof msg.serverName === "number" ? msg.serverName : undefined;
    if (server === undefined) return;
    const shape = requestShape(msg.svcMeth, args);
    // A Raft request is the server's (which may send it from a task of its caller's, as start() does).
    const from = shape.sender !== undefined ? `S${shape.sender}` : (currentTask()?.node.name ?? "?");
    const { sender, term } = shape;
    if (sender !== undefined && term !== undefined) {
      this.raftRequests.set(msg, { sender, term });
      // A candidate asks for votes in a later term: the replies held from its earlier elections arrive now.
      if (msg.svcMeth === VOTE) this.releaseHeld((h) => h.until === "next election" && h.sender === sender && h.term < term, `S${sender} asks for votes in T${term}`);
    }
    const history = this.history;
    if (history === undefined) return;
    // The moments this request makes, decided before it is kept (it is not stale for itself).
    if (msg.svcMeth === "Raft.InstallSnapshot") this.historyMoment("snapshot installed", server, { term: shape.term, index: shape.index });
    else if (msg.svcMeth === "Raft.AppendEntries" && shape.entries > 0) this.historyMoment("caught up", server, { term: shape.term, index: shape.index, from });
    if (!history.wants(msg.svcMeth, from, server, shape)) return;
    const ref = this.refOf("history", `kept ${msg.svcMeth}`, from, `S${server}`);
    history.add({ method: msg.svcMeth, from, to: `S${server}`, at: ref.at, nth: ref.nth, summary: shape.summary, server, term: shape.term, index: shape.index, deliver: keepCopy() });
  }

  holdReply(msg: MessageInfo): Promise<void> | undefined {
    const hold = this.replyFates.get(msg)?.hold;
    const request = this.raftRequests.get(msg);
    if (this.calm || hold === undefined || request === undefined) return undefined;
    return new Promise<void>((resolve) => {
      const h: HeldReply = {
        sender: request.sender,
        term: request.term,
        until: hold.until,
        release: () => {
          this.held = this.held.filter((x) => x !== h);
          timer.cancel();
          resolve();
        },
      };
      const timer = this.sim.runIn(this.node, () => this.sim.after(hold.maxMs, () => h.release(), "nemesis held reply"));
      this.held.push(h);
    });
  }

  /** Releases the held replies that `which` picks. */
  private releaseHeld(which: (h: HeldReply) => boolean, why: string): void {
    const released = this.held.filter(which);
    if (released.length > 0) dlog("nemesis", "NET", () => `release ${released.length} held ${released.length === 1 ? "reply" : "replies"} to S${released[0]!.sender}'s requests of T${released.map((h) => h.term).join(", T")}: ${why}`);
    for (const h of released) h.release();
  }

  /**
   * A moment where earlier messages hurt `server` (see `message-history.ts`): maybe deliver one of
   * them again, a few ms from now.
   */
  private historyMoment(moment: HistoryMoment, server: number, at: { readonly term?: number | undefined; readonly index?: number | undefined; readonly from?: string }): void {
    const history = this.history;
    if (history === undefined || this.calm) return;
    const ref = this.refOf("history", moment, "nemesis", `S${server}`);
    const draw = (): NewFault[] => {
      // Not held back while a strategy's episode is under way: a correct Raft ignores these (they
      // are stale), so they cannot spoil the episode's situation, only show a bug in it.
      // A batch of entries is sent at every command: only some of them.
      const rate = moment === "caught up" ? Math.ceil(this.plan.historyPerMille / 5) : this.plan.historyPerMille;
      const stale = history.stale(moment, server, { ...(at.term === undefined ? {} : { term: at.term }), ...(at.index === undefined ? {} : { index: at.index }), ...(at.from === undefined ? {} : { from: at.from }) });
      if (stale.length === 0 || !this.per(rate)) return [];
      const recent = stale.slice(-6);
      const k = recent[this.rand.int(recent.length)]!;
      const sent = { method: k.method, from: k.from, to: k.to, at: k.at, nth: k.nth, summary: k.summary };
      return [{ ...ref, kind: "redeliver", sent, afterMs: this.rand.between(1, moment === "restarted" ? 100 : 30) }];
    };
    for (const f of this.decide(ref, draw)) {
      if (f.kind !== "redeliver") continue;
      const kept = history.find(f.sent, server);
      if (kept === undefined) continue;
      this.sim.runIn(this.node, () => this.sim.after(f.afterMs, () => {
        if (!this.calm) kept.deliver();
      }, "nemesis redeliver"));
    }
  }

  deliverAgain(msg: MessageInfo): number {
    return this.calm ? 0 : (this.requestFates.get(msg)?.againMs ?? 0);
  }

  dropRequest(msg: MessageInfo, net: NetworkConditions): boolean {
    const fate = this.requestFates.get(msg);
    const lost = originalFaults.dropRequest(msg, net) || fate?.drop === true;
    if (lost) return true;
    if (this.isolated.size > 0 && this.touchesIsolated(msg)) return true;
    // Sent before its sender crashed, by a crash that loses what was in flight.
    const until = fate?.sender === undefined ? undefined : this.lostUntil.get(fate.sender);
    return until !== undefined && fate !== undefined && fate.sentAt <= until;
  }

  /** Whether `msg` (a request being delivered, in its sender's context) goes to or comes from a cut-off server. */
  private touchesIsolated(msg: MessageInfo): boolean {
    const from = serverIndex(currentTask()?.node.name ?? "");
    const to = typeof msg.serverName === "number" ? msg.serverName : undefined;
    return (from !== undefined && this.isolated.has(from)) || (to !== undefined && this.isolated.has(to));
  }

  afterHandler(msg: MessageInfo, _net: NetworkConditions, reply: unknown): void {
    if (this.calm || this.control === undefined) return;
    const server = typeof msg.serverName === "number" ? msg.serverName : undefined;
    const term = msg.svcMeth.startsWith("Raft.") ? termOf(reply) : undefined;
    // The first reply of a term the server learnt from this request (not from a vote of its own, which
    // persists it): a crash now finds out whether it persisted the term before replying.
    const learnt = server !== undefined && term !== undefined && term > (this.repliedTerm[server] ?? 0) && msg.svcMeth !== VOTE;
    if (server !== undefined && term !== undefined) this.repliedTerm[server] = Math.max(term, this.repliedTerm[server] ?? 0);
    const ref = this.ref("handled", msg);
    for (const f of this.decide(ref, () => this.drawHandledFaults(ref, msg, learnt))) {
      if (f.kind !== "crash" || f.point === "scheduler") continue;
      this.crashSoon(f);
      if (f.lose === true) this.replyFates.set(msg, { extraMs: 0, lost: true });
    }
  }

  dropReply(msg: MessageInfo, net: NetworkConditions): boolean {
    const lost = originalFaults.dropReply(msg, net) || this.replyFates.get(msg)?.lost === true;
    if (this.calm) return lost;
    const ref = this.ref("reply", msg);
    let drop = false;
    let extraMs = 0;
    let hold: ReplyFate["hold"];
    for (const f of this.decide(ref, () => this.drawReplyFaults(ref))) {
      if (f.kind === "drop") drop = true;
      else if (f.kind === "delay") extraMs += f.ms;
      else if (f.kind === "hold") hold = { until: f.until, maxMs: f.maxMs };
    }
    if (extraMs > 0 || hold !== undefined) this.replyFates.set(msg, { extraMs, ...(hold === undefined ? {} : { hold }) });
    return lost || drop;
  }

  replyDelay(msg: MessageInfo, net: NetworkConditions): number {
    return originalFaults.replyDelay(msg, net) + this.jitterMs() + (this.replyFates.get(msg)?.extraMs ?? 0);
  }

  /**
   * A scenario's client saw `server` accept a command as leader (its start() persisted it and
   * returned): the nemesis may crash it right now, before the command is sent anywhere (the crash
   * is synchronous, so the requests start() set off find the server gone).
   */
  afterStart(server: number): void {
    if (this.calm || this.control === undefined) return;
    const ref = this.refOf("start", "start()", currentTask()?.node.name ?? "?", `S${server}`);
    const draw = (): NewFault[] => {
      if (this.control?.isUp(server) !== true) return [];
      const planned = this.strategy?.onStart(ref, server) ?? [];
      if (planned.length > 0 || this.strategy?.busy(ref.at) === true) return planned;
      return this.per(this.plan.crashAfterStartPerMille) ? [{ ...ref, kind: "crash", server, downMs: this.downMs() }] : [];
    };
    for (const f of this.decide(ref, draw)) if (f.kind === "crash") this.crash(f);
  }

  // ---------------------------------------------------------------------------------------------
  // Deciding: drawn from the plan, or looked up in the schedule being replayed.

  /** The faults for the message `ref`: replayed, or drawn by `draw` and recorded. */
  private decide(ref: MessageRef, draw: () => NewFault[]): FaultEvent[] {
    const faults = this.replay !== undefined ? this.replay.take(ref) : draw();
    return faults.map((f) => this.record(f));
  }

  private drawRequestFaults(ref: MessageRef): NewFault[] {
    const p = this.plan;
    const planned = this.strategy?.onRequest(ref, serverIndex(ref.from), serverIndex(ref.to)) ?? [];
    if (planned.length > 0 || this.strategy?.busy(ref.at) === true) return planned;
    const out: NewFault[] = [];
    if (this.per(p.dropPerMille)) out.push({ ...ref, kind: "drop" });
    else if (ref.method === VOTE && this.per(p.slowVotePerMille)) out.push({ ...ref, kind: "delay", why: "stale", ms: this.rand.between(20, 500) });
    // A vote request lost (at the rate of crashes after votes): its server learns the
    // new term from the new leader's first AppendEntries, a term it must persist before replying.
    else if (ref.method === VOTE && this.per(p.crashAfterVotePerMille)) {
      out.push({ ...ref, kind: "drop" });
      const to = serverIndex(ref.to);
      if (to !== undefined) this.voteLost.add(to);
    } else if (this.per(p.stalePerMille)) out.push({ ...ref, kind: "delay", why: "stale", ms: this.rand.between(100, p.staleMaxMs) });
    else if (this.per(p.duplicatePerMille)) out.push({ ...ref, kind: "duplicate", ms: this.rand.between(100, p.duplicateMaxMs) });
    const sender = serverIndex(ref.from);
    const rate = ref.method === VOTE ? p.crashAfterVotePerMille : p.crashAfterSendPerMille;
    if (sender !== undefined && this.control?.isUp(sender) === true && this.per(rate)) {
      out.push({ ...ref, kind: "crash", server: sender, downMs: this.downMs() });
    }
    return out;
  }

  private drawHandledFaults(ref: MessageRef, msg: MessageInfo, learntTerm: boolean): NewFault[] {
    const server = typeof msg.serverName === "number" ? msg.serverName : undefined;
    if (server === undefined || this.control?.isUp(server) !== true) return [];
    const planned = this.strategy?.onHandled(ref, server) ?? [];
    if (planned.length > 0 || this.strategy?.busy(ref.at) === true) return planned;
    if (CLIENT_WRITES.has(msg.svcMeth)) {
      // Only a leader's answer can be a write done (the others answer ErrWrongLeader at once).
      if (this.control?.leader()?.server !== server || !this.per(this.plan.crashAfterClientWritePerMille)) return [];
      // Its reply lost, or not; and a third of the time every server at once (all restart from their snapshots).
      const how = this.rand.int(3);
      // All at once restart at once: the point is what they restart from, not the downtime.
      const downMs = how === 2 ? 0 : this.downMs();
      return [{ ...ref, kind: "crash", server, downMs, ...(how > 0 ? { lose: true } : {}), ...(how === 2 ? { all: true } : {}) }];
    }
    // A term learnt from an AppendEntries is as much at stake as a vote: the same rate (in the plans
    // that aim at votes at all; the others draw as before).
    let rate = msg.svcMeth === VOTE || (learntTerm && this.plan.crashAfterVotePerMille > 0) ? this.plan.crashAfterVotePerMille : this.plan.crashAfterReplyPerMille;
    // Above all when its vote request was lost: then nothing but this request told it the term.
    if (learntTerm && this.voteLost.delete(server)) rate = Math.min(1000, 3 * rate);
    if (!this.per(rate)) return [];
    return [{ ...ref, kind: "crash", server, downMs: this.downMs() }];
  }

  private drawReplyFaults(ref: MessageRef): NewFault[] {
    const p = this.plan;
    if (this.strategy?.busy(ref.at) === true) return [];
    if (this.per(p.dropPerMille)) return [{ ...ref, kind: "drop" }];
    if (this.per(p.lateReplyPerMille)) return [{ ...ref, kind: "delay", why: "late", ms: this.rand.between(700, 3000) }];
    if (this.per(p.reorderPerMille)) return [{ ...ref, kind: "delay", why: "reorder", ms: this.rand.between(200, Math.max(200, p.reorderMaxMs)) }];
    // Drawn last (and only for servers' requests), so that plans without it draw as before.
    // Aimed: a leader cut off with a minority replicates entries that a new leader will overwrite;
    // its followers' replies, held until it leads again, answer requests of a log that is gone.
    const sender = serverIndex(ref.from);
    // And votes, which are few: a vote held into its candidate's next election is the trap.
    const aimed = ref.method === VOTE || (sender !== undefined && this.minority.has(sender));
    if (HELD_REPLIES.has(ref.method) && this.per(aimed ? Math.min(1000, 4 * p.holdReplyPerMille) : p.holdReplyPerMille)) {
      const maxMs = this.rand.between(2000, 8000);
      // A minority leader's followers' replies wait four times longer for it to lead again (until
      // the healing, most of the time): they answer a log that a new leader overwrites meanwhile.
      const minorityAppend = ref.method !== VOTE && aimed;
      return [{ ...ref, kind: "hold", until: ref.method === VOTE ? "next election" : "leads again", maxMs: minorityAppend ? 4 * maxMs : maxMs }];
    }
    return [];
  }

  /** True with probability `perMille`/1000 (no draw when it is 0, so a plan's unused kinds cost nothing). */
  private per(perMille: number): boolean {
    return perMille > 0 && this.rand.int(1000) < perMille;
  }

  private downMs(): number {
    return this.plan.downMaxMs > 0 ? this.rand.int(this.plan.downMaxMs + 1) : 0;
  }

  private jitterMs(): number {
    return this.plan.jitterMs > 0 && !this.calm ? this.jitter.int(this.plan.jitterMs) : 0;
  }

  /** Names the message being decided on, with its rank among such messages at this instant. */
  private ref(point: MessagePoint, msg: MessageInfo): MessageRef {
    const from = currentTask()?.node.name ?? "?";
    const to = typeof msg.serverName === "number" ? `S${msg.serverName}` : String(msg.serverName);
    return this.refOf(point, msg.svcMeth, from, to);
  }

  private refOf(point: MessagePoint, method: string, from: string, to: string): MessageRef {
    const key = messageKey(point, method, from, to);
    const at = this.sim.now();
    const r = this.ranks.get(key);
    const nth = r !== undefined && r.at === at ? r.count : 0;
    this.ranks.set(key, { at, count: nth + 1 });
    return { point, method, from, to, at, nth };
  }

  /** Numbers a fault, keeps it, logs it, and tells the listener. */
  private record(fault: NewFault | FaultEvent): FaultEvent {
    const numbered = { ...fault, id: "id" in fault ? fault.id : this.schedule.length } as FaultEvent;
    this.schedule.push(numbered);
    dlog("nemesis", "NET", () => `fault ${numbered.id}: ${describeFault(numbered).trim()}`);
    this.onFault?.(numbered);
    return numbered;
  }

  // ---------------------------------------------------------------------------------------------
  // Crashes and partitions

  /** Carries out a crash fault in a moment (once the current step is done), or `afterMs` later. */
  private crashSoon(f: CrashFault): void {
    const act = f.all === true ? () => this.crashAll(f.downMs) : () => this.crash(f);
    this.sim.runIn(this.node, () => this.sim.after(f.afterMs ?? 0, act, "nemesis crash"));
  }

  /** Crashes `f.server` now, restarts it `f.downMs` later (never, if -1), and restarts `f.restart` now. */
  private crash(f: CrashFault): void {
    const control = this.control;
    if (control === undefined || this.calm || f.server < 0) return;
    const restart = (server: number): void => {
      if (this.calm || control.isUp(server)) return;
      control.restart(server);
      this.checkTermKept(server);
      dmark(server, "TEST", { kind: "restart" }, `nemesis: restart S${server}`);
      this.historyMoment("restarted", server, {});
    };
    if (control.isUp(f.server)) {
      dmark(f.server, "TEST", { kind: "crash" }, `nemesis: crash S${f.server}`);
      control.crash(f.server);
      if (f.lose === true) this.lostUntil.set(f.server, this.sim.now());
      if (f.downMs === 0) restart(f.server);
      else if (f.downMs > 0) this.sim.runIn(this.node, () => this.sim.after(f.downMs, () => restart(f.server), "nemesis restart"));
    }
    if (f.restart !== undefined) restart(f.restart);
  }

  /** Crashes every running server, restarting each `downMs` later. */
  private crashAll(downMs: number): void {
    const control = this.control;
    if (control === undefined) return;
    for (let i = 0; i < control.n; i++) this.crash({ server: i, downMs });
  }

  private partition(groups: readonly (readonly number[])[], ms: number, onEnd?: () => void): void {
    const control = this.control;
    if (control === undefined || this.calm) return;
    this.isolated.clear(); // a new partition replaces any cut-off
    const epoch = ++this.partitionEpoch;
    const smaller = [...groups].sort((a, b) => a.length - b.length)[0] ?? [];
    this.minority = smaller.length < control.n / 2 ? new Set(smaller) : new Set();
    control.partition(groups);
    dmark("tester", "TEST", { kind: "partition", groups }, `nemesis: partition ${groups.map((g) => g.map((s) => `S${s}`).join(" ")).join(" | ")}`);
    this.sim.runIn(this.node, () =>
      this.sim.after(
        ms,
        () => {
          if (this.calm || epoch !== this.partitionEpoch) return;
          this.minority = new Set();
          onEnd?.();
          control.heal();
          dmark("tester", "TEST", { kind: "partition", groups: [control.n > 0 ? [...Array(control.n).keys()] : []] }, "nemesis: partition healed");
        },
        "nemesis heal",
      ),
    );
  }

  /**
   * Watches for new leaders (every millisecond: messages take at least one) and hits some of them
   * right after their election: cut off for a while, or crashed. The same in replay, where the
   * hits come from the schedule.
   */
  private async watchLeaders(): Promise<void> {
    const control = this.control!;
    let seen: { server: number; term: number } | undefined;
    while (!this.calm) {
      await this.sim.sleep(1, "nemesis leader watch");
      if (this.calm) return;
      const leader = control.leader();
      if (leader === undefined || (seen !== undefined && seen.server === leader.server && seen.term === leader.term)) continue;
      seen = leader;
      this.releaseHeld((h) => h.until === "leads again" && h.sender === leader.server && h.term < leader.term, `S${leader.server} leads T${leader.term}`);
      for (let i = 0; i < control.n; i++) if (i !== leader.server && control.isUp(i)) this.historyMoment("new leader", i, { term: leader.term });
      if (this.plan.newLeaderPerMille === 0 && this.plan.strategy === "none") continue;
      const ref = this.refOf("watch", "new leader", "nemesis", `S${leader.server}`);
      const draw = (): NewFault[] => {
        const planned = this.strategy?.onNewLeader(ref, leader.server) ?? [];
        if (planned.length > 0 || this.strategy?.busy(ref.at) === true) return planned;
        if (!this.per(this.plan.newLeaderPerMille)) return [];
        return this.rand.chance(0.6)
          ? [{ ...ref, kind: "isolate", server: leader.server, ms: this.rand.between(100, 3000) }]
          : [{ ...ref, kind: "crash", server: leader.server, downMs: this.downMs() }];
      };
      for (const f of this.decide(ref, draw)) {
        if (f.point === "scheduler") continue;
        if (f.kind === "crash") {
          if ((f.afterMs ?? 0) > 0) this.crashSoon(f);
          else this.crash(f);
        } else if (f.kind === "isolate") this.isolate(f.server, f.ms);
      }
    }
  }

  /** Cuts `server` off from the others for `ms` (as a partition of it alone), losing its requests in flight. */
  private isolate(server: number, ms: number): void {
    const control = this.control;
    if (control === undefined || this.calm) return;
    this.partition([[server], [...Array(control.n).keys()].filter((i) => i !== server)], ms, () => this.isolated.delete(server));
    this.isolated.add(server);
  }

  /** The scheduler, drawing: wakes at random and crashes a server or splits the cluster. */
  private async drawScheduler(): Promise<void> {
    const control = this.control!;
    const p = this.plan;
    const crashRate = p.crashEveryMs > 0 ? 1 / p.crashEveryMs : 0;
    const partitionRate = p.partitionEveryMs > 0 ? 1 / p.partitionEveryMs : 0;
    const meanGap = 1 / (crashRate + partitionRate);
    let last = this.sim.now();
    while (!this.calm) {
      const gapMs = Math.max(1, Math.round(meanGap * (0.5 + this.rand.float())));
      await this.sim.sleep(gapMs, "nemesis scheduler");
      if (this.calm) return;
      const at = this.sim.now();
      const leader = control.leader()?.server;
      if (this.rand.float() * (crashRate + partitionRate) < crashRate) {
        // The leader half of the time: leader changes are where logs diverge (Figure 8).
        const up = [...Array(control.n).keys()].filter((i) => control.isUp(i));
        if (this.rand.chance(0.3)) {
          // Every server at once, as the lab's GenericTest does: all restart from their snapshots.
          const f = this.record({ point: "scheduler", at, gapMs: at - last, kind: "crash all", downMs: Math.min(this.downMs(), 200) });
          if (f.kind === "crash all") this.crashAll(f.downMs);
        } else {
          const server = leader !== undefined && this.rand.chance(0.5) ? leader : up.length > 0 ? up[this.rand.int(up.length)]! : -1;
          const f = this.record({ point: "scheduler", at, gapMs: at - last, kind: "crash", server, downMs: this.downMs() });
          if (f.kind === "crash" && f.point === "scheduler") this.crash(f);
        }
      } else {
        const behind = p.lagFollowers === true && leader !== undefined && this.rand.chance(0.7) ? this.followerToLeaveBehind(leader) : undefined;
        if (behind !== undefined) {
          // One follower cut off while the others commit and compact past it: it comes back by InstallSnapshot.
          const others = [...Array(control.n).keys()].filter((i) => i !== behind);
          const f = this.record({ point: "scheduler", at, gapMs: at - last, kind: "partition", groups: [[behind], others], ms: this.rand.between(800, Math.max(800, p.partitionMaxMs)) });
          if (f.kind === "partition") this.partition(f.groups, f.ms);
          last = at;
          continue;
        }
        const servers = this.rand.shuffle([...Array(control.n).keys()]);
        let cut = 1 + this.rand.int(control.n - 1);
        if (leader !== undefined && this.rand.chance(0.5)) {
          // Cut the leader off, alone or with less than half: the others elect a new one while it still leads.
          servers.splice(servers.indexOf(leader), 1);
          servers.unshift(leader);
          cut = 1 + this.rand.int(Math.max(1, Math.floor((control.n - 1) / 2)));
        }
        const groups = [servers.slice(0, cut).sort(), servers.slice(cut).sort()];
        const f = this.record({ point: "scheduler", at, gapMs: at - last, kind: "partition", groups, ms: this.rand.between(100, Math.max(100, p.partitionMaxMs)) });
        if (f.kind === "partition") this.partition(f.groups, f.ms);
      }
      last = at;
    }
  }

  /** A running server other than `leader`, drawn (the plan's {@link FaultPlan.lagFollowers}). */
  private followerToLeaveBehind(leader: number): number | undefined {
    const control = this.control!;
    const followers = [...Array(control.n).keys()].filter((i) => i !== leader && control.isUp(i));
    return followers.length === 0 ? undefined : followers[this.rand.int(followers.length)];
  }

  /** The scheduler, replaying: wakes when the recorded one did and does what it did (unless removed). */
  private async replayScheduler(replay: ScheduleReplay): Promise<void> {
    for (const { fault, apply } of replay.schedulerFaults()) {
      // Until the recorded instant: the same wait as the recorded gap when nothing before was
      // dropped from the schedule, and the right instant when something was.
      await this.sim.sleep(Math.max(0, fault.at - this.sim.now()), "nemesis scheduler");
      if (this.calm) return;
      if (!apply) continue;
      this.record(fault);
      if (fault.kind === "crash") this.crash(fault);
      else if (fault.kind === "crash all") this.crashAll(fault.downMs);
      else this.partition(fault.groups, fault.ms);
    }
  }
}

/** What a crash fault says: whom, for how long, maybe after a delay, maybe restarting another. */
type CrashFault = Pick<Extract<MessageFault, { kind: "crash" }>, "server" | "downMs" | "afterMs" | "restart" | "lose" | "all">;

/** A plan's server faults, off (for a nemesis without cluster control). */
const NO_SERVER_FAULTS: Partial<FaultPlan> = {
  strategy: NO_FAULTS.strategy,
  newLeaderPerMille: NO_FAULTS.newLeaderPerMille,
  crashAfterStartPerMille: NO_FAULTS.crashAfterStartPerMille,
  crashAfterVotePerMille: NO_FAULTS.crashAfterVotePerMille,
  crashAfterReplyPerMille: NO_FAULTS.crashAfterReplyPerMille,
  crashAfterSendPerMille: NO_FAULTS.crashAfterSendPerMille,
  crashEveryMs: NO_FAULTS.crashEveryMs,
  partitionEveryMs: NO_FAULTS.partitionEveryMs,
  // A lab test's checks may count what its servers handled.
  duplicatePerMille: NO_FAULTS.duplicatePerMille,
};

/** The method of votes, aimed at by {@link FaultPlan.crashAfterVotePerMille}. */
const VOTE = "Raft.RequestVote";

/** The replies that may be held until their sender moves on. */
const HELD_REPLIES: ReadonlySet<string> = new Set([VOTE, "Raft.AppendEntries", "Raft.InstallSnapshot"]);

/** The KV service's writes, aimed at by {@link FaultPlan.crashAfterClientWritePerMille}. */
const CLIENT_WRITES: ReadonlySet<string> = new Set(["KVServer.Put", "KVServer.Append", "KVServer.Cas"]);

/** The `term` of a Raft reply, if it has one. */
function termOf(reply: unknown): number | undefined {
  const term = typeof reply === "object" && reply !== null ? (reply as { term?: unknown }).term : undefined;
  return typeof term === "number" ? term : undefined;
}

/** The server index of a node name (`S2` → 2), or undefined for clients and the tester. */
function serverIndex(nodeName: string): number | undefined {
  const m = /^S(\d+)$/.exec(nodeName);
  return m === null ? undefined : Number(m[1]);
}
