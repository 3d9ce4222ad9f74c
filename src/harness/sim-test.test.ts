import { randomInt } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { Channel, dlog, go, now, random, sleep } from "../runtime/index.js";
import { checkDeterminism, compareTraces, freshSeed, replayCommand, simTest, type SimTestContext } from "./index.js";

describe("simTest", () => {
  // Small simulated tests, also the targets `scripts/stress.test.ts` runs `npm run stress` on.

  simTest("SimSleepersFinish", async (t) => {
    let done = 0;
    for (let i = 0; i < 10; i++) {
      go(`sleeper-${i}`, async () => {
        for (let k = 0; k < 5; k++) await sleep(random.between(10, 200));
        done++;
      });
    }
    await sleep(1000);
    expect(done).toBe(10);
    expect(now()).toBe(1000);
    expect(t.name).toBe("SimSleepersFinish");
    expect(Number.isSafeInteger(t.seed)).toBe(true);
  });

  simTest("SimPingPong", async () => {
    const ping = new Channel<number>();
    const pong = new Channel<number>();
    go("ponger", async () => {
      for await (const n of ping) {
        await sleep(random.between(1, 10));
        await pong.send(n + 1);
      }
    });
    let n = 0;
    for (let i = 0; i < 50; i++) {
      await ping.send(n);
      n = await pong.recv();
    }
    ping.close();
    expect(n).toBe(50);
    expect(now()).toBeGreaterThanOrEqual(50);
    expect(now()).toBeLessThanOrEqual(500);
  });

  // Fails on odd seeds only when STRESS_FIXTURE_FAIL=1 (set by scripts/stress.test.ts, to exercise
  // the stress runner's failure report); otherwise an ordinary passing test.
  simTest("SimStressFixture", async (t) => {
    await sleep(random.between(100, 300));
    dlog("tester", "TEST", `fixture seed ${t.seed} at ${now()}`);
    if (process.env["STRESS_FIXTURE_FAIL"] === "1" && t.seed % 2 === 1) {
      throw new Error(`fixture failure for odd seed ${t.seed}`);
    }
    // STRESS_FIXTURE_HANG=<seed> (set by scripts/stress.test.ts): that seed's run never yields, to
    // exercise the watchdog and the stress runner's going on after a hung run.
    if (process.env["STRESS_FIXTURE_HANG"] === String(t.seed)) spinForever();
  });

  simTest("SimContextWallMsIsRealTime", async (t) => {
    // Inside the run performance.now() is virtual; wallMs() must still measure real time.
    await sleep(60_000);
    const wall = t.wallMs();
    expect(wall).toBeGreaterThanOrEqual(0);
    expect(wall).toBeLessThan(60_000);
    expect(t.sim.now()).toBe(60_000);
  });
});

describe("replayCommand", () => {
  it("names the seed, the file and an anchored test name", () => {
    expect(replayCommand("src/raft/raft.test.ts", "TestInitialElection3A", 12345)).toBe(
      "SEED=12345 npx vitest run src/raft/raft.test.ts -t '^TestInitialElection3A$'",
    );
  });

  it("anchors the full name that -t matches, escaping regex characters and quotes", () => {
    expect(replayCommand("src/kvraft/kv.test.ts", "part 4A TestBasic4A (reliable)", 7)).toBe(
      "SEED=7 npx vitest run src/kvraft/kv.test.ts -t '^part 4A TestBasic4A \\(reliable\\)$'",
    );
    expect(replayCommand("a.test.ts", "it's [x]", 1)).toBe("SEED=1 npx vitest run a.test.ts -t '^it'\\''s \\[x\\]$'");
  });

  it("freshSeed gives positive 31-bit integers", () => {
    for (let i = 0; i < 100; i++) {
      const s = freshSeed();
      expect(Number.isSafeInteger(s) && s >= 1 && s < 2 ** 31).toBe(true);
    }
  });
});

describe("determinism checker", () => {
  const deterministic = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) await sleep(random.between(1, 100));
  };

  it("passes a deterministic body, and says so", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      await checkDeterminism({ name: "Deterministic", fullName: "Deterministic", file: "src/sim/x.test.ts", body: deterministic, options: {}, seed: 42 });
      expect(log).toHaveBeenCalledWith(expect.stringMatching(/^determinism check passed: Deterministic seed 42 ran twice with the same \d+ trace steps \(hash \w+\)$/));
    } finally {
      log.mockRestore();
    }
  });

  it("reports where a body that leaks real randomness diverges", async () => {
    let runs = 0;
    const leaky = async (_t: SimTestContext): Promise<void> => {
      runs++;
      await sleep(10);
      await sleep(random.between(1, 5));
      // Real randomness leaking into a duration: the two runs differ from here on.
      // (Up to 1 s in 2^30 steps, so the two runs collide with probability ~1e-9.)
      await sleep((randomInt(1, 2 ** 30) / 2 ** 30) * 1000);
      await sleep(1);
    };
    const error = await checkDeterminism({ name: "LeakyTest", fullName: "LeakyTest", file: "src/sim/leaky.test.ts", body: leaky, options: {}, seed: 99 }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    const message = error!.message;
    expect(message).toMatch(/^nondeterminism: two runs with the same seed diverged at trace step 3 of 5\/5/);
    expect(message).toContain("last common steps:");
    // Steps: the 10 ms sleep, the seeded draw, the short sleep, then the leaked sleep.
    expect(message).toContain("0.010s main: sleep");
    expect(message).toMatch(/0\.010s #main 0\.\d+/);
    expect(message).toMatch(/first run: {2}\d+\.\d{3}s main: sleep/);
    expect(message).toContain("seed:   99");
    expect(message).toContain("replay: SEED=99 npx vitest run src/sim/leaky.test.ts -t '^LeakyTest$'");
    expect(message).toContain("debug:  npm run debug -- LeakyTest --seed 99 --file src/sim/leaky.test.ts");
    expect(runs).toBe(2);
  });

  it("compareTraces reports traces of different lengths and equal traces", () => {
    const a = { traceHash: "1", traceLines: ["0.000s x", "0.001s y"] };
    expect(compareTraces(a, { ...a })).toBeUndefined();
    const shorter = compareTraces(a, { traceHash: "2", traceLines: ["0.000s x"] });
    expect(shorter).toContain("diverged at trace step 1 of 2/1");
    expect(shorter).toContain("second run: (end of trace)");
    // Equal text but a different hash (e.g. steps recorded without text) still counts as divergence.
    expect(compareTraces(a, { traceHash: "3", traceLines: a.traceLines })).toContain("diverged at trace step 2 of 2/2");
  });
});

/** A loop that never yields (for the watchdog's stress test, see SimStressFixture). */
function spinForever(): void {
  for (let spins = 0; spins >= 0; spins = (spins + 1) % 1_000_000);
}
