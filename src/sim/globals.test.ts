import { describe, expect, it } from "vitest";
import { VIRTUAL_EPOCH_MS } from "./globals.js";
import { now, sleep } from "../runtime/index.js";
import { runSim } from "./simulation.js";

// The real functions, captured before any simulation runs.
const real = {
  random: Math.random,
  dateNow: Date.now,
  perfNow: performance.now,
  setTimeout: globalThis.setTimeout,
  setInterval: globalThis.setInterval,
  setImmediate: globalThis.setImmediate,
  clearTimeout: globalThis.clearTimeout,
  clearInterval: globalThis.clearInterval,
  clearImmediate: globalThis.clearImmediate,
};

function expectRealGlobals(): void {
  expect(Math.random).toBe(real.random);
  expect(Date.now).toBe(real.dateNow);
  expect(performance.now).toBe(real.perfNow);
  expect(globalThis.setTimeout).toBe(real.setTimeout);
  expect(globalThis.setInterval).toBe(real.setInterval);
  expect(globalThis.setImmediate).toBe(real.setImmediate);
  expect(globalThis.clearTimeout).toBe(real.clearTimeout);
  expect(globalThis.clearInterval).toBe(real.clearInterval);
  expect(globalThis.clearImmediate).toBe(real.clearImmediate);
  // And they behave like the real ones: the real clock is far from the virtual epoch's start.
  expect(Math.abs(Date.now() - VIRTUAL_EPOCH_MS)).toBeGreaterThan(0);
  expect(Date.now()).not.toBe(VIRTUAL_EPOCH_MS);
}

describe("virtualized globals", () => {
  it("routes Math.random, Date.now and performance.now to the simulation", async () => {
    const run = () =>
      runSim(21, async () => {
        const out: number[] = [];
        expect(Date.now()).toBe(VIRTUAL_EPOCH_MS);
        expect(performance.now()).toBe(0);
        await sleep(1234.5);
        expect(performance.now()).toBe(1234.5);
        expect(Date.now()).toBe(VIRTUAL_EPOCH_MS + 1234);
        for (let i = 0; i < 20; i++) out.push(Math.random());
        return out;
      });
    const a = await run();
    const b = await run();
    expect(a.value).toEqual(b.value);
    expect(new Set(a.value).size).toBe(20);
    const other = await runSim(22, async () => Math.random());
    expect(other.value).not.toBe(a.value[0]);
  });

  it("runs setTimeout, setImmediate and setInterval in virtual time", async () => {
    const r = await runSim(1, async () => {
      const log: string[] = [];
      setTimeout((x: string) => log.push(`timeout ${x} at ${now()}`), 250, "arg");
      setImmediate(() => log.push(`immediate at ${now()}`));
      let ticks = 0;
      const iv = setInterval(() => {
        ticks++;
        log.push(`interval at ${now()}`);
        if (ticks === 3) clearInterval(iv);
      }, 100);
      const cancelled = setTimeout(() => log.push("cancelled timeout fired"), 50);
      clearTimeout(cancelled);
      const cancelledImmediate = setImmediate(() => log.push("cancelled immediate fired"));
      clearImmediate(cancelledImmediate);
      await new Promise<void>((resolve) => setTimeout(resolve, 1000));
      return log;
    });
    expect(r.value).toEqual([
      "immediate at 0",
      "interval at 100",
      "interval at 200",
      "timeout arg at 250",
      "interval at 300",
    ]);
    expect(r.virtualMs).toBe(1000);
  });

  it("treats odd timer delays like Node: no throw, at least 1 ms for intervals", async () => {
    const r = await runSim(1, async () => {
      const when: number[] = [];
      setTimeout(() => when.push(now()), Infinity);
      setTimeout(() => when.push(now()), 2 ** 40);
      setTimeout(() => when.push(now()), NaN);
      setTimeout(() => when.push(now()), -5);
      let n = 0;
      const iv = setInterval(() => {
        when.push(now());
        if (++n === 2) clearInterval(iv);
      }, 0);
      await sleep(10);
      return when;
    });
    expect(r.value).toEqual([0, 0, 1, 1, 1, 2]);
  });

  it("is deterministic: timers and Math.random give the same trace twice", async () => {
    const body = async (): Promise<void> => {
      for (let i = 0; i < 10; i++) {
        await new Promise<void>((resolve) => setTimeout(resolve, Math.random() * 100));
      }
    };
    const a = await runSim(5, body, { recordTrace: true });
    const b = await runSim(5, body, { recordTrace: true });
    expect(a.traceLines).toEqual(b.traceLines);
    expect(a.traceLines!.some((l) => l.endsWith("setTimeout"))).toBe(true);
  });

  it("restores the real globals after a run", async () => {
    await runSim(1, async () => {
      expect(Math.random).not.toBe(real.random);
      expect(globalThis.setTimeout).not.toBe(real.setTimeout);
      await sleep(1);
    });
    expectRealGlobals();
  });

  it("restores the real globals after a failing run", async () => {
    await expect(
      runSim(1, async () => {
        await sleep(1);
        throw new Error("fail inside");
      }),
    ).rejects.toThrow("fail inside");
    expectRealGlobals();
    await expect(runSim(1, () => new Promise<void>(() => {}))).rejects.toThrow(/deadlock/);
    expectRealGlobals();
  });

  it("leaves the globals alone with virtualizeGlobals: false", async () => {
    await runSim(
      1,
      async () => {
        expect(Math.random).toBe(real.random);
        expect(Date.now).toBe(real.dateNow);
        await sleep(5);
      },
      { virtualizeGlobals: false },
    );
    expectRealGlobals();
  });

  it("real timers still work after a run", async () => {
    await runSim(1, () => sleep(10));
    await new Promise<void>((resolve) => setTimeout(resolve, 1));
  });
});
