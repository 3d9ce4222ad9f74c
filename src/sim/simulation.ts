import type { LogEntry, Mark, Topic } from "../runtime/log-types.js";
import type { Timer } from "../runtime/runtime.js";
import { SimNode, SimTask, currentTask, isRunning, runInTask, setRunning, type TaskHost, type WaitNote } from "./context.js";
import {
  concurrentRunError,
  deadlockError,
  livelockAtInstantError,
  realBudgetError,
  runawayError,
  taskFailedError,
  virtualBudgetError,
} from "./errors.js";
import { EventQueue, type SimEvent } from "./event-queue.js";
import { formatTaskDump } from "./task-dump.js";
import { realClock, virtualizeGlobals } from "./globals.js";
import { MAIN_STREAM, Random } from "./random.js";
import { RunLog } from "./run-log.js";
import { RunProbes } from "./run-probes.js";
import { Trace } from "./trace.js";

/** Options of {@link runSim}. */
export interface SimOptions {
  /** Stop with an error when virtual time would pass this many ms. Default 120 000 (the labs' 120 s per test). */
  readonly virtualBudgetMs?: number;
  /** Stop with an error after this much wall-clock time (ms). Default 120 000. */
  readonly realBudgetMs?: number;
  /** Events allowed at one virtual instant before the run is declared a livelock. Default 100 000. */
  readonly maxEventsPerInstant?: number;
  /** Keep the text of every trace step (for determinism checks). Default false: only the hash. */
  readonly recordTrace?: boolean;
  /** Keep `dlog` lines in memory ({@link Simulation.log}). Default false: `dlog` costs one branch. */
  readonly log?: boolean;
  /** How many of a run's last log lines to keep. Default {@link DEFAULT_LOG_MAX_LINES}. */
  readonly logMaxLines?: number;
  /**
   * Route `Math.random`, `Date.now`, `performance.now`, `setTimeout`, `setInterval` and
   * `setImmediate` to the simulation while it runs. Default true.
   */
  readonly virtualizeGlobals?: boolean;
  /**
   * Called with the new virtual time each time the clock moves, before the events due then fire
   * (a watchdog outside the run reads it: a run stuck at one instant never completes a step).
   * It must only look, like a step observer.
   */
  readonly onClockAdvance?: (virtualMs: number) => void;
  /**
   * Told, for the first calls of each global that the run routes to the simulation (`Math.random`,
   * `Date.now`, `performance.now`, `setTimeout`), which one and from where (see `globals.ts`).
   */
  readonly onRerouted?: (global: string, stack: string) => void;
  /** Record where each `go` was called, for the dump of waiting tasks at a deadlock or budget overrun. Default true. */
  readonly taskOrigins?: boolean;
}

export { DEFAULT_LOG_MAX_LINES } from "./run-log.js";

/** What a finished run returns. */
export interface SimResult<T> {
  /** The value `main` resolved to. */
  readonly value: T;
  readonly seed: string | number;
  /** Virtual ms when `main` finished. */
  readonly virtualMs: number;
  /** Timer events fired. */
  readonly events: number;
  /** Hash of the trace; equal for equal (code, seed). */
  readonly traceHash: string;
  /** Trace steps, when `recordTrace` was set. */
  readonly traceLines: readonly string[] | undefined;
  /** `dlog` lines, when `log` was set. */
  readonly logs: readonly LogEntry[];
  /** Wall-clock ms the run took. */
  readonly wallMs: number;
}

/** A cancellable timer handle returned by {@link Simulation.after}. */
export type SimTimer = Timer;

