import { ambient } from "./current.js";
import type { Simulation } from "./simulation.js";

/**
 * Log topics, after the 6.824 TA's "Debugging by Pretty Printing": each line of a run's log carries
 * one, so a viewer can filter and colour them.
 */
export const TOPICS = [
  "TIMR", "VOTE", "LEAD", "TERM", "LOG1", "LOG2", "CMIT", "APLY", "PERS", "SNAP",
  "DROP", "RPC", "NET", "CLNT", "SRVR", "TEST", "INFO", "WARN", "ERRO", "TRCE",
] as const;

/** One of {@link TOPICS}. */
export type Topic = (typeof TOPICS)[number];

/**
 * A structured fact about a run, attached to a log line so tools (the HTML timeline) need not
 * parse messages. Raft reports its role changes; testers report faults.
 */
export type Mark =
  | { readonly kind: "role"; readonly role: "follower" | "candidate" | "leader"; readonly term: number }
  | { readonly kind: "commit"; readonly index: number }
  | { readonly kind: "snapshot"; readonly index: number }
  | { readonly kind: "crash" }
  | { readonly kind: "restart" }
  | { readonly kind: "disconnect" }
  | { readonly kind: "connect" }
  | { readonly kind: "partition"; readonly groups: readonly (readonly number[])[] }
  | { readonly kind: "rpc"; readonly method: string; readonly from: number; readonly to: number; readonly sent: number };

/** One log line of a simulated run. */
export interface LogEntry {
  /** Virtual ms. */
  readonly time: number;
  /** Peer index, or a name such as "tester" or "net" for lines that belong to no peer. */
  readonly peer: number | string;
  readonly topic: Topic;
  readonly message: string;
  /** A structured fact, for tools; see {@link dmark}. */
  readonly mark?: Mark;
}

/**
 * Logs a line for the running simulation, stamped with virtual time (the `DPrintf` of the labs).
 * When logging is off the call costs one branch; pass a function for messages that are costly to
 * build, and it is only called when logging is on:
 *
 * ```ts
 * dlog(this.me, "VOTE", () => `granting vote to S${args.candidateId} for T${args.term}`);
 * ```
 */
export function dlog(peer: number | string, topic: Topic, message: string | (() => string)): void {
  const sim = ambient();
  if (sim === undefined || !sim.logging || sim.finished) return;
  keep(sim, { time: sim.now(), peer, topic, message: typeof message === "function" ? message() : message });
}

/**
 * Logs a line that also carries a structured {@link Mark}, e.g. a role change:
 * `dmark(this.me, "LEAD", { kind: "role", role: "leader", term }, () => \`leader for T${term}\`)`.
 * Free when logging is off, like {@link dlog}.
 */
export function dmark(peer: number | string, topic: Topic, mark: Mark, message: string | (() => string) = ""): void {
  const sim = ambient();
  if (sim === undefined || !sim.logging || sim.finished) return;
  keep(sim, { time: sim.now(), peer, topic, message: typeof message === "function" ? message() : message, mark });
}

/** Default of `LOG_MAX_LINES`: how many lines of a run's log are kept in memory. */
export const DEFAULT_LOG_MAX_LINES = 300_000;

/** The cap on kept lines: `LOG_MAX_LINES` (read once), else {@link DEFAULT_LOG_MAX_LINES}. */
export function logMaxLines(): number {
  if (maxLines === undefined) {
    const n = Number(process.env["LOG_MAX_LINES"]);
    maxLines = Number.isSafeInteger(n) && n > 0 ? n : DEFAULT_LOG_MAX_LINES;
  }
  return maxLines;
}

/** Overrides `LOG_MAX_LINES` for the rest of the process (tests, tools); undefined re-reads it. */
export function setLogMaxLines(n: number | undefined): void {
  maxLines = n;
}

/** Lines dropped from the front of `sim`'s log to stay under the cap (0 if none). */
export function droppedLogLines(sim: Simulation): number {
  return dropped.get(sim) ?? 0;
}

/**
 * The lines a run keeps, for writing out: the last {@link logMaxLines} of them, with how many
 * earlier lines were dropped.
 */
export function keptLogLines(sim: Simulation, logs: readonly LogEntry[] = sim.logs): { logs: readonly LogEntry[]; dropped: number } {
  const max = logMaxLines();
  const extra = Math.max(0, logs.length - max);
  return { logs: extra > 0 ? logs.slice(extra) : logs, dropped: droppedLogLines(sim) + extra };
}

let maxLines: number | undefined;
const dropped = new WeakMap<Simulation, number>();

/**
 * Appends a line, keeping the log of a long run bounded: once it holds a quarter more lines than
 * the cap, the oldest are dropped in one splice (amortized O(1) per line), so at most 1.25 × cap
 * lines live in memory; {@link keptLogLines} trims to the cap exactly.
 */
function keep(sim: Simulation, entry: LogEntry): void {
  const logs = sim.logs;
  logs.push(entry);
  const max = maxLines ?? logMaxLines();
  if (logs.length > max + (max >> 2)) {
    const n = logs.length - max;
    logs.splice(0, n);
    dropped.set(sim, (dropped.get(sim) ?? 0) + n);
  }
}
