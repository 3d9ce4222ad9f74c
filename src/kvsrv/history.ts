/**
 * The Lab 2 tester's Clerk wrappers (`Get`, `Put`, `Append` of kvsrv's `test_test.go`): each
 * operation is counted for the summary line and, if a log is given, recorded for the
 * linearizability check. An Append is recorded as the model's `append-return` (Go's op 3): its
 * output is the old value the server answered.
 *
 * @module
 */
import type { KvInput, KvOutput } from "../models/kv.js";
import type { OpLog } from "../tester/op-log.js";
import { resultText } from "../tester/op-marks.js";
import { now } from "../runtime/index.js";
import type { Clerk } from "./client.js";
import type { Config } from "./config.js";

/** Runs one Clerk operation, counts it, and records it in `log` (if given) as client `cli`. */
async function recorded<R>(cfg: Config, log: OpLog | undefined, cli: number, input: KvInput, ck: Clerk, run: () => Promise<R>, output: (r: R) => KvOutput): Promise<R> {
  const start = cfg.stamp();
  const call = now();
  const client = cfg.opMarks.clientOf(ck);
  const result = await run();
  cfg.opMarks.mark(client, input.op, input.key, "value" in input ? input.value : undefined, call, resultText(output(result)));
  const end = cfg.stamp();
  cfg.op();
  log?.append({ input, output: output(result), call: start, return: end, clientId: cli });
  return result;
}

/** `ck.get(key)`, counted, and recorded in `log` (if given) as client `cli`. */
export function get(cfg: Config, ck: Clerk, key: string, log?: OpLog, cli = -1): Promise<string> {
  return recorded(cfg, log, cli, { op: "get", key }, ck, () => ck.get(key), (value) => ({ value }));
}

/** `ck.put(key, value)`, counted, and recorded in `log` (if given) as client `cli`. */
export function put(cfg: Config, ck: Clerk, key: string, value: string, log?: OpLog, cli = -1): Promise<void> {
  return recorded(cfg, log, cli, { op: "put", key, value }, ck, () => ck.put(key, value), () => ({}));
}

/** `ck.append(key, value)`, counted, and recorded in `log` (if given) as client `cli`; returns the old value. */
export function append(cfg: Config, ck: Clerk, key: string, value: string, log?: OpLog, cli = -1): Promise<string> {
  return recorded(cfg, log, cli, { op: "append-return", key, value }, ck, () => ck.append(key, value), (old) => ({ value: old }));
}
