/**
 * One line of text for a message's arguments or reply, as the debugger lists it: fields in order,
 * long arrays as their length and, for log entries, their terms (`entries: 3 [T2 T2 T3]`), long
 * strings cut. Bounded, so a 5 000-byte command costs the recording a few dozen characters.
 */

/** Characters a summary keeps at most. */
const MAX = 200;

/** `value` in one short line. */
export function summarize(value: unknown): string {
  const text = show(value, 0);
  return text.length > MAX ? `${text.slice(0, MAX - 1)}…` : text;
}

function show(v: unknown, depth: number): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === "string") return v.length > 24 ? JSON.stringify(`${v.slice(0, 20)}…`) : JSON.stringify(v);
  if (typeof v !== "object") return String(v);
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  if (depth > 2) return Array.isArray(v) ? `[${v.length}]` : "{…}";
  if (Array.isArray(v)) {
    const terms = v.every((e) => typeof e === "object" && e !== null && "term" in e) ? ` [${v.slice(0, 8).map((e: { term: unknown }) => `T${String(e.term)}`).join(" ")}${v.length > 8 ? " …" : ""}]` : "";
    if (terms !== "") return `${v.length}${terms}`;
    return v.length <= 4 ? `[${v.map((e) => show(e, depth + 1)).join(", ")}]` : `[${v.length} items]`;
  }
  const parts = Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}: ${show(x, depth + 1)}`);
  return depth === 0 ? parts.join(", ") : `{${parts.join(", ")}}`;
}
