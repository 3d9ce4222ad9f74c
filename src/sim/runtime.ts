import { current } from "./current.js";
import type { Random } from "./random.js";
import type { SimTimer } from "./simulation.js";

/**
 * Ambient access to the running simulation, so lab code reads like Go:
 * `await sleep(100)`, `now()`, `random.int(300)`, `go("ticker", () => this.ticker())`.
 */

/** Virtual milliseconds since the start of the run. */
export function now(): number {
  return current("now()").now();
}

/** Resolves after `ms` virtual milliseconds. */
export function sleep(ms: number): Promise<void> {
  return current("sleep()").sleep(ms);
}

/** Runs `fn` after `ms` virtual milliseconds; returns a handle to cancel it. */
export function after(ms: number, fn: () => void, label?: string): SimTimer {
  return current("after()").after(ms, fn, label);
}

/** Starts a task (a goroutine): if it throws, the run fails naming `name`. */
export function go(name: string, fn: () => unknown): void {
  current("go()").go(name, fn);
}

/** The running simulation's seeded random source. */
export const random: Pick<Random, "float" | "int" | "between" | "chance" | "shuffle" | "string"> = {
  float: () => current("random.float()").rand.float(),
  int: (n) => current("random.int()").rand.int(n),
  between: (lo, hi) => current("random.between()").rand.between(lo, hi),
  chance: (p) => current("random.chance()").rand.chance(p),
  shuffle: (items) => current("random.shuffle()").rand.shuffle(items),
  string: (n) => current("random.string()").rand.string(n),
};
