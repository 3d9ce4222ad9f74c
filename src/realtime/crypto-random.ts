import { randomFillSync } from "node:crypto";
import { RANDOM_STRING_ALPHABET as ALPHABET, RandomDraws } from "../runtime/random-draws.js";

/**
 * Randomness from the operating system's CSPRNG (`crypto.randomFillSync`), with the same methods
 * and argument checks as the simulation's seeded `Random`. Bytes are drawn in blocks so that a
 * float costs no system call.
 */
export class CryptoRandom extends RandomDraws {
  private readonly block = new Uint32Array(512);
  /** Next unused word of {@link block}; a full block means it must be refilled. */
  private next = this.block.length;

  /** A float in [0, 1) with 53 random bits. */
  float(): number {
    const hi = this.word() >>> 5; // 27 bits
    const lo = this.word() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
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