/**
 * One deterministic discrete-event simulation: a virtual clock, an event queue, seeded random
 * streams, and the run's own log and trace. Virtual time advances only when every task is waiting
 * on a timer (or on a channel or promise that a timer will eventually settle); computation itself
 * takes no virtual time.
 *
 * Create one with {@link runSim}; lab code reaches it through the ambient runtime functions
 * (`sleep`, `now`, `random`, `go` in `src/runtime`), which find the calling task's simulation.
 *
 * Failing a run: code that detects a fatal problem (the network meeting a value it cannot send,
 * a tester check) calls {@link fail} and then throws. `fail` makes the run stop at its next
 * scheduling point with that error, whichever task it happened in; the throw stops the code that
 * found the problem from carrying on as if nothing happened. The first failure wins.
 */
export class Simulation implements TaskHost {
  readonly trace: Trace;
  /** This run's debug log (empty unless logging is on). */
  readonly log: RunLog;
  /** The node of the tester's code (the main task and what it starts without a node of its own). */
  readonly mainNode: SimNode;
  /** The main task: the body passed to {@link runSim}. */
  readonly main: SimTask;
  /** Observers of each event and log line, and attachments for tools (see `run-probes.ts`). */
  readonly probes = new RunProbes();

  private clock = 0;
  private seq = 0;
  private fired = 0;
  private nextUniqueId = 1;
  private readonly queue = new EventQueue();
  private readonly streamNames = new Map<string, number>();
  private failure: unknown = undefined;
  private isFinished = false;
  /** Timers scheduled since the run loop last got control (see {@link MAX_SCHEDULED_WITHOUT_YIELD}). */
  private scheduledSinceYield = 0;
  /** Tasks started with `go` that have not finished (see {@link liveTasks}). */
  private readonly live = new Set<SimTask>();
  /** Where each task name was first started (see {@link originOf}). */
  private readonly origins = new Map<string, Error>();
  /** Whether `go` records where each task was started (for the dump of waiting tasks). */
  private readonly captureOrigins: boolean;
  /** Called after every step; see {@link onStep}. Replaced, never edited, so a round can iterate it safely. */
  private stepObservers: readonly (() => void)[] = [];

  constructor(
    readonly seed: string | number,
    options: SimOptions = {},
  ) {
    this.trace = new Trace(options.recordTrace ?? false);
    this.log = new RunLog(options.log ?? false, options.logMaxLines);
    this.mainNode = new SimNode(this, MAIN_STREAM, this.stream(MAIN_STREAM));
    this.main = new SimTask(this.mainNode, MAIN_STREAM);
    this.captureOrigins = options.taskOrigins ?? true;
  }

  /** The main node's random stream (the tester's). */
  get random(): Random {
    return this.mainNode.random;
  }

  /**
   * A new random stream for a subsystem, derived from the seed and `name` alone. A name used a
   * second time gets `#2`, `#3`... so every stream of a run is distinct.
   */
  stream(name: string): Random {
    const n = (this.streamNames.get(name) ?? 0) + 1;
    this.streamNames.set(name, n);
    return new Random(this.seed, n === 1 ? name : `${name}#${n}`, this.trace, () => this.clock);
  }

  /**
   * A new node (a Raft peer, a server, a client) with its own random stream. Each incarnation of
   * a restarted server is a new node (`S1`, then `S1#2` after a restart...), so a crashed
   * instance's stray tasks cannot disturb the new one's draws.
   */
  node(name: string): SimNode {
    return new SimNode(this, name, this.stream(`node ${name}`));
  }

  /** Runs `fn` (synchronously) as code of `node`: the tasks and timers it starts belong to `node`. */
  runIn<T>(node: SimNode, fn: () => T): T {
    return runInTask(new SimTask(node, node.name), fn);
  }

  /** Virtual milliseconds since the start of the run. */
  now(): number {
    return this.clock;
  }

  /** Whether the run is over (stray tasks of a finished run are parked forever). */
  get finished(): boolean {
    return this.isFinished;
  }

  /** Whether `dlog` keeps lines right now. */
  get logging(): boolean {
    return this.log.enabled && !this.isFinished;
  }

  /** Number of timer events fired so far. */
  get eventCount(): number {
    return this.fired;
  }

