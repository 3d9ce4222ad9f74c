import seedrandom from "seedrandom";
import { RANDOM_STRING_ALPHABET, RandomDraws } from "../runtime/random-draws.js";
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
export class Random extends RandomDraws {
  private readonly prng: seedrandom.PRNG;

  constructor(
    seed: string | number,
    /** The stream's name, unique within its run. */
    readonly stream: string,
    private readonly trace: Trace,
    private readonly clock: () => number,
  ) {
    super();
    // The main stream keeps the plain seed, so `runSim(seed)` draws what it always drew.
    this.prng = seedrandom.alea(stream === MAIN_STREAM ? String(seed) : `${String(seed)}/${stream}`);
  }

  /** A float in [0, 1). */
  float(): number {
    const x = this.prng();
    this.trace.addDraw(this.clock(), this.stream, x);
    return x;
  }

  /** A random string of `n` characters from the URL-safe base64 alphabet (like the Go tester's randstring). */
  string(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += RANDOM_STRING_ALPHABET[Math.floor(this.prng() * 64)];
    this.trace.addDraw(this.clock(), this.stream, n);
    return s;
  }
}

/** The name of the run's main stream (the tester's, and the main task's). */
export const MAIN_STREAM = "main";
