/** `Simulation.onStep`: observers that see every step of a run without changing it. */
import { describe, expect, it } from "vitest";
import { go, random, sleep } from "../runtime/index.js";
import { runSim, type Simulation } from "./simulation.js";

/** A little workload: tasks that draw randomness, sleep, and bump a counter. */
async function workload(sim: Simulation, state: { value: number }, workers = 5): Promise<void> {
  for (let i = 0; i < workers; i++) {
    go(`worker ${i}`, async () => {
      for (let k = 0; k < 50 / workers; k++) {
        await sleep(random.between(1, 50));
        state.value++;
      }
    });
  }
  await sleep(5000); // 50 bumps at most 50 ms apart are over by then
  expect(sim.now()).toBe(5000);
}

describe("Simulation.onStep", () => {
  it("calls the observer after every step, once the woken tasks have run, and sees each state", async () => {
    // One worker: each bump is a step of its own (several workers may wake at one instant).
    const seen: number[] = [];
    const state = { value: 0 };
    let steps = 0;
    const r = await runSim(7, async (sim) => {
      sim.onStep(() => {
        steps++;
        if (seen.at(-1) !== state.value) seen.push(state.value);
      });
      await workload(sim, state, 1);
    });
    // Every value the counter took, in order: no step escapes the observer.
    expect(seen).toEqual(Array.from({ length: 51 }, (_, i) => i));
    expect(steps).toBeGreaterThan(r.events / 10);
  });

  it("does not change the run: same trace and events with or without observers", async () => {
    const plain = await runSim(11, (sim) => workload(sim, { value: 0 }), { recordTrace: true });
    const observed = await runSim(
      11,
      (sim) => {
        sim.onStep(() => {});
        sim.onStep(() => void sim.now());
        return workload(sim, { value: 0 });
      },
      { recordTrace: true },
    );
    expect(observed.traceHash).toBe(plain.traceHash);
    expect(observed.events).toBe(plain.events);
    expect(observed.virtualMs).toBe(plain.virtualMs);
  });

  it("fails the run with what an observer throws, at the step where it throws", async () => {
    const state = { value: 0 };
    const run = runSim(3, async (sim) => {
      sim.onStep(() => {
        if (state.value >= 20) throw new Error(`counter reached ${state.value} at ${sim.now()} ms`);
      });
      await workload(sim, state, 1);
    });
    await expect(run).rejects.toThrow(/^counter reached 20 at \d+ ms$/);
  });

  it("stops calling an observer once removed", async () => {
    let calls = 0;
    await runSim(5, async (sim) => {
      const remove = sim.onStep(() => calls++);
      await sleep(10);
      const before = calls;
      remove();
      await sleep(10);
      await sleep(10);
      expect(calls).toBe(before);
    });
    expect(calls).toBeGreaterThan(0);
  });
});
