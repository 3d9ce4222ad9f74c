/** Time limits both testers share (virtual ms). */

/**
 * The testers generously allow solutions to complete elections in one second (much more than the
 * paper's range of timeouts). Go's `RaftElectionTimeout` and kvraft's `electionTimeout`.
 */
export const ELECTION_TIMEOUT_MS = 1000;

/**
 * Every test must finish within this much virtual time. The simulation enforces it: it stops a run
 * whose next event is past it with "test took longer than 120 seconds" (Go checks it in `end()`).
 */
export const TEST_TIME_LIMIT_MS = 120_000;
