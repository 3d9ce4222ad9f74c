import { enter, isRunning, leave } from "./current.js";
import { SimulationError } from "./errors.js";
import { EventQueue, type SimEvent } from "./event-queue.js";
import { realClock, virtualizeGlobals } from "./globals.js";
import type { LogEntry } from "./log.js";
import { Random } from "./random.js";
import { Trace, formatTime } from "./trace.js";

/** Options of {@link runSim}. */
export interface SimOptions {
  /** Stop with an error when virtual time would pass this many ms. Default 120 000 (the labs' 120 s per test). */
  readonly virtualBudgetMs?: number;
  /** Stop with an error after this much wall-clock time (ms). Default: env `SIM_REAL_BUDGET_MS`, else 120 000. */
  readonly realBudgetMs?: number;
  /** Events allowed at one virtual instant before the run is declared a livelock. Default 100 000. */
  readonly maxEventsPerInstant?: number;
  /** Keep the text of every trace step (for determinism checks). Default false: only the hash. */
  readonly recordTrace?: boolean;
  /** Keep `dlog` lines in memory ({@link Simulation.logs}). Default false: `dlog` costs one branch. */
  readonly log?: boolean;
  /**
   * Route `Math.random`, `Date.now`, `performance.now`, `setTimeout`, `setInterval` and
   * `setImmediate` to the simulation while it runs. Default true.
   */
  readonly virtualizeGlobals?: boolean;
}

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
export interface SimTimer {
  cancel(): void;
}

/**
 * One deterministic discrete-event simulation: a virtual clock, an event queue and a seeded random
 * source. Virtual time advances only when every task is waiting on a timer (or on a channel or
 * promise that a timer will eventually settle); computation itself takes no virtual time.
 *
 * Create one with {@link runSim}; lab code usually reaches it through the ambient helpers
 * (`sleep`, `now`, `random`, `go` in `./runtime.ts`).
 */
export class Simulation {
  readonly rand: Random;
  readonly trace: Trace;
  /** `dlog` lines of this run (empty unless logging is on). */
  readonly logs: LogEntry[] = [];
  /** Whether `dlog` keeps lines. */
  readonly logging: boolean;

  private clock = 0;
  private seq = 0;
  private fired = 0;
  private readonly queue = new EventQueue();
  private failure: unknown = undefined;
  private isFinished = false;
  /** Timers scheduled since the run loop last got control (see {@link MAX_SCHEDULED_WITHOUT_YIELD}). */
  private scheduledSinceYield = 0;

  constructor(
    readonly seed: string | number,
    options: SimOptions = {},
  ) {
    this.trace = new Trace(options.recordTrace ?? false);
    this.rand = new Random(seed, this.trace, () => this.clock);
    this.logging = options.log ?? false;
  }

  /** Virtual milliseconds since the start of the run. */
  now(): number {
    return this.clock;
  }

  /** Whether the run is over (stray tasks of a finished run are parked forever). */
  get finished(): boolean {
    return this.isFinished;
  }

  /** Number of timer events fired so far. */
  get eventCount(): number {
    return this.fired;
  }

  /**
   * Runs `fn` after `ms` virtual milliseconds. Events due at the same time run in the order they
   * were scheduled. `label` appears in the trace.
   */
  after(ms: number, fn: () => void, label = "timer"): SimTimer {
    if (!(ms >= 0) || !Number.isFinite(ms)) {
      throw new RangeError(`after(${ms}): the delay must be a finite number of ms >= 0`);
    }
    if (this.isFinished) return { cancel() {} };
    if (++this.scheduledSinceYield > MAX_SCHEDULED_WITHOUT_YIELD) this.runaway();
    const ev: SimEvent = { time: this.clock + ms, seq: this.seq++, fire: fn, label, cancelled: false };
    this.queue.push(ev);
    return {
      cancel() {
        ev.cancelled = true;
      },
    };
  }

  /** Resolves after `ms` virtual milliseconds. */
  sleep(ms: number, label = "sleep"): Promise<void> {
    return new Promise<void>((resolve) => {
      this.after(ms, resolve, label);
    });
  }

  /**
   * Starts `fn` as a separate task, like Go's `go` statement: it begins once the caller yields. If
   * it throws, the whole run fails with that error (a Go panic), naming the task.
   */
  go(name: string, fn: () => unknown): void {
    if (this.isFinished) return;
    queueMicrotask(() => {
      try {
        const r = fn();
        if (r instanceof Promise) r.catch((e: unknown) => this.fail(e, name));
      } catch (e) {
        this.fail(e, name);
      }
    });
  }

