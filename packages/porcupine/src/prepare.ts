/**
 * Turns user histories into per-partition entry lists for the search, validating them on the
 * way. Every problem is reported as an `Error` naming the offending operation or event index
 * and how to fix it (Go porcupine silently mis-checks such input).
 */

import type { PartitionEntries } from "./search.js";
import type { Event, Model, Operation, Timestamp } from "./types.js";

/** A partition plus what the visualizer needs to show its operations. */
export interface PreparedPartition<I, O> extends PartitionEntries<I, O> {
  /** Client id of each op. */
  clientIds: number[];
  /** Normalized start of each op (rank of the call time, or event position). */
  starts: number[];
  /** Normalized end of each op. */
  ends: number[];
  /** Original start time of each op, as text. */
  originalStarts: string[];
  /** Original end time of each op, as text. */
  originalEnds: string[];
  /** Metadata of each op (the return event's wins for events). */
  metadata: unknown[];
}

/** Throws unless `model` has the required functions. */
export function validateModel(model: unknown): void {
  if (typeof model !== "object" || model === null) {
    throw new TypeError("porcupine: model must be an object with init() and step() functions");
  }
  const m = model as Record<string, unknown>;
  if (typeof m["init"] !== "function") {
    throw new TypeError("porcupine: model.init is missing; define init() returning the initial state");
  }
  if (typeof m["step"] !== "function") {
    throw new TypeError(
      "porcupine: model.step is missing; define step(state, input, output) returning [ok, nextState]",
    );
  }
}

function describeTime(t: unknown): string {
  return typeof t === "bigint" ? `${t}n` : typeof t === "string" ? JSON.stringify(t) : String(t);
}

function checkTimestamp(t: unknown, what: string, where: string): void {
  if (typeof t === "bigint") return;
  if (typeof t === "number" && Number.isSafeInteger(t)) return;
  if (typeof t === "number" && Number.isInteger(t)) {
    throw new RangeError(
      `porcupine: ${where}: ${what} time ${t} is not a safe integer (|t| > 2^53 loses precision); ` +
        `pass it as a bigint (e.g. process.hrtime.bigint())`,
    );
  }
  throw new TypeError(
    `porcupine: ${where}: ${what} time ${describeTime(t)} must be an integer number or a bigint`,
  );
}

/** Validates an operation history's shape and timestamps. */
function validateOperations(history: readonly Operation<unknown, unknown>[], label: string): void {
  if (!Array.isArray(history)) throw new TypeError(`porcupine: ${label} must be an array of operations`);
  for (let i = 0; i < history.length; i++) {
    const op = history[i];
    const where = `${label}[${i}]`;
    if (typeof op !== "object" || op === null) {
      throw new TypeError(`porcupine: ${where} is not an operation object ({input, call, output, return})`);
    }
    checkTimestamp(op.call, "call", where);
    checkTimestamp(op.return, "return", where);
    if (op.return < op.call) {
      throw new RangeError(
        `porcupine: ${where}: return time ${describeTime(op.return)} is earlier than call time ` +
          `${describeTime(op.call)}; an operation must return at or after its call`,
      );
    }
    if (op.clientId !== undefined && !Number.isInteger(op.clientId)) {
      throw new TypeError(`porcupine: ${where}: clientId ${String(op.clientId)} must be an integer`);
    }
  }
}

/**
 * Maps every timestamp to its rank among the distinct values. Order-preserving, so the search
 * sees the same order; bigints become small safe numbers.
 */
function rankTimes(values: Timestamp[]): number[] {
  const anyBig = values.some((v) => typeof v === "bigint");
  if (!anyBig) {
    const nums = values as number[];
    const distinct = Array.from(new Set(nums)).sort((a, b) => a - b);
    const rank = new Map<number, number>();
    distinct.forEach((v, i) => rank.set(v, i));
    return nums.map((v) => rank.get(v)!);
  }
  const bigs = values.map((v) => BigInt(v));
  const distinct = Array.from(new Set(bigs)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const rank = new Map<bigint, number>();
  distinct.forEach((v, i) => rank.set(v, i));
  return bigs.map((v) => rank.get(v)!);
}

function callPartition<T>(fn: ((h: T[]) => T[][]) | undefined, history: T[], name: string): T[][] {
  if (!fn) return [history];
  const parts = fn(history);
  if (!Array.isArray(parts) || !parts.every((p) => Array.isArray(p))) {
    throw new TypeError(`porcupine: model.${name} must return an array of arrays (one per partition)`);
  }
  return parts;
}

/** Validates and prepares an operation history. */
export function prepareOperations<S, I, O>(
  model: Model<S, I, O>,
  history: Operation<I, O>[],
): PreparedPartition<I, O>[] {
  validateModel(model);
  validateOperations(history, "history");
  const parts = callPartition(model.partition?.bind(model), history, "partition");
  // Normalize times over all partitions at once, so partitions share one axis.
  const all: Timestamp[] = [];
  parts.forEach((p, pi) => {
    validateOperations(p, `partition ${pi} (from model.partition)`);
    for (const op of p) all.push(op.call, op.return);
  });
  const ranks = rankTimes(all);
  let r = 0;
  return parts.map((ops) => {
    const n = ops.length;
    const starts = new Array<number>(n);
    const ends = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      starts[i] = ranks[r++]!;
      ends[i] = ranks[r++]!;
    }
    // Sort the 2n entries by time; at equal times calls come first (closed intervals).
    // Array.prototype.sort is stable, so equal-time calls keep operation order.
    const order = Array.from({ length: 2 * n }, (_, k) => k);
    const timeOf = (k: number): number => (k & 1 ? ends[k >> 1]! : starts[k >> 1]!);
    order.sort((a, b) => timeOf(a) - timeOf(b) || (a & 1) - (b & 1));
    const entryOp = new Int32Array(2 * n);
    const entryIsCall = new Uint8Array(2 * n);
    order.forEach((k, i) => {
      entryOp[i] = k >> 1;
      entryIsCall[i] = k & 1 ? 0 : 1;
    });
    return {
      n,
      entryOp,
      entryIsCall,
      inputs: ops.map((o) => o.input),
      outputs: ops.map((o) => o.output),
      clientIds: ops.map((o) => o.clientId ?? 0),
      starts,
      ends,
      originalStarts: ops.map((o) => String(o.call)),
      originalEnds: ops.map((o) => String(o.return)),
      metadata: ops.map((o) => o.metadata),
    };
  });
}

