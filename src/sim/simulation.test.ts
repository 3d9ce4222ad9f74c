import { describe, expect, it } from "vitest";
import { Channel } from "../runtime/index.js";
import { SimulationError } from "./errors.js";
import { after, go, now, random, sleep } from "../runtime/index.js";
import { dueTime, runSim, type SimResult } from "./simulation.js";

/** Runs `main` and returns the error it fails with (the test fails if the run succeeds). */
async function failure(run: Promise<SimResult<unknown>>): Promise<Error> {
  try {
    await run;
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    return e as Error;
  }
  throw new Error("expected the run to fail, but it succeeded");
}

/** Burns about `ms` of real CPU time (process.hrtime is not virtualized). */
function burnRealMs(ms: number): void {
  const end = process.hrtime.bigint() + BigInt(Math.round(ms * 1e6));
  while (process.hrtime.bigint() < end) {
    // spin
  }
}

describe("virtual time", () => {
  it("fires events in time order, and same-time events in the order they were scheduled", async () => {
    const order: string[] = [];
    await runSim(1, async (sim) => {
      sim.after(20, () => order.push("b@20"));
      sim.after(10, () => order.push("a@10"));
      sim.after(20, () => order.push("c@20"));
      sim.after(0, () => order.push("d@0"));
      sim.after(10, () => order.push("e@10"));
      await sleep(30);
    });
    expect(order).toEqual(["d@0", "a@10", "e@10", "b@20", "c@20"]);
  });

  it("wakes tasks sleeping until the same instant in the order they went to sleep", async () => {
    const order: number[] = [];
    await runSim(1, async () => {
      for (const i of [3, 1, 4, 1, 5, 9, 2, 6]) {
        go(`t${i}`, async () => {
          await sleep(100);
          order.push(i);
        });
      }
      await sleep(200);
    });
    expect(order).toEqual([3, 1, 4, 1, 5, 9, 2, 6]);
  });

  it("sleep(0) yields: other ready tasks and their microtasks run first, and the clock stays put", async () => {
    const order: string[] = [];
    const r = await runSim(1, async () => {
      go("other", async () => {
        order.push("other start");
        await Promise.resolve();
        order.push("other after microtask");
      });
      order.push("main before sleep(0)");
      await sleep(0);
      order.push(`main after sleep(0) at ${now()}`);
    });
    expect(order).toEqual([
      "main before sleep(0)",
      "other start",
      "other after microtask",
      "main after sleep(0) at 0",
    ]);
    expect(r.virtualMs).toBe(0);
  });

  it("advances now() only when every task waits, by exactly the sleep durations", async () => {
    const seen: [string, number][] = [];
    const r = await runSim(1, async () => {
      go("a", async () => {
        seen.push(["a0", now()]);
        await sleep(15);
        seen.push(["a1", now()]);
        await sleep(15);
        seen.push(["a2", now()]);
      });
      seen.push(["main0", now()]);
      await sleep(20);
      seen.push(["main1", now()]);
      await sleep(20);
      seen.push(["main2", now()]);
    });
    expect(seen).toEqual([
      ["main0", 0],
      ["a0", 0],
      ["a1", 15],
      ["main1", 20],
      ["a2", 30],
      ["main2", 40],
    ]);
    expect(r.virtualMs).toBe(40);
  });

  it("takes no virtual time for computation", async () => {
    const r = await runSim(1, async () => {
      const t0 = now();
      let x = 0;
      for (let i = 0; i < 200_000; i++) x = (x * 31 + i) | 0;
      burnRealMs(5);
      await Promise.resolve(x);
      return now() - t0;
    });
    expect(r.value).toBe(0);
    expect(r.virtualMs).toBe(0);
  });

  it("keeps fractional delays exact and counts fired events", async () => {
    const r = await runSim(1, async () => {
      await sleep(0.5);
      await sleep(0.25);
      return now();
    });
    expect(r.value).toBe(0.75);
    expect(r.events).toBe(2);
  });

  it("does not fire cancelled timers", async () => {
    const fired: string[] = [];
    await runSim(1, async (sim) => {
      const t = sim.after(10, () => fired.push("cancelled"));
      sim.after(5, () => t.cancel());
      sim.after(10, () => fired.push("kept"));
      await sleep(20);
    });
    expect(fired).toEqual(["kept"]);
  });

  it("returns main's value, the seed and the wall time", async () => {
    const r = await runSim("abc", async () => {
      await sleep(7);
      return 42;
    });
    expect(r.value).toBe(42);
    expect(r.seed).toBe("abc");
    expect(r.virtualMs).toBe(7);
    expect(r.wallMs).toBeGreaterThanOrEqual(0);
  });

  it("lets tasks of a finished run park instead of failing or firing", async () => {
    let strayWoke = false;
    await runSim(1, async () => {
      go("stray", async () => {
        await sleep(1000);
        strayWoke = true;
      });
      await sleep(10);
    });
    // A later run must not see the stray task's timer.
    const r = await runSim(2, async () => {
      await sleep(5000);
      return now();
    }, { recordTrace: true });
    expect(strayWoke).toBe(false);
    expect(r.traceLines).toEqual(["5.000s main: sleep"]);
  });
});

