/**
 * The simulated stable storage of one Raft server: its Raft state and its service's snapshot, saved
 * together atomically. Bytes are always cloned on the way in and out, so no caller can change what
 * was saved by mutating an array afterwards.
 *
 * Crash semantics the testers rely on: when a server "crashes", the tester gives the restarted
 * instance a {@link Persister.copy} and keeps it; the old instance, which may still be running,
 * keeps writing into the orphaned original, which nobody reads again.
 */
export class Persister {
  private raftState: Uint8Array;
  private snapshot: Uint8Array;

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
    this.raftState = raftState.slice();
    this.snapshot = snapshot === null ? new Uint8Array(0) : snapshot.slice();
  }

  /** A copy of the saved snapshot (empty if none). */
  readSnapshot(): Uint8Array {
    return this.snapshot.slice();
  }

  /** Size in bytes of the saved snapshot. */
  snapshotSize(): number {
    return this.snapshot.length;
  }
}
