/**
 * The `porcupine` command: `porcupine check [options] FILE...` (in this repository also
 * `npx porcupine check …` or `npm run porcupine -- check …`).
 *
 * Checks history files for linearizability and prints one verdict line per file; an "unknown"
 * verdict is followed by which limit stopped the search and how to go further.
 * Exit status: 0 all linearizable, 1 some history is not linearizable, 2 bad input or usage,
 * 3 some check was inconclusive (a limit stopped it). Precedence when files differ: 2, then 1,
 * then 3.
 */

import { readFileSync } from "node:fs";
import { totalmem } from "node:os";
import { getHeapStatistics } from "node:v8";
import path from "node:path";
import { parseArgs } from "node:util";
import { createColors } from "./colors.js";
import { checkEventsDetailed, checkEventsVerbose, checkOperationsDetailed, checkOperationsVerbose } from "./checker.js";
import { BYTES_PER_CONFIGURATION, type CheckOptions, type CheckResult, type Event, type Model, type Operation, type StopInfo, type VerboseResult } from "./types.js";
import { etcdModel } from "./models/etcd.js";
import {
  HistoryParseError,
  isHistoryModelName,
  parseJepsenEtcdLog,
  parseJsonHistory,
  parseKvLog,
  type HistoryModelName,
} from "./models/history-files.js";
import { kvModel, kvNoPartitionModel } from "./models/kv.js";
import { formatBytes, formatCount, formatMs } from "./scheduler.js";

/** Exit statuses of the CLI. */
export const ExitCode = { Ok: 0, Illegal: 1, BadInput: 2, Unknown: 3 } as const;

/** Time budget of the verbose (visualization) pass when no --timeout is given, in ms. */
const DEFAULT_HTML_TIMEOUT_MS = 10_000;

/** The CLI's help text. */
export const HELP = `Usage: porcupine check [options] FILE...
       (in this repository: npx porcupine check ... or npm run porcupine -- check ...)

Checks each history FILE for linearizability and prints one line per file:
  FILE  VERDICT  ops=N partitions=P  TIME
An "unknown" verdict is followed by the limit that stopped the search and how to go further.

Formats (detected from the content):
  Jepsen etcd logs   INFO  jepsen.util - <proc> :invoke :write 3          (model etcd)
  kv EDN logs        {:process 0, :type :invoke, :f :get, :key "k", :value nil}   (model kv)
  JSON               {"model": "kv", "operations": [{"clientId": 0,
                       "input": {"op": "put", "key": "k", "value": "v"}, "call": 0,
                       "output": {"value": ""}, "return": 10}, ...]}
                     ops: get|put|append|cas ({"op":"cas","key","expected","value"} -> {"ok"});
                     etcd ops: {"op":"read"|"write"|"cas","arg1","arg2"} ->
                     {"exists","value","ok","unknown"}; times may be decimal strings (> 2^53).

Options:
  --model kv|etcd|kv-nopartition   model to check against (default: from the file format;
                                   kv-nopartition checks kv histories without partitioning)
  --timeout MS                     give up after MS milliseconds per file (verdict "unknown")
  --max-cache N                    give up once the search has cached N configurations
                                   (a memory bound; default: what fits this machine's memory)
  --max-steps N                    give up after N step calls (the same verdict on any machine)
  --strategy pruned|wgl            pruned (default): use what the outputs imply to cut the
                                   search; wgl: Go porcupine's search, step for step
  --html OUT.html                  also write a visualization (with several files, the file's
                                   name is inserted: OUT.<file>.html)
  -h, --help                       show this help

Exit status: 0 all linearizable, 1 some history is not linearizable, 2 bad input or usage,
3 some check was stopped by a limit (and none failed).`;

/** Where the CLI writes; injectable for tests. */
export interface CliIo {
  /** Normal output. */
  out(line: string): void;
  /** Errors. */
  err(line: string): void;
  /** Whether to use colors. */
  color: boolean;
}

type AnyModel = Model<unknown, unknown, unknown>;

const MODELS: Record<HistoryModelName, AnyModel> = {
  kv: kvModel as unknown as AnyModel,
  "kv-nopartition": kvNoPartitionModel as unknown as AnyModel,
  etcd: etcdModel as unknown as AnyModel,
};

