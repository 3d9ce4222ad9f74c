/**
 * Raft's safety invariants, checked as the code runs: a broken one is a bug in this Raft, never a
 * condition to recover from, so the check throws a {@link RaftInvariantError}. Thrown inside a
 * simulated task or RPC handler, it fails the run, and the run's error names the task or handler
 * and carries this message (which names the peer, the term and the indices involved).
 *
 * Checks are meant to be cheap enough to stay on in every run: a few comparisons, with the message
 * built only when a check fails.
 */

/** Which peer found an invariant broken, and in which of its terms. */
export interface InvariantContext {
  /** The peer whose state is checked (`me` in raft.ts). */
  readonly peer: number;
  /** That peer's current term. */
  readonly term: number;
}

/** An invariant of Raft does not hold: a bug in the Raft implementation. */
export class RaftInvariantError extends Error {
  override readonly name = "RaftInvariantError";

  constructor(
    readonly context: InvariantContext,
    /** What is broken, with the values involved. */
    readonly detail: string,
  ) {
    super(`Raft invariant violated on S${context.peer} in T${context.term}: ${detail}`);
  }
}

/**
 * Throws a {@link RaftInvariantError} for `context` unless `condition` holds. `detail` is called only
 * then, so a check costs nothing but the condition.
 */
export function assertInvariant(condition: boolean, context: InvariantContext, detail: () => string): asserts condition {
  if (!condition) throw new RaftInvariantError(context, detail());
}

/** The indices a peer keeps about its log, its commit point and what it has applied. */
export interface CommitState {
  readonly snapshotIndex: number;
  readonly commitIndex: number;
  readonly lastIndex: number;
  readonly lastApplied: number;
}

/**
 * Checks the order of a peer's commit and apply indices:
 * - `snapshotIndex <= commitIndex`: a snapshot holds only committed entries;
 * - `commitIndex <= lastIndex`: a peer commits only entries it holds (etcd's `commitTo` checks the same);
 * - `lastApplied <= commitIndex`: only committed entries are applied.
 *
 * (`lastApplied < snapshotIndex` is allowed: an installed leader's snapshot then awaits delivery.)
 */
export function assertCommitOrder(state: CommitState, context: InvariantContext): void {
  const { snapshotIndex, commitIndex, lastIndex, lastApplied } = state;
  assertInvariant(snapshotIndex <= commitIndex, context, () => `snapshotIndex ${snapshotIndex} > commitIndex ${commitIndex}`);
  assertInvariant(commitIndex <= lastIndex, context, () => `commitIndex ${commitIndex} > last log index ${lastIndex}`);
  assertInvariant(lastApplied <= commitIndex, context, () => `lastApplied ${lastApplied} > commitIndex ${commitIndex}`);
}
