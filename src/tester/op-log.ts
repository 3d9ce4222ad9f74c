/**
 * The recorded history of a KV test (Go's `OpLog`), which the linearizability check reads.
 *
 * @module
 */
import type { Operation } from "porcupine";
import type { KvInput, KvOutput } from "../models/kv.js";

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
