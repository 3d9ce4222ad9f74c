/**
 * `npm run porcupine -- check [--model kv|etcd|kv-nopartition] [--timeout ms] [--html out.html] FILE...`
 *
 * Checks history files for linearizability and prints one verdict line per file.
 * Exit status: 0 all linearizable, 1 some history is not linearizable, 2 bad input or usage,
 * 3 some check was inconclusive (timeout). Precedence when files differ: 2, then 1, then 3.
 */

import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createColors } from "./colors.js";
import {
  checkEvents,
  checkEventsVerbose,
  checkOperations,
  checkOperationsVerbose,
  visualizeToFile,
  type CheckResult,
  type Event,
  type Model,
  type Operation,
  type VerboseResult,
} from "./index.js";
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

/** Exit statuses of the CLI. */
export const ExitCode = { Ok: 0, Illegal: 1, BadInput: 2, Unknown: 3 } as const;

/** Time budget of the verbose (visualization) pass when no --timeout is given, in ms. */
const DEFAULT_HTML_TIMEOUT_MS = 10_000;

/** The CLI's help text. */
export const HELP = `Usage: npm run porcupine -- check [options] FILE...

Checks each history FILE for linearizability and prints one line per file:
  FILE  VERDICT  ops=N partitions=P  TIME

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
  --html OUT.html                  also write a visualization (with several files, the file's
                                   name is inserted: OUT.<file>.html)
  -h, --help                       show this help

Exit status: 0 all linearizable, 1 some history is not linearizable, 2 bad input or usage,
3 some check timed out (and none failed).`;

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
  let timeout = 0;
  if (values.timeout !== undefined) {
    timeout = Number(values.timeout);
    if (!/^\d+$/.test(values.timeout) || !Number.isSafeInteger(timeout)) {
      io.err(`porcupine: --timeout must be a whole number of milliseconds, got ${JSON.stringify(values.timeout)}`);
      return ExitCode.BadInput;
    }
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
      const result =
        loaded.kind === "events"
          ? checkEvents(model, loaded.history, { timeout })
          : checkOperations(model, loaded.history, { timeout });
      const ms = performance.now() - t0;
      const ops = loaded.kind === "events" ? loaded.history.length / 2 : loaded.history.length;
      const partitions =
        loaded.kind === "events"
          ? (model.partitionEvent ? model.partitionEvent(loaded.history).length : 1)
          : (model.partition ? model.partition(loaded.history).length : 1);
      io.out(`${file}  ${paint[result](result)}  ops=${ops} partitions=${partitions}  ${ms.toFixed(1)}ms`);
      if (result === "illegal") illegal = true;
      if (result === "unknown") unknown = true;
      if (values.html !== undefined) {
        // The verbose pass searches every partition to the end, so it gets a time budget even
        // when the verdict pass had none (Go's verbose mode never finishes on some histories).
        const opts = { timeout: timeout || DEFAULT_HTML_TIMEOUT_MS };
        const verbose: VerboseResult =
          loaded.kind === "events" ? checkEventsVerbose(model, loaded.history, opts) : checkOperationsVerbose(model, loaded.history, opts);
        const out = htmlPathFor(values.html, file, files.length > 1);
        visualizeToFile(model, verbose.info, out);
        const note = verbose.info.stopReason ? ` (partial: ${verbose.info.stopReason})` : "";
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

function defaultIo(): CliIo {
  return {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
    color: process.stdout.isTTY === true && process.env["NO_COLOR"] === undefined,
  };
}