/** Validates call/return pairing of an event list; `label` names it in messages. */
function validateEvents(history: readonly Event<unknown>[], label: string): void {
  if (!Array.isArray(history)) throw new TypeError(`porcupine: ${label} must be an array of events`);
  const callAt = new Map<number, number>();
  const returnAt = new Map<number, number>();
  for (let i = 0; i < history.length; i++) {
    const ev = history[i];
    const where = `${label}[${i}]`;
    if (typeof ev !== "object" || ev === null) {
      throw new TypeError(`porcupine: ${where} is not an event object ({kind, value, id})`);
    }
    if (!Number.isSafeInteger(ev.id)) {
      throw new TypeError(`porcupine: ${where}: id ${String(ev.id)} must be an integer`);
    }
    if (ev.clientId !== undefined && !Number.isInteger(ev.clientId)) {
      throw new TypeError(`porcupine: ${where}: clientId ${String(ev.clientId)} must be an integer`);
    }
    if (ev.kind === "call") {
      const prev = callAt.get(ev.id);
      if (prev !== undefined) {
        throw new Error(
          `porcupine: ${where}: duplicate call id ${ev.id} (already called at ${label}[${prev}]); ` +
            `give every operation its own id`,
        );
      }
      callAt.set(ev.id, i);
    } else if (ev.kind === "return") {
      const prevRet = returnAt.get(ev.id);
      if (prevRet !== undefined) {
        throw new Error(
          `porcupine: ${where}: duplicate return for id ${ev.id} (already returned at ${label}[${prevRet}]); ` +
            `each call needs exactly one return`,
        );
      }
      if (!callAt.has(ev.id)) {
        const later = history.findIndex((e, j) => j > i && e.kind === "call" && e.id === ev.id);
        throw new Error(
          later >= 0
            ? `porcupine: ${where}: return for id ${ev.id} comes before its call at ${label}[${later}]; ` +
                `events must be in real-time order`
            : `porcupine: ${where}: return for id ${ev.id} has no call; add the call event before it`,
        );
      }
      returnAt.set(ev.id, i);
    } else {
      throw new TypeError(
        `porcupine: ${where}: kind ${JSON.stringify(ev.kind)} must be "call" or "return"`,
      );
    }
  }
  for (const [id, at] of callAt) {
    if (!returnAt.has(id)) {
      throw new Error(
        `porcupine: ${label}[${at}]: call with id ${id} has no return; append a return event for ` +
          `operations that never completed (e.g. with an output the model accepts as "unknown")`,
      );
    }
  }
}

/** Validates and prepares an event history. */
export function prepareEvents<S, I, O>(
  model: Model<S, I, O>,
  history: Event<I | O>[],
): PreparedPartition<I, O>[] {
  validateModel(model);
  validateEvents(history, "history");
  const parts = callPartition(model.partitionEvent?.bind(model), history, "partitionEvent");
  return parts.map((events, pi) => {
    validateEvents(events, `partition ${pi} (from model.partitionEvent)`);
    const len = events.length;
    const n = len >> 1;
    const idMap = new Map<number, number>();
    const entryOp = new Int32Array(len);
    const entryIsCall = new Uint8Array(len);
    const inputs = new Array<I>(n);
    const outputs = new Array<O>(n);
    const clientIds = new Array<number>(n).fill(0);
    const starts = new Array<number>(n).fill(0);
    const ends = new Array<number>(n).fill(0);
    const metadata = new Array<unknown>(n).fill(undefined);
    for (let i = 0; i < len; i++) {
      const ev = events[i]!;
      // Ids are renumbered densely in order of first appearance (as Go does).
      let op = idMap.get(ev.id);
      if (op === undefined) {
        op = idMap.size;
        idMap.set(ev.id, op);
      }
      entryOp[i] = op;
      if (ev.kind === "call") {
        entryIsCall[i] = 1;
        inputs[op] = ev.value as I;
        starts[op] = i;
        clientIds[op] = ev.clientId ?? 0;
        metadata[op] = ev.metadata;
      } else {
        outputs[op] = ev.value as O;
        ends[op] = i;
        if (ev.metadata !== undefined) metadata[op] = ev.metadata;
      }
    }
    return {
      n,
      entryOp,
      entryIsCall,
      inputs,
      outputs,
      clientIds,
      starts,
      ends,
      originalStarts: starts.map(String),
      originalEnds: ends.map(String),
      metadata,
    };
  });
}
