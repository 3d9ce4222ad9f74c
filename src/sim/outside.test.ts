import { expect, it } from "vitest";
import { after, go, now, random, sleep } from "./runtime.js";

// This file must run no simulation: once one has run in a process, calls outside a run reach the
// finished simulation (so stray tasks of an ended run park instead of crashing the next test).
it("gives a clear error for sleep(), now() and friends called outside a simulation", () => {
  const hint = "was called outside a simulation. Lab code runs inside runSim(seed, main)";
  expect(() => sleep(10)).toThrow(`sleep() ${hint}`);
  expect(() => now()).toThrow(`now() ${hint}`);
  expect(() => after(1, () => {})).toThrow(`after() ${hint}`);
  expect(() => go("x", () => {})).toThrow(`go() ${hint}`);
  expect(() => random.int(3)).toThrow(`random.int() ${hint}`);
  expect(() => random.float()).toThrow(`random.float() ${hint}`);
});