/** A parsed file: events (logs) or operations (JSON), and the model its format implies. */
type Loaded =
  | { kind: "events"; format: "etcd" | "kv"; history: Event<unknown>[] }
  | { kind: "operations"; format: HistoryModelName; history: Operation<unknown, unknown>[] };

function family(m: HistoryModelName): "etcd" | "kv" {
  return m === "etcd" ? "etcd" : "kv";
}

function load(file: string): Loaded {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new HistoryParseError(file, undefined, `cannot read: ${(e as Error).message}`);
  }
  const head = text.trimStart();
  if (file.endsWith(".json") || head.startsWith("{\"") || head.startsWith("{\n") || head.startsWith("{ ")) {
    const h = parseJsonHistory(text, file);
    return { kind: "operations", format: h.model, history: h.operations as Operation<unknown, unknown>[] };
  }
  if (head.startsWith("{:")) return { kind: "events", format: "kv", history: parseKvLog(text, file) as Event<unknown>[] };
  if (head.startsWith("INFO") || head === "") {
    return { kind: "events", format: "etcd", history: parseJepsenEtcdLog(text, file) as Event<unknown>[] };
  }
  throw new HistoryParseError(file, 1, "unknown format; expected a Jepsen etcd log, a kv EDN log or a JSON history (see --help)");
}

function htmlPathFor(base: string, file: string, many: boolean): string {
  if (!many) return base;
  const ext = path.extname(base) || ".html";
  return `${base.slice(0, base.length - path.extname(base).length)}.${path.basename(file)}${ext}`;
}

/** Runs the CLI with `args` (without `node script`); resolves to the exit status. */
export async function main(args: string[], io: CliIo = defaultIo()): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        model: { type: "string" },
        timeout: { type: "string" },
        "max-cache": { type: "string" },
        "max-steps": { type: "string" },
        strategy: { type: "string" },
        html: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    io.err(`porcupine: ${(e as Error).message}\n\n${HELP}`);
    return ExitCode.BadInput;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(HELP);
    return ExitCode.Ok;
  }
  const [command, ...files] = positionals;
  if (command !== "check") {
    io.err(`porcupine: ${command === undefined ? "missing command" : `unknown command ${JSON.stringify(command)}`}; expected "check"\n\n${HELP}`);
    return ExitCode.BadInput;
  }
  if (files.length === 0) {
    io.err(`porcupine: no files given\n\n${HELP}`);
    return ExitCode.BadInput;
  }
  const modelName = values.model;
  if (modelName !== undefined && !isHistoryModelName(modelName)) {
    io.err(`porcupine: --model must be kv, etcd or kv-nopartition, got ${JSON.stringify(modelName)}`);
    return ExitCode.BadInput;
  }
  const options: CheckOptions = {};
  for (const [flag, what, set] of [
    ["timeout", "milliseconds", (v: number) => (options.timeout = v)],
    ["max-cache", "configurations", (v: number) => (options.maxCacheEntries = v)],
    ["max-steps", "step calls", (v: number) => (options.maxSteps = v)],
  ] as const) {
    const text = values[flag];
    if (text === undefined) continue;
    const v = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(v) || (flag === "max-cache" && v === 0)) {
      io.err(`porcupine: --${flag} must be a whole number of ${what}${flag === "max-cache" ? " (at least 1)" : ""}, got ${JSON.stringify(text)}`);
      return ExitCode.BadInput;
    }
    set(v);
  }
  if (values.strategy !== undefined) {
    if (values.strategy !== "pruned" && values.strategy !== "wgl") {
      io.err(`porcupine: --strategy must be pruned or wgl, got ${JSON.stringify(values.strategy)}`);
      return ExitCode.BadInput;
    }
    options.strategy = values.strategy;
  }
  const c = createColors(io.color);
  const paint: Record<CheckResult, (s: string) => string> = { ok: c.green, illegal: c.red, unknown: c.yellow };
  let bad = false;
  let illegal = false;
  let unknown = false;
  for (const file of files) {
    try {
      const loaded = load(file);
      const name: HistoryModelName = modelName ?? loaded.format;
      if (family(name) !== family(loaded.format)) {
        throw new HistoryParseError(file, undefined, `is a ${loaded.format} history; it cannot be checked with --model ${name}`);
      }
      const model = MODELS[name];
      const t0 = performance.now();
      const report =
        loaded.kind === "events" ? checkEventsDetailed(model, loaded.history, options) : checkOperationsDetailed(model, loaded.history, options);
      const ms = performance.now() - t0;
      const { result } = report;
      const ops = loaded.kind === "events" ? loaded.history.length / 2 : loaded.history.length;
      io.out(`${file}  ${paint[result](result)}  ops=${ops} partitions=${report.stats.partitions}  ${ms.toFixed(1)}ms`);
      if (result === "illegal") illegal = true;
      if (result === "unknown") {
        unknown = true;
        if (report.stop !== undefined) for (const line of explainStop(report.stop, options)) io.out(`  ${line}`);
      }
      if (values.html !== undefined) {
        // The verbose pass searches every partition to the end, so it gets a time budget even
        // when the verdict pass had none (Go's verbose mode never finishes on some histories).
        const opts: CheckOptions = { ...options, timeout: options.timeout || DEFAULT_HTML_TIMEOUT_MS };
        const verbose: VerboseResult =
          loaded.kind === "events" ? checkEventsVerbose(model, loaded.history, opts) : checkOperationsVerbose(model, loaded.history, opts);
        const out = htmlPathFor(values.html, file, files.length > 1);
        // Loaded only here: the page's script and styles are big, and most runs draw nothing.
        const { visualizeToFile } = await import("./visualize.js");
        visualizeToFile(model, verbose.info, out);
        const note = verbose.info.stop ? ` (partial: ${verbose.info.stop.message})` : "";
        io.out(`  wrote ${out}${note}`);
      }
    } catch (e) {
      bad = true;
      io.err(`${c.red("error")} ${(e as Error).message}`);
    }
  }
  if (bad) return ExitCode.BadInput;
  if (illegal) return ExitCode.Illegal;
  if (unknown) return ExitCode.Unknown;
  return ExitCode.Ok;
}

