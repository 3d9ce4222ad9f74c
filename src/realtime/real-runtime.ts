import { randomInt } from "node:crypto";
import { formatLogLine } from "../runtime/log-format.js";
import type { LogEntry, Mark, Runtime, Timer, Topic } from "../runtime/index.js";
import { CryptoRandom } from "./crypto-random.js";

/** Called when a task started with `go` (or a timer callback) throws: a Go panic. */
export type TaskFailureHandler = (task: string, error: unknown) => void;

/**
 * Where log lines go. `text` receives each line formatted as `src/runtime/log-format.ts` does
 * (what `npm run logs` reads); `entries` receives the structured entries; `marks` only the entries
 * that carry a mark (the node reads Raft's role and commit marks from them). Logging is on when any
 * is set; with `marks` alone, lines without a mark are not built at all and marks come without their
 * message (the text of a debug line costs CPU on every request of a busy node).
 */
export interface LogSink {
  readonly text?: (line: string) => void;
  readonly entries?: (entry: LogEntry) => void;
  readonly marks?: (entry: LogEntry & { readonly mark: Mark }) => void;
}

// The real clock and timers, captured at load: a simulation running in the same process (a test)
// replaces the globals with virtual ones while it runs.
const realNow = performance.now.bind(performance);
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

/** Largest delay Node's timers accept (a signed 32-bit ms count). */
const MAX_DELAY_MS = 2 ** 31 - 1;

/** Ids are `prefix * 2^21 + counter`: a random 32-bit prefix per block of 2^21 ids. */
const IDS_PER_PREFIX = 2 ** 21;

/**
 * The runtime of lab code on Node's own clock, timers and crypto randomness: what a node of a real
 * cluster runs Raft and the KV server on (see `Runtime` for the promises every runtime keeps).
 *
 * - `now()` is `performance.now()`: monotonic milliseconds since the process started.
 * - `go(name, fn)` starts `fn` in a microtask (after the caller yields, as in the simulation); if
 *   it throws or its promise rejects, the failure handler gets the task's name and the error. So
 *   do timer callbacks. The default handler prints both to stderr and exits with status 1.
 * - `uniqueId()` must not collide across the processes of a cluster either (a Clerk's id names
 *   its operations in every server's duplicate table), so ids carry a random 32-bit prefix.
 */
export class RealRuntime implements Runtime {
  readonly random = new CryptoRandom();
  private failureHandler: TaskFailureHandler = exitOnFailure;
  private sink: LogSink = {};
  private idPrefix = 0;
  private idCount = IDS_PER_PREFIX;

  now(): number {
    return realNow();
  }

  sleep(ms: number): Promise<void> {
    checkDelay("sleep", ms);
    return new Promise<void>((resolve) => realSetTimeout(resolve, ms));
  }

  after(ms: number, fn: () => void, label = "timer"): Timer {
    checkDelay("after", ms);
    const handle = realSetTimeout(() => this.guard(label, fn), ms);
    return { cancel: () => realClearTimeout(handle) };
  }

  go(name: string, fn: () => unknown): void {
    queueMicrotask(() => this.guard(name, fn));
  }

  uniqueId(): number {
    if (this.idCount === IDS_PER_PREFIX) {
      // A fresh prefix, never 0, so that no id is below 2^21 (small ids stay free for tests).
      this.idPrefix = 1 + randomInt(2 ** 32 - 1);
      this.idCount = 0;
    }
    return this.idPrefix * IDS_PER_PREFIX + this.idCount++;
  }

  get logging(): boolean {
    return this.sink.text !== undefined || this.sink.entries !== undefined || this.sink.marks !== undefined;
  }

  get marksOnly(): boolean {
    return this.sink.text === undefined && this.sink.entries === undefined && this.sink.marks !== undefined;
  }

  log(peer: LogEntry["peer"], topic: Topic, message: string, mark?: Mark): void {
    // Microseconds are plenty for a log and keep the time column short.
    const time = Math.round(this.now() * 1000) / 1000;
    const marked = mark === undefined ? undefined : { time, peer, topic, message, mark };
    const entry: LogEntry = marked ?? { time, peer, topic, message };
    if (marked !== undefined) this.sink.marks?.(marked);
    this.sink.entries?.(entry);
    this.sink.text?.(formatLogLine(entry) + "\n");
  }

  /** Sets where log lines go; `{}` turns logging off (the default). */
  setLogSink(sink: LogSink): void {
    this.sink = sink;
  }

  /** Sets what happens when a task fails (default: print and exit with status 1). */
  onTaskFailure(handler: TaskFailureHandler): void {
    this.failureHandler = handler;
  }

  /** Runs `fn` as task `name`, handing a throw or a rejection to the failure handler. */
  private guard(name: string, fn: () => unknown): void {
    try {
      const r = fn();
      if (r instanceof Promise) r.catch((e: unknown) => this.failureHandler(name, e));
    } catch (e) {
      this.failureHandler(name, e);
    }
  }
}

function checkDelay(what: string, ms: number): void {
  if (!(ms >= 0) || ms > MAX_DELAY_MS) {
    throw new RangeError(`${what}(${ms}): the delay must be a number of ms between 0 and ${MAX_DELAY_MS}`);
  }
}

/** The default failure handler: a task's failure is a bug, so stop the process loudly. */
function exitOnFailure(task: string, error: unknown): void {
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`fatal: task "${task}" failed: ${detail}\n`);
  process.exit(1);
}
