import type { LogEntry } from "./log-types.js";

/**
 * Formats log lines as text, one per line: `<virtual ms> <TOPIC> <peer> <message>`, e.g.
 * `001234 VOTE S2 granting vote to S0 for T3`. Peers that are numbers print as `S<n>`.
 * `npm run logs` reads this format back (`src/debug/log-reader.ts`), exactly:
 *
 * - a line that carries a structured mark ends with {@link MARK_SEPARATOR} and the mark as JSON:
 *   `001234 LEAD S2 leader for T3 @mark {"kind":"role","role":"leader","term":3}`;
 * - further lines of a multi-line message are indented by {@link CONTINUATION} (two spaces);
 * - lines starting with `#` are comments (the header: test, seed, truncation).
 */
export function formatLog(entries: readonly LogEntry[], header: readonly string[] = []): string {
  const parts: string[] = [];
  for (const h of header) parts.push(`# ${h.replace(/\n/g, " ")}\n`);
  for (const e of entries) parts.push(formatLogLine(e) + "\n");
  return parts.join("");
}

/** What separates a message from the JSON of its mark. */
export const MARK_SEPARATOR = " @mark ";

/** What starts the further lines of a multi-line message. */
export const CONTINUATION = "  ";

/** Formats one log line (see {@link formatLog}); a multi-line message gives several text lines. */
export function formatLogLine(e: LogEntry): string {
  // Whitespace would split the peer field; "S<n>" would read back as a number.
  const peer = typeof e.peer === "number" ? `S${e.peer}` : e.peer.replace(/\s/g, "_") || "_";
  let line = `${formatLogTime(e.time)} ${e.topic} ${peer} ${e.message}`;
  if (e.mark !== undefined) line += MARK_SEPARATOR + JSON.stringify(e.mark);
  // A message that itself contains the separator gets an explicit "no mark", so the reader (which
  // splits at the last separator) still reads it back unchanged.
  else if (e.message.includes(MARK_SEPARATOR.trimEnd())) line += MARK_SEPARATOR + "null";
  return line.includes("\n") ? line.replace(/\r?\n/g, "\n" + CONTINUATION) : line;
}

/** Virtual ms, zero-padded to 6 digits (`001234`); fractions, which are rare, are kept. */
function formatLogTime(ms: number): string {
  const whole = Math.floor(ms);
  const text = String(whole).padStart(6, "0");
  if (ms === whole) return text;
  const s = String(ms);
  return s.includes("e") ? text + ms.toFixed(6).slice(String(whole).length) : text + s.slice(s.indexOf("."));
}
