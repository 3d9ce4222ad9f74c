/**
 * HTML visualizer: turns a {@link LinearizationInfo} (from a verbose check) into one
 * self-contained HTML page (no network, no external assets).
 *
 * The page shows, per partition, every client's operations on a timeline, the longest partial
 * linearizations with the model state after each step, where the search got stuck (the illegal
 * next steps, in red) and user annotations. Illegal partitions are listed first.
 *
 * Everything user-supplied (descriptions, states, metadata, annotation text) is embedded as JSON
 * escaped for HTML (`<`, `>`, `&`, U+2028, U+2029 become `\u003c` etc.) and inserted into the
 * DOM as text. Only annotation `details` may be inserted as HTML, and only when the caller opts
 * in with {@link VisualizeOptions.allowHtmlDetails}.
 */

import * as fs from "node:fs";
import * as path from "node:path";
import type { Annotation, CheckResult, LinearizationInfo, Model, PartitionInfo } from "./types.js";
import { formatValue } from "./info.js";
import { PAGE_CSS } from "./visualization/page-css.js";
import { PAGE_SCRIPT } from "./visualization/page-script.js";

/** Options of {@link visualize}, {@link renderVisualization} and {@link visualizeToFile}. */
export interface VisualizeOptions {
  /** Page title. Default `"Porcupine linearizability report"`. */
  title?: string;
  /**
   * At most this many operations are drawn per partition (default 5000). A larger partition is
   * cut to a window of consecutive operations (by call time) around the first illegal step, or
   * its first operations if it has none; the page says what was dropped.
   */
  maxOperationsPerPartition?: number;
  /** At most this many partial linearizations (the longest ones) per partition. Default 10. */
  maxPartialLinearizationsPerPartition?: number;
  /** State descriptions longer than this are cut (with a marker). Default 2000 characters. */
  maxStateDescriptionLength?: number;
  /**
   * Insert annotation `details` as HTML instead of plain text. Default `false`. Only enable this
   * for trusted details: the HTML runs in the page.
   */
  allowHtmlDetails?: boolean;
  /**
   * Overall verdict for the header. Default: derived from the partitions (illegal if any
   * partition is illegal, else unknown if any is unknown, else ok).
   */
  result?: CheckResult;
  /**
   * Open the page at the first error (as if "Jump to first error" had been clicked), when there
   * is one. Default `false`: the page opens at the start of the history.
   */
  openAtFirstError?: boolean;
}

/** What {@link renderVisualization} left out to keep the page small. */
export interface VisualizationNotes {
  /** Human-readable notes, also shown on the page (empty when nothing was capped). */
  notes: string[];
  /** Operations not drawn because of {@link VisualizeOptions.maxOperationsPerPartition}. */
  droppedOperations: number;
  /** Partial linearizations not drawn because of the per-partition cap. */
  droppedPartialLinearizations: number;
  /** State descriptions cut because of {@link VisualizeOptions.maxStateDescriptionLength}. */
  truncatedStateDescriptions: number;
}

/** Result of {@link renderVisualization}: the page and what was capped. */
export interface VisualizationResult extends VisualizationNotes {
  /** The self-contained HTML page. */
  html: string;
}

/** Default of {@link VisualizeOptions.maxOperationsPerPartition}. */
export const DEFAULT_MAX_OPERATIONS_PER_PARTITION = 5000;
/** Default of {@link VisualizeOptions.maxPartialLinearizationsPerPartition}. */
export const DEFAULT_MAX_PARTIAL_LINEARIZATIONS = 10;
/** Default of {@link VisualizeOptions.maxStateDescriptionLength}. */
export const DEFAULT_MAX_STATE_DESCRIPTION_LENGTH = 2000;

// ---------------------------------------------------------------------------------------------
// Page data (the JSON embedded in the page; short keys keep large reports small)
// ---------------------------------------------------------------------------------------------

/** One drawn operation. */
interface PageOp {
  /** Partition-local op id from the checker. */
  id: number;
  /** Client row. */
  c: number;
  /** Start / end rank on the page's time axis. */
  s: number;
  e: number;
  /** Original call / return times. */
  os: string;
  oe: string;
  /** Description. */
  d: string;
  /** Metadata description (omitted when empty). */
  m?: string;
}

