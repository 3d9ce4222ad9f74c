import type { RandomSource } from "./runtime.js";

/** The URL-safe base64 alphabet of `RandomSource.string` (the Go tester's `randstring`). */
export const RANDOM_STRING_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * The draws of a {@link RandomSource} built on its `float()`, with their argument checks, shared
 * by every runtime's source (the simulation's seeded streams, the real-time runtime's CSPRNG), so
 * the same call means the same thing, and fails the same way, in both.
 */
export abstract class RandomDraws implements RandomSource {
  /** A float in [0, 1). */
  abstract float(): number;

  /** A random string of `n` characters of {@link RANDOM_STRING_ALPHABET}. */
  abstract string(n: number): string;

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
}
