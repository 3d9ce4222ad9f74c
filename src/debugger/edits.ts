/**
 * A branch's edits: what the student changed at some step of a recorded run. A branch is the run
 * again, from its seed, with these edits: the run is a pure function of (code, seed, edits), so no
 * snapshot is needed, and the same edits replay the same branch (the URL, the exported schedule and
 * the kept test all carry them).
 *
 * A message edit names its message as a fault schedule does (`src/explore/schedule.ts`): by point
 * (`request` or `reply`), method, sender, receiver, the virtual time its fate was decided, and its
 * rank among such messages at that instant. A server edit (crash, restart, partition, heal) takes
 * effect right after step `step`.
 */
import { formatTime } from "../sim/index.js";

/** Names the message an edit hits. */
export interface MessageTarget {
  readonly point: "request" | "reply";
  readonly method: string;
  /** The caller's node ("S1", "client 2", "main"). */
  readonly from: string;
  /** The server index. */
  readonly to: number;
  /** Virtual ms at which its fate was decided (when it was sent). */
  readonly at: number;
  readonly nth: number;
}

/** One edit. */
export type Edit =
  | (MessageTarget & { readonly kind: "drop" })
  /** Delivered `ms` later than it was. */
  | (MessageTarget & { readonly kind: "delay"; readonly ms: number })
  /** Delivered at virtual time `until` (earlier than it was; at least 1 ms after it was sent). */
  | (MessageTarget & { readonly kind: "deliver-now"; readonly until: number })
  /** A request delivered once more, `ms` after it. */
  | (MessageTarget & { readonly kind: "duplicate"; readonly ms: number })
  | { readonly kind: "crash"; readonly step: number; readonly at: number; readonly server: number }
  | { readonly kind: "restart"; readonly step: number; readonly at: number; readonly server: number }
  | { readonly kind: "partition"; readonly step: number; readonly at: number; readonly groups: readonly (readonly number[])[] }
  | { readonly kind: "heal"; readonly step: number; readonly at: number };

/** An edit on a message. */
export type MessageEdit = Extract<Edit, { point: string }>;
/** An edit on the servers. */
export type ServerEdit = Exclude<Edit, MessageEdit>;

/** Whether `e` edits a message. */
export function isMessageEdit(e: Edit): e is MessageEdit {
  return "point" in e;
}

/** The key a message edit is looked up by. */
export function targetKey(t: Pick<MessageTarget, "point" | "method" | "from" | "to" | "at" | "nth">): string {
  return `${t.point}|${t.method}|${t.from}|${t.to}|${t.at}|${t.nth}`;
}

/** One edit in words, e.g. `1.203s  drop the request of Raft.RequestVote S1 -> S2` (peers named as `peerNames` says, if given: `100:S2`). */
export function describeEdit(e: Edit, peerNames?: readonly string[]): string {
  const time = formatTime(e.at).padStart(8);
  const S = (p: number): string => peerNames?.[p] ?? `S${p}`;
  if (!isMessageEdit(e)) {
    switch (e.kind) {
      case "crash":
        return `${time}  crash ${S(e.server)} (after step ${e.step})`;
      case "restart":
        return `${time}  restart ${S(e.server)} (after step ${e.step})`;
      case "partition":
        return `${time}  partition ${e.groups.map((g) => g.map(S).join(" ")).join(" | ")} (after step ${e.step})`;
      case "heal":
        return `${time}  heal every link (after step ${e.step})`;
    }
  }
  const what = `the ${e.point} of ${e.method} ${e.from} -> ${S(e.to)}${e.nth > 0 ? ` (#${e.nth + 1} at that instant)` : ""}`;
  switch (e.kind) {
    case "drop":
      return `${time}  drop ${what}`;
    case "delay":
      return `${time}  delay ${what} by ${e.ms} ms`;
    case "deliver-now":
      return `${time}  deliver ${what} at ${formatTime(e.until)}`;
    case "duplicate":
      return `${time}  deliver ${what} again ${e.ms} ms later`;
  }
}

/** Reads edits from JSON text, or throws an error naming what is wrong. */
export function parseEdits(text: string, source: string): Edit[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source}: not JSON (${(e as Error).message}); export edits from the debugger's page (Export: schedule)`);
  }
  const list = Array.isArray(data) ? data : (data as { edits?: unknown } | null)?.edits;
  if (!Array.isArray(list)) throw new Error(`${source}: expected a list of edits, or an object with "edits"`);
  return list.map((e, i) => checkEdit(e, `${source}: edit ${i}`));
}

const KINDS = new Set(["drop", "delay", "deliver-now", "duplicate", "crash", "restart", "partition", "heal"]);

/** `e` as an {@link Edit}, or an error naming what is missing. */
export function checkEdit(e: unknown, where: string): Edit {
  const o = e as Record<string, unknown> | null;
  if (typeof o !== "object" || o === null || typeof o["kind"] !== "string" || !KINDS.has(o["kind"])) {
    throw new Error(`${where}: not an edit (kind must be one of ${[...KINDS].join(", ")}): ${JSON.stringify(e)}`);
  }
  const num = (k: string): void => {
    if (typeof o[k] !== "number" || !Number.isFinite(o[k])) throw new Error(`${where}: ${o["kind"]} needs a number "${k}"`);
  };
  num("at");
  if ("point" in o) {
    if (o["point"] !== "request" && o["point"] !== "reply") throw new Error(`${where}: point must be "request" or "reply"`);
    if (typeof o["method"] !== "string" || typeof o["from"] !== "string") throw new Error(`${where}: a message edit needs method and from`);
    num("to");
    num("nth");
    if (o["kind"] === "delay" || o["kind"] === "duplicate") num("ms");
    if (o["kind"] === "deliver-now") num("until");
  } else {
    num("step");
    if (o["kind"] === "crash" || o["kind"] === "restart") num("server");
    if (o["kind"] === "partition" && !Array.isArray(o["groups"])) throw new Error(`${where}: partition needs "groups"`);
  }
  return o as unknown as Edit;
}
