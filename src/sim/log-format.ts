import type { LogEntry } from "./log.js";

/**
 * Formats log lines as text, one per line: `<virtual ms> <TOPIC> <peer> <message>`, e.g.
 * `001234 VOTE S2 granting vote to S0 for T3`. Peers that are numbers print as `S<n>`.
 * `npm run logs` reads this format back.
 */
export function formatLog(entries: readonly LogEntry[]): string {
  let out = "";
  for (const e of entries) out += formatLogLine(e) + "\n";
  return out;
}

/** Formats one log line (see {@link formatLog}). */
export function formatLogLine(e: LogEntry): string {
  const peer = typeof e.peer === "number" ? `S${e.peer}` : e.peer;
  return `${String(Math.floor(e.time)).padStart(6, "0")} ${e.topic} ${peer} ${e.message}`;
}
