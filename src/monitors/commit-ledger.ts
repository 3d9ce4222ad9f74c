/**
 * What the monitors know to be committed: for each index, the term of the entry some server
 * committed there, and the earliest term in which any server was seen to hold it committed.
 *
 * Invariant: the term a server is in when it is first seen with an entry committed is never below
 * the term in which that entry was really committed (a server learns of a commit only from the
 * leader of that term or a later one, after adopting its term; a restarted server commits only what
 * its snapshot holds, which it applied in an earlier term of its own). So "first seen committed in
 * term t" proves "committed in term t or earlier", which is what Leader Completeness needs.
 */
import type { Violation } from "./violation.js";

/** One committed entry, as first seen. */
export interface CommittedEntry {
  /** The term of the entry. */
  readonly term: number;
  /** The server first seen holding it committed. */
  readonly server: number;
  /** The lowest term a server was in when seen holding it committed: it was committed by then. */
  readonly committedBy: number;
}

/** The committed entries seen so far, by index. */
export class CommitLedger {
  private readonly entries: (CommittedEntry | undefined)[] = [];
  private max = 0;

  /** The highest index known to be committed. */
  get maxIndex(): number {
    return this.max;
  }

  /** The committed entry at `index`, if known. */
  at(index: number): CommittedEntry | undefined {
    return this.entries[index];
  }

  /**
   * `server`, in term `serverTerm`, holds an entry of `term` at `index` as committed. Returns
   * "new" if no entry was known committed there, "known" if the same was, or the State Machine
   * Safety violation if a different entry (another term) was.
   */
  commit(index: number, term: number, server: number, serverTerm: number): "new" | "known" | Violation {
    const known = this.entries[index];
    if (known === undefined) {
      this.entries[index] = { term, server, committedBy: serverTerm };
      this.max = Math.max(this.max, index);
      return "new";
    }
    if (known.term !== term) {
      return {
        property: "State Machine Safety",
        summary: `S${server} committed an entry of T${term} at index ${index}, but S${known.server} committed one of T${known.term} there`,
        details: [`Two different entries committed at one index will be applied as two different commands.`],
        peers: known.server === server ? [server] : [known.server, server],
        terms: [known.term, term],
        indices: [index],
      };
    }
    if (serverTerm < known.committedBy) this.entries[index] = { ...known, committedBy: serverTerm };
    return "known";
  }
}
