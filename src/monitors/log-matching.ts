/**
 * Log Matching: if two logs hold an entry with the same index and term, they are identical up to
 * that index. By induction on the index, it suffices that every entry (index, term) is preceded by
 * an entry of the same term in every log that holds it: then the entries before it are the same
 * entry again, and so on down to the start. So the monitor remembers, for each (index, term) ever
 * seen in any log, the term before it, and checks each entry as it appears or changes. In a correct
 * Raft an (index, term) pair is created once, by the leader of that term, so its predecessor never
 * varies, over all logs and all time.
 */
import { formatTime } from "../sim/index.js";
import type { Violation } from "./violation.js";

interface Predecessor {
  readonly term: number;
  readonly server: number;
  readonly time: number;
}

/** The term before each (index, term) pair ever seen in a log. */
export class LogMatching {
  /** index → term → what preceded that entry where it was first seen. */
  private readonly predecessors = new Map<number, Map<number, Predecessor>>();

  /**
   * `server` holds an entry of `term` at `index`, preceded by an entry of `previousTerm` (0 before
   * the first entry), at virtual time `time`. Entries whose predecessor is unknown (compacted into
   * a snapshot) are not passed here.
   */
  sawEntry(server: number, index: number, term: number, previousTerm: number, time: number): Violation | undefined {
    let byTerm = this.predecessors.get(index);
    if (byTerm === undefined) this.predecessors.set(index, (byTerm = new Map()));
    const first = byTerm.get(term);
    if (first === undefined) {
      byTerm.set(term, { term: previousTerm, server, time });
      return undefined;
    }
    if (first.term === previousTerm) return undefined;
    const them = first.server === server ? `S${server} (earlier)` : `S${first.server}`;
    return {
      property: "Log Matching",
      summary: `${them} and S${server} both hold an entry of T${term} at index ${index}, but their logs differ at index ${index - 1} (T${first.term} and T${previousTerm})`,
      details: [
        `${them} held (${index}, T${term}) after (${index - 1}, T${first.term}) at ${formatTime(first.time)}; S${server} holds it after (${index - 1}, T${previousTerm}) at ${formatTime(time)}.`,
      ],
      peers: first.server === server ? [server] : [first.server, server],
      terms: [term, first.term, previousTerm],
      indices: [index - 1, index],
    };
  }
}
