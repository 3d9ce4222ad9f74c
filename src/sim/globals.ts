import type { Timer } from "../runtime/runtime.js";

/** What the virtualized globals need from the running simulation. */
export interface VirtualClockHost {
  now(): number;
  after(ms: number, fn: () => void, label: string): Timer;
  /** The calling task's random stream. */
  caller(): { readonly random: { float(): number } };
  /**
   * Told, for the first calls of each routed global, which one was called and from where (a
   * stack), so that the harness can warn when lab code calls `Math.random` or `Date.now`.
   */
  rerouted?(global: string, stack: string): void;
}

/** Calls of each routed global whose caller is reported (see {@link VirtualClockHost.rerouted}). */
const REPORTED_CALLS = 20;

// The real functions, captured before any simulation can replace them.
const realSetImmediate = globalThis.setImmediate;
const realPerformanceNow = performance.now.bind(performance);

/** Real-time services the simulator itself needs (never given to code under test). */
export const realClock = {
  /** Wall-clock ms, monotonic. */
  now: (): number => realPerformanceNow(),
  /** Resolves after every pending microtask has run. */
  yieldToMicrotasks: (): Promise<void> => new Promise<void>((resolve) => realSetImmediate(resolve)),
};

/** Virtual `Date.now()` starts here: 2026-01-01T00:00:00Z, the same for every run. */
export const VIRTUAL_EPOCH_MS = Date.UTC(2026, 0, 1);

let timeoutIds = 0;

/** A timer handle handed to code that calls the virtualized `setTimeout`/`setInterval`. */
class VirtualTimeout {
  constructor(public timer: Timer | undefined) {}
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  hasRef(): boolean {
    return true;
  }
  /** A distinct number per handle, as Node's timers have, for code that keys timers by it. */
  private readonly id = ++timeoutIds;
  [Symbol.toPrimitive](): number {
    return this.id;
  }
}

type AnyFn = (...args: unknown[]) => unknown;

/** Largest delay Node's timers accept (a signed 32-bit ms count). */
const MAX_TIMER_DELAY = 2 ** 31 - 1;

/**
 * The delay a virtual timer uses for a requested `ms`: like Node, a delay that is not a number in
 * range (NaN, Infinity, above 2^31-1) becomes 1 ms instead of throwing; negative becomes `min`.
 */
function timerDelay(ms: unknown, min: number): number {
  const n = Number(ms ?? 0);
  if (Number.isNaN(n)) return min;
  if (!Number.isFinite(n) || n > MAX_TIMER_DELAY) return 1;
  return Math.max(min, n);
}

/**
 * Routes the global sources of time and randomness to `sim` while it runs, so third-party or
 * student code that calls them stays deterministic. Returns a function that restores the originals.
 *
 * `new Date()` (without arguments) and `crypto` randomness are not routed: lab code should use
 * `now()` and `random` from the simulation runtime.
 */
export function virtualizeGlobals(sim: VirtualClockHost): () => void {
  const g = globalThis as unknown as Record<string, unknown>;
  const saved = {
    random: Math.random,
    dateNow: Date.now,
    perfNow: performance.now,
    setTimeout: g["setTimeout"],
    setInterval: g["setInterval"],
    setImmediate: g["setImmediate"],
    clearTimeout: g["clearTimeout"],
    clearInterval: g["clearInterval"],
    clearImmediate: g["clearImmediate"],
  };
  const realClear = saved.clearTimeout as (h: unknown) => void;
  const realClearInterval = saved.clearInterval as (h: unknown) => void;
  const realClearImmediate = saved.clearImmediate as (h: unknown) => void;

  const calls = new Map<string, number>();
  const report = (name: string): void => {
    if (sim.rerouted === undefined) return;
    const n = calls.get(name) ?? 0;
    if (n >= REPORTED_CALLS) return;
    calls.set(name, n + 1);
    sim.rerouted(name, new Error().stack ?? "");
  };
  Math.random = () => {
    report("Math.random");
    return sim.caller().random.float();
  };
  Date.now = () => {
    report("Date.now");
    return VIRTUAL_EPOCH_MS + Math.floor(sim.now());
  };
  performance.now = () => {
    report("performance.now");
    return sim.now();
  };
  g["setTimeout"] = (fn: AnyFn, ms?: number, ...args: unknown[]) => {
    report("setTimeout");
    return new VirtualTimeout(sim.after(timerDelay(ms, 0), () => fn(...args), "setTimeout"));
  };
  g["setImmediate"] = (fn: AnyFn, ...args: unknown[]) =>
    new VirtualTimeout(sim.after(0, () => fn(...args), "setImmediate"));
  g["setInterval"] = (fn: AnyFn, ms?: number, ...args: unknown[]) => {
    // Node runs a 0 ms interval every 1 ms; do the same so the clock advances.
    const period = timerDelay(ms, 1);
    const handle = new VirtualTimeout(undefined);
    const tick = (): void => {
      handle.timer = sim.after(period, tick, "setInterval");
      fn(...args);
    };
    handle.timer = sim.after(period, tick, "setInterval");
    return handle;
  };
  const clear = (real: (h: unknown) => void) => (h: unknown) => {
    if (h instanceof VirtualTimeout) h.timer?.cancel();
    else real(h);
  };
  g["clearTimeout"] = clear(realClear);
  g["clearInterval"] = clear(realClearInterval);
  g["clearImmediate"] = clear(realClearImmediate);

  return () => {
    Math.random = saved.random;
    Date.now = saved.dateNow;
    performance.now = saved.perfNow;
    g["setTimeout"] = saved.setTimeout;
    g["setInterval"] = saved.setInterval;
    g["setImmediate"] = saved.setImmediate;
    g["clearTimeout"] = saved.clearTimeout;
    g["clearInterval"] = saved.clearInterval;
    g["clearImmediate"] = saved.clearImmediate;
  };
}