describe("go tasks", () => {
  it("fails the run with the task's name when a task throws after waiting", async () => {
    const e = await failure(
      runSim(7, async () => {
        go("heartbeat-loop", async () => {
          await sleep(50);
          throw new Error("index out of range");
        });
        await sleep(1000);
      }),
    );
    expect(e).toBeInstanceOf(SimulationError);
    expect((e as SimulationError).kind).toBe("task-failed");
    expect(e.message).toContain('task "heartbeat-loop" failed: index out of range');
    expect(e.message).toContain("seed 7");
    expect(e.message).toContain("virtual time 0.050s");
    expect((e.cause as Error).message).toBe("index out of range");
  });

  it("fails the run when a task throws synchronously", async () => {
    const e = await failure(
      runSim(1, async () => {
        go("sync-thrower", () => {
          throw new TypeError("boom");
        });
        await sleep(10);
      }),
    );
    expect(e.message).toContain('task "sync-thrower" failed: boom');
  });

  it("fails the run when a timer callback throws, naming the timer", async () => {
    const e = await failure(
      runSim(1, async (sim) => {
        sim.after(5, () => {
          throw new Error("bad tick");
        }, "election-timer");
        await sleep(10);
      }),
    );
    expect(e.message).toContain('task "election-timer" failed: bad tick');
  });

  it("reports the first failure when several tasks fail", async () => {
    const e = await failure(
      runSim(1, async () => {
        go("second", async () => {
          await sleep(20);
          throw new Error("two");
        });
        go("first", async () => {
          await sleep(10);
          throw new Error("one");
        });
        await sleep(100);
      }),
    );
    expect(e.message).toContain('task "first" failed: one');
  });

  it("fails with main's own error when main throws", async () => {
    const e = await failure(
      runSim(1, async () => {
        await sleep(3);
        throw new Error("assertion in main");
      }),
    );
    expect(e.message).toBe("assertion in main");
  });

  it("fails cleanly and leaves no simulation running when main throws synchronously", async () => {
    const realRandom = Math.random;
    const e = await failure(
      runSim(1, (() => {
        throw new Error("sync main");
      }) as () => Promise<void>),
    );
    expect(e.message).toBe("sync main");
    expect(Math.random).toBe(realRandom);
    // The next run must not be refused as "already running".
    const r = await runSim(2, async () => 1);
    expect(r.value).toBe(1);
  });
});

