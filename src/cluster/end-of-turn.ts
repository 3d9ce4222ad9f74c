/**
 * What a node does once the current turn of its event loop is over, in a fixed order: first the
 * sockets' writes (the turn's messages, one write per link), then the disk's (the file persister
 * writes what the turn saved, in one synchronous WAL write).
 *
 * The order matters because the WAL write blocks the thread: a leader's AppendEntries, which may
 * leave before its own save is durable (thesis §10.2.1), must be on the wire first, so that the
 * followers write their logs while the leader writes its own. Messages that wait for the save
 * (replies, votes) are released when it is durable and leave in the same pass: the stages run
 * again, sockets first, until neither has work.
 *
 * One queue per process (a node is one process; tests that run several nodes in one process share
 * it, which only puts every socket before every disk).
 */

/** The stages, in the order they run. */
export type Stage = "sockets" | "disk";

const queues: Record<Stage, (() => void)[]> = { sockets: [], disk: [] };
let scheduled = false;

/** Runs `fn` at the end of this turn, in `stage` (see the module comment); queued while the stages run, it runs in the same pass. */
export function atEndOfTurn(stage: Stage, fn: () => void): void {
  queues[stage].push(fn);
  if (!scheduled) {
    scheduled = true;
    setImmediate(runStages);
  }
}

function runStages(): void {
  for (;;) {
    const stage: Stage | undefined = queues.sockets.length > 0 ? "sockets" : queues.disk.length > 0 ? "disk" : undefined;
    if (stage === undefined) {
      scheduled = false; // work queued from here on is the next turn's
      return;
    }
    for (const fn of queues[stage].splice(0)) {
      try {
        fn();
      } catch (e) {
        // A bug in one callback must not strand the others: they run, and the error surfaces as
        // an uncaught exception, as it would have from a setImmediate of its own.
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }
}
