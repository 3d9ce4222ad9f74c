/**
 * The vocabulary of a run's debug log: topics, structured marks and log entries. Shared by the
 * runtimes that produce logs and by the tools that read them (`src/debug`).
 */

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
 * parse messages. Raft reports its role changes; testers report faults; safety monitors report
 * violations.
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
  | { readonly kind: "rpc"; readonly method: string; readonly from: number; readonly to: number; readonly sent: number }
  /**
   * A KV tester's Clerk operation, marked when it returns: client `client` (the tester's numbering
   * of its Clerks, C0, C1, ...) called `op` on `key` at virtual ms `call`; `value` is the argument
   * of a Put or Append, `result` what it returned (a Get's value).
   */
  | { readonly kind: "op"; readonly client: number; readonly op: string; readonly key: string; readonly value?: string; readonly result?: string; readonly call: number }
  /** A server's persister saved a new snapshot of `bytes` bytes (the service's state; marked by the tester's persister). */
  | { readonly kind: "snapshot-saved"; readonly bytes: number }
  /** A safety monitor found `property` violated by `peers` (e.g. "Election Safety", [1, 3]). */
  | { readonly kind: "violation"; readonly property: string; readonly peers: readonly number[] };

/** One log line of a run. */
export interface LogEntry {
  /** Milliseconds since the start of the run (virtual in a simulation). */
  readonly time: number;
  /** Peer index, or a name such as "tester" or "net" for lines that belong to no peer. */
  readonly peer: number | string;
  readonly topic: Topic;
  readonly message: string;
  /** A structured fact, for tools; see `dmark`. */
  readonly mark?: Mark;
}
