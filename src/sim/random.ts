import seedrandom from "seedrandom";
import type { Trace } from "./trace.js";

/** Trace tag for random draws (see {@link Trace.addNumber}). */
const TAG_RANDOM = 1;

/**
 * The simulation's single source of randomness: a seeded Alea generator (seedrandom). Every draw is
 * recorded in the trace, so a determinism check pinpoints the first draw that differs.
 */
export class Random {
  private readonly prng: seedrandom.PRNG;

  constructor(
    seed: string | number,
    private readonly trace: Trace,
    private readonly clock: () => number,
  ) {
    this.prng = seedrandom.alea(String(seed));
  }

  /** A float in [0, 1). */
  float(): number {
    const x = this.prng();
    this.trace.addNumber(this.clock(), TAG_RANDOM, x);
    return x;
  }

  /** An integer in [0, n). `n` must be a positive safe integer. */
  int(n: number): number {
    if (!(n > 0) || !Number.isSafeInteger(n)) {
      throw new RangeError(`Random.int(n): n must be a positive safe integer, got ${n}`);
    }
    return Math.floor(this.float() * n);
  }

  /** An integer in [lo, hi] (inclusive). */
  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
    return items;
  }

  /** A random string of `n` characters from the URL-safe base64 alphabet (like the Go tester's randstring). */
  string(n: number): string {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let s = "";
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.prng() * 64)];
    this.trace.addNumber(this.clock(), TAG_RANDOM, n);
    return s;
  }
}
