/**
 * The KV tester's Clerk wrappers: each operation is counted for the summary line and recorded in
 * the test's history (Go's `OpLog` and the `Get`/`Put`/`Append` helpers of kvraft's `test_test.go`),
 * for the linearizability check.
 *
 * @module
 */
import type { KvInput, KvOutput } from "../models/kv.js";
import { fatal } from "../tester/failure.js";
import type { OpLog } from "../tester/op-log.js";
import { resultText } from "../tester/op-marks.js";
import { now } from "../runtime/index.js";
import type { Clerk } from "./client.js";
import type { Config } from "./config.js";

/**
 * Runs one Clerk operation, counts it, and records it in `log` (if given) as client `cli`, stamped
 * just before the call and just after the return (Go's wrappers do the same around each call).
 */
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

/** `ck.append(key, value)`, counted, and recorded in `log` (if given) as client `cli`. */
export function append(cfg: Config, ck: Clerk, key: string, value: string, log?: OpLog, cli = -1): Promise<void> {
  return recorded(cfg, log, cli, { op: "append", key, value }, ck, () => ck.append(key, value), () => ({}));
}

/** `ck.cas(key, expected, value)`, counted, and recorded in `log` (if given) as client `cli`. */
export function cas(cfg: Config, ck: Clerk, key: string, expected: string, value: string, log?: OpLog, cli = -1): Promise<boolean> {
  return recorded(cfg, log, cli, { op: "cas", key, expected, value }, ck, () => ck.cas(key, expected, value), (ok) => ({ ok }));
}

/** Fails unless `key` reads `value`. */
export async function check(cfg: Config, ck: Clerk, key: string, value: string): Promise<void> {
  const v = await get(cfg, ck, key);
  if (v !== value) fatal(`Get(${key}): expected:\n${value}\nreceived:\n${v}`);
}