  /** Stops the run with `error` at the next scheduling point. The first failure wins. */
  fail(error: unknown, task?: string): void {
    if (this.failure !== undefined || this.isFinished) return;
    if (task === undefined) {
      this.failure = error;
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    this.failure = new SimulationError("task-failed", this.seed, this.clock, `task "${task}" failed: ${message}`, {
      cause: error,
    });
  }

  /**
   * Tasks have scheduled a huge number of timers without ever all waiting at once: some chain of
   * promises never awaits anything that takes virtual time, so the clock can never advance and the
   * run loop never gets control back. Fail the run, and throw into the task that keeps scheduling.
   */
  private runaway(): never {
    const error = new SimulationError(
      "livelock",
      this.seed,
      this.clock,
      `livelock: tasks scheduled ${MAX_SCHEDULED_WITHOUT_YIELD} timers at virtual time ` +
        `${formatTime(this.clock)} without ever all waiting: a loop keeps going without awaiting ` +
        `anything that takes virtual time (e.g. it awaits only already-settled promises, or cancels ` +
        `each timer it sets). Make the loop sleep for a positive duration.`,
    );
    this.fail(error);
    throw error;
  }

  /** @internal Drives the run; see {@link runSim}. */
  async run<T>(main: (sim: Simulation) => Promise<T>, options: SimOptions): Promise<SimResult<T>> {
    if (isRunning()) {
      throw new SimulationError(
        "misuse",
        this.seed,
        0,
        "runSim: another simulation is already running in this process. Simulations share the " +
          "virtualized globals, so they must run one after another (await each runSim).",
      );
    }
    const virtualBudget = options.virtualBudgetMs ?? 120_000;
    const realBudget = options.realBudgetMs ?? defaultRealBudget();
    const maxPerInstant = options.maxEventsPerInstant ?? 100_000;
    const wallStart = realClock.now();
    const restore = options.virtualizeGlobals === false ? () => {} : virtualizeGlobals(this);
    enter(this);

    let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
    try {
      // Through a Promise constructor, so a `main` that throws synchronously still fails the run
      // through the `finally` below (which restores the globals and leaves the simulation).
      new Promise<T>((resolve) => resolve(main(this))).then(
        (value) => (outcome = { ok: true, value }),
        (error: unknown) => (outcome = { ok: false, error }),
      );
      let atThisInstant = 0;
      let batches = 0;
      let lastLabel = "";
      for (;;) {
        // Let every task run until it waits: all pending microtasks drain before a macrotask.
        await realClock.yieldToMicrotasks();
        this.scheduledSinceYield = 0;
        if (this.failure !== undefined) throw this.failure;
        if (outcome !== undefined) {
          if (!outcome.ok) throw outcome.error;
          break;
        }
        const next = this.queue.peek();
        if (next === undefined) {
          throw new SimulationError(
            "deadlock",
            this.seed,
            this.clock,
            "deadlock: the main task is waiting, but no timer is pending, so nothing can ever wake " +
              "it (every task is blocked on a channel or a promise that nothing will settle). " +
              "Look for a receive with no sender, a send with no receiver, or a forgotten resolve.",
          );
        }
        if (next.time > virtualBudget) {
          throw new SimulationError(
            "virtual-time-budget",
            this.seed,
            this.clock,
            `virtual time budget exceeded: test took longer than ${virtualBudget / 1000} seconds ` +
              `(next event "${next.label}" is due at ${formatTime(next.time)})`,
          );
        }
        if (next.time > this.clock) {
          this.clock = next.time;
          atThisInstant = 0;
        }
        // Fire every event due now that was scheduled before this batch; events they schedule for
        // the same instant run in the next batch, after the microtasks they cause.
        const batchEnd = this.seq;
        for (let ev = this.queue.peek(); ev !== undefined && ev.time === this.clock && ev.seq < batchEnd; ev = this.queue.peek()) {
          this.queue.pop();
          this.fired++;
          atThisInstant++;
          lastLabel = ev.label;
          this.trace.add(this.clock, ev.label);
          try {
            ev.fire();
          } catch (e) {
            this.fail(e, ev.label);
          }
        }
        if (atThisInstant > maxPerInstant) {
          throw new SimulationError(
            "livelock",
            this.seed,
            this.clock,
            `livelock: ${atThisInstant} events ran at virtual time ${formatTime(this.clock)} without ` +
              `the clock advancing (last: "${lastLabel}"). A loop that sleeps 0 ms ` +
              `or re-arms a 0 ms timer never lets time pass; sleep for a positive duration.`,
          );
        }
        if ((++batches & 255) === 0 && realClock.now() - wallStart > realBudget) {
          throw new SimulationError(
            "real-time-budget",
            this.seed,
            this.clock,
            `real-time budget exceeded: the run used more than ${realBudget / 1000} s of wall time ` +
              `(set SIM_REAL_BUDGET_MS to change the limit)`,
          );
        }
      }
    } finally {
      this.isFinished = true;
      leave(this);
      restore();
    }
    return {
      value: outcome.value,
      seed: this.seed,
      virtualMs: this.clock,
      events: this.fired,
      traceHash: this.trace.hash,
      traceLines: this.trace.lines,
      logs: this.logs,
      wallMs: realClock.now() - wallStart,
    };
  }
}

/** See {@link Simulation.runaway}. */
const MAX_SCHEDULED_WITHOUT_YIELD = 2_000_000;

function defaultRealBudget(): number {
  const env = process.env["SIM_REAL_BUDGET_MS"];
  const n = env === undefined ? NaN : Number(env);
  return Number.isFinite(n) && n > 0 ? n : 120_000;
}

/**
 * Runs `main` in a fresh deterministic simulation seeded with `seed` and resolves when `main`
 * finishes. A run is a pure function of (code, seed). Rejects with a {@link SimulationError} on
 * deadlock, livelock, a budget overrun or a failed task, or with whatever `main` throws.
 */
export function runSim<T>(
  seed: string | number,
  main: (sim: Simulation) => Promise<T>,
  options: SimOptions = {},
): Promise<SimResult<T>> {
  return new Simulation(seed, options).run(main, options);
}
