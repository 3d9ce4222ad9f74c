/**
 * An HTML timeline of a simulated run, built from the structured marks of its log (`dmark`): one
 * row per peer with its role and term over virtual time, crashes, disconnections and partitions,
 * elections, commits and snapshots; the tester's events on a row of their own; in a KV test, a
 * row per Clerk with its operations from invocation to response, and each new snapshot a server saved. The page is
 * self-contained (inline CSS, JS and data; no network), zooms and pans, and shows details on hover.
 *
 * `simTest` writes one per run with `TIMELINE=1`; tools can call {@link renderTimeline} on entries
 * read back from a log file.
 */
import { escapeHtml, jsonForHtml } from "porcupine";
import type { LogEntry, Mark } from "../runtime/log-types.js";

/** Options of {@link renderTimeline} and {@link timelineModel}. */
export interface TimelineOptions {
  /** Page title, e.g. the test name. */
  readonly title?: string;
  /** A line under the title, e.g. `seed 42 · failed`. */
  readonly subtitle?: string;
  /** Where and why the run failed: drawn as a red line. */
  readonly failure?: { readonly time: number; readonly message: string };
  /** Number of peer rows; default: inferred from the entries. */
  readonly peers?: number;
  /** Point events (commits included) embedded at most; the rest are counted as omitted. Default 100 000. */
  readonly maxEvents?: number;
  /** RPC arrows embedded at most (arrows are for small runs). Default 5 000. */
  readonly maxRpcs?: number;
}

/** A role interval of one peer. */
export interface Band {
  readonly peer: number;
  readonly start: number;
  readonly end: number;
  readonly role: "follower" | "candidate" | "leader";
  readonly term: number;
}

/** An interval during which a peer was crashed (`down`) or cut off (`cut`). */
export interface Span {
  readonly peer: number;
  readonly start: number;
  readonly end: number;
  readonly kind: "down" | "cut";
  readonly label: string;
}

/** Kinds of point events. */
export type EventKind =
  | "crash" | "restart" | "disconnect" | "connect" | "partition"
  | "election" | "leader" | "commit" | "snapshot" | "snapshot-saved" | "test" | "error" | "violation";

/** A point event on a peer's row, or on the tester's row (`peer` -1). */
export interface PointEvent {
  readonly peer: number;
  readonly time: number;
  readonly kind: EventKind;
  readonly text: string;
  /** The peer's term at the time, when known. */
  readonly term?: number;
}

/** An RPC from one peer to another, sent at `sent`, logged (delivered) at `time`. */
export interface RpcArrow {
  readonly from: number;
  readonly to: number;
  readonly sent: number;
  readonly time: number;
  readonly method: string;
}

/** A Clerk operation of a KV test, from its invocation (`call`) to its response (`ret`), on its client's row. */
export interface ClientOp {
  /** The tester's number of the Clerk (row C0, C1, ...). */
  readonly client: number;
  readonly call: number;
  readonly ret: number;
  /** get, put, append, ... */
  readonly op: string;
  /** The operation with its key, argument and result, as the hover shows it. */
  readonly text: string;
}

/** Client rows drawn at most; operations of later Clerks are counted as omitted. */
const MAX_CLIENT_ROWS = 40;

/** Everything the page draws; built by {@link timelineModel} and embedded as JSON. */
export interface TimelineModel {
  readonly title: string;
  readonly subtitle: string;
  readonly peers: number;
  /** Virtual ms of the last entry (or of the failure). */
  readonly end: number;
  readonly bands: Band[];
  readonly spans: Span[];
  /** Sorted by time. */
  readonly events: PointEvent[];
  readonly rpcs: RpcArrow[];
  /** Clerk operations (KV tests), sorted by invocation. */
  readonly ops: ClientOp[];
  /** Number of client rows (Clerks C0..C(clients-1)). */
  readonly clients: number;
  readonly failure: { readonly time: number; readonly message: string } | null;
  /** Events and arrows left out by the caps. */
  readonly omitted: number;
}

/** Tester-row topics: what a tester says, not the network's chatter. */
const TESTER_TOPICS: ReadonlySet<string> = new Set(["TEST", "INFO", "WARN", "ERRO", "CLNT"]);
const MAX_TEXT = 400;

