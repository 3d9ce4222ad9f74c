/**
 * What a transport asks before a message leaves the node: has everything saved before the message
 * was made reached stable storage? Raft replies and sends right after `persister.save()`, trusting
 * that the save is durable; a persister that writes in the background (to group several saves
 * into one fsync) keeps that promise by making the node's messages wait, as the simulated
 * persister makes them wait out its storage time.
 */
export interface SendGate {
  /** A ticket for a message made now: it may leave once {@link durable} reaches the ticket. */
  ticket(): number;
  /** The highest ticket whose saves are all durable. Never decreases. */
  durable(): number;
  /** Calls `fn` each time {@link durable} advances; returns a function that unsubscribes. */
  onDurable(fn: () => void): () => void;
}

/** A gate that never holds a message back (no persister, or one that saves synchronously). */
export const OPEN_GATE: SendGate = {
  ticket: () => 0,
  durable: () => 0,
  onDurable: () => () => {},
};

/**
 * The requests that leave without waiting for the gate: the KV requests a node forwards to the
 * leader for its HTTP clients (they carry a client's operation, and claim nothing about this node's
 * state), and a leader's AppendEntries and InstallSnapshot (thesis §10.2.1: the leader writes its log in parallel with replicating it).
 * Safe because nothing in them claims our durability: the leader counts itself toward a majority
 * only at the index its persister reports durable (`Persister.whenDurable`), and its term and vote
 * were durable before it could lead (its RequestVotes waited for them), so what is not yet durable
 * is only entries of its own term, which a crash may lose while uncommitted. Everything else waits,
 * in order: replies (a success or a vote implies our durability) and RequestVotes (they carry a
 * term and vote that must be durable first).
 */
export function leavesBeforeDurable(svcMeth: string): boolean {
  return svcMeth === "Raft.AppendEntries" || svcMeth === "Raft.InstallSnapshot" || svcMeth.startsWith("KVServer.");
}

/**
 * The calls whose replies leave without waiting for the gate: the KV server's. A KV reply claims
 * nothing about this node's saves: it reports an operation applied from a committed entry, and
 * an entry is committed only once a majority holds it durably (the leader counts itself at its
 * durable index), or a read of such state (ReadIndex), or ErrWrongLeader. It is what the node's
 * HTTP API sends its own clients, which no gate holds either. Held, a forwarded request's reply
 * waited for whatever the leader was writing meanwhile (a WAL write, or a whole checkpoint) though
 * it did not depend on it. Raft's replies (a success or a vote) do wait.
 */
export function replyLeavesBeforeDurable(svcMeth: string): boolean {
  return svcMeth.startsWith("KVServer.");
}