  /**
   * Runs `fn` after `ms` virtual milliseconds, as code of the calling task. Events due at the
   * same time run in the order they were scheduled. `label` appears in the trace. Throws (and
   * fails the run) if tasks schedule timers endlessly without ever all waiting (a livelock).
   */
  after(ms: number, fn: () => void, label = "timer"): SimTimer {
    return this.schedule(this.caller(), ms, fn, label);
  }

  /** Resolves after `ms` virtual milliseconds; `label` names the wait in the trace. */
  sleep(ms: number, label = "sleep"): Promise<void> {
    return this.sleepFor(this.caller(), ms, label);
  }

  /**
   * Starts `fn` as a separate task of the calling task's node, like Go's `go` statement: it
   * begins once the caller yields. If it throws, the whole run fails naming the task.
   */
  go(name: string, fn: () => unknown): void {
    this.spawn(this.caller().node, name, fn);
  }

  /**
   * Calls `observer` after every step of the run: once the events due at one instant have fired
   * and every task they woke has run until it waits again (and once before the first event). This
   * is where a checker sees every state the run passes through that lasts beyond one step.
   *
   * An observer only looks: it must not schedule timers, start tasks, draw randomness or change
   * what it observes, so a run behaves the same with or without it. It may fail the run (with
   * {@link fail}, or by throwing: the error becomes the run's failure). Observers run in the order
   * they were added, as code of the main task. Returns a function that removes the observer.
   */
  onStep(observer: () => void): () => void {
    this.stepObservers = [...this.stepObservers, observer];
    return () => {
      this.stepObservers = this.stepObservers.filter((o) => o !== observer);
    };
  }

  /** A number this run has never returned before (1, 2, 3, ...). */
  uniqueId(): number {
    return this.nextUniqueId++;
  }

  /** @internal See {@link TaskHost.schedule}. */
  schedule(task: SimTask, ms: number, fn: () => void, label: string, caller?: string): SimTimer {
    return this.push(task, ms, () => runInTask(task, fn), label, caller);
  }

  /** @internal See {@link TaskHost.sleepFor}. */
  sleepFor(task: SimTask, ms: number, label: string, caller?: string): Promise<void> {
    // The continuation after `await sleep()` runs in the sleeper's context by itself.
    // The sleeping task is kept on the event (not noted with trackWait, which costs closures on
    // the hottest path): the dump of waiting tasks finds it in the queue.
    return new Promise<void>((resolve) => {
      this.push(task, ms, resolve, label, caller, task);
    });
  }

  /** @internal See {@link TaskHost.spawn}. */
  spawn(node: SimNode, name: string, fn: () => unknown): void {
    if (this.isFinished) return;
    const parent = this.caller();
    const task = new SimTask(node, name, { at: this.clock, by: parent.name, stack: this.captureOrigins ? this.originOf(name) : undefined });
    this.live.add(task);
    const end = (): void => void this.live.delete(task);
    runInTask(task, () =>
      queueMicrotask(() => {
        try {
          const r = fn();
          if (r instanceof Promise) {
            r.then(end, (e: unknown) => {
              end();
              this.failTask(name, e);
            });
          } else end();
        } catch (e) {
          end();
          this.failTask(name, e);
        }
      }),
    );
  }

  /**
   * Where `go(name, ...)` is called. Capturing a stack costs about as much as the rest of `go`, and
   * Raft calls `go` once per RPC under names that repeat ("S1 AppendEntries to S2"), from the same
   * line each time: so one stack per task name, the first's.
   */
  private originOf(name: string): Error | undefined {
    let stack = this.origins.get(name);
    if (stack === undefined && this.origins.size < MAX_ORIGINS) {
      stack = originStack();
      this.origins.set(name, stack);
    }
    return stack;
  }

  /**
   * The tasks started with `go` that have not finished, and the main task: what a deadlock or a
   * run over its budget lists, with what each waits on (see {@link SimTask.trackWait}).
   */
  liveTasks(): readonly SimTask[] {
    return [this.main, ...this.live];
  }

