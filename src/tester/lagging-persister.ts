/**
 * A simulated persister whose saves become durable some virtual time after they are made, the way a
 * disk write completes after the call that started it: a model of a node whose messages need not
 * wait for its own write (the leader's parallel write, thesis §10.2.1). The lab testers keep the
 * {@link MemoryPersister}, durable at once; this one is for the runs that check what durability
 * lagging its saves allows (`src/monitors/durability.ts`).
 */
import { after, now } from "../runtime/index.js";
import { MemoryPersister, type Persister } from "./persister.js";

/** See the module comment. */
export class LaggingPersister implements Persister {
  private raftState = new Uint8Array(0);
  private snapshot = new Uint8Array(0);
  private durableRaft = new Uint8Array(0);
  private durableSnapshot = new Uint8Array(0);
  private saves = 0;
  private durableSaves = 0;
  /** When the latest save becomes durable: saves become durable in the order they were made. */
  private lastDurableAt = 0;
  private readonly waiters: { readonly seq: number; readonly fn: () => void }[] = [];

  /** @param lag how long (virtual ms) a save made now takes to become durable */
  constructor(private readonly lag: () => number) {}

  save(raftState: Uint8Array, snapshot: Uint8Array | null): void {
    const state = raftState.slice();
    const snap = snapshot === null ? new Uint8Array(0) : snapshot.slice();
    this.raftState = state;
    this.snapshot = snap;
    const seq = ++this.saves;
    const lag = this.lag();
    if (!(lag >= 0)) throw new RangeError(`LaggingPersister: the lag must be >= 0 ms, got ${lag}`);
    this.lastDurableAt = Math.max(now() + lag, this.lastDurableAt);
    after(this.lastDurableAt - now(), () => {
      this.durableRaft = state;
      this.durableSnapshot = snap;
      this.durableSaves = seq;
      while (this.waiters.length > 0 && this.waiters[0]!.seq <= seq) this.waiters.shift()!.fn();
    }, "save durable");
  }

  whenDurable(fn: () => void): void {
    this.afterSavesSoFar(fn);
  }

  /** Resolves once every save made so far is durable (what a node's replies wait for). */
  durable(): Promise<void> {
    return new Promise((resolve) => this.afterSavesSoFar(resolve));
  }

  private afterSavesSoFar(fn: () => void): void {
    if (this.durableSaves >= this.saves) fn();
    else this.waiters.push({ seq: this.saves, fn });
  }

  /** The Raft state as of the last durable save (what a power cut leaves). */
  durableRaftState(): Uint8Array {
    return this.durableRaft;
  }

  readRaftState(): Uint8Array {
    return this.raftState.slice();
  }

  raftStateSize(): number {
    return this.raftState.length;
  }

  readSnapshot(): Uint8Array {
    return this.snapshot.slice();
  }

  snapshotSize(): number {
    return this.snapshot.length;
  }

  /** What a crash leaves: the durable state only. */
  copy(): Persister {
    return new MemoryPersister(this.durableRaft.slice(), this.durableSnapshot.slice());
  }
}