describe("clear errors", () => {
  it("reports a deadlock when main waits and no event is pending", async () => {
    const e = await failure(
      runSim(3, async () => {
        const ch = new Channel<number>();
        await sleep(25);
        await ch.recv();
      }),
    );
    expect(e).toBeInstanceOf(SimulationError);
    expect((e as SimulationError).kind).toBe("deadlock");
    expect(e.message).toMatch(/^deadlock: the main task is waiting, but no timer is pending/);
    expect(e.message).toContain("[seed 3, virtual time 0.025s]");
  });

  it("reports a deadlock when main awaits a promise nothing settles, even with other tasks blocked", async () => {
    const e = await failure(
      runSim(1, async () => {
        const ch = new Channel<void>();
        go("blocked-sender", () => ch.send());
        go("blocked-receiver", () => new Channel<void>().recv());
        await new Promise<void>(() => {});
      }),
    );
    expect((e as SimulationError).kind).toBe("deadlock");
  });

  it("reports a livelock for while(true) await sleep(0)", async () => {
    const e = await failure(
      runSim(1, async () => {
        for (;;) await sleep(0);
      }),
    );
    expect(e).toBeInstanceOf(SimulationError);
    expect((e as SimulationError).kind).toBe("livelock");
    expect(e.message).toMatch(/^livelock: \d+ events ran at virtual time 0\.000s without the clock advancing \(last: "sleep"\)/);
  });

  it("reports a livelock after maxEventsPerInstant events at one instant, at a later time too", async () => {
    const e = await failure(
      runSim(
        1,
        async (sim) => {
          await sleep(500);
          const rearm = (): void => void sim.after(0, rearm, "zero-timer");
          rearm();
          await sleep(1);
        },
        { maxEventsPerInstant: 1000 },
      ),
    );
    expect((e as SimulationError).kind).toBe("livelock");
    expect(e.message).toContain("1001 events ran at virtual time 0.500s");
    expect(e.message).toContain('(last: "zero-timer")');
  });

  it("enforces the default virtual-time budget of 120 s", async () => {
    const ok = await runSim(1, async () => {
      await sleep(120_000);
      return now();
    });
    expect(ok.value).toBe(120_000);
    const e = await failure(
      runSim(1, async () => {
        await sleep(100_000);
        await sleep(20_001);
      }),
    );
    expect((e as SimulationError).kind).toBe("virtual-time-budget");
    expect(e.message).toContain("virtual time budget exceeded: test took longer than 120 seconds");
    expect(e.message).toContain('(next event "sleep" is due at 120.001s)');
    expect(e.message).toContain("virtual time 100.000s");
  });

  it("enforces a custom virtual-time budget", async () => {
    const e = await failure(runSim(1, () => sleep(2001), { virtualBudgetMs: 2000 }));
    expect(e.message).toContain("test took longer than 2 seconds");
  });

  it("enforces the real-time budget on a run that burns CPU in many short steps", async () => {
    const e = await failure(
      runSim(
        11,
        async () => {
          for (;;) {
            burnRealMs(0.2);
            await sleep(1);
          }
        },
        { realBudgetMs: 20 },
      ),
    );
    expect(e).toBeInstanceOf(SimulationError);
    expect((e as SimulationError).kind).toBe("real-time-budget");
    expect(e.message).toContain("real-time budget exceeded: the run used more than 0.02 s of wall time");
    expect(e.message).toContain("seed 11");
  });

  it("refuses a second runSim while one is running", async () => {
    let inner: unknown;
    const r = await runSim(1, async () => {
      try {
        await runSim(2, async () => {});
      } catch (e) {
        inner = e;
      }
      await sleep(10);
      return now();
    });
    expect(r.value).toBe(10);
    expect(inner).toBeInstanceOf(SimulationError);
    expect((inner as SimulationError).kind).toBe("misuse");
    expect((inner as Error).message).toContain("another simulation is already running in this process");
  });

  it("rejects NaN and infinite delays, naming the function called", async () => {
    await runSim(1, async (sim) => {
      expect(() => after(NaN, () => {})).toThrow("after(NaN): the delay must be a finite number of ms");
      expect(() => after(Infinity, () => {})).toThrow(RangeError);
      // The simulator's own timers take no negative delay at all.
      expect(() => sim.after(-1, () => {})).toThrow("after(-1): the delay must be a finite number of ms >= 0");
      // sleep() reports it as a rejection, so `await sleep(NaN)` throws where it is called, naming sleep.
      await expect(sleep(NaN)).rejects.toThrow("sleep(NaN): the delay must be a finite number of ms");
      await expect(sleep(Infinity)).rejects.toThrow("sleep(Infinity)");
    });
  });

  it("a negative delay is 0, as Go's time.Sleep returns at once", async () => {
    await runSim(1, async (sim) => {
      await sleep(10);
      await sleep(-2126);
      expect(now()).toBe(10);
      let fired = -1;
      after(-5, () => (fired = now()));
      await sleep(-Infinity);
      await sleep(1);
      expect(fired).toBe(10);
    });
  });

  it("a positive delay always moves the clock, by at least 1 µs", async () => {
    await runSim(1, async () => {
      await sleep(100.25);
      expect(now()).toBe(100.25);
      await sleep(1e-13);
      expect(now()).toBe(100.251);
      await sleep(0.0004); // rounds to the same instant: 1 µs instead
      expect(now()).toBe(100.252);
      await sleep(0.0006); // rounds to the next microsecond, as before
      expect(now()).toBe(100.253);
      await sleep(0);
      expect(now()).toBe(100.253);
    });
    expect(dueTime(5, 2.5)).toBe(7.5);
    expect(dueTime(5, 0)).toBe(5);
    expect(dueTime(5, -1)).toBe(5);
    expect(dueTime(0.1 + 0.2, 1e-9)).toBe(0.301);
  });

  it("the Go heartbeat loop sleep(HEARTBEAT - (now() - lastSent)) ends, whatever the float error", async () => {
    const HEARTBEAT = 100;
    const result = await runSim(7, async () => {
      await sleep(28.003); // from here, 100 - ((28.003 + 100) - 28.003) is 1.4e-14 ms, not 0
      let beats = 0;
      let sleeps = 0;
      while (beats < 3) {
        const lastSent = now(); // send the heartbeats
        await sleep(HEARTBEAT / 3); // awaited RPCs and persisting
        for (;;) {
          const elapsed = now() - lastSent;
          if (elapsed >= HEARTBEAT) break;
          sleeps++;
          await sleep(HEARTBEAT - elapsed);
        }
        beats++;
      }
      return { beats, sleeps };
    });
    expect(result.value.beats).toBe(3);
    // Each beat's remainder ended in a 1e-14 ms sleep that the clock had to honour.
    expect(result.value.sleeps).toBeGreaterThan(3);
    expect(result.virtualMs).toBeLessThan(28.003 + 300 + 0.01);
  });

  it("rejects a bad Random.int argument", async () => {
    await runSim(1, async (sim) => {
      for (const n of [0, -3, 1.5, NaN, Infinity, 2 ** 60]) {
        expect(() => random.int(n)).toThrow(`Random.int(n): n must be a positive safe integer, got ${n}`);
        expect(() => sim.random.int(n)).toThrow(RangeError);
      }
    });
  });

  it("rejects a bad Channel capacity", () => {
    for (const c of [-1, 1.5, NaN, Infinity]) {
      expect(() => new Channel(c)).toThrow(`Channel capacity must be a non-negative integer, got ${c}`);
    }
  });
});