  /** What each task waits on now: what it noted (see {@link SimTask.trackWait}) and its pending sleeps. */
  private waitsByTask(): Map<SimTask, WaitNote[]> {
    const waits = new Map<SimTask, WaitNote[]>();
    const add = (task: SimTask, note: WaitNote): void => {
      let list = waits.get(task);
      if (list === undefined) waits.set(task, (list = []));
      list.push(note);
    };
    for (const task of this.liveTasks()) for (const note of task.waits) add(task, note);
    for (const ev of this.queue.pending()) {
      if (ev.cancelled || ev.sleeper === undefined) continue;
      const ms = Math.round((ev.time - ev.since) * 1000) / 1000;
      add(ev.sleeper, { what: ev.label === "sleep" ? `sleep(${formatMs(ms)})` : `${ev.label} (${formatMs(ms)})`, since: ev.since });
    }
    for (const list of waits.values()) list.sort((a, b) => a.since - b.since);
    return waits;
  }

  /** The dump of waiting tasks (see `task-dump.ts`). */
  private taskDump(): string {
    return formatTaskDump(this.liveTasks(), this.waitsByTask(), this.clock);
  }

  /** Keeps a debug log line stamped with the current virtual time (and in the trace, when it is recording). */
  logLine(peer: LogEntry["peer"], topic: Topic, message: string, mark?: Mark): void {
    if (!this.logging) return;
    const time = this.clock;
    const entry: LogEntry = mark === undefined ? { time, peer, topic, message } : { time, peer, topic, message, mark };
    this.log.add(entry);
    if (this.probes.watchingLog) this.probes.log(entry);
    if (this.trace.recording) this.trace.addBy(time, typeof peer === "number" ? `S${peer}` : peer, `${topic} ${message}`);
  }

  /** Stops the run with `error` at the next scheduling point. The first failure wins. */
  fail(error: unknown): void {
    if (this.failure !== undefined || this.isFinished) return;
    this.failure = error;
  }

  /** Stops the run because the task `name` threw `error` (the message names the task and seed). */
  failTask(name: string, error: unknown): void {
    if (this.failure !== undefined || this.isFinished) return;
    this.failure = taskFailedError(this.seed, this.clock, name, error);
  }

  /** The calling code's task, if it belongs to this run; else this run's main task. */
  caller(): SimTask {
    const task = currentTask();
    return task !== undefined && task.node.host === this ? task : this.main;
  }

  /**
   * Schedules `fire`. `caller` names the runtime function lab code called (`sleep`, `after`): its
   * delays follow Go's rules (see {@link dueTime}); the simulator's own timers (the network's
   * delays, the virtualized `setTimeout`) keep plain microsecond rounding, as every seed recorded
   * before these rules assumes.
   */
  private push(task: SimTask, ms: number, fire: () => void, label: string, caller: string | undefined, sleeper?: SimTask): SimTimer {
    if (Number.isNaN(ms) || ms === Infinity || (caller === undefined && ms < 0)) {
      const name = caller ?? (sleeper !== undefined ? "sleep" : "after");
      throw new RangeError(`${name}(${ms}): the delay must be a finite number of ms${caller === undefined ? " >= 0" : ""}`);
    }
    if (this.isFinished) return NO_TIMER;
    if (++this.scheduledSinceYield > MAX_SCHEDULED_WITHOUT_YIELD) this.runaway();
    const time = caller === undefined ? roundedTime(this.clock, ms) : dueTime(this.clock, ms);
    const ev: SimEvent = { time, seq: this.seq++, fire, label, task: task.name, cancelled: false, sleeper, since: this.clock };
    this.queue.push(ev);
    return {
      cancel() {
        ev.cancelled = true;
      },
    };
  }

