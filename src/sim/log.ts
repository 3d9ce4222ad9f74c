import { ambient } from "./current.js";

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

/** One log line of a simulated run. */
export interface LogEntry {
  /** Virtual ms. */
  readonly time: number;
  /** Peer index, or a name such as "tester" or "net" for lines that belong to no peer. */
  readonly peer: number | string;
  readonly topic: Topic;
  readonly message: string;
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
  sim.logs.push({ time: sim.now(), peer, topic, message: typeof message === "function" ? message() : message });
}
