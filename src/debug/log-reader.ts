/**
 * Reads the text format of `src/sim/log-format.ts` back into {@link LogEntry} values, so tools (the
 * column viewer, the timeline) work from files as well as from a run in memory.
 */
import { CONTINUATION, MARK_SEPARATOR } from "../runtime/log-format.js";
import { TOPICS, type LogEntry, type Mark, type Topic } from "../runtime/log-types.js";

/** A malformed line; the message names the line number and quotes the line. */
export class LogParseError extends Error {
  constructor(
    /** 1-based line number. */
    readonly line: number,
    readonly text: string,
    problem: string,
  ) {
    super(`line ${line}: ${problem}: ${quote(text)}`);
    this.name = "LogParseError";
  }
}

/** One line of a log file as read leniently: an entry, a `#` comment, or anything else. */
export type LogLine =
  | { readonly kind: "entry"; readonly line: number; readonly entry: LogEntry }
  | { readonly kind: "comment"; readonly line: number; readonly text: string }
  | { readonly kind: "other"; readonly line: number; readonly text: string; readonly problem: string };

/** A log file read strictly: its entries and its header comments (without the `# `). */
export interface ParsedLog {
  readonly entries: LogEntry[];
  readonly comments: string[];
}

const TOPIC_SET: ReadonlySet<string> = new Set(TOPICS);
// `<time> <TOPIC> <peer> <message>`; the message may be empty (then even its space may be missing).
const LINE = /^(\d+(?:\.\d+)?) (\S+) (\S+)(?: (.*))?$/s;

/**
 * Reads a whole log strictly: throws a {@link LogParseError} naming the first line that is neither
 * an entry nor a comment, nor blank.
 */
export function parseLog(text: string): ParsedLog {
  const entries: LogEntry[] = [];
  const comments: string[] = [];
  for (const l of readLogLines(text)) {
    if (l.kind === "entry") entries.push(l.entry);
    else if (l.kind === "comment") comments.push(l.text);
    else throw new LogParseError(l.line, l.text, l.problem);
  }
  return { entries, comments };
}

/**
 * Reads a log leniently, line by line: lines that are not entries (test output pasted into the
 * file, a stack trace) come back as `other`, with what is wrong with them, for the viewer to print
 * verbatim. Blank lines are skipped.
 */
export function readLogLines(text: string): LogLine[] {
  const out: LogLine[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? "";
    const lineNo = i + 1;
    if (raw.trim() === "") continue;
    if (raw.startsWith("#")) {
      out.push({ kind: "comment", line: lineNo, text: raw.replace(/^# ?/, "") });
      continue;
    }
    // Gather the continuation lines of a multi-line message.
    let whole = raw;
    while (i + 1 < lines.length && (lines[i + 1] ?? "").startsWith(CONTINUATION)) {
      whole += "\n" + (lines[i + 1] ?? "").slice(CONTINUATION.length);
      i++;
    }
    const parsed = parseEntry(whole);
    out.push(typeof parsed === "string" ? { kind: "other", line: lineNo, text: whole, problem: parsed } : { kind: "entry", line: lineNo, entry: parsed });
  }
  return out;
}

/** Parses one entry (continuation lines already joined with "\n"); a string says what is wrong. */
function parseEntry(text: string): LogEntry | string {
  const m = LINE.exec(text);
  if (m === null) return `expected "<virtual ms> <TOPIC> <peer> <message>"`;
  const [, timeText = "", topic = "", peerText = "", rest = ""] = m;
  if (!TOPIC_SET.has(topic)) return `unknown topic "${topic}" (topics: ${TOPICS.join(" ")})`;
  const s = /^S(\d+)$/.exec(peerText);
  const peer: number | string = s === null ? peerText : Number(s[1]);
  let message = rest;
  let mark: Mark | undefined;
  const at = rest.lastIndexOf(MARK_SEPARATOR);
  if (at >= 0) {
    const json = rest.slice(at + MARK_SEPARATOR.length);
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch (e) {
      return `bad mark JSON after "${MARK_SEPARATOR.trim()}" (${e instanceof Error ? e.message : String(e)})`;
    }
    if (value !== null) {
      const checked = checkMark(value);
      if (typeof checked === "string") return `bad mark: ${checked}`;
      mark = checked;
    }
    message = rest.slice(0, at);
  }
  const entry: LogEntry = { time: Number(timeText), peer, topic: topic as Topic, message };
  return mark === undefined ? entry : { ...entry, mark };
}

/** Validates a parsed mark (a string says what is wrong). */
function checkMark(v: unknown): Mark | string {
  if (!isRecord(v)) return "not an object";
  const nat = (k: string): boolean => Number.isSafeInteger(v[k]) && (v[k] as number) >= 0;
  switch (v["kind"]) {
    case "role":
      if (v["role"] !== "follower" && v["role"] !== "candidate" && v["role"] !== "leader") return `role must be follower, candidate or leader`;
      if (!nat("term")) return "role mark needs a term >= 0";
      return { kind: "role", role: v["role"], term: v["term"] as number };
    case "commit":
    case "snapshot":
      if (!nat("index")) return `${v["kind"]} mark needs an index >= 0`;
      return { kind: v["kind"], index: v["index"] as number };
    case "crash":
    case "restart":
    case "disconnect":
    case "connect":
      return { kind: v["kind"] };
    case "partition": {
      const g = v["groups"];
      if (!Array.isArray(g) || !g.every((x) => Array.isArray(x) && x.every((p) => Number.isSafeInteger(p)))) {
        return "partition mark needs groups: number[][]";
      }
      return { kind: "partition", groups: g as number[][] };
    }
    case "violation": {
      const peers = v["peers"];
      if (typeof v["property"] !== "string" || !Array.isArray(peers) || !peers.every((p) => Number.isSafeInteger(p))) {
        return "violation mark needs property: string and peers: number[]";
      }
      return { kind: "violation", property: v["property"], peers: peers as number[] };
    }
    case "rpc":
      if (typeof v["method"] !== "string" || !nat("from") || !nat("to") || typeof v["sent"] !== "number") {
        return "rpc mark needs method, from, to and sent";
      }
      return { kind: "rpc", method: v["method"], from: v["from"] as number, to: v["to"] as number, sent: v["sent"] };
    default:
      return `unknown kind ${JSON.stringify(v["kind"])}`;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function quote(text: string): string {
  const first = text.split("\n")[0] ?? "";
  return JSON.stringify(first.length > 120 ? first.slice(0, 117) + "..." : first);
}
