/**
 * State Machine Safety: no two servers apply different commands at one index. Checked three ways,
 * each before the application it predicts (the commit-level one is in `commit-ledger.ts`):
 *
 * - a server never changes or deletes an entry it holds as committed (it would apply a different
 *   one there, or make another server do so) — {@link checkCommittedEntriesKept};
 * - no two servers commit entries of different terms at one index — `CommitLedger.commit`;
 * - no two servers apply different commands at one index, as seen on applyCh — {@link AppliedCommands}
 *   (the only one that needs no `inspect()`);
 * - no server deletes an entry that another server committed — {@link checkOthersCommitsKept} (a
 *   follower that drops entries it acknowledged, e.g. when it installs a snapshot);
 * - an entry is committed only while a majority of the servers store it — {@link checkStoredOnMajority}
 *   (a leader that counts a reply of an earlier round as a match, a follower that commits past
 *   what its leader sent);
 * - a server's commitIndex never goes back (Figure 2: it increases monotonically) —
 *   {@link checkCommitNotBack} (an InstallSnapshot older than what it committed, installed).
 */
import { isDeepStrictEqual } from "node:util";
import type { LogChange, LogView } from "./shadow-log.js";
import type { Violation } from "./violation.js";

/**
 * Checks one change of the log of `server`, which held everything through `commitIndex` as
 * committed before the change; `view` is its log after it.
 */
export function checkCommittedEntriesKept(server: number, commitIndex: number, change: LogChange, view: LogView): Violation | undefined {
  const { from, previousTerm, previousLastIndex } = change;
  if (from > commitIndex || from > previousLastIndex) return undefined;
  const now = from <= view.lastIndex ? view.termAt(from) : undefined;
  const what = now !== undefined ? `overwrote its committed entry at index ${from} (T${previousTerm ?? "?"}) with one of T${now}` : `deleted its committed entries ${from}..${Math.min(commitIndex, previousLastIndex)}`;
  return {
    property: "State Machine Safety",
    summary: `S${server} ${what}, after committing through index ${commitIndex}`,
    details: [`A server that changes what it committed can apply a different command at that index (or have others apply it).`],
    peers: [server],
    terms: now !== undefined && previousTerm !== undefined ? [previousTerm, now] : [],
    indices: [from],
  };
}

/**
 * Checks one change of the log of `server` against what any server committed (`committedTerm`):
 * an entry committed anywhere never leaves a log, even one whose own commitIndex is below it (in a
 * correct Raft only a leader with a conflicting entry could delete it, and Leader Completeness
 * says none has one). `change.previousTerms` must reach the highest committed index.
 */
export function checkOthersCommitsKept(server: number, change: LogChange, view: LogView, committed: (index: number) => { readonly term: number; readonly server: number } | undefined): Violation | undefined {
  const { from, previousTerms } = change;
  for (let k = 0; k < previousTerms.length; k++) {
    const index = from + k;
    const was = previousTerms[k]!;
    const c = committed(index);
    if (c === undefined || c.term !== was) continue;
    if (index <= view.snapshotIndex || view.termAt(index) === was) continue;
    const now = view.termAt(index);
    const what = now !== undefined ? `overwrote the entry at index ${index} (T${was}) with one of T${now}` : `deleted its entries from index ${index} (T${was}) on (its log now ends at ${view.lastIndex})`;
    return {
      property: "State Machine Safety",
      summary: `S${server} ${what}, which S${c.server} had committed`,
      details: [
        `An entry committed anywhere never leaves any log: the leader counted this server among those storing it, and a later leader may be elected by it without the entry.`,
        `(A follower that installs a snapshot keeps the entries after it that it has; one older than what it stores changes nothing.)`,
      ],
      peers: c.server === server ? [server] : [c.server, server],
      terms: now !== undefined ? [was, now] : [was],
      indices: [index],
    };
  }
  return undefined;
}

/**
 * `server` committed the entry of `term` at `index` (the first server seen to): fewer than a
 * majority of the `n` servers store it. `holds(s)` says whether server `s` stores it (true where
 * unknown: a crashed server, or one without `inspect()`, may).
 */
export function checkStoredOnMajority(server: number, index: number, term: number, n: number, holds: (s: number) => boolean): Violation | undefined {
  const holders = [...Array(n).keys()].filter(holds);
  if (2 * holders.length > n) return undefined;
  return {
    property: "State Machine Safety",
    summary: `S${server} committed index ${index} (T${term}), which only ${holders.length} of ${n} servers store (${holders.map((s) => `S${s}`).join(", ") || "none"})`,
    details: [
      `An entry is committed once a majority stores it (§5.3); with fewer, a leader elected without it overwrites it after it was applied.`,
      `(Does the leader count a reply to an earlier request, of another term or another log, as a match? Does a follower commit past the entries its leader sent?)`,
    ],
    peers: [server],
    terms: [term],
    indices: [index],
  };
}

/** `server`'s commitIndex went from `before` to `after` (in one incarnation). */
export function checkCommitNotBack(server: number, before: number, after: number): Violation | undefined {
  if (after >= before) return undefined;
  return {
    property: "State Machine Safety",
    summary: `S${server}'s commitIndex went back from ${before} to ${after}`,
    details: [
      `commitIndex increases monotonically (Figure 2): a server that moves it back hands its service an older state and applies entries ${after + 1}..${before} again.`,
      `(An InstallSnapshot older than what the server committed must be ignored.)`,
    ],
    peers: [server],
    terms: [],
    indices: [after, before],
  };
}

/** The commands applied so far, by index, as the tester saw them on each server's applyCh. */
export class AppliedCommands {
  private readonly first = new Map<number, { readonly server: number; readonly command: unknown }>();

  /** `server` applied `command` at `index`. */
  applied(server: number, index: number, command: unknown): Violation | undefined {
    const first = this.first.get(index);
    if (first === undefined) {
      this.first.set(index, { server, command });
      return undefined;
    }
    if (first.command === command || isDeepStrictEqual(first.command, command)) return undefined;
    return {
      property: "State Machine Safety",
      summary: `S${server} applied ${show(command)} at index ${index}, but S${first.server} applied ${show(first.command)} there`,
      peers: first.server === server ? [server] : [first.server, server],
      terms: [],
      indices: [index],
    };
  }
}

/** A command, short. */
export function show(command: unknown): string {
  const text = typeof command === "string" ? JSON.stringify(command) : (JSON.stringify(command) ?? String(command));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