/** One drawn partial linearization. */
interface PageLin {
  /** Steps: [index into the partition's `ops`, index into `states`]. */
  steps: [number, number][];
  /** Indices into `ops` of the illegal next steps after this prefix. */
  bad: number[];
  /** Length of the prefix before any operation was dropped from it. */
  len: number;
}

interface PagePartition {
  /** Partition index in the checker's info. */
  index: number;
  result: CheckResult;
  /** Number of operations in the partition / drawn. */
  total: number;
  ops: PageOp[];
  lins: PageLin[];
  /** Per drawn op: index into `lins` of the longest one containing it, or -1. */
  largest: number[];
  /** Partial linearizations recorded by the checker for this partition. */
  totalLins: number;
  /** Note about what was capped in this partition, if anything. */
  note?: string;
  stats?: { stepCalls: number; stepOk: number; cacheEntries: number };
}

interface PageAnnotation {
  /** Tag row (non-empty) or client row. */
  tag?: string;
  c: number;
  s: number;
  e: number;
  point: boolean;
  os: string;
  oe: string;
  d: string;
  details: string;
  tc?: string;
  bg?: string;
}

interface PageData {
  title: string;
  verdict: CheckResult;
  notes: string[];
  allowHtmlDetails: boolean;
  /** Jump to the first error once the page is drawn. */
  openAtFirstError: boolean;
  /** String table for state descriptions (shared prefixes share states). */
  states: string[];
  /** Index into `states` of the initial state's description, or -1 if unknown. */
  initialState: number;
  partitions: PagePartition[];
  annotations: PageAnnotation[];
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/**
 * Renders `info` as one self-contained HTML page.
 *
 * @param model the model the history was checked against; only used to describe the initial
 *   state (everything else is precomputed in `info`).
 * @param info the `LinearizationInfo` returned by a verbose check.
 * @returns the HTML page. Use {@link renderVisualization} to also learn what was capped.
 */
export function visualize<S, I, O>(
  model: Model<S, I, O>,
  info: LinearizationInfo,
  options: VisualizeOptions = {},
): string {
  return renderVisualization(model, info, options).html;
}

/**
 * Like {@link visualize}, but also returns what was left out of the page (operations beyond
 * the per-partition cap, extra partial linearizations, cut state descriptions).
 */
export function renderVisualization<S, I, O>(
  model: Model<S, I, O>,
  info: LinearizationInfo,
  options: VisualizeOptions = {},
): VisualizationResult {
  const { data, notes } = buildPageData(model, info, options);
  return { html: buildHtml(data), ...notes };
}

/**
 * Writes the page of {@link visualize} to `filePath` (creating parent directories).
 *
 * @returns what was left out of the page, as {@link renderVisualization} reports it.
 */
export function visualizeToFile<S, I, O>(
  model: Model<S, I, O>,
  info: LinearizationInfo,
  filePath: string,
  options: VisualizeOptions = {},
): VisualizationNotes {
  const { html, ...notes } = renderVisualization(model, info, options);
  fs.mkdirSync(path.dirname(filePath), { recursive: true });
  fs.writeFileSync(filePath, html, "utf8");
  return notes;
}

/**
 * Serializes `value` as JSON that is safe inside an HTML `<script>` element: `<`, `>`, `&`,
 * U+2028 and U+2029 are written as `\uXXXX` escapes, so no string can close the element.
 */
export function jsonForHtml(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (ch) => "\\u" + ch.charCodeAt(0).toString(16).padStart(4, "0"),
  );
}

// ---------------------------------------------------------------------------------------------
// Building the page data
// ---------------------------------------------------------------------------------------------

const VERDICT_RANK: Record<CheckResult, number> = { illegal: 0, unknown: 1, ok: 2 };

function overallVerdict(partitions: readonly PartitionInfo[]): CheckResult {
  let verdict: CheckResult = "ok";
  for (const p of partitions) {
    if (VERDICT_RANK[p.result] < VERDICT_RANK[verdict]) verdict = p.result;
  }
  return verdict;
}

function positiveInt(value: number | undefined, fallback: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.max(1, Math.floor(value));
}

