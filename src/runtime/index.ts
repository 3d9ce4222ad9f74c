/**
 * The runtime API of lab code: time, timers, tasks, randomness, ids, channels and the debug log,
 * with the same meaning in every runtime (see {@link Runtime}). Lab code imports from here only:
 *
 * ```ts
 * import { Channel, dlog, go, now, random, sleep } from "../runtime/index.js";
 * go(`S${me} ticker`, async () => {
 *   while (!this.killed()) { await sleep(50 + random.int(300)); ... }
 * });
 * ```
 *
 * Each function finds the runtime of the calling task ({@link currentRuntime}); outside any runtime
 * it throws a clear error.
 */
import { currentRuntime, runtimeFor } from "./current.js";
import type { Mark, Topic } from "./log-types.js";
import type { RandomSource, Runtime, Timer } from "./runtime.js";

export { Channel, ChannelClosedError } from "./channel.js";
export { EncodingError, decode, encode } from "./encoding.js";
export { recvTimeout, select, type SelectOptions, type SelectResult } from "./select.js";
export { currentRuntime, registerRuntime } from "./current.js";
export { TOPICS, type LogEntry, type Mark, type Topic } from "./log-types.js";
export type { RandomSource, Runtime, Timer } from "./runtime.js";

/** Milliseconds since the start of the run (virtual in a simulation). */
export function now(): number {
  return runtimeFor("now()").now();
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return runtimeFor("sleep()").sleep(ms);
}

/** Runs `fn` after `ms` milliseconds; returns a handle to cancel it. */
export function after(ms: number, fn: () => void, label?: string): Timer {
  return runtimeFor("after()").after(ms, fn, label);
}

/** Starts a task (a goroutine): if it throws, the run fails naming `name`. */
export function go(name: string, fn: () => unknown): void {
  runtimeFor("go()").go(name, fn);
}

/** A number never returned before in this run: for ids that must not collide (Clerk ids). */
export function uniqueId(): number {
  return runtimeFor("uniqueId()").uniqueId();
}

/** The calling task's randomness (in a simulation: its node's seeded stream). */
export const random: RandomSource = {
  float: () => runtimeFor("random.float()").random.float(),
  int: (n) => runtimeFor("random.int()").random.int(n),
  between: (lo, hi) => runtimeFor("random.between()").random.between(lo, hi),
  chance: (p) => runtimeFor("random.chance()").random.chance(p),
  shuffle: <T>(items: T[]): T[] => runtimeFor("random.shuffle()").random.shuffle(items),
  string: (n) => runtimeFor("random.string()").random.string(n),
};

/**
 * Logs a line, stamped with the run's time (the `DPrintf` of the labs). When logging is off the
 * call costs a lookup and a branch; pass a function for messages that are costly to build, and it
 * is only called when logging is on:
 *
 * ```ts
 * dlog(this.me, "VOTE", () => `granting vote to S${args.candidateId} for T${args.term}`);
 * ```
 *
 * Outside any runtime (e.g. a stray callback after a run ended) the line is dropped.
 */
export function dlog(peer: number | string, topic: Topic, message: string | (() => string)): void {
  const rt = logTarget();
  if (rt === undefined || rt.marksOnly === true) return;
  rt.log(peer, topic, typeof message === "function" ? message() : message);
}

/**
 * Logs a line that also carries a structured {@link Mark}, e.g. a role change:
 * `dmark(this.me, "LEAD", { kind: "role", role: "leader", term }, () => \`leader for T${term}\`)`.
 * Free when logging is off, like {@link dlog}.
 */
export function dmark(peer: number | string, topic: Topic, mark: Mark, message: string | (() => string) = ""): void {
  const rt = logTarget();
  if (rt === undefined) return;
  rt.log(peer, topic, rt.marksOnly === true ? "" : typeof message === "function" ? message() : message, mark);
}

function logTarget(): Runtime | undefined {
  const rt = currentRuntime();
  return rt !== undefined && rt.logging ? rt : undefined;
}