  /**
   * Tasks have scheduled a huge number of timers without ever all waiting at once: some chain of
   * promises never awaits anything that takes virtual time, so the clock can never advance and the
   * run loop never gets control back. Fail the run, and throw into the task that keeps scheduling.
   */
  private runaway(): never {
    const error = runawayError(this.seed, this.clock, MAX_SCHEDULED_WITHOUT_YIELD);
    this.fail(error);
    throw error;
  }

  /** @internal Drives the run; see {@link runSim}. */
  async run<T>(main: (sim: Simulation) => Promise<T>, options: SimOptions): Promise<SimResult<T>> {
    if (isRunning()) throw concurrentRunError(this.seed);
    const limits: RunLimits = {
      virtualBudgetMs: options.virtualBudgetMs ?? 120_000,
      realBudgetMs: options.realBudgetMs ?? 120_000,
      maxEventsPerInstant: options.maxEventsPerInstant ?? 100_000,
      wallStart: realClock.now(),
      onClockAdvance: options.onClockAdvance,
    };
    const onRerouted = options.onRerouted;
    const host = onRerouted === undefined ? this : { now: () => this.now(), after: this.after.bind(this), caller: () => this.caller(), rerouted: onRerouted };
    const restore = options.virtualizeGlobals === false ? () => {} : virtualizeGlobals(host);
    setRunning(this);

    let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
    try {
      // Through a Promise constructor, so a `main` that throws synchronously still fails the run
      // through the `finally` below (which restores the globals and leaves the simulation).
      runInTask(this.main, () =>
        new Promise<T>((resolve) => resolve(main(this))).then(
          (value) => (outcome = { ok: true, value }),
          (error: unknown) => (outcome = { ok: false, error }),
        ),
      );
      const instant = { events: 0, lastLabel: "" };
      for (let batches = 1; ; batches++) {
        // Let every task run until it waits: all pending microtasks drain before a macrotask.
        await realClock.yieldToMicrotasks();
        this.scheduledSinceYield = 0;
        // Invariant: a run without step observers pays one comparison per step for them.
        if (this.stepObservers.length > 0) this.notifyStepObservers();
        if (this.failure !== undefined) throw this.failure;
        if (outcome !== undefined) {
          if (!outcome.ok) throw outcome.error;
          break;
        }
        this.advanceClock(limits, instant);
        this.fireDueEvents(instant);
        this.checkBudgets(limits, instant, batches);
      }
    } finally {
      this.isFinished = true;
      setRunning(undefined);
      restore();
    }
    return {
      value: outcome.value,
      seed: this.seed,
      virtualMs: this.clock,
      events: this.fired,
      traceHash: this.trace.hash,
      traceLines: this.trace.lines,
      logs: this.log.entries,
      wallMs: realClock.now() - limits.wallStart,
    };
  }

  /** Runs the step observers (see {@link onStep}); the first one to fail the run stops the round. */
  private notifyStepObservers(): void {
    const observers = this.stepObservers;
    runInTask(this.main, () => {
      for (const observer of observers) {
        try {
          observer();
        } catch (e) {
          this.fail(e);
        }
        if (this.failure !== undefined) return;
      }
    });
  }

  /** Moves the clock to the next event, or throws if there is none (deadlock) or it is past the budget. */
  private advanceClock(limits: RunLimits, instant: { events: number }): void {
    const next = this.queue.peek();
    if (next === undefined) throw deadlockError(this.seed, this.clock, this.taskDump());
    if (next.time > limits.virtualBudgetMs) throw virtualBudgetError(this.seed, this.clock, limits.virtualBudgetMs, next, this.taskDump());
    if (next.time > this.clock) {
      this.clock = next.time;
      instant.events = 0;
      limits.onClockAdvance?.(this.clock);
    }
  }

