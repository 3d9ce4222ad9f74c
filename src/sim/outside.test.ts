// @vitest-environment-options {"ownProcess": "sim-outside"}
// What code outside any simulation gets depends on what the process has loaded: a test file that
// loads the real-time runtime (src/realtime, the cluster tests) registers it as the fallback for
// such code. These tests are about a process with the simulation alone, so they have their own.
import { beforeAll, expect, it } from "vitest";
import { assertOwnProcess } from "../harness/own-process.js";
import { after, dlog, go, now, random, sleep, uniqueId } from "../runtime/index.js";
import { runSim } from "./index.js";

const hint = "was called outside a simulation. Lab code runs inside runSim(seed, main)";

beforeAll(() => assertOwnProcess("src/sim/outside.test.ts", "what code outside a simulation gets depends on the runtimes the process has loaded"));

function expectOutsideErrors(): void {
  expect(() => sleep(10)).toThrow(`sleep() ${hint}`);
  expect(() => now()).toThrow(`now() ${hint}`);
  expect(() => after(1, () => {})).toThrow(`after() ${hint}`);
  expect(() => go("x", () => {})).toThrow(`go() ${hint}`);
  expect(() => random.int(3)).toThrow(`random.int() ${hint}`);
  expect(() => random.float()).toThrow(`random.float() ${hint}`);
  expect(() => uniqueId()).toThrow(`uniqueId() ${hint}`);
  // Logging outside a run is a no-op, not an error (a stray log line must not crash anything).
  expect(() => dlog("x", "INFO", "nothing")).not.toThrow();
}

it("gives a clear error for sleep(), now() and friends called outside a simulation", () => {
  expectOutsideErrors();
});

it("gives the same clear error after a run has finished (no silent hang), while the run's own stray tasks park", async () => {
  let strayResumed = false;
  let strayCalledSleep = false;
  await runSim(1, async () => {
    go("stray", async () => {
      await sleep(1000); // the run ends first: this task is parked for good
      strayResumed = true;
    });
    go("late logger", async () => {
      await sleep(5);
      strayCalledSleep = true;
    });
    await sleep(10);
  });
  expect(strayCalledSleep).toBe(true);
  expect(strayResumed).toBe(false);
  expectOutsideErrors();
});

it("a stray task of a finished run that sleeps again parks instead of failing", async () => {
  const events: string[] = [];
  let release: (() => void) | undefined;
  await runSim(1, async () => {
    go("stray", async () => {
      // Woken from outside after the run ended (a promise resolved by a real callback).
      await new Promise<void>((resolve) => (release = resolve));
      events.push(`woke at ${now()}`);
      await sleep(1); // must neither throw nor ever resolve
      events.push("slept");
    });
    await sleep(3);
  });
  release?.();
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(events).toEqual(["woke at 3"]);
});
