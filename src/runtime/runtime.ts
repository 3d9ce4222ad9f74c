import type { LogEntry, Mark, Topic } from "./log-types.js";

/**
 * What lab code needs from the world it runs in: time, timers, tasks, randomness, unique ids and
 * a debug log. Raft, the KV server and the Clerk use only this (through the ambient functions of
 * `./index.ts`), so the same code runs in the deterministic simulation (`src/sim`, virtual time,
 * seeded randomness) and, later, in real time on Node's clock.
 *
 * Implementations must keep these promises:
 * - `sleep`, `after` and `go` callbacks run one at a time (JavaScript's single thread); a task
 *   switches only at an `await`.
 * - `now()` never decreases.
 * - A task started with `go` that throws fails the run (a Go panic), naming the task.
 */
export interface Runtime {
  /** Milliseconds since the start of the run. */
  now(): number;
  /** Resolves after `ms` milliseconds (`ms` finite and >= 0). */
  sleep(ms: number): Promise<void>;
  /** Runs `fn` after `ms` milliseconds; returns a handle to cancel it. `label` names it in traces. */
  after(ms: number, fn: () => void, label?: string): Timer;
  /** Starts a task (a goroutine) named `name`: it begins once the caller yields. */
  go(name: string, fn: () => unknown): void;
  /** The randomness of the calling task's node. */
  readonly random: RandomSource;
  /** A number that this run has never returned before: a collision-free id (e.g. a Clerk's). */
  uniqueId(): number;
  /** Whether `log` keeps lines (when it does not, callers skip building messages). */
  readonly logging: boolean;
  /**
   * Whether `log` keeps only the lines that carry a {@link Mark}, without their text (a real node
   * that reads Raft's role and commit marks but writes no log): then `dlog` is skipped and `dmark`
   * builds no message. Absent: false.
   */
  readonly marksOnly?: boolean;
  /** Appends a line to the run's debug log, stamped with {@link now}. */
  log(peer: LogEntry["peer"], topic: Topic, message: string, mark?: Mark): void;
  /**
   * Notes that the calling task waits on `what` (e.g. "channel receive") until the returned
   * function is called, for the list of waiting tasks a deadlock prints. Optional: a runtime that
   * prints no such list need not keep it.
   */
  trackWait?(what: string): () => void;
}

/** A cancellable timer handle. */
export interface Timer {
  cancel(): void;
}

/** A source of randomness (seeded in a simulation). */
export interface RandomSource {
  /** A float in [0, 1). */
  float(): number;
  /** An integer in [0, n); `n` must be a positive safe integer. */
  int(n: number): number;
  /** An integer in [lo, hi], inclusive. */
  between(lo: number, hi: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[];
  /** A random string of `n` URL-safe base64 characters (the Go tester's `randstring`). */
  string(n: number): string;
}
