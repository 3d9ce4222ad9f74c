/**
 * The seam through which tools watch a run event by event (the step debugger records runs through
 * it): observers of each timer event as it fires and of each kept log line, and named attachments
 * that libraries running in the simulation (the network, the testers) look up to report what
 * they do. The kernel only calls the observers; it never reads the attachments itself.
 *
 * Contract, as for `Simulation.onStep`: an observer or an attachment only looks. It must not
 * schedule timers, start tasks, draw randomness or change what it observes, so a run with probes
 * is the same run as without (same events, same trace hash). A tool that wants to change a run
 * (a debugger branch) does so through the ordinary seams (the network's fault policy), as data
 * that replays.
 */
import type { LogEntry } from "../runtime/log-types.js";

/** One timer event of a run, as it fires. */
export interface FiredEvent {
  /** Virtual ms. */
  readonly time: number;
  /** The task that scheduled it, e.g. `S1 ticker`. */
  readonly task: string;
  /** Its label, e.g. `sleep`, `rpc-request`. */
  readonly label: string;
}

/** Names an attachment and the type of its value. */
export interface ProbeKey<T> {
  readonly name: string;
  /** Never set: carries `T` for the type checker. */
  readonly type?: T;
}

/** The probes of one run; see the module comment. */
export class RunProbes {
  private eventObservers: readonly ((ev: FiredEvent) => void)[] = [];
  private logObservers: readonly ((entry: LogEntry) => void)[] = [];
  private readonly attachments = new Map<string, unknown>();

  /** Whether anyone watches events (the kernel asks before building a {@link FiredEvent}). */
  get watchingEvents(): boolean {
    return this.eventObservers.length > 0;
  }

  /** Whether anyone watches log lines. */
  get watchingLog(): boolean {
    return this.logObservers.length > 0;
  }

  /** Calls `observer` for every timer event, just before it fires. Returns a function that removes it. */
  onEvent(observer: (ev: FiredEvent) => void): () => void {
    this.eventObservers = [...this.eventObservers, observer];
    return () => {
      this.eventObservers = this.eventObservers.filter((o) => o !== observer);
    };
  }

  /** Calls `observer` for every log line the run keeps. Returns a function that removes it. */
  onLog(observer: (entry: LogEntry) => void): () => void {
    this.logObservers = [...this.logObservers, observer];
    return () => {
      this.logObservers = this.logObservers.filter((o) => o !== observer);
    };
  }

  /** Attaches `value` under `key` for the libraries that look it up (replacing any earlier one). */
  attach<T>(key: ProbeKey<T>, value: T): void {
    this.attachments.set(key.name, value);
  }

  /** What is attached under `key`, if anything. */
  get<T>(key: ProbeKey<T>): T | undefined {
    return this.attachments.get(key.name) as T | undefined;
  }

  /** @internal Called by the kernel. */
  event(ev: FiredEvent): void {
    for (const o of this.eventObservers) o(ev);
  }

  /** @internal Called by the kernel. */
  log(entry: LogEntry): void {
    for (const o of this.logObservers) o(entry);
  }
}
