/**
 * The wall-clock watchdog of simulated runs: a run whose code never yields cannot be stopped from
 * its own thread, so a worker thread watches it (see `watchdog-thread.ts` for how it stops one).
 * One watchdog thread per process, started on the first run and never keeping the process alive.
 */
import { Worker } from "node:worker_threads";
import { WATCHDOG_THREAD_SOURCE } from "./watchdog-thread.js";

/** What the watchdog prints about a hung run. */
export interface WatchedRun {
  readonly test: string;
  readonly fullName: string;
  readonly file: string;
  readonly seed: number;
  readonly replay: string;
  /** Wall ms after which a run that is still going is taken as hung. */
  readonly limitMs: number;
  /** Where the limit comes from, for the message (e.g. "SIM_REAL_BUDGET_MS, default 60000"). */
  readonly limitSource: string;
  /** The stress runner's record file, to which a hung run's record is appended. */
  readonly stressOut: string | undefined;
}

/** A run under watch: tell it the virtual time at each step, and stop it when the run is over. */
export interface Watch {
  step(virtualMs: number): void;
  stop(): void;
}

/**
 * How far past the simulation's own real-time budget the watchdog waits: a run that still steps
 * is stopped by the simulation itself (a normal failure) at the budget; only a run that no longer
 * steps reaches the watchdog.
 */
export const WATCHDOG_GRACE_MS = 5_000;

let thread: Promise<{ worker: Worker; state: Int32Array; clock: Float64Array } | undefined> | undefined;
let generation = 0;

function startThread(): Promise<{ worker: Worker; state: Int32Array; clock: Float64Array } | undefined> {
  const state = new Int32Array(new SharedArrayBuffer(4));
  const clock = new Float64Array(new SharedArrayBuffer(8));
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(WATCHDOG_THREAD_SOURCE, { eval: true, workerData: { state, clock }, stdout: false, stderr: false });
    } catch (e) {
      console.warn(`watchdog: could not start its thread (${e instanceof Error ? e.message : String(e)}); a run that never yields will hang`);
      resolve(undefined);
      return;
    }
    // Wait until it runs: a thread that is still starting when the main thread gets stuck may never
    // start. Unref it only then: until it is online it is what keeps a script's event loop alive
    // (a top-level `await runOnce(...)` in a tsx script would otherwise end as an unsettled await).
    worker.once("online", () => {
      worker.unref();
      resolve({ worker, state, clock });
    });
    worker.once("error", (e) => {
      console.warn(`watchdog: its thread failed (${e.message}); a run that never yields will hang`);
      resolve(undefined);
    });
  });
}

/** Puts a run under the watchdog (starting its thread first if needed). */
export async function watch(run: WatchedRun): Promise<Watch> {
  thread ??= startThread();
  const t = await thread;
  if (t === undefined) return { step() {}, stop() {} };
  const gen = ++generation;
  t.clock[0] = 0;
  t.worker.postMessage({ type: "start", gen, ...run });
  Atomics.store(t.state, 0, gen);
  return {
    step(virtualMs) {
      t.clock[0] = virtualMs;
    },
    stop() {
      Atomics.compareExchange(t.state, 0, gen, 0);
    },
  };
}
