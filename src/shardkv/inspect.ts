/**
 * What a shard server may show the tester's sharding monitors (like Raft's optional `inspect()`):
 * a read-only view of its replicated state. A server without `inspect()` is still tested; the
 * monitors then watch only its Raft.
 *
 * @module
 */

/** One shard as one replica holds it. */
export interface ShardView {
  /** The group would apply a write to this shard now (it serves it in `configNum`). */
  readonly accepting: boolean;
  /** The group owned it in the previous configuration and keeps it, unchanged, for its new owner. */
  readonly handingOff: boolean;
  /** Its key/value pairs. */
  readonly data: ReadonlyMap<string, string>;
  /**
   * For a shard being handed off: the duplicate-table entries that must travel with it (a group
   * with one table for all its shards: the table as it was when the shard was frozen), if known.
   */
  readonly frozenDup?: ReadonlyMap<number, number> | undefined;
  /**
   * Writes applied to it since it arrived in this group in `configNum` (or since the group began to
   * serve it); undefined when unknown (e.g. after a restart from a snapshot).
   */
  readonly writesSinceArrival: number | undefined;
}

/** A configuration as one replica applied it. */
export interface AppliedConfig {
  readonly num: number;
  /** The log index of the entry that made it current (0 for configuration 0). */
  readonly index: number;
  readonly shards: readonly number[];
}

/**
 * A replica's state, read-only, valid until the replica next runs. A replica may answer with the
 * same object as long as its state has not changed (the monitors then skip it); a changed state
 * must come in a new object.
 */
export interface ShardInspection {
  readonly gid: number;
  /** The configuration the replica is in, and the one before it. */
  readonly configNum: number;
  readonly prevShards: readonly number[];
  /**
   * The configurations applied since the replica last restored a snapshot (at its start, or one
   * Raft delivered), in order, starting with the one the snapshot held. The same array object, only
   * appended to, until the next restore.
   */
  readonly applied: readonly AppliedConfig[];
  /** Per shard, indexed by shard number. */
  readonly shards: readonly ShardView[];
  /** The duplicate table: clientId → the last requestId applied for it. */
  readonly dup: ReadonlyMap<number, number>;
}