/**
 * The ops that could be linearized right after `prefix` (a set of op ids): those not in it that
 * were called no later than the earliest return among the ops not in it (closed intervals).
 */
function candidatesAfter(p: PartitionInfo, prefix: ReadonlySet<number>): number[] {
  let minEnd = Infinity;
  p.history.forEach((h, i) => {
    if (!prefix.has(i)) minEnd = Math.min(minEnd, h.end);
  });
  const out: number[] = [];
  p.history.forEach((h, i) => {
    if (!prefix.has(i) && h.start <= minEnd) out.push(i);
  });
  return out;
}

function parseTime(text: string): bigint | undefined {
  try {
    return /^-?\d+$/.test(text.trim()) ? BigInt(text.trim()) : undefined;
  } catch {
    return undefined;
  }
}

function toBigInt(t: number | bigint): bigint {
  return typeof t === "bigint" ? t : BigInt(Math.round(t));
}

/**
 * Places annotation times on the history's normalized time axis: an annotation at an original
 * time that some operation also has gets that operation's normalized time; others fall in
 * between, in order.
 */
function mapAnnotationTimes(info: LinearizationInfo, times: readonly bigint[]): Map<bigint, number> {
  const known = new Map<bigint, number>();
  for (const p of info.partitions) {
    for (const h of p.history) {
      for (const [orig, norm] of [
        [h.originalStart, h.start],
        [h.originalEnd, h.end],
      ] as const) {
        const t = parseTime(orig);
        if (t === undefined) continue;
        const prev = known.get(t);
        if (prev === undefined || norm < prev) known.set(t, norm);
      }
    }
  }
  const anchors = [...known.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const distinct = [...new Set(times)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const result = new Map<bigint, number>();
  if (anchors.length === 0) {
    distinct.forEach((t, i) => result.set(t, i));
    return result;
  }
  // Group the annotation times by the gap between anchors they fall in.
  const groups = new Map<number, bigint[]>(); // gap index -> times (gap i lies before anchors[i])
  let a = 0;
  for (const t of distinct) {
    while (a < anchors.length && (anchors[a]?.[0] ?? 0n) < t) a++;
    const anchor = anchors[a];
    if (anchor !== undefined && anchor[0] === t) {
      result.set(t, anchor[1]);
      continue;
    }
    const group = groups.get(a) ?? [];
    group.push(t);
    groups.set(a, group);
  }
  for (const [gap, group] of groups) {
    const lo = anchors[gap - 1]?.[1];
    const hi = anchors[gap]?.[1];
    group.forEach((t, i) => {
      const m = group.length;
      let v: number;
      if (lo === undefined) v = (hi ?? 0) - (m - i);
      else if (hi === undefined) v = lo + i + 1;
      else v = lo + ((i + 1) / (m + 1)) * (hi - lo);
      result.set(t, v);
    });
  }
  return result;
}

/** Chooses which operations of an over-large partition to draw. */
function chooseWindow(p: PartitionInfo, max: number): { kept: number[]; first: number; last: number } {
  const order = p.history.map((_, i) => i);
  order.sort((x, y) => {
    const a = p.history[x];
    const b = p.history[y];
    if (a === undefined || b === undefined) return 0;
    return a.start - b.start || a.end - b.end || x - y;
  });
  let focus = -1;
  const bad = p.illegalNext?.[0] ?? [];
  if (bad.length > 0) {
    const badSet = new Set(bad);
    focus = order.findIndex((id) => badSet.has(id));
  } else if (p.result !== "ok") {
    const longest = p.partialLinearizations[0];
    const last = longest?.[longest.length - 1];
    if (last !== undefined) focus = order.indexOf(last.index);
  }
  let from = 0;
  if (focus >= 0) {
    from = Math.max(0, focus - Math.floor((max * 3) / 4));
    from = Math.min(from, order.length - max);
  }
  const kept = order.slice(from, from + max).sort((x, y) => x - y);
  return { kept, first: from, last: from + max - 1 };
}

function buildPageData<S, I, O>(
  model: Model<S, I, O>,
  info: LinearizationInfo,
  options: VisualizeOptions,
): { data: PageData; notes: VisualizationNotes } {
  const maxOps = positiveInt(options.maxOperationsPerPartition, DEFAULT_MAX_OPERATIONS_PER_PARTITION);
  const maxLins = positiveInt(
    options.maxPartialLinearizationsPerPartition,
    DEFAULT_MAX_PARTIAL_LINEARIZATIONS,
  );
  const maxState = positiveInt(options.maxStateDescriptionLength, DEFAULT_MAX_STATE_DESCRIPTION_LENGTH);
  const notes: VisualizationNotes = {
    notes: [],
    droppedOperations: 0,
    droppedPartialLinearizations: 0,
    truncatedStateDescriptions: 0,
  };

  const states: string[] = [];
  const stateIds = new Map<string, number>();
  const intern = (text: string): number => {
    let s = text;
    if (s.length > maxState) {
      notes.truncatedStateDescriptions++;
      s = `${s.slice(0, maxState)}… (${s.length - maxState} more characters)`;
    }
    let id = stateIds.get(s);
    if (id === undefined) {
      id = states.length;
      states.push(s);
      stateIds.set(s, id);
    }
    return id;
  };

  let initialState = -1;
  try {
    const init = model.init();
    initialState = intern(model.describeState ? model.describeState(init) : formatValue(init));
  } catch {
    initialState = -1;
  }

  // Annotation times on the normalized axis.
  const annTimes: bigint[] = [];
  for (const a of info.annotations) {
    annTimes.push(toBigInt(a.start));
    if (a.end !== undefined) annTimes.push(toBigInt(a.end));
  }
  const annMap = mapAnnotationTimes(info, annTimes);

  // Final integer ranks over every normalized time on the page.
  const allTimes = new Set<number>();
  for (const p of info.partitions) {
    for (const h of p.history) {
      allTimes.add(h.start);
      allTimes.add(h.end);
    }
  }
  for (const v of annMap.values()) allTimes.add(v);
  const rankOf = new Map<number, number>();
  [...allTimes].sort((a, b) => a - b).forEach((t, i) => rankOf.set(t, i));
  const rank = (t: number): number => rankOf.get(t) ?? 0;

  const partitions: PagePartition[] = info.partitions.map((p, index) => {
    const total = p.history.length;
    const partNotes: string[] = [];
    let kept: number[];
    if (total > maxOps) {
      const w = chooseWindow(p, maxOps);
      kept = w.kept;
      const dropped = total - kept.length;
      notes.droppedOperations += dropped;
      partNotes.push(
        `showing ${kept.length} of ${total} operations (numbers ${w.first + 1}–${w.last + 1} by call time` +
          `${(p.illegalNext?.[0]?.length ?? 0) > 0 ? ", around the first illegal step" : ""}); ` +
          `${dropped} not drawn (maxOperationsPerPartition = ${maxOps})`,
      );
    } else {
      kept = p.history.map((_, i) => i);
    }
    const local = new Map<number, number>();
    kept.forEach((id, k) => local.set(id, k));

    const ops: PageOp[] = kept.map((id) => {
      const h = p.history[id];
      if (h === undefined) throw new Error(`visualize: partition ${index} has no operation ${id}`);
      const op: PageOp = {
        id,
        c: h.clientId,
        s: rank(h.start),
        e: rank(h.end),
        os: h.originalStart,
        oe: h.originalEnd,
        d: h.description,
      };
      if (h.metadata !== undefined && h.metadata !== "") op.m = h.metadata;
      return op;
    });

    const totalLins = p.partialLinearizations.length;
    const linCount = Math.min(totalLins, maxLins);
    if (totalLins > linCount) {
      notes.droppedPartialLinearizations += totalLins - linCount;
      partNotes.push(
        `showing the ${linCount} longest of ${totalLins} partial linearizations ` +
          `(maxPartialLinearizationsPerPartition = ${maxLins})`,
      );
    }
    const lins: PageLin[] = [];
    for (let li = 0; li < linCount; li++) {
      const lin = p.partialLinearizations[li] ?? [];
      const steps: [number, number][] = [];
      for (const step of lin) {
        const k = local.get(step.index);
        if (k !== undefined) steps.push([k, intern(step.stateDescription)]);
      }
      let next = p.illegalNext?.[li];
      if (next === undefined && p.result !== "ok") {
        next = candidatesAfter(p, new Set(lin.map((step) => step.index)));
      }
      const bad: number[] = [];
      for (const id of next ?? []) {
        const k = local.get(id);
        if (k !== undefined) bad.push(k);
      }
      lins.push({ steps, bad, len: lin.length });
    }
    // A partition that failed on its very first step has no recorded prefix: draw an empty one
    // so that the illegal first steps still show.
    if (lins.length === 0 && p.result === "illegal" && p.history.length > 0) {
      const bad = candidatesAfter(p, new Set()).flatMap((id) => {
        const k = local.get(id);
        return k === undefined ? [] : [k];
      });
      lins.push({ steps: [], bad, len: 0 });
    }

    const largest = ops.map(() => -1);
    const capped = kept.length < total || linCount < totalLins;
    if (!capped) {
      for (const [key, li] of Object.entries(p.largest)) {
        const k = local.get(Number(key));
        if (k !== undefined && li < lins.length) largest[k] = li;
      }
    }
    lins.forEach((lin, li) => {
      for (const [k] of lin.steps) if (largest[k] === -1) largest[k] = li;
    });

    const page: PagePartition = { index, result: p.result, total, ops, lins, largest, totalLins };
    if (partNotes.length > 0) {
      page.note = partNotes.join("; ");
      notes.notes.push(`Partition ${index}: ${page.note}.`);
    }
    if (p.stats !== undefined) page.stats = { ...p.stats };
    return page;
  });

  if (notes.truncatedStateDescriptions > 0) {
    notes.notes.push(
      `${notes.truncatedStateDescriptions} state description(s) longer than ${maxState} characters were cut ` +
        `(maxStateDescriptionLength).`,
    );
  }

  const annotations = info.annotations.map((a: Annotation): PageAnnotation => {
    const start = toBigInt(a.start);
    const end = a.end === undefined ? start : toBigInt(a.end);
    const point = end <= start;
    const s = rank(annMap.get(start) ?? 0);
    const out: PageAnnotation = {
      c: a.clientId ?? 0,
      s,
      e: point ? s : rank(annMap.get(end) ?? 0),
      point,
      os: start.toString(),
      oe: (point ? start : end).toString(),
      d: a.description,
      details: a.details ?? "",
    };
    if (a.tag !== undefined && a.tag !== "") out.tag = a.tag;
    if (a.textColor !== undefined && a.textColor !== "") out.tc = a.textColor;
    if (a.backgroundColor !== undefined && a.backgroundColor !== "") out.bg = a.backgroundColor;
    return out;
  });

  const pageNotes = [...notes.notes];
  if (info.stopReason !== undefined && info.stopReason !== "") {
    pageNotes.unshift(`The search stopped early: ${info.stopReason}.`);
  }
  if (info.truncated !== undefined && info.truncated !== "") {
    pageNotes.push(`The checker capped its output: ${info.truncated}.`);
  }

  const data: PageData = {
    title: options.title ?? "Porcupine linearizability report",
    verdict: options.result ?? overallVerdict(info.partitions),
    notes: pageNotes,
    allowHtmlDetails: options.allowHtmlDetails === true,
    openAtFirstError: options.openAtFirstError === true,
    states,
    initialState,
    partitions,
    annotations,
  };
  return { data, notes };
}

// ---------------------------------------------------------------------------------------------
// HTML
// ---------------------------------------------------------------------------------------------

/**
 * Text that is safe as HTML element content or attribute value: `&`, `<`, `>`, `"` and `'`
 * become numeric character references. (For JSON inside a `<script>`, see {@link jsonForHtml}.)
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function buildHtml(data: PageData): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="raftlab porcupine visualizer">
<title>${escapeHtml(data.title)}</title>
<style>
${PAGE_CSS}
</style>
</head>
<body>
<noscript>This report needs JavaScript to draw the timeline.</noscript>
<div id="app"></div>
<script type="application/json" id="porcupine-data">${jsonForHtml(data)}</script>
<script>
${PAGE_SCRIPT}
</script>
</body>
</html>
`;
}
