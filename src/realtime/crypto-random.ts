import { randomFillSync } from "node:crypto";
import type { RandomSource } from "../runtime/index.js";

/** URL-safe base64 alphabet, as the simulation's `Random.string` uses. */
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * Randomness from the operating system's CSPRNG (`crypto.randomFillSync`), with the same methods
 * and argument checks as the simulation's seeded `Random`. Bytes are drawn in blocks so that a
 * float costs no system call.
 */
export class CryptoRandom implements RandomSource {
  private readonly block = new Uint32Array(512);
  /** Next unused word of {@link block}; a full block means it must be refilled. */
  private next = this.block.length;

  /** A float in [0, 1) with 53 random bits. */
  float(): number {
    const hi = this.word() >>> 5; // 27 bits
    const lo = this.word() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** An integer in [0, n); `n` must be a positive safe integer. */
  int(n: number): number {
    if (!(n > 0) || !Number.isSafeInteger(n)) {
      throw new RangeError(`random.int(n): n must be a positive safe integer, got ${n}`);
    }
    return Math.floor(this.float() * n);
  }

  /** An integer in [lo, hi], inclusive. */
  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability `p`. */
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

  /** A random string of `n` URL-safe base64 characters. */
  string(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += ALPHABET[this.word() & 63];
    return s;
  }

  private word(): number {
    if (this.next === this.block.length) {
      randomFillSync(this.block);
      this.next = 0;
    }
    return this.block[this.next++]!;
  }
}
