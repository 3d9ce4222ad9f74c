import seedrandom from "seedrandom";
import type { RandomSource } from "../runtime/runtime.js";
import type { Trace } from "./trace.js";

/**
 * One seeded random stream (an Alea generator, from seedrandom). A simulation has several, each
 * derived from the run's seed and the stream's name alone (not from the other streams' draws):
 * `main` for the tester, `labrpc` for the network's faults and delays, one per node (`node S1#1`,
 * `node client 3#2`). So one extra draw in one peer's code changes what that peer draws next and
 * nothing else: the network still drops the same messages and the other peers still time out at
 * the same moments (what TigerBeetle's simulator does by seeding each subsystem from the root).
 *
 * Every draw is recorded in the trace with the stream's name, so a determinism check names the
 * first stream and draw that differ.
 */
export class Random implements RandomSource {
  private readonly prng: seedrandom.PRNG;

  constructor(
    seed: string | number,
    /** The stream's name, unique within its run. */
    readonly stream: string,
    private readonly trace: Trace,
    private readonly clock: () => number,
  ) {
    // The main stream keeps the plain seed, so `runSim(seed)` draws what it always drew.
    this.prng = seedrandom.alea(stream === MAIN_STREAM ? String(seed) : `${String(seed)}/${stream}`);
  }

  /** A float in [0, 1). */
  float(): number {
    const x = this.prng();
    this.trace.addDraw(this.clock(), this.stream, x);
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
    this.trace.addDraw(this.clock(), this.stream, n);
    return s;
  }
}

/** The name of the run's main stream (the tester's, and the main task's). */
export const MAIN_STREAM = "main";
