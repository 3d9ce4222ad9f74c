/**
 * Renders a log in columns, one per peer, after the 6.824 TA's `dslogs`: each line goes in its
 * peer's column, coloured by topic; lines of the tester, the network or anything that is not a peer
 * span all columns. Pure (string in, strings out), so it is unit-tested without a terminal.
 */
import { createColors } from "picocolors";
import type { LogEntry, Mark, Topic } from "../runtime/log-types.js";
import type { LogLine } from "./log-reader.js";

/** Options of {@link renderColumns}. */
export interface ViewOptions {
  /** Number of peer columns; default: one more than the largest peer number seen. */
  readonly peers?: number;
  /** Total width in characters. Default 120. */
  readonly width?: number;
  /** ANSI colours. Default false. */
  readonly color?: boolean;
  /** Show only these topics (other lines – comments, unparsed lines – are kept). */
  readonly just?: ReadonlySet<Topic>;
  /** Hide these topics. */
  readonly ignore?: ReadonlySet<Topic>;
}

type Paint = (s: string) => string;
type Colors = ReturnType<typeof createColors>;

/** The colour of each topic (dslogs' palette, plus this project's extra topics). */
function topicPaint(c: Colors): Record<Topic, Paint> {
  return {
    TIMR: c.gray, VOTE: c.cyan, LEAD: c.yellow, TERM: c.green,
    LOG1: c.blue, LOG2: c.blueBright, CMIT: c.magenta, APLY: c.magentaBright,
    PERS: c.white, SNAP: c.cyanBright, DROP: c.gray, RPC: c.dim,
    NET: c.gray, CLNT: c.greenBright, SRVR: c.yellowBright, TEST: (s) => c.bold(c.white(s)),
    INFO: c.white, WARN: (s) => c.bold(c.yellow(s)), ERRO: (s) => c.bold(c.red(s)), TRCE: c.red,
  };
}

/** Width of the time column ("  1234 "). */
const TIME_WIDTH = 7;
/** Columns narrower than this overflow the requested width instead. */
const MIN_COLUMN = 14;

/** A short text for a mark, e.g. `[leader T3]`, `[commit 12]`, `[partition 0,1|2]`. */
export function describeMark(m: Mark): string {
  switch (m.kind) {
    case "role":
      return `[${m.role} T${m.term}]`;
    case "commit":
    case "snapshot":
      return `[${m.kind} ${m.index}]`;
    case "partition":
      return `[partition ${m.groups.map((g) => g.join(",")).join("|")}]`;
    case "rpc":
      return `[${m.method} S${m.from}->S${m.to} sent ${m.sent}]`;
    default:
      return `[${m.kind}]`;
  }
}

/** The number of peers a log mentions: one more than the largest peer number (0 if none). */
export function inferPeers(entries: Iterable<LogEntry>): number {
  let n = 0;
  for (const e of entries) {
    if (typeof e.peer === "number") n = Math.max(n, e.peer + 1);
    if (e.mark?.kind === "rpc") n = Math.max(n, e.mark.from + 1, e.mark.to + 1);
    if (e.mark?.kind === "partition") for (const g of e.mark.groups) for (const p of g) n = Math.max(n, p + 1);
  }
  return n;
}

/**
 * Renders lines (from `readLogLines`, or entries) as text lines, without trailing newlines.
 * Entries keep their order; each gets its virtual time in the first column.
 */
export function renderColumns(input: readonly (LogLine | LogEntry)[], options: ViewOptions = {}): string[] {
  const lines: LogLine[] = input.map((x, i) => ("kind" in x ? x : { kind: "entry", line: i + 1, entry: x }));
  const c = createColors(options.color ?? false);
  const paint = topicPaint(c);
  const entries = lines.flatMap((l) => (l.kind === "entry" ? [l.entry] : []));
  const peers = Math.max(1, options.peers ?? inferPeers(entries));
  const width = options.width ?? 120;
  const colWidth = Math.max(MIN_COLUMN, Math.floor((width - TIME_WIDTH) / peers));
  const fullWidth = TIME_WIDTH + colWidth * peers;
  const out: string[] = [];

  // Column titles.
  let title = " ".repeat(TIME_WIDTH);
  for (let p = 0; p < peers; p++) title += pad(`S${p}`, colWidth);
  out.push(c.bold(title.trimEnd()));
  out.push(c.dim("-".repeat(fullWidth)));

  for (const l of lines) {
    if (l.kind === "comment") {
      out.push(c.dim(`# ${l.text}`));
      continue;
    }
    if (l.kind === "other") {
      // Not a log line (test output, a stack trace): verbatim, under a rule, like dslogs.
      out.push(c.dim("#".repeat(Math.min(fullWidth, 40))), l.text);
      continue;
    }
    const e = l.entry;
    if (options.just !== undefined && !options.just.has(e.topic)) continue;
    if (options.ignore?.has(e.topic) === true) continue;
    // A mark speaks for a line only when the line says nothing itself (messages usually say it).
    const body = e.message === "" && e.mark !== undefined ? describeMark(e.mark) : e.message;
    const time = String(Math.floor(e.time)).padStart(TIME_WIDTH - 1) + " ";
    const col = typeof e.peer === "number" && e.peer < peers ? e.peer : undefined;
    const p = paint[e.topic];
    if (e.mark?.kind === "violation") {
      // A safety monitor's finding: a banner across all columns, then its explanation line by line.
      const who = e.mark.peers.map((q) => `S${q}`).join(" ");
      out.push(c.dim(time) + c.bold(c.red(`!!! SAFETY VIOLATION: ${e.mark.property}${who === "" ? "" : ` (${who})`} !!!`)));
      for (const w of wrap(body, fullWidth - TIME_WIDTH)) out.push(" ".repeat(TIME_WIDTH) + c.red(w));
      continue;
    }
    if (col === undefined) {
      // Tester, network, clients, or a peer beyond --peers: across all columns.
      const who = typeof e.peer === "number" ? `S${e.peer}` : e.peer;
      const text = `${e.topic} ${who}: ${body}`;
      const wrapped = wrap(text, fullWidth - TIME_WIDTH);
      wrapped.forEach((w, i) => out.push(c.dim(i === 0 ? time : " ".repeat(TIME_WIDTH)) + p(w)));
      continue;
    }
    const wrapped = wrap(`${e.topic} ${body}`, colWidth - 1);
    wrapped.forEach((w, i) => {
      const lead = " ".repeat(col * colWidth);
      out.push(c.dim(i === 0 ? time : " ".repeat(TIME_WIDTH)) + lead + p(w));
    });
  }
  return out;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}

/** Wraps `text` to lines of at most `width` characters, at spaces when possible. */
export function wrap(text: string, width: number): string[] {
  const w = Math.max(1, width);
  const out: string[] = [];
  for (const para of text.split("\n")) {
    let rest = para;
    while (rest.length > w) {
      let cut = rest.lastIndexOf(" ", w);
      if (cut <= 0) cut = w;
      out.push(rest.slice(0, cut).trimEnd());
      rest = rest.slice(cut).trimStart();
    }
    out.push(rest);
  }
  return out;
}
