import type { Channel } from "../runtime/index.js";
import type { ClientEnd } from "../labrpc/index.js";
import type { Persister } from "./persister.js";

/**
 * The Raft API of the labs (6.5840 shape, TypeScript idioms). The tester and the KV server use
 * Raft only through this.
 */

/**
 * What Raft sends on `applyCh`: a committed command, or (3D) a snapshot to install. Exactly one of
 * `commandValid` / `snapshotValid` is true, so `if (m.commandValid)` narrows the type.
 */
export type ApplyMsg =
  | {
      readonly commandValid: true;
      readonly command: unknown;
      readonly commandIndex: number;
      readonly snapshotValid: false;
    }
  | {
      readonly commandValid: false;
      readonly snapshotValid: true;
      readonly snapshot: Uint8Array;
      readonly snapshotTerm: number;
      readonly snapshotIndex: number;
    };

/** What {@link RaftPeer.start} returns. */
export interface StartResult {
  /** The index the command will have if it is ever committed. */
  readonly index: number;
  /** The current term. */
  readonly term: number;
  /** False if this server is not the leader (then the command was ignored). */
  readonly isLeader: boolean;
}

/** What {@link RaftPeer.getState} returns. */
export interface RaftState {
  readonly term: number;
  readonly isLeader: boolean;
}

/** One Raft peer, as the tester and the service see it. */
export interface RaftPeer {
  /**
   * Starts agreement on `command` and returns at once, without waiting for it to be committed.
   * Commands must be plain data (they cross the network). Returns gracefully even once killed.
   */
  start(command: unknown): StartResult;
  /** This peer's current term and whether it believes it is the leader. */
  getState(): RaftState;
  /**
   * The service has a snapshot holding everything up to and including `index`: Raft may discard
   * its log through `index`. Called by the service, possibly from the goroutine reading `applyCh`.
   */
  snapshot(index: number, snapshot: Uint8Array): void;
  /** Stops this peer: it must stop acting (no RPCs, no applies) soon after. */
  kill(): void;
  /** Whether {@link kill} was called. */
  killed(): boolean;
  /** Bytes of Raft state this peer last persisted (what `maxraftstate` compares against). */
  persistedSize(): number;
  /**
   * Optional, for the tester's safety monitors: a read-only view of this peer's Raft state right
   * now. A Raft that has it is checked against all five of Raft's safety properties at every step;
   * one without it still gets the tester's checks (and the monitors that need no more than the
   * API). It must not change anything, draw randomness or take time.
   */
  inspect?(): RaftInspection;
  /**
   * Optional (not part of the lab): a linearizable read point without a log entry, by the ReadIndex
   * protocol of the Raft thesis (§6.4). Resolves once this peer, as leader, has confirmed with a
   * majority, in a round of messages sent after the call, that it still leads: the state applied
   * through the returned index then reflects every write that completed before the call. Answers
   * "not-leader" if this peer does not lead (or stops leading meanwhile), and "not-yet" if it leads
   * but has not committed an entry of its own term (its commitIndex may still lag: use the log).
   * The lab's KV server uses it only when started with `reads: "read-index"` (real cluster mode).
   */
  readIndex?(): Promise<ReadIndexResult>;
}

/** What {@link RaftPeer.readIndex} answers. */
export type ReadIndexResult =
  | { readonly kind: "ready"; readonly index: number }
  | { readonly kind: "not-leader" }
  | { readonly kind: "not-yet" };

/** What {@link RaftPeer.inspect} returns: a peer's Raft state, read-only, valid until the peer next runs. */
export interface RaftInspection {
  readonly term: number;
  /** Whom this peer voted for in `term`, or null. */
  readonly votedFor: number | null;
  readonly role: "follower" | "candidate" | "leader";
  /** The last index the log's snapshot covers (0 if none), and its term. */
  readonly snapshotIndex: number;
  readonly snapshotTerm: number;
  /** The index of the last entry (the snapshot's index when the log holds no entry after it). */
  readonly lastIndex: number;
  /**
   * The term of the entry at `index`: for `snapshotIndex <= index <= lastIndex` (the snapshot's term
   * at `snapshotIndex`, 0 at index 0), else undefined.
   */
  termAt(index: number): number | undefined;
  readonly commitIndex: number;
  readonly lastApplied: number;
  /** Optional, for the step debugger: a leader's nextIndex[] and matchIndex[] (Figure 2), by peer. */
  readonly nextIndex?: readonly number[];
  readonly matchIndex?: readonly number[];
}

/**
 * Creates a Raft peer. `peers[i]` reaches peer i (all peers list them in the same order) and
 * `peers[me]` is this one. `persister` holds the latest saved state, if any. Committed commands and
 * snapshots go to `applyCh` in index order. Must return quickly: long-running work runs as tasks.
 */
export type MakeRaft = (
  peers: readonly ClientEnd[],
  me: number,
  persister: Persister,
  applyCh: Channel<ApplyMsg>,
) => RaftPeer;