/** Builds the {@link TimelineModel} of a run from its log entries (in time order). */
export function timelineModel(entries: readonly LogEntry[], options: TimelineOptions = {}): TimelineModel {
  const peers = options.peers ?? inferPeerCount(entries);
  const maxEvents = options.maxEvents ?? 100_000;
  const maxRpcs = options.maxRpcs ?? 5_000;
  let end = options.failure?.time ?? 0;
  for (const e of entries) end = Math.max(end, e.time);
  end = Math.max(end, 1);

  const bands: Band[] = [];
  const spans: Span[] = [];
  const events: PointEvent[] = [];
  const rpcs: RpcArrow[] = [];
  const ops: ClientOp[] = [];
  let omitted = 0;
  // Per peer: the open role band, crash, and cut.
  const role: ({ start: number; role: Band["role"]; term: number } | undefined)[] = [];
  const down: (number | undefined)[] = [];
  const cut: ({ start: number; label: string } | undefined)[] = [];
  const term: (number | undefined)[] = [];

  const closeBand = (p: number, t: number): void => {
    const r = role[p];
    if (r !== undefined && t > r.start) bands.push({ peer: p, start: r.start, end: t, role: r.role, term: r.term });
    role[p] = undefined;
  };
  const closeCut = (p: number, t: number): void => {
    const c = cut[p];
    if (c !== undefined) spans.push({ peer: p, start: c.start, end: t, kind: "cut", label: c.label });
    cut[p] = undefined;
  };
  const event = (peer: number, time: number, kind: EventKind, text: string): void => {
    if (events.length >= maxEvents) {
      omitted++;
      return;
    }
    const t = peer >= 0 ? term[peer] : undefined;
    const clipped = text.length > MAX_TEXT ? text.slice(0, MAX_TEXT - 3) + "..." : text;
    events.push(t === undefined ? { peer, time, kind, text: clipped } : { peer, time, kind, text: clipped, term: t });
  };
  const isPeer = (p: number | string): p is number => typeof p === "number" && p >= 0 && p < peers;
  // Every peer starts as a follower of term 0 (Raft's initial state), so it has a bar from the
  // start, before its first role mark (a peer that never changes role still shows one).
  for (let p = 0; p < peers; p++) role[p] = { start: 0, role: "follower", term: 0 };

  for (const e of entries) {
    const m: Mark | undefined = e.mark;
    const p = e.peer;
    if (m === undefined) {
      if (isPeer(p) && (e.topic === "ERRO" || e.topic === "WARN")) event(p, e.time, "error", `${e.topic} ${e.message}`);
      else if (!isPeer(p) && TESTER_TOPICS.has(e.topic)) {
        event(-1, e.time, e.topic === "ERRO" || e.topic === "WARN" ? "error" : "test", `${label(p)}: ${e.message}`);
      } else if (isPeer(p) && e.topic === "TEST") event(-1, e.time, "test", `${label(p)}: ${e.message}`);
      continue;
    }
    if (m.kind === "partition") {
      const main = largestGroup(m.groups);
      const text = `partition ${m.groups.map((g) => g.map((x) => `S${x}`).join(" ")).join(" | ")}`;
      for (let g = 0; g < m.groups.length; g++) {
        for (const q of m.groups[g] ?? []) {
          if (!isPeer(q)) continue;
          closeCut(q, e.time);
          if (g !== main) cut[q] = { start: e.time, label: text };
        }
      }
      event(-1, e.time, "partition", withMessage(text, e.message));
      continue;
    }
    if (m.kind === "violation") {
      // On the row of every peer involved, and on the tester's row (a monitor belongs to no peer).
      const text = withMessage(`${m.property} violated`, e.message);
      for (const q of m.peers) if (isPeer(q)) event(q, e.time, "violation", text);
      event(-1, e.time, "violation", text);
      continue;
    }
    if (m.kind === "op") {
      if (m.client < MAX_CLIENT_ROWS && ops.length < maxEvents) ops.push({ client: m.client, call: m.call, ret: e.time, op: m.op, text: opText(m) });
      else omitted++;
      continue;
    }
    if (m.kind === "rpc") {
      if (isPeer(m.from) && isPeer(m.to)) {
        if (rpcs.length < maxRpcs) rpcs.push({ from: m.from, to: m.to, sent: m.sent, time: e.time, method: m.method });
        else omitted++;
      }
      continue;
    }
    if (!isPeer(p)) {
      // A mark that names no peer (e.g. the tester's own crash note): keep it on the tester's row.
      event(-1, e.time, m.kind === "role" ? "test" : m.kind, `${label(p)}: ${m.kind === "snapshot-saved" ? e.message : withMessage(markText(m), e.message)}`);
      continue;
    }
    switch (m.kind) {
      case "role": {
        const r = role[p];
        if (r === undefined || r.role !== m.role || r.term !== m.term) {
          closeBand(p, e.time);
          role[p] = { start: e.time, role: m.role, term: m.term };
        }
        term[p] = m.term;
        if (m.role === "candidate") event(p, e.time, "election", withMessage(`election for T${m.term}`, e.message));
        if (m.role === "leader") event(p, e.time, "leader", withMessage(`leader for T${m.term}`, e.message));
        break;
      }
      case "crash":
        closeBand(p, e.time);
        if (down[p] === undefined) down[p] = e.time;
        event(p, e.time, "crash", withMessage("crash", e.message));
        break;
      case "restart": {
        const d = down[p];
        if (d !== undefined) spans.push({ peer: p, start: d, end: e.time, kind: "down", label: "crashed" });
        down[p] = undefined;
        // A restarted peer is a follower again, of the term it persisted (the last one seen).
        closeBand(p, e.time);
        role[p] = { start: e.time, role: "follower", term: term[p] ?? 0 };
        event(p, e.time, "restart", withMessage("restart", e.message));
        break;
      }
      case "disconnect":
        closeCut(p, e.time);
        cut[p] = { start: e.time, label: "disconnected" };
        event(p, e.time, "disconnect", withMessage("disconnect", e.message));
        break;
      case "connect":
        closeCut(p, e.time);
        event(p, e.time, "connect", withMessage("connect", e.message));
        break;
      case "commit":
        event(p, e.time, "commit", withMessage(`commit index ${m.index}`, e.message));
        break;
      case "snapshot":
        event(p, e.time, "snapshot", withMessage(`snapshot through index ${m.index}`, e.message));
        break;
      case "snapshot-saved":
        event(p, e.time, "snapshot-saved", e.message === "" ? `saved a new snapshot: ${m.bytes} bytes` : e.message);
        break;
    }
  }
  for (let p = 0; p < peers; p++) {
    closeBand(p, end);
    closeCut(p, end);
    const d = down[p];
    if (d !== undefined) spans.push({ peer: p, start: d, end, kind: "down", label: "crashed" });
  }
  events.sort((a, b) => a.time - b.time);
  ops.sort((a, b) => a.call - b.call || a.client - b.client);
  return {
    title: options.title ?? "simulated run",
    subtitle: options.subtitle ?? "",
    peers,
    end,
    bands,
    spans,
    events,
    rpcs,
    ops,
    clients: ops.reduce((n, o) => Math.max(n, o.client + 1), 0),
    failure: options.failure ?? null,
    omitted,
  };
}