describe("random", () => {
  it("draws within range and is a pure function of the seed", async () => {
    const draw = async (seed: number): Promise<number[]> =>
      (
        await runSim(seed, async () => {
          const xs: number[] = [];
          for (let i = 0; i < 200; i++) {
            const f = random.float();
            expect(f).toBeGreaterThanOrEqual(0);
            expect(f).toBeLessThan(1);
            const k = random.int(10);
            expect(Number.isInteger(k) && k >= 0 && k < 10).toBe(true);
            const b = random.between(150, 300);
            expect(b >= 150 && b <= 300).toBe(true);
            xs.push(f, k, b);
          }
          xs.push(...random.shuffle([1, 2, 3, 4, 5, 6]));
          expect(random.string(12)).toMatch(/^[A-Za-z0-9_-]{12}$/);
          return xs;
        })
      ).value;
    expect(await draw(5)).toEqual(await draw(5));
    expect(await draw(5)).not.toEqual(await draw(6));
  });

  it("shuffle returns a permutation and chance respects its bounds", async () => {
    await runSim(9, async () => {
      const items = Array.from({ length: 50 }, (_, i) => i);
      const shuffled = random.shuffle(items.slice());
      expect(shuffled.slice().sort((a, b) => a - b)).toEqual(items);
      expect(shuffled).not.toEqual(items);
      for (let i = 0; i < 100; i++) {
        expect(random.chance(0)).toBe(false);
        expect(random.chance(1)).toBe(true);
      }
    });
  });
});

describe("determinism", () => {
  /** A workload mixing random sleeps, tasks, channels and Math.random. */
  async function workload(): Promise<number> {
    const ch = new Channel<number>(2);
    let sum = 0;
    for (let i = 0; i < 5; i++) {
      go(`producer-${i}`, async () => {
        for (let k = 0; k < 10; k++) {
          await sleep(random.between(1, 50));
          await ch.send(i * 100 + k + Math.floor(Math.random() * 3));
        }
      });
    }
    for (let n = 0; n < 50; n++) {
      sum = (sum * 7 + (await ch.recv()) + now()) % 1_000_003;
    }
    return sum;
  }

  it("gives identical traceHash and traceLines for the same seed", async () => {
    const a = await runSim(1234, workload, { recordTrace: true });
    const b = await runSim(1234, workload, { recordTrace: true });
    expect(a.traceLines!.length).toBeGreaterThan(100);
    expect(b.traceLines).toEqual(a.traceLines);
    expect(b.traceHash).toBe(a.traceHash);
    expect(b.value).toBe(a.value);
    expect(b.virtualMs).toBe(a.virtualMs);
  });

  it("gives a different trace for a different seed", async () => {
    const a = await runSim(1234, workload, { recordTrace: true });
    const b = await runSim(1235, workload, { recordTrace: true });
    expect(b.traceHash).not.toBe(a.traceHash);
    expect(b.traceLines).not.toEqual(a.traceLines);
  });

  it("computes the same hash whether or not the trace text is recorded", async () => {
    const a = await runSim(77, workload, { recordTrace: true });
    const b = await runSim(77, workload);
    expect(b.traceLines).toBeUndefined();
    expect(b.traceHash).toBe(a.traceHash);
  });
});
