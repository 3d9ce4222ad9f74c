/**
 * The KV tester's Clerk wrappers: each operation is counted for the summary line and recorded in
 * the test's history (Go's `OpLog` and the `Get`/`Put`/`Append` helpers of kvraft's `test_test.go`),
 * for the linearizability check.
 *
 * @module
 */
import type { Operation } from "porcupine";
import type { KvInput, KvOutput } from "../models/kv.js";
import { fatal } from "../tester/failure.js";
import type { Clerk } from "./client.js";
import type { Config } from "./config.js";

/** One recorded KV operation. */
export type KvOperation = Operation<KvInput, KvOutput>;

/** The recorded operations of a test (the original's `OpLog`). */
export class OpLog {
  private readonly operations: KvOperation[] = [];

  /** Records one completed operation. */
  append(op: KvOperation): void {
    this.operations.push(op);
  }

  /** A copy of the history so far. */
  read(): KvOperation[] {
    return [...this.operations];
  }
}

/** `ck.get(key)`, counted, and recorded in `log` (if given) as client `cli`. */
export async function get(cfg: Config, ck: Clerk, key: string, log?: OpLog, cli = -1): Promise<string> {
  const start = cfg.stamp();
  const v = await ck.get(key);
  const end = cfg.stamp();
  cfg.op();
  log?.append({ input: { op: "get", key }, output: { value: v }, call: start, return: end, clientId: cli });
  return v;
}

/** `ck.put(key, value)`, counted, and recorded in `log` (if given) as client `cli`. */
export async function put(cfg: Config, ck: Clerk, key: string, value: string, log?: OpLog, cli = -1): Promise<void> {
  const start = cfg.stamp();
  await ck.put(key, value);
  const end = cfg.stamp();
  cfg.op();
  log?.append({ input: { op: "put", key, value }, output: {}, call: start, return: end, clientId: cli });
}

/** `ck.append(key, value)`, counted, and recorded in `log` (if given) as client `cli`. */
export async function append(cfg: Config, ck: Clerk, key: string, value: string, log?: OpLog, cli = -1): Promise<void> {
  const start = cfg.stamp();
  await ck.append(key, value);
  const end = cfg.stamp();
  cfg.op();
  log?.append({ input: { op: "append", key, value }, output: {}, call: start, return: end, clientId: cli });
}

/** `ck.cas(key, expected, value)`, counted, and recorded in `log` (if given) as client `cli`. */
export async function cas(cfg: Config, ck: Clerk, key: string, expected: string, value: string, log?: OpLog, cli = -1): Promise<boolean> {
  const start = cfg.stamp();
  const ok = await ck.cas(key, expected, value);
  const end = cfg.stamp();
  cfg.op();
  log?.append({ input: { op: "cas", key, expected, value }, output: { ok }, call: start, return: end, clientId: cli });
  return ok;
}

/** Fails unless `key` reads `value`. */
export async function check(cfg: Config, ck: Clerk, key: string, value: string): Promise<void> {
  const v = await get(cfg, ck, key);
  if (v !== value) fatal(`Get(${key}): expected:\n${value}\nreceived:\n${v}`);
}