/**
 * What the CLI says about an "unknown" verdict: which limit stopped the search, after how long
 * and how many configurations, and which flag to raise.
 */
export function explainStop(stop: StopInfo, options: CheckOptions): string[] {
  const done = `${stop.partitionsDone} of ${stop.partitions} partitions decided`;
  const progress = `after ${formatMs(stop.elapsedMs)}, ${formatCount(stop.configurations)} configurations and ${formatCount(stop.stepCalls)} step calls (${done})`;
  const limit = stop.limit ?? 0;
  switch (stop.kind) {
    case "timeout":
      return [`stopped by the timeout (--timeout ${limit}) ${progress}`, `to search further: --timeout ${limit * 10}`];
    case "max-steps":
      return [`stopped by the step budget (--max-steps ${limit}) ${progress}`, `to search further: --max-steps ${limit * 10}`];
    case "max-cache": {
      const cap = `${formatCount(limit)} configurations, about ${formatBytes(limit * BYTES_PER_CONFIGURATION)}`;
      const whose = options.maxCacheEntries !== undefined ? "from --max-cache" : `the default for this machine's ${formatBytes(totalmem())}`;
      const more = limit * 4;
      const bytes = more * BYTES_PER_CONFIGURATION;
      const heapMb = Math.ceil(bytes / 2 ** 20);
      let hint = `to search further: --max-cache ${more} (about ${formatBytes(bytes)})`;
      if (bytes > 0.8 * totalmem()) hint += `, more than this machine's memory holds`;
      else if (bytes > getHeapStatistics().heap_size_limit) hint += ` with NODE_OPTIONS=--max-old-space-size=${heapMb} (the states live on Node's heap)`;
      return [`stopped by the memory cap (${cap}, ${whose}) ${progress}`, hint];
    }
    default:
      return [`stopped: ${stop.message}`];
  }
}

function defaultIo(): CliIo {
  return {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
    color: process.stdout.isTTY === true && process.env["NO_COLOR"] === undefined,
  };
}
