/**
 * A short log for the tests of the log viewer (src/debug/log-view.test.ts) and of its command line
 * (scripts/logs.test.ts): a tester line, a timer, an election with role marks, a dropped request.
 */
import type { LogEntry } from "../runtime/log-types.js";

/** The log entries of a short 3-peer election. */
export const SAMPLE_LOG: readonly LogEntry[] = [
  { time: 0, peer: "tester", topic: "TEST", message: "Test (3A): initial election" },
  { time: 3, peer: 0, topic: "TIMR", message: "timer reset" },
  { time: 412, peer: 1, topic: "VOTE", message: "asking for votes", mark: { kind: "role", role: "candidate", term: 1 } },
  { time: 415, peer: 2, topic: "VOTE", message: "granting vote to S1" },
  { time: 418, peer: 1, topic: "LEAD", message: "", mark: { kind: "role", role: "leader", term: 1 } },
  { time: 420, peer: "net", topic: "DROP", message: "request lost" },
];
