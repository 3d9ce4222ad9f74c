/**
 * State Machine Safety: no two servers apply different commands at one index. Checked three ways,
 * each before the application it predicts (the commit-level one is in `commit-ledger.ts`):
 *
 * - a server never changes or deletes an entry it holds as committed (it would apply a different
 *   one there, or make another server do so) — {@link checkCommittedEntriesKept};
 * - no two servers commit entries of different terms at one index — `CommitLedger.commit`;
 * - no two servers apply different commands at one index, as seen on applyCh — {@link AppliedCommands}
 *   (the only one that needs no `inspect()`).
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
