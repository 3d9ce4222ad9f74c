/**
 * What a safety monitor reports: which of Raft's safety properties (Figure 3 of the extended Raft
 * paper) broke, who was involved, and how it reads in a failure message.
 */
import { formatTime } from "../sim/index.js";

/** The five safety properties of Raft (Figure 3), as the monitors name them. */
export const RAFT_PROPERTIES = {
  "Election Safety": "at most one leader can be elected in a given term",
  "Leader Append-Only": "a leader never overwrites or deletes entries in its log; it only appends new entries",
  "Log Matching": "if two logs contain an entry with the same index and term, then the logs are identical in all entries up through that index",
  "Leader Completeness": "if a log entry is committed in a given term, then that entry will be present in the logs of the leaders for all higher-numbered terms",
  "State Machine Safety": "if a server has applied a log entry at a given index to its state machine, no other server will ever apply a different log entry for the same index",
} as const;

/**
 * What stable storage must guarantee (thesis §3.8: entries are persisted before they count toward
 * commitment; §10.2.1: the leader, which may send before its own write is durable, counts itself
 * only at its durable index). Checked where a run models storage that lags its saves.
 */
export const DURABILITY_PROPERTIES = {
  "Durable Commit": "a leader's commitIndex never exceeds what a majority of servers holds durably",
  "Durable Acknowledgement": "no success reply (an AppendEntries success or a vote granted) leaves a server before what it acknowledges is durable there",
} as const;

/** The properties a monitor names: Raft's five (Figure 3) and the two of stable storage. */
export type RaftProperty = keyof typeof RAFT_PROPERTIES | keyof typeof DURABILITY_PROPERTIES;

/** The statement of `property`, and where it comes from. */
function statement(property: RaftProperty): string {
  if (property in RAFT_PROPERTIES) return `${property} (Raft, Figure 3): ${RAFT_PROPERTIES[property as keyof typeof RAFT_PROPERTIES]}.`;
  return `${property} (Raft thesis §3.8, §10.2.1): ${DURABILITY_PROPERTIES[property as keyof typeof DURABILITY_PROPERTIES]}.`;
}

/** A broken safety property, as a monitor found it. */
export interface Violation {
  readonly property: RaftProperty;
  /** What happened, in one sentence, naming peers (`S1`), terms (`T4`) and indices. */
  readonly summary: string;
  /** Further lines of evidence (each a sentence), if any. */
  readonly details?: readonly string[];
  /** The servers involved (their indices). */
  readonly peers: readonly number[];
  /** The terms involved. */
  readonly terms: readonly number[];
  /** The log indices involved (none for Election Safety). */
  readonly indices: readonly number[];
}

/**
 * The failure message of a violation found at virtual time `time` (ms): the property and what
 * happened on the first line (what the explore runner groups failures by), then the evidence, the
 * property's statement, and who and when (`where`: which Raft group, when a test runs several).
 */
export function violationMessage(v: Violation, time: number, where?: string): string {
  const who = [
    where,
    `peers ${v.peers.map((p) => `S${p}`).join(" ")}`,
    v.terms.length > 0 ? `terms ${v.terms.map((t) => `T${t}`).join(" ")}` : undefined,
    v.indices.length > 0 ? `indices ${v.indices.join(" ")}` : undefined,
    `virtual time ${formatTime(time)}`,
  ].filter((s) => s !== undefined);
  return [
    `${v.property} violated: ${v.summary}`,
    ...(v.details ?? []).map((d) => `  ${d}`),
    `  ${statement(v.property)}`,
    `  ${who.join(" · ")}`,
  ].join("\n");
}
