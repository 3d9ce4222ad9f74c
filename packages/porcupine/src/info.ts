/**
 * Builds the plain-data {@link LinearizationInfo} from finished searches, and the default
 * describers.
 */

import type { PreparedPartition } from "./prepare.js";
import { SearchStatus, type PartitionSearch } from "./search.js";
import type {
  Annotation,
  CheckResult,
  HistoryElement,
  LinearizationInfo,
  LinearizationStep,
  Model,
  PartitionInfo,
  StepContext,
  StopInfo,
} from "./types.js";

/** Upper bound on the total size of state descriptions kept in one info (characters). */
const MAX_DESCRIPTION_CHARS = 64 * 1024 * 1024;

const NEVER_CANCELLED: StepContext = { cancelled: () => false };

/** Default text form of a value: strings as-is, objects as JSON (bigints as decimal). */
export function formatValue(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "object" && v !== null) {
    try {
      return JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x));
    } catch {
      return String(v);
    }
  }
  return String(v);
}

/** `describeOperation` with the default (`input -> output`). */
export function describeOperationOf<I, O>(
  model: { describeOperation?(input: I, output: O): string },
  input: I,
  output: O,
): string {
  return model.describeOperation
    ? model.describeOperation(input, output)
    : `${formatValue(input)} -> ${formatValue(output)}`;
}

/** `describeState` with the default. */
export function describeStateOf<S, I, O>(model: Model<S, I, O>, state: S): string {
  return model.describeState ? model.describeState(state) : formatValue(state);
}

function describeMetadataOf<S, I, O>(model: Model<S, I, O>, m: unknown): string | undefined {
  if (m === undefined) return undefined;
  return model.describeOperationMetadata ? model.describeOperationMetadata(m) : formatValue(m);
}

function statusResult(status: SearchStatus): CheckResult {
  return status === SearchStatus.Ok ? "ok" : status === SearchStatus.Illegal ? "illegal" : "unknown";
}

/** Collects the info of every partition after a verbose run. */
export function buildInfo<S, I, O>(
  model: Model<S, I, O>,
  partitions: PreparedPartition<I, O>[],
  searches: PartitionSearch<S, I, O>[],
  stop: StopInfo | undefined,
): LinearizationInfo {
  const budget = { chars: MAX_DESCRIPTION_CHARS, dropped: 0 };
  const infos = partitions.map((p, pi) => partitionInfo(model, p, searches[pi]!, budget));
  const info: LinearizationInfo = { partitions: infos, annotations: [] };
  if (budget.dropped > 0) {
    info.truncated =
      `${budget.dropped} shorter partial linearization(s) dropped: state descriptions exceeded ` +
      `${MAX_DESCRIPTION_CHARS} characters`;
  }
  if (stop !== undefined) {
    info.stopReason = stop.message;
    info.stop = stop;
  }
  return info;
}

function partitionInfo<S, I, O>(
  model: Model<S, I, O>,
  p: PreparedPartition<I, O>,
  search: PartitionSearch<S, I, O>,
  budget: { chars: number; dropped: number },
): PartitionInfo {
  const history: HistoryElement[] = [];
  for (let i = 0; i < p.n; i++) {
    const el: HistoryElement = {
      clientId: p.clientIds[i]!,
      start: p.starts[i]!,
      end: p.ends[i]!,
      originalStart: p.originalStarts[i]!,
      originalEnd: p.originalEnds[i]!,
      description: describeOperationOf(model, p.inputs[i]!, p.outputs[i]!),
    };
    const meta = describeMetadataOf(model, p.metadata[i]);
    if (meta !== undefined) el.metadata = meta;
    history.push(el);
  }
  // Distinct recorded prefixes (by identity, as Go), longest first; the sort is stable, so
  // ties keep the order of first appearance by op id (deterministic, unlike Go's map order).
  const seen = new Set<Int32Array>();
  for (const seq of search.longest) if (seq !== undefined) seen.add(seq);
  const seqs = [...seen].sort((a, b) => b.length - a.length);
  const partials: LinearizationStep[][] = [];
  const kept: Int32Array[] = [];
  for (const seq of seqs) {
    const steps = replay(model, p, seq);
    const chars = steps.reduce((acc, s) => acc + s.stateDescription.length, 0);
    if (chars > budget.chars && partials.length > 0) {
      budget.dropped++;
      continue;
    }
    budget.chars -= chars;
    partials.push(steps);
    kept.push(seq);
  }
  const largest: Record<number, number> = {};
  kept.forEach((seq, k) => {
    for (const op of seq) if (!(op in largest)) largest[op] = k;
  });
  const result = statusResult(search.status);
  const info: PartitionInfo = {
    history,
    partialLinearizations: partials,
    largest,
    result,
    stats: { stepCalls: search.stepCalls, stepOk: search.stepOk, cacheEntries: search.cacheEntries },
  };
  if (result !== "ok") info.illegalNext = kept.map((seq) => nextCandidates(p, seq));
  return info;
}

/** Re-runs a linearization from the initial state to describe the state after each op. */
function replay<S, I, O>(model: Model<S, I, O>, p: PreparedPartition<I, O>, seq: Int32Array): LinearizationStep[] {
  let state = model.init();
  const out: LinearizationStep[] = [];
  for (const op of seq) {
    const [ok, next] = model.step(state, p.inputs[op]!, p.outputs[op]!, NEVER_CANCELLED);
    if (!ok) {
      throw new Error(
        `porcupine: replaying a linearization, model.step rejected op ${op} ` +
          `(${describeOperationOf(model, p.inputs[op]!, p.outputs[op]!)}) that it accepted during the ` +
          `search; step must be pure and deterministic`,
      );
    }
    state = next;
    out.push({ index: op, stateDescription: describeStateOf(model, state) });
  }
  return out;
}

/**
 * The ops that could be linearized right after `seq`: not in it, and called (in entry order)
 * before the first return among the ops not in it.
 */
function nextCandidates<I, O>(p: PreparedPartition<I, O>, seq: Int32Array): number[] {
  const inSeq = new Uint8Array(p.n);
  for (const op of seq) inSeq[op] = 1;
  const out: number[] = [];
  for (let i = 0; i < p.entryOp.length; i++) {
    const op = p.entryOp[i]!;
    if (inSeq[op]) continue;
    if (p.entryIsCall[i] === 0) break;
    out.push(op);
  }
  return out;
}

/**
 * Appends annotations to an info (copies them). An `end` earlier than `start`, or a missing one,
 * becomes `start`: a point-in-time annotation.
 */
export function addAnnotations(info: LinearizationInfo, annotations: readonly Annotation[]): void {
  for (const a of annotations) {
    const copy: Annotation = { ...a };
    if (copy.end === undefined || copy.end < copy.start) copy.end = copy.start;
    info.annotations.push(copy);
  }
}
