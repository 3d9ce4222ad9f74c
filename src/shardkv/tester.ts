/**
 * The sharded KV tester: a port of 6.5840's `src/shardkv/config.go` and of the helpers of its
 * `test_test.go`, in virtual time, with the original's messages.
 *
 * - `config.ts`: the controller services, the three shard groups, crash and restart, Clerks;
 * - here: `check`, the random values, the "2 s without an answer" window, and the deadline that
 *   turns the challenge tests' hang on a failing solution into a message naming the shard.
 *
 * @module
 */
import { after, random, sleep, type Timer } from "../runtime/index.js";
import { fatal } from "../tester/failure.js";
import type { Clerk } from "./client.js";
import type { Config } from "./config.js";
import { key2shard } from "./key2shard.js";

export { fatal } from "../tester/failure.js";
export { Config, CtrlerService, NCTRLERS, NGROUPS, serverName, withConfig } from "./config.js";

/** Go's `linearizabilityCheckTimeout` (1 s); here a step budget, see the KV tester. */
export { LINEARIZABILITY_STEP_BUDGET } from "../tester/linearizability.js";

/** Go's `check(t, ck, key, value)`. */
export async function check(ck: Clerk, key: string, value: string): Promise<void> {
  const v = await ck.get(key);
  if (v !== value) fatal(`Get(${key}): expected:\n${value}\nreceived:\n${v}`);
}

/** Go's `randstring(n)`: n random characters, from the calling task's stream. */
export function randstring(n: number): string {
  return random.string(n);
}

/** Keys "0".."n-1" (with n = 10, one per shard). */
export function keys(n: number): string[] {
  return Array.from({ length: n }, (_, i) => String(i));
}

/**
 * Answers from concurrent goroutines, read as Go reads a channel in a `select` with
 * `time.After(2 * time.Second)`: {@link next} waits for one answer, or gives up after the quiet
 * period without losing an answer that comes later.
 */
export class Completions {
  private readonly queue: string[] = [];
  private waiting: ((value: string | undefined) => void) | undefined;

  /** One goroutine's answer ("" for success, else the failure message). */
  push(answer: string): void {
    const w = this.waiting;
    if (w !== undefined) {
      this.waiting = undefined;
      w(answer);
    } else this.queue.push(answer);
  }

  /** The next answer, or undefined if none comes within `ms` (virtual). */
  next(ms: number): Promise<string | undefined> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve) => {
      let timer: Timer | undefined = undefined;
      this.waiting = (value) => {
        timer?.cancel();
        resolve(value);
      };
      timer = after(
        ms,
        () => {
          this.waiting = undefined;
          resolve(undefined);
        },
        "tester-quiet-window",
      );
    });
  }

  /**
   * Counts answers until `quietMs` pass without one (Go's loop around the `select`); a failure
   * message fails the test.
   */
  async countUntilQuiet(quietMs: number): Promise<number> {
    let ndone = 0;
    for (;;) {
      const answer = await this.next(quietMs);
      if (answer === undefined) return ndone;
      if (answer !== "") fatal(answer);
      ndone++;
    }
  }
}

/**
 * How long a challenge-2 test waits for one operation on a shard that must be served. Go's test
 * has no limit of its own (a failing solution hangs until `go test` gives up, after 10 minutes);
 * here the operation fails the test after this much virtual time, naming the shard.
 */
export const SERVE_DEADLINE_MS = 30_000;

/**
 * Runs `op` on `key`, failing the test if it does not complete within {@link SERVE_DEADLINE_MS}:
 * `shard S (key 'K') was not served: Get did not complete within 30 s ...`.
 */
export async function served<T>(what: "Get" | "Put", key: string, why: string, op: () => Promise<T>): Promise<T> {
  let timer: Timer | undefined = undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = after(
      SERVE_DEADLINE_MS,
      () => {
        try {
          fatal(`shard ${key2shard(key)} (key '${key}') was not served: ${what} did not complete within ${SERVE_DEADLINE_MS / 1000} s (${why})`);
        } catch (e) {
          reject(e);
        }
      },
      "tester-serve-deadline",
    );
  });
  try {
    return await Promise.race([op(), deadline]);
  } finally {
    (timer as Timer | undefined)?.cancel();
  }
}

/** Puts a random value of `len` characters to each of `n` keys; returns keys and values. */
export async function putKeys(ck: Clerk, n: number, len: number): Promise<{ ka: string[]; va: string[] }> {
  const ka = keys(n);
  const va = ka.map(() => randstring(len));
  for (let i = 0; i < n; i++) await ck.put(ka[i]!, va[i]!);
  return { ka, va };
}

/** Checks every key, then appends `len` random characters to it. */
export async function checkAndAppend(ck: Clerk, ka: readonly string[], va: string[], len: number): Promise<void> {
  for (let i = 0; i < ka.length; i++) {
    await check(ck, ka[i]!, va[i]!);
    const x = randstring(len);
    await ck.append(ka[i]!, x);
    va[i] += x;
  }
}

export async function checkAll(ck: Clerk, ka: readonly string[], va: readonly string[]): Promise<void> {
  for (let i = 0; i < ka.length; i++) await check(ck, ka[i]!, va[i]!);
}

/**
 * Starts one appender per key (Go's `ff` goroutines): each appends `len` random characters to its
 * key, then pauses `pauseMs` (none if 0), until `stop()`; `stop()` resolves once all have finished.
 * Each uses its own Clerk: `clerks[i]` if given (made before the goroutines, as some tests do),
 * else one it makes itself.
 */
export function appenders(cfg: Config, ka: readonly string[], va: string[], len: number, pauseMs: number, clerks?: readonly Clerk[]): () => Promise<void> {
  const state = { done: false };
  const finished = ka.map(async (key, i) => {
    const ck1 = clerks?.[i] ?? cfg.makeClient(cfg.ctl);
    while (!state.done) {
      const x = randstring(len);
      await ck1.append(key, x);
      va[i] += x;
      if (pauseMs > 0) await sleep(pauseMs);
    }
  });
  return async () => {
    state.done = true;
    await Promise.all(finished);
  };
}