function inferPeerCount(entries: readonly LogEntry[]): number {
  let n = 0;
  for (const e of entries) {
    if (typeof e.peer === "number") n = Math.max(n, e.peer + 1);
    if (e.mark?.kind === "partition") for (const g of e.mark.groups) for (const p of g) n = Math.max(n, p + 1);
    if (e.mark?.kind === "rpc") n = Math.max(n, e.mark.from + 1, e.mark.to + 1);
    if (e.mark?.kind === "violation") for (const p of e.mark.peers) n = Math.max(n, p + 1);
  }
  return n;
}

/** `C0 get("k") -> "v"`, `C1 append("k", "x")`. */
function opText(m: Extract<Mark, { kind: "op" }>): string {
  const args = [JSON.stringify(m.key), ...(m.value === undefined ? [] : [JSON.stringify(m.value)])].join(", ");
  return `C${m.client} ${m.op}(${args})${m.result === undefined ? "" : ` -> ${JSON.stringify(m.result)}`}`;
}

/** The index of the largest group (the first among equals): the side that is not shaded. */
function largestGroup(groups: readonly (readonly number[])[]): number {
  let best = 0;
  groups.forEach((g, i) => {
    if (g.length > (groups[best]?.length ?? 0)) best = i;
  });
  return best;
}

function label(p: number | string): string {
  return typeof p === "number" ? `S${p}` : p;
}

/** `what` happened, with the log line's message when it adds something ("crash S2" says it all). */
function withMessage(what: string, message: string): string {
  if (message === "") return what;
  return message.split(" ")[0] === what.split(" ")[0] ? message : `${what} — ${message}`;
}

function markText(m: Mark): string {
  switch (m.kind) {
    case "role":
      return `${m.role} T${m.term}`;
    case "commit":
    case "snapshot":
      return `${m.kind} ${m.index}`;
    case "snapshot-saved":
      return `snapshot saved (${m.bytes} bytes)`;
    case "violation":
      return `${m.property} violated`;
    default:
      return m.kind;
  }
}

/** JSON that is safe inside a `<script>` element (porcupine's `jsonForHtml`: one escaper for both pages). */
export const scriptSafeJson = jsonForHtml;

/** The self-contained HTML page of a run's timeline. */
export function renderTimeline(entries: readonly LogEntry[], options: TimelineOptions = {}): string {
  return renderTimelineModel(timelineModel(entries, options));
}

/** The HTML page of a {@link TimelineModel}. */
function renderTimelineModel(model: TimelineModel): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(model.title)} · timeline</title>
<style>${CSS}</style>
</head>
<body>
<header>
  <div class="titles"><h1>${escapeHtml(model.title)}</h1><div class="sub">${escapeHtml(model.subtitle)}</div></div>
  <div class="controls">
    <button id="zin" title="zoom in (+)">+</button><button id="zout" title="zoom out (−)">−</button><button id="zfit" title="whole run (0)">fit</button>
    <label id="rpcbox" hidden><input type="checkbox" id="rpcs"> RPC arrows</label>
  </div>
</header>
<div class="legend">
  <span><i class="sw follower"></i>follower</span><span><i class="sw candidate"></i>candidate</span><span><i class="sw leader"></i>leader</span>
  <span><i class="sw down"></i>crashed</span><span><i class="sw cut"></i>disconnected / partitioned</span>
  <span><b class="sym" style="color:var(--crash)">✕</b>crash</span><span><b class="sym" style="color:var(--restart)">▲</b>restart</span>
  <span><b class="sym" style="color:var(--candidate-dark)">○</b>election</span><span><b class="sym" style="color:var(--leader-dark)">◆</b>became leader</span>
  <span><b class="sym" style="color:var(--commit)">|</b>commit</span><span><b class="sym" style="color:var(--snap)">■</b>snapshot</span><span><b class="sym" style="color:var(--snap)">□</b>snapshot saved</span>
  <span class="opsleg" hidden><i class="sw op-get"></i>get</span><span class="opsleg" hidden><i class="sw op-put"></i>put / append</span>
  <span><b class="sym" style="color:var(--crash)">★</b>safety violation</span>
  <span class="hint">wheel: zoom · drag or shift+wheel: pan · hover: details</span>