  /**
   * Fires every event due now that was scheduled before this batch; events they schedule for the
   * same instant run in the next batch, after the microtasks they cause.
   */
  private fireDueEvents(instant: { events: number; lastLabel: string }): void {
    const batchEnd = this.seq;
    for (let ev = this.queue.peek(); ev !== undefined && ev.time === this.clock && ev.seq < batchEnd; ev = this.queue.peek()) {
      this.queue.pop();
      this.fired++;
      instant.events++;
      instant.lastLabel = ev.label;
      this.trace.addBy(this.clock, ev.task, ev.label);
      try {
        if (this.probes.watchingEvents) this.probes.event({ time: this.clock, task: ev.task, label: ev.label });
        ev.fire();
      } catch (e) {
        this.failTask(ev.label, e);
      }
    }
  }

  private checkBudgets(limits: RunLimits, instant: { events: number; lastLabel: string }, batches: number): void {
    if (instant.events > limits.maxEventsPerInstant) {
      throw livelockAtInstantError(this.seed, this.clock, instant.events, instant.lastLabel);
    }
    if ((batches & 255) === 0 && realClock.now() - limits.wallStart > limits.realBudgetMs) {
      throw realBudgetError(this.seed, this.clock, limits.realBudgetMs);
    }
  }
}

interface RunLimits {
  readonly virtualBudgetMs: number;
  readonly realBudgetMs: number;
  readonly maxEventsPerInstant: number;
  readonly wallStart: number;
  readonly onClockAdvance: ((virtualMs: number) => void) | undefined;
}

const NO_TIMER: SimTimer = { cancel() {} };

/**
 * When a timer set at `clock` for `ms` is due. Virtual time has microsecond resolution: rounding
 * keeps sums of fractional delays (storage time, see SimNode.occupy) from drifting into
 * 1234.5670000000001. Two rules make Go habits work:
 * - a negative delay is 0, as Go's `time.Sleep` returns at once for one
 *   (`sleep(HEARTBEAT - elapsed)` after a slow step);
 * - a positive delay always moves the clock, by at least 1 µs: in Go durations are integers, so
 *   `sleep(HEARTBEAT - (now() - lastSent))` ends even when float arithmetic leaves 1e-13 ms, which
 *   would otherwise round to the same instant and make a correct loop a livelock.
 */
export function dueTime(clock: number, ms: number): number {
  if (!(ms > 0)) return clock;
  const time = roundedTime(clock, ms);
  return time > clock ? time : roundedTime(clock, 0.001);
}

/** `clock + ms`, rounded to the microsecond. */
function roundedTime(clock: number, ms: number): number {
  return Math.round((clock + ms) * 1000) / 1000;
}

/** `ms` for a message: a few decimals at most. */
function formatMs(ms: number): string {
  return `${Number.isInteger(ms) ? ms : Number(ms.toPrecision(6))} ms`;
}

/**
 * Where `go` was called: a stack of a few frames (spawn, the runtime's go, the caller and its
 * callers). A short stack costs a fraction of a full one, and `go` is called once per RPC.
 */
function originStack(): Error {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = ORIGIN_FRAMES;
  const e = new Error("started here");
  Error.stackTraceLimit = limit;
  return e;
}

/** Task names whose origin is remembered (beyond it, new names have none: each capture costs). */
const MAX_ORIGINS = 10_000;

/** Frames kept of a task's origin: enough to get past the simulator and the runtime to the caller. */
const ORIGIN_FRAMES = 6;

/** See {@link Simulation.runaway}. */
const MAX_SCHEDULED_WITHOUT_YIELD = 2_000_000;

/**
 * Runs `main` in a fresh deterministic simulation seeded with `seed` and resolves when `main`
 * finishes. A run is a pure function of (code, seed). Rejects with a `SimulationError` on
 * deadlock, livelock, a budget overrun or a failed task, or with whatever `main` throws.
 */
export function runSim<T>(
  seed: string | number,
  main: (sim: Simulation) => Promise<T>,
  options: SimOptions = {},
): Promise<SimResult<T>> {
  return new Simulation(seed, options).run(main, options);
}
