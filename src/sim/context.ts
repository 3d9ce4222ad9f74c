/**
 * Task contexts: which simulated node and task the running code belongs to.
 *
 * Every piece of simulated code runs as part of a *task* (the main body, or something started
 * with `go`), and every task belongs to a *node* (a Raft peer, a KV server, a client, or the
 * run's `main` node for the tester). The context travels with the code through `await`, timers
 * and `go` (Node's AsyncLocalStorage), so the ambient runtime functions know, without being told:
 *
 * - which run they belong to: a stray task of a finished run parks instead of touching the next
 *   run, and code outside every run gets a clear error instead of a silent hang;
 * - which node's random stream to draw from (one stream per node: an extra draw in one peer's
 *   code does not reshuffle what every other peer and the network draw);
 * - which task is sleeping, for the determinism trace.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { LogEntry, Mark, Topic } from "../runtime/log-types.js";
import { registerRuntime, type Runtime, type Timer } from "../runtime/index.js";
import type { Random } from "./random.js";

/** What a task needs from the simulation it runs in (implemented by `Simulation`). */
export interface TaskHost {
  readonly finished: boolean;
  readonly logging: boolean;
  now(): number;
  /**
   * Sleeps on behalf of `task` (parks forever once the run is over). `caller` names the runtime
   * function lab code called (for errors; its delays follow Go's rules); absent for the simulator's own timers.
   */
  sleepFor(task: SimTask, ms: number, label: string, caller?: string): Promise<void>;
  /** Schedules `fn` to run in `task`'s context (a no-op timer once the run is over); `caller` as for {@link sleepFor}. */
  schedule(task: SimTask, ms: number, fn: () => void, label: string, caller?: string): Timer;
  /** Starts `fn` as a new task of `node`. */
  spawn(node: SimNode, name: string, fn: () => unknown): void;
  uniqueId(): number;
  /** Keeps a log line, stamped with the current virtual time. */
  logLine(peer: LogEntry["peer"], topic: Topic, message: string, mark?: Mark): void;
}

/** One thing a task waits on, and since when (virtual ms). */
export interface WaitNote {
  readonly what: string;
  readonly since: number;
}

/** Where and when a task was started. */
export interface TaskOrigin {
  /** Virtual ms. */
  readonly at: number;
  /** The task that started it. */
  readonly by: string;
  /** Its stack at the `go` call (formatted only when a dump needs it). */
  readonly stack: Error | undefined;
}

/** A simulated machine or actor: a Raft peer, a KV server, a client, or `main`. */
export class SimNode {
  /** Until when (virtual ms) this node is busy; see {@link occupy}. */
  private busyUntil = 0;

  constructor(
    /** The simulation it belongs to. */
    readonly host: TaskHost,
    /** A readable name, e.g. "S1" or "client 3". */
    readonly name: string,
    /** This node's own random stream. */
    readonly random: Random,
  ) {}

  /**
   * Spends `ms` of this node's time, after whatever it is already busy with: the messages it sends
   * meanwhile leave only when it is done (the network asks {@link busyFor} before it sends a
   * request or a reply for this node). Computation is free in virtual time; this is how a cost
   * that Go pays in real time, such as persisting the whole Raft state before replying, shows up.
   */
  occupy(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`SimNode.occupy(${ms}): the time must be a finite number of ms >= 0`);
    this.busyUntil = Math.max(this.host.now(), this.busyUntil) + ms;
  }

  /** How much longer (virtual ms) this node is busy; 0 when it is idle. */
  busyFor(): number {
    return Math.max(0, this.busyUntil - this.host.now());
  }
}

/**
 * One task of a node: the runtime seen by the code of that task (see {@link Runtime}).
 * Cheap to create: one per `go`.
 */
export class SimTask implements Runtime {
  /** What the task waits on right now (several at once after a `Promise.race`), oldest first; see {@link trackWait}. */
  private waitList: WaitNote[] | undefined;

  constructor(
    readonly node: SimNode,
    /** The name given to `go`, e.g. "S1 ticker". */
    readonly name: string,
    /** Where it was started, for the dump of waiting tasks (see `task-dump.ts`). */
    readonly origin?: TaskOrigin,
  ) {}

  /**
   * Notes that this task now waits on `what` (e.g. "channel send"), until the returned function is
   * called: the dump of a deadlock or of a run over its time budget lists it, with since when.
   */
  trackWait(what: string): () => void {
    const note: WaitNote = { what, since: this.node.host.now() };
    (this.waitList ??= []).push(note);
    return () => {
      const list = this.waitList;
      if (list === undefined) return;
      const i = list.indexOf(note);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** What the task waits on now (see {@link trackWait}). */
  get waits(): readonly WaitNote[] {
    return this.waitList ?? [];
  }

  now(): number {
    return this.node.host.now();
  }

  sleep(ms: number): Promise<void> {
    return this.node.host.sleepFor(this, ms, "sleep", "sleep");
  }

  after(ms: number, fn: () => void, label = "timer"): Timer {
    return this.node.host.schedule(this, ms, fn, label, "after");
  }

  go(name: string, fn: () => unknown): void {
    this.node.host.spawn(this.node, name, fn);
  }

  get random(): Random {
    return this.node.random;
  }

  uniqueId(): number {
    return this.node.host.uniqueId();
  }

  get logging(): boolean {
    return this.node.host.logging;
  }

  log(peer: LogEntry["peer"], topic: Topic, message: string, mark?: Mark): void {
    this.node.host.logLine(peer, topic, message, mark);
  }
}

const storage = new AsyncLocalStorage<SimTask>();

/** The simulation running now (only one runs at a time in a process), if any. */
let running: { readonly main: SimTask } | undefined;

/** The context of the calling code: its own task, or the running simulation's main task. */
export function currentTask(): SimTask | undefined {
  return storage.getStore() ?? running?.main;
}

/** Runs `fn` (synchronously) as code of `task`; everything it starts inherits the context. */
export function runInTask<T>(task: SimTask, fn: () => T): T {
  return storage.run(task, fn);
}

/** @internal Marks the simulation whose main task is `main` as running (or none). */
export function setRunning(sim: { readonly main: SimTask } | undefined): void {
  running = sim;
}

/** Whether a simulation is running right now. */
export function isRunning(): boolean {
  return running !== undefined;
}

// Lab code's ambient runtime functions reach the calling task's simulation through this.
registerRuntime(currentTask);
