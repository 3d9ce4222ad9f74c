/**
 * Election Safety: at most one leader per term, ever, even at different times (a leader of term 4
 * that stepped down long ago and another one now are two leaders of term 4). Needs no more than the
 * public API: each peer's `getState()`.
 */
import { formatTime } from "../sim/index.js";
import type { Violation } from "./violation.js";

/** Who was first seen leading each term. */
export class ElectionSafety {
  /** term → the first server seen leading it, and when. */
  private readonly leaders = new Map<number, { readonly server: number; readonly time: number }>();

  /** Server `server` reports being leader of `term` at virtual time `time`. */
  sawLeader(server: number, term: number, time: number): Violation | undefined {
    const first = this.leaders.get(term);
    if (first === undefined) {
      this.leaders.set(term, { server, time });
      return undefined;
    }
    if (first.server === server) return undefined;
    return {
      property: "Election Safety",
      summary: `S${first.server} and S${server} were both leaders of term ${term}`,
      details: [`S${first.server} was leader of T${term} at ${formatTime(first.time)}; S${server} is leader of T${term} at ${formatTime(time)}.`],
      peers: [first.server, server],
      terms: [term],
      indices: [],
    };
  }

  /** The server first seen leading `term`, if any. */
  leaderOf(term: number): number | undefined {
    return this.leaders.get(term)?.server;
  }
}