</div>
<div id="chart"><svg id="svg" xmlns="http://www.w3.org/2000/svg"></svg><div id="tip" role="tooltip"></div></div>
<div id="status"></div>
<script type="application/json" id="timeline-data">${scriptSafeJson(model)}</script>
<script>${JS}</script>
</body>
</html>
`;
}

const CSS = `
:root{--bg:#fbfbfc;--fg:#1f2328;--muted:#6a737d;--grid:#e6e8eb;--follower:#d5dfeb;--follower2:#c4d2e3;
--candidate:#f7c64f;--candidate-dark:#b7860b;--leader:#34a063;--leader-dark:#1d6e40;--down:#8a8f98;
--cut:#e8710a;--crash:#d12f1f;--restart:#1e8e3e;--commit:#6f42c1;--snap:#1a73e8;--tester:#454b54}
*{box-sizing:border-box}
body{margin:0;font:13px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg)}
header{display:flex;align-items:flex-end;justify-content:space-between;gap:16px;padding:14px 18px 6px}
h1{font-size:17px;margin:0;font-weight:600}
.sub{color:var(--muted);font-size:12px;margin-top:2px}
.controls{display:flex;gap:6px;align-items:center}
button{font:inherit;min-width:34px;padding:3px 10px;border:1px solid #c9ced6;border-radius:6px;background:#fff;cursor:pointer}
button:hover{background:#f0f2f5}
label{margin-left:8px;color:var(--muted);user-select:none}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;padding:2px 18px 10px;color:var(--muted);font-size:12px;align-items:center}
.legend span{display:inline-flex;align-items:center;gap:5px}
.legend .hint{margin-left:auto;font-style:italic}
.sw{display:inline-block;width:18px;height:11px;border-radius:2px}
.sw.follower{background:var(--follower)}.sw.candidate{background:var(--candidate)}.sw.leader{background:var(--leader)}
.sw.down{background:repeating-linear-gradient(135deg,#6b7079 0 2px,#c9ccd1 2px 5px)}
.sw.cut{background:repeating-linear-gradient(45deg,rgba(232,113,10,.8) 0 2px,rgba(232,113,10,.12) 2px 5px)}
.sym{font-size:12px;width:12px;text-align:center}
#chart{position:relative;margin:0 18px;border:1px solid #dfe2e6;border-radius:8px;background:#fff;overflow:hidden;cursor:grab}
#chart.dragging{cursor:grabbing}
svg{display:block;width:100%;user-select:none}
.rowlabel{font-weight:600;font-size:12px;fill:var(--fg)}
.rowlabel.tester{fill:var(--muted);font-weight:500}
.rowbg{fill:#fff}.rowbg.alt{fill:#f7f8fa}
.gridline{stroke:var(--grid);stroke-width:1}
.axis text{font-size:11px;fill:var(--muted)}
.band{stroke:#fff;stroke-width:1}
.band.follower{fill:var(--follower)}.band.follower.odd{fill:var(--follower2)}
.band.candidate{fill:var(--candidate)}.band.leader{fill:var(--leader)}
.termlabel{font-size:10.5px;fill:#38424f;pointer-events:none}
.termlabel.leader{fill:#fff;font-weight:600}
.down{fill:url(#hatch-down)}
.cut{fill:url(#hatch-cut);stroke:var(--cut);stroke-width:1.2}
.spanlabel{font-size:10.5px;fill:#fff;font-weight:600;pointer-events:none;paint-order:stroke;stroke:#555b64;stroke-width:3px}
.spanlabel.cut{stroke:#b45309}
.commits{stroke:var(--commit);stroke-width:1.3}
.fault.crash{stroke:var(--crash);stroke-width:2.4;stroke-linecap:round}
.fault.restart{fill:var(--restart)}
.fault.disconnect,.fault.connect{stroke:var(--cut);stroke-width:2.4}
.fault.partition{stroke:var(--cut);stroke-width:1;stroke-dasharray:3 3;opacity:.8}
.ev.election{fill:#fff;stroke:var(--candidate-dark);stroke-width:1.6}
.ev.leader{fill:var(--leader-dark);stroke:#fff;stroke-width:1}
.ev.snapshot{fill:var(--snap);stroke:#fff;stroke-width:.8}
.ev.snapshot-saved{fill:#fff;stroke:var(--snap);stroke-width:1.6}
.sw.op-get,.op.get{fill:#9ec5f0;background:#9ec5f0}.sw.op-put,.op.put,.op.append,.op.other{fill:#f4b183;background:#f4b183}
.op{stroke:#5f6b7a;stroke-width:.6}
.rowlabel.client{font-weight:500;fill:var(--muted)}
.ev.test{fill:var(--tester)}.ev.error{fill:var(--crash)}
.ev.violation{fill:var(--crash);stroke:#fff;stroke-width:1}
.ev.partitionmark{fill:var(--cut)}
.rpc{stroke:#5f6b7a;stroke-width:.9;opacity:.55;fill:none}
.failure{stroke:var(--crash);stroke-width:1.5;stroke-dasharray:5 3}
.failurelabel{fill:var(--crash);font-size:11px;font-weight:600}
.cursor{stroke:#9aa3ad;stroke-width:1;stroke-dasharray:2 3;pointer-events:none}
#tip{position:absolute;pointer-events:none;display:none;max-width:440px;background:rgba(28,32,38,.94);color:#f3f4f6;
border-radius:6px;padding:6px 9px;font-size:12px;box-shadow:0 4px 14px rgba(0,0,0,.2);white-space:pre-wrap;word-break:break-word;z-index:2}
#tip b{color:#fff}
#tip .k{color:#aab2bd}
#status{margin:6px 18px 14px;color:var(--muted);font-size:12px}
`;

// The page's script: plain ES2017, no template literals (this file embeds it in one).
const JS = String.raw`
(function () {
  "use strict";
  var M = JSON.parse(document.getElementById("timeline-data").textContent);
  var svg = document.getElementById("svg"), chart = document.getElementById("chart"), tip = document.getElementById("tip");
  var NS = "http://www.w3.org/2000/svg";
  var LABEL_W = 64, AXIS_H = 26, TESTER_H = 28, ROW_H = 34, PAD_R = 14, PAD_B = 8, CLIENT_GAP = 8, CLIENT_H = 18;
  var rowsTop = AXIS_H + TESTER_H;
  var clientsTop = rowsTop + M.peers * ROW_H + CLIENT_GAP;
  var height = rowsTop + M.peers * ROW_H + (M.clients > 0 ? CLIENT_GAP + M.clients * CLIENT_H : 0) + PAD_B;
  if (M.clients > 0) Array.prototype.forEach.call(document.querySelectorAll(".opsleg"), function (el) { el.hidden = false; });
  svg.setAttribute("height", String(height));
  // The view: virtual ms at the left and right edges of the plot.
  var span0 = M.end * 1.02 + 1;
  var v0 = -M.end * 0.01, v1 = v0 + span0;
  var width = 0;
  var showRpcs = M.rpcs.length > 0 && M.rpcs.length <= 600;
  var byRow = {};
  M.events.forEach(function (e) { (byRow[e.peer] = byRow[e.peer] || []).push(e); });
  if (M.rpcs.length > 0) {
    document.getElementById("rpcbox").hidden = false;
    var box = document.getElementById("rpcs");
    box.checked = showRpcs;
    box.addEventListener("change", function () { showRpcs = box.checked; draw(); });
  }
  document.getElementById("status").textContent =
    M.peers + " peers · " + fmt(M.end) + " virtual · " + M.bands.length + " role intervals · " +
    M.events.length + " events" + (M.rpcs.length ? " · " + M.rpcs.length + " RPCs" : "") +
    (M.ops.length ? " · " + M.ops.length + " Clerk operations (" + M.clients + " Clerks)" : "") +
    (M.omitted ? " · " + M.omitted + " omitted (caps)" : "");

  function x(t) { return LABEL_W + (t - v0) / (v1 - v0) * (width - LABEL_W - PAD_R); }
  function tAt(px) { return v0 + (px - LABEL_W) / (width - LABEL_W - PAD_R) * (v1 - v0); }
  function rowY(p) { return p < 0 ? AXIS_H : rowsTop + p * ROW_H; }
  function clientY(c) { return clientsTop + c * CLIENT_H; }
  function fmt(ms) {
    if (Math.abs(ms) < 1000) return (Math.round(ms * 10) / 10) + " ms";
    return (ms / 1000).toFixed(ms < 10000 ? 3 : 2) + " s";
  }
  // A five-pointed star of outer radius r centred on (cx, cy), as an SVG path.
  function star(cx, cy, r) {
    var d = "";
    for (var k = 0; k < 10; k++) {
      var a = Math.PI / 5 * k - Math.PI / 2, rr = k % 2 ? r * 0.45 : r;
      d += (k ? "L" : "M") + (cx + rr * Math.cos(a)).toFixed(1) + "," + (cy + rr * Math.sin(a)).toFixed(1);
    }
    return d + "z";
  }
  function esc(s) { return String(s).replace(/[&<>"]/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; }); }
  function niceStep(raw) {
    var p = Math.pow(10, Math.floor(Math.log10(raw))), m = raw / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  }
  function tickLabel(t, step) {
    if (step >= 1000) return (t / 1000).toFixed(step >= 10000 ? 0 : step >= 1000 && step % 1000 === 0 ? 0 : 1) + " s";
    if (step >= 100 && t >= 1000) return (t / 1000).toFixed(1) + " s";
    if (t >= 1000) return (t / 1000).toFixed(step >= 10 ? 2 : 3) + " s";
    return t + " ms";
  }

  function draw() {
    width = chart.clientWidth;
    svg.setAttribute("width", String(width));
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    var h = [];
    var plotR = width - PAD_R;
    h.push('<defs>' +
      '<pattern id="hatch-down" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(135)"><rect width="6" height="6" fill="#cfd2d7"/><rect width="2.2" height="6" fill="#6b7079"/></pattern>' +
      '<pattern id="hatch-cut" width="7" height="7" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="7" height="7" fill="rgba(232,113,10,0.06)"/><rect width="1.6" height="7" fill="rgba(232,113,10,0.55)"/></pattern>' +
      '<clipPath id="plot"><rect x="' + LABEL_W + '" y="0" width="' + (plotR - LABEL_W) + '" height="' + height + '"/></clipPath>' +
      '<marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0L8,4L0,8z" fill="#5f6b7a"/></marker>' +
      '</defs>');
    // Row backgrounds and labels.
    h.push('<rect class="rowbg alt tester-row" x="0" y="' + AXIS_H + '" width="' + width + '" height="' + TESTER_H + '"/>');
    h.push('<text class="rowlabel tester" x="10" y="' + (AXIS_H + TESTER_H / 2 + 4) + '">tester</text>');
    for (var p = 0; p < M.peers; p++) {
      var y = rowY(p);
      h.push('<rect class="rowbg peer-row' + (p % 2 ? " alt" : "") + '" data-peer="' + p + '" x="0" y="' + y + '" width="' + width + '" height="' + ROW_H + '"/>');
      h.push('<text class="rowlabel" x="14" y="' + (y + ROW_H / 2 + 4) + '">S' + p + '</text>');
    }
    for (var c = 0; c < M.clients; c++) {
      h.push('<rect class="rowbg client-row' + (c % 2 ? " alt" : "") + '" x="0" y="' + clientY(c) + '" width="' + width + '" height="' + CLIENT_H + '"/>');
      h.push('<text class="rowlabel client" x="14" y="' + (clientY(c) + CLIENT_H / 2 + 4) + '">C' + c + '</text>');
    }
    // Axis and grid.
    var step = niceStep((v1 - v0) / Math.max(2, (plotR - LABEL_W) / 110));
    h.push('<g class="axis">');
    for (var t = Math.ceil(v0 / step) * step; t <= v1; t += step) {
      var tx = x(t);
      if (tx < LABEL_W - 0.5 || t < 0) continue;
      h.push('<line class="gridline" x1="' + tx + '" x2="' + tx + '" y1="' + (AXIS_H - 5) + '" y2="' + (height - PAD_B) + '"/>');
      h.push('<text x="' + (tx + 3) + '" y="' + (AXIS_H - 9) + '">' + tickLabel(Math.round(t * 1000) / 1000, step) + '</text>');
    }
    h.push('</g><g clip-path="url(#plot)">');
    // Role bands, with the term written in when there is room.
    var bh = ROW_H - 12;
    M.bands.forEach(function (b) {
      if (b.end < v0 || b.start > v1) return;
      var x0 = Math.max(x(b.start), LABEL_W - 2), x1 = Math.min(x(b.end), plotR + 2);
      var w = Math.max(x1 - x0, 0.8), y = rowY(b.peer) + 6;
      h.push('<rect class="band ' + b.role + (b.role === "follower" && b.term % 2 ? " odd" : "") + '" x="' + x0 + '" y="' + y + '" width="' + w + '" height="' + bh + '"/>');
      if (w > 26) h.push('<text class="termlabel ' + b.role + '" x="' + (x0 + 4) + '" y="' + (y + bh / 2 + 4) + '">T' + b.term + '</text>');
    });
    // Clerk operations, invocation to response, on their client's row.
    M.ops.forEach(function (o) {
      if (o.ret < v0 || o.call > v1) return;
      var x0 = Math.max(x(o.call), LABEL_W - 2), x1 = Math.min(x(o.ret), plotR + 2);
      var kind = o.op === "get" ? "get" : o.op === "put" ? "put" : o.op.indexOf("append") === 0 ? "append" : "other";
      h.push('<rect class="op ' + kind + '" x="' + x0 + '" y="' + (clientY(o.client) + 3) + '" width="' + Math.max(x1 - x0, 2) + '" height="' + (CLIENT_H - 6) + '" rx="2"/>');
    });
    // Crashed and cut-off intervals.
    M.spans.forEach(function (s) {
      if (s.end < v0 || s.start > v1) return;
      var x0 = Math.max(x(s.start), LABEL_W - 2), x1 = Math.min(x(s.end), plotR + 2);
      var y = rowY(s.peer) + (s.kind === "down" ? 6 : 3), hh = s.kind === "down" ? bh : ROW_H - 6;
      h.push('<rect class="' + s.kind + '" x="' + x0 + '" y="' + y + '" width="' + Math.max(x1 - x0, 1) + '" height="' + hh + '" rx="2"/>');
      if (x1 - x0 > 90) h.push('<text class="spanlabel ' + s.kind + '" x="' + (Math.max(x0, LABEL_W) + 9) + '" y="' + (rowY(s.peer) + ROW_H / 2 + 4) + '">' + esc(s.kind === "down" ? "crashed" : s.label) + '</text>');
    });
    // Commit ticks: one path per row.
    for (var q = 0; q < M.peers; q++) {
      var d = "", lastX = -1, yb = rowY(q) + ROW_H - 6;
      (byRow[q] || []).forEach(function (e) {
        if (e.kind !== "commit" || e.time < v0 || e.time > v1) return;
        var cx = Math.round(x(e.time) * 2) / 2;
        if (cx === lastX) return;
        lastX = cx;
        d += "M" + cx + "," + (yb - 7) + "v9";
      });
      if (d) h.push('<path class="commits" d="' + d + '"/>');
    }
    // Point events.
    M.events.forEach(function (e) {
      if (e.kind === "commit" || e.time < v0 || e.time > v1) return;
      var ex = x(e.time), y = rowY(e.peer), mid = y + (e.peer < 0 ? TESTER_H : ROW_H) / 2;
      switch (e.kind) {
        case "crash": h.push('<path class="fault crash" d="M' + (ex - 5) + ',' + (mid - 5) + 'l10,10m0,-10l-10,10"/>'); break;
        case "restart": h.push('<path class="fault restart" d="M' + ex + ',' + (mid - 7) + 'l6,11h-12z"/>'); break;
        case "disconnect": h.push('<path class="fault disconnect" d="M' + ex + ',' + (y + 2) + 'V' + (y + ROW_H - 2) + 'M' + (ex - 4) + ',' + (y + 2) + 'h8"/>'); break;
        case "connect": h.push('<path class="fault connect" d="M' + ex + ',' + (y + 2) + 'V' + (y + ROW_H - 2) + 'M' + (ex - 4) + ',' + (y + ROW_H - 2) + 'h8"/>'); break;
        case "partition":
          h.push('<line class="fault partition" x1="' + ex + '" x2="' + ex + '" y1="' + AXIS_H + '" y2="' + (height - PAD_B) + '"/>');
          h.push('<path class="ev partitionmark" d="M' + ex + ',' + (mid - 6) + 'l6,6l-6,6l-6,-6z"/>'); break;
        case "election": h.push('<circle class="ev election" cx="' + ex + '" cy="' + (y + 6) + '" r="3.6"/>'); break;
        case "leader": h.push('<path class="ev leader" d="M' + ex + ',' + (y + 1) + 'l5,5l-5,5l-5,-5z"/>'); break;
        case "snapshot": h.push('<rect class="ev snapshot" x="' + (ex - 4) + '" y="' + (y + ROW_H - 12) + '" width="8" height="8"/>'); break;
        case "snapshot-saved": h.push('<rect class="ev snapshot-saved" x="' + (ex - 4) + '" y="' + (e.peer < 0 ? mid - 4 : y + 2) + '" width="8" height="8"/>'); break;
        case "error": h.push('<path class="ev error" d="M' + ex + ',' + (mid - 7) + 'l7,7l-7,7l-7,-7z"/>'); break;
        case "violation": h.push('<path class="ev violation" d="' + star(ex, mid, 9) + '"/>'); break;
        default: h.push('<path class="ev test" d="M' + ex + ',' + (mid - 5) + 'l5,5l-5,5l-5,-5z"/>');
      }
    });
    // RPC arrows, when asked for and few enough are in view.
    if (showRpcs) {
      var vis = M.rpcs.filter(function (r) { return r.time >= v0 && r.sent <= v1; });
      if (vis.length <= 1500) vis.forEach(function (r) {
        var ya = rowY(r.from) + ROW_H / 2, yb2 = rowY(r.to) + ROW_H / 2;
        h.push('<line class="rpc" marker-end="url(#arrow)" x1="' + x(r.sent) + '" y1="' + ya + '" x2="' + x(r.time) + '" y2="' + (yb2 + (yb2 > ya ? -5 : 5)) + '"/>');
      });
    }
    if (M.failure) {
      var fx = x(M.failure.time);
      h.push('<line class="failure" x1="' + fx + '" x2="' + fx + '" y1="' + AXIS_H + '" y2="' + (height - PAD_B) + '"/>');
      h.push('<text class="failurelabel" x="' + (fx - 4) + '" y="' + (AXIS_H + 12) + '" text-anchor="end">failed</text>');
    }
    h.push('<line class="cursor" id="cursor" x1="-10" x2="-10" y1="' + AXIS_H + '" y2="' + (height - PAD_B) + '"/>');
    h.push('</g>');
    svg.innerHTML = h.join("");
  }

  // Hover: the nearest point event within a few pixels on the row under the mouse, else the
  // interval (crash, cut, role band) under it.
  function describe(px, py) {
    var t = tAt(px), row;
    if (M.clients > 0 && py >= clientsTop && py < clientsTop + M.clients * CLIENT_H && px >= LABEL_W) {
      var cl = Math.floor((py - clientsTop) / CLIENT_H), slack = 4 / (width - LABEL_W - PAD_R) * (v1 - v0), hits = [];
      M.ops.forEach(function (o) { if (o.client === cl && o.call - slack <= t && t <= o.ret + slack) hits.push(o); });
      if (!hits.length) return null;
      return hits.slice(0, 5).map(function (o) {
        return "<b>" + esc(o.op) + "</b> <span class=k>C" + o.client + " · " + fmt(o.call) + " – " + fmt(o.ret) + " (" + fmt(o.ret - o.call) + ")</span>\n" + esc(o.text);
      }).join("\n");
    }
    if (py >= AXIS_H && py < rowsTop) row = -1;
    else if (py >= rowsTop && py < rowsTop + M.peers * ROW_H) row = Math.floor((py - rowsTop) / ROW_H);
    else return null;
    if (px < LABEL_W) return null;
    var best = null, bestD = 7;
    // Commit ticks sit at the bottom of a row: only there do they take the hover from the band.
    var nearTicks = row >= 0 && py >= rowY(row) + ROW_H - 14;
    (byRow[row] || []).forEach(function (e) {
      if (e.kind === "commit" && !nearTicks) return;
      var dd = Math.abs(x(e.time) - px);
      if (dd < bestD || (dd === bestD && best && e.kind !== "commit")) { best = e; bestD = dd; }
    });
    if (M.failure && Math.abs(x(M.failure.time) - px) < 5) {
      return "<b>run failed</b> at " + fmt(M.failure.time) + "\n" + esc(M.failure.message);
    }
    var who = row < 0 ? "tester" : "S" + row;
    if (best) {
      return "<b>" + esc(best.kind) + "</b> <span class=k>" + who + " · " + fmt(best.time) +
        (best.term !== undefined ? " · T" + best.term : "") + "</span>\n" + esc(best.text);
    }
    if (row < 0) return null;
    var lines = [];
    M.spans.forEach(function (s) {
      if (s.peer === row && s.start <= t && t <= s.end) lines.push("<b>" + (s.kind === "down" ? "crashed" : esc(s.label)) + "</b> <span class=k>" + fmt(s.start) + " – " + fmt(s.end) + "</span>");
    });
    M.bands.forEach(function (b) {
      if (b.peer === row && b.start <= t && t <= b.end) lines.push("<b>" + b.role + "</b>, term " + b.term + " <span class=k>" + fmt(b.start) + " – " + fmt(b.end) + " (" + fmt(b.end - b.start) + ")</span>");
    });
    if (!lines.length) return null;
    return "<span class=k>" + who + " · " + fmt(t) + "</span>\n" + lines.join("\n");
  }

  function local(ev) { var r = svg.getBoundingClientRect(); return { x: ev.clientX - r.left, y: ev.clientY - r.top }; }
  var drag = null;
  chart.addEventListener("mousemove", function (ev) {
    var pt = local(ev);
    if (drag) {
      var dt = (pt.x - drag.x) / (width - LABEL_W - PAD_R) * (v1 - v0);
      v0 = drag.v0 - dt; v1 = drag.v1 - dt; draw(); tip.style.display = "none"; return;
    }
    var c = document.getElementById("cursor");
    if (c) { c.setAttribute("x1", String(pt.x)); c.setAttribute("x2", String(pt.x)); }
    var html = describe(pt.x, pt.y);
    if (!html) { tip.style.display = "none"; return; }
    tip.innerHTML = html;
    tip.style.display = "block";
    var tw = tip.offsetWidth, th = tip.offsetHeight;
    var left = pt.x + 14 + tw > width ? pt.x - tw - 12 : pt.x + 14;
    var top = pt.y + 16 + th > chart.clientHeight ? pt.y - th - 10 : pt.y + 16;
    tip.style.left = Math.max(2, left) + "px"; tip.style.top = Math.max(2, top) + "px";
  });
  chart.addEventListener("mouseleave", function () { tip.style.display = "none"; drag = null; chart.classList.remove("dragging"); });
  chart.addEventListener("mousedown", function (ev) { var pt = local(ev); drag = { x: pt.x, v0: v0, v1: v1 }; chart.classList.add("dragging"); ev.preventDefault(); });
  window.addEventListener("mouseup", function () { drag = null; chart.classList.remove("dragging"); });

  function zoom(factor, atPx) {
    var t = tAt(atPx);
    var nspan = Math.min(Math.max((v1 - v0) * factor, 0.5), span0 * 4);
    var f = (t - v0) / (v1 - v0);
    v0 = t - f * nspan; v1 = v0 + nspan; draw();
  }
  chart.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    if (ev.shiftKey || Math.abs(ev.deltaX) > Math.abs(ev.deltaY)) {
      var d = (ev.shiftKey ? ev.deltaY : ev.deltaX) / (width - LABEL_W - PAD_R) * (v1 - v0);
      v0 += d; v1 += d; draw(); return;
    }
    zoom(Math.exp(ev.deltaY * 0.0015), local(ev).x);
  }, { passive: false });
  function mid() { return LABEL_W + (width - LABEL_W - PAD_R) / 2; }
  function fit() { v0 = -M.end * 0.01; v1 = v0 + span0; draw(); }
  document.getElementById("zin").addEventListener("click", function () { zoom(0.5, mid()); });
  document.getElementById("zout").addEventListener("click", function () { zoom(2, mid()); });
  document.getElementById("zfit").addEventListener("click", fit);
  window.addEventListener("keydown", function (ev) {
    if (ev.key === "+" || ev.key === "=") zoom(0.5, mid());
    else if (ev.key === "-") zoom(2, mid());
    else if (ev.key === "0") fit();
    else if (ev.key === "ArrowLeft" || ev.key === "ArrowRight") {
      var d = (v1 - v0) * 0.2 * (ev.key === "ArrowLeft" ? -1 : 1); v0 += d; v1 += d; draw();
    }
  });
  window.addEventListener("resize", draw);
  draw();
})();
`;
