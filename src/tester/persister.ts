import { currentTask } from "../sim/index.js";
import { dmark } from "../runtime/index.js";

/**
 * How fast the simulated stable storage writes: bytes per virtual ms (7 MB/s).
 *
 * In Go a `persist()` encodes and saves the whole Raft state synchronously, before the handler
 * replies or the leader sends, and that real time is a large part of what an operation costs:
 * the handout's 4A samples (one client: 903 operations in 15 s, without snapshots, so with a log
 * that keeps growing) are bounded by it. Here computation takes no virtual time, so a save costs
 * its bytes at this rate instead: the saving node is busy, and its next messages wait (see
 * `SimNode.occupy`). Calibrated so that the reference solution's GenericTest operation counts land
 * near the Go samples (see the conformance notes in the README).
 */
export const STORAGE_BYTES_PER_MS = 7000;

/**
 * The stable storage of one Raft server, as Raft, its service and the testers use it: the Raft
 * state and the service's snapshot, saved together atomically. Implemented in memory (for the
 * simulation) by {@link MemoryPersister}, which is also the value `Persister` (`new Persister()`),
 * and on disk by `FilePersister` (`src/cluster`).
 *
 * A save must be durable before any message that depends on it leaves the server: the simulated
 * persister delays the node's messages by its storage time; a real one must hold them back until
 * its write has reached the disk.
 */
export interface Persister {
  /** A copy of the saved Raft state (empty if none). */
  readRaftState(): Uint8Array;
  /** Size in bytes of the saved Raft state (what `maxraftstate` and MAXLOGSIZE compare against). */
  raftStateSize(): number;
  /**
   * Saves the Raft state and the snapshot as one atomic action. A `null` snapshot saves an empty
   * one: once Raft has a snapshot it must pass it again on every save.
   */
  save(raftState: Uint8Array, snapshot: Uint8Array | null): void;
  /** A copy of the saved snapshot (empty if none). */
  readSnapshot(): Uint8Array;
  /** Size in bytes of the saved snapshot. */
  snapshotSize(): number;
  /** A new, in-memory persister holding the same saved state (the testers' model of a crash). */
  copy(): Persister;
  /**
   * Calls `fn` once everything saved so far is durable: at once (synchronously) if it already is,
   * else later, in the order of the saves. A Raft leader counts itself toward a majority only at
   * the log index it knows durable (thesis §10.2.1), since its own requests may leave before its
   * save is durable; a persister that is durable on return calls `fn` at once.
   */
  whenDurable(fn: () => void): void;
}

/**
 * The simulated stable storage of one Raft server: its Raft state and its service's snapshot, saved
 * together atomically. Bytes are always cloned on the way in and out, so no caller can change what
 * was saved by mutating an array afterwards.
 *
 * Inside a simulation every save takes time ({@link STORAGE_BYTES_PER_MS}): the Raft state's bytes,
 * and the snapshot's when it is a new one (passing the same snapshot again, as Raft must on every
 * save, costs nothing more, as Go's copy of it costs next to nothing).
 *
 * Crash semantics the testers rely on: when a server "crashes", the tester gives the restarted
 * instance a {@link Persister.copy} and keeps it; the old instance, which may still be running,
 * keeps writing into the orphaned original, which nobody reads again.
 */
export class MemoryPersister implements Persister {
  private raftState: Uint8Array;
  private snapshot: Uint8Array;
  /** The snapshot array last passed to {@link save}, to tell a new snapshot from the same one again. */
  private lastSnapshotIn: Uint8Array | null = null;

  /** The server this persister belongs to, when a tester's server group says (its saves of a new snapshot are then marked in the log). */
  owner: number | string | undefined;

  constructor(raftState: Uint8Array = new Uint8Array(0), snapshot: Uint8Array = new Uint8Array(0)) {
    this.raftState = raftState;
    this.snapshot = snapshot;
  }

  /** A new persister holding the same state (cheap: saved arrays are never mutated in place). */
  copy(): Persister {
    return new Persister(this.raftState, this.snapshot);
  }

  /** A copy of the saved Raft state (empty if none). */
  readRaftState(): Uint8Array {
    return this.raftState.slice();
  }

  /** Size in bytes of the saved Raft state (what `maxraftstate` and MAXLOGSIZE compare against). */
  raftStateSize(): number {
    return this.raftState.length;
  }

  /**
   * Saves the Raft state and the snapshot as one atomic action. A `null` snapshot saves an empty
   * one: once Raft has a snapshot it must pass it again on every save.
   */
  save(raftState: Uint8Array, snapshot: Uint8Array | null): void {
    if (!(raftState instanceof Uint8Array)) throw new TypeError("Persister.save: raftState must be a Uint8Array");
    if (snapshot !== null && !(snapshot instanceof Uint8Array)) {
      throw new TypeError("Persister.save: snapshot must be a Uint8Array or null");
    }
    // Raft passes the same snapshot again on every save. When it is the same array with the same
    // bytes, our copy of it stands: comparing allocates nothing, while copying a large snapshot on
    // every save made most of a KV test's garbage.
    const unchanged = snapshot !== null && snapshot === this.lastSnapshotIn && sameBytes(snapshot, this.snapshot);
    const bytes = raftState.length + (snapshot !== null && !unchanged ? snapshot.length : 0);
    this.lastSnapshotIn = snapshot;
    currentTask()?.node.occupy(bytes / STORAGE_BYTES_PER_MS);
    this.raftState = raftState.slice();
    if (!unchanged) this.snapshot = snapshot === null ? new Uint8Array(0) : snapshot.slice();
    // A new snapshot of the service's state: a mark for the timeline, on its server's row.
    if (!unchanged && snapshot !== null && snapshot.length > 0 && this.owner !== undefined) {
      const owner = this.owner;
      dmark(owner, "PERS", { kind: "snapshot-saved", bytes: snapshot.length }, () => `saved a new snapshot: ${snapshot.length} bytes (Raft state ${raftState.length} bytes)`);
    }
  }

  /** A copy of the saved snapshot (empty if none). */
  readSnapshot(): Uint8Array {
    return this.snapshot.slice();
  }

  /** Size in bytes of the saved snapshot. */
  snapshotSize(): number {
    return this.snapshot.length;
  }

  /**
   * Calls `fn` at once: the simulated save is durable when it returns, and the node's messages
   * wait out its storage time (`SimNode.occupy`), so nobody can see the save before it is durable.
   */
  whenDurable(fn: () => void): void {
    fn();
  }
}

/** `new Persister()` makes a {@link MemoryPersister}; the type `Persister` is the interface above. */
export const Persister = MemoryPersister;

/** Whether two byte arrays hold the same bytes (native comparison, no copy). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}
