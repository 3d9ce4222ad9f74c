import { describe, expect, it } from "vitest";
// Imported before the simulation on purpose: code of a simulated run must still reach its simulation.
import { RealRuntime, realRuntime } from "./index.js";
import { Channel, dlog, dmark, go, now, random, sleep, uniqueId, type LogEntry } from "../runtime/index.js";
import { runSim } from "../sim/index.js";

describe("RealRuntime", () => {
  it("is what lab code outside a simulation gets, and a simulated run still gets its own", async () => {
    const before = now();
    await sleep(20);
    expect(now() - before).toBeGreaterThanOrEqual(19);
    const { value } = await runSim(1, async () => {
      const t0 = now();
      await sleep(1000);
      return [t0, now()];
    });
    // Virtual time: the simulated second took no real second, and started at 0.
    expect(value).toEqual([0, 1000]);
  });

  it("starts a go task only once the caller yields", async () => {
    const order: string[] = [];
    go("t", () => order.push("task"));
    order.push("caller");
    await sleep(0);
    expect(order).toEqual(["caller", "task"]);
  });

  it("hands a task's throw or rejection, and a timer's throw, to the failure handler with the task's name", async () => {
    const rt = new RealRuntime();
    const failures: string[] = [];
    rt.onTaskFailure((task, e) => failures.push(`${task}: ${(e as Error).message}`));
    rt.go("sync", () => {
      throw new Error("a");
    });
    rt.go("async", async () => {
      await rt.sleep(1);
      throw new Error("b");
    });
    rt.after(1, () => {
      throw new Error("c");
    }, "timer x");
    await rt.sleep(30);
    expect(failures.sort()).toEqual(["async: b", "sync: a", "timer x: c"]);
  });

  it("cancels timers and rejects bad delays", async () => {
    const rt = new RealRuntime();
    let fired = false;
    rt.after(5, () => (fired = true)).cancel();
    await rt.sleep(20);
    expect(fired).toBe(false);
    expect(() => rt.sleep(-1)).toThrow(/between 0 and/);
    expect(() => rt.after(Number.NaN, () => {})).toThrow(/between 0 and/);
  });

  it("draws random numbers in range and rejects bad arguments as the simulation does", () => {
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const f = random.float();
      expect(f).toBeGreaterThanOrEqual(0);
      expect(f).toBeLessThan(1);
      const b = random.between(3, 5);
      expect(b >= 3 && b <= 5).toBe(true);
      seen.add(b);
    }
    expect([...seen].sort()).toEqual([3, 4, 5]);
    expect(() => random.int(0)).toThrow(/positive safe integer/);
    expect(random.string(12)).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(random.shuffle([1, 2, 3, 4]).sort()).toEqual([1, 2, 3, 4]);
  });

  it("gives unique ids, none below 2^21, with random prefixes across runtimes (processes)", () => {
    const ids = new Set<number>();
    for (let i = 0; i < 50_000; i++) ids.add(uniqueId());
    expect(ids.size).toBe(50_000);
    expect(Math.min(...ids)).toBeGreaterThanOrEqual(2 ** 21);
    expect([...ids].every(Number.isSafeInteger)).toBe(true);
    const other = new RealRuntime();
    expect(ids.has(other.uniqueId())).toBe(false);
  });

  it("logs in the format of log-format.ts when a sink is set, and skips building messages otherwise", async () => {
    let built = 0;
    const message = (): string => `m${++built}`;
    dlog(1, "INFO", message);
    expect(built).toBe(0);
    const lines: string[] = [];
    realRuntime.setLogSink({ text: (l) => lines.push(l) });
    try {
      dlog(2, "VOTE", message);
      dlog("node", "INFO", "two\nlines");
    } finally {
      realRuntime.setLogSink({});
    }
    expect(lines[0]).toMatch(/^\d{6}(\.\d+)? VOTE S2 m1\n$/);
    expect(lines[1]).toMatch(/^\d{6}(\.\d+)? INFO node two\n {2}lines\n$/);
  });

  it("with a marks sink alone, builds no message: lines without a mark are skipped, marks come without text", () => {
    let built = 0;
    const message = (): string => `m${++built}`;
    const marks: LogEntry[] = [];
    realRuntime.setLogSink({ marks: (e) => marks.push(e) });
    try {
      expect(realRuntime.marksOnly).toBe(true);
      dlog(1, "LOG1", message);
      dmark(1, "LEAD", { kind: "role", role: "leader", term: 3 }, message);
    } finally {
      realRuntime.setLogSink({});
    }
    expect(built).toBe(0);
    expect(marks).toMatchObject([{ peer: 1, topic: "LEAD", message: "", mark: { kind: "role", role: "leader", term: 3 } }]);
    // With a text log as well, every line is built and marks still reach the marks sink.
    const lines: string[] = [];
    marks.length = 0;
    realRuntime.setLogSink({ marks: (e) => marks.push(e), text: (l) => lines.push(l) });
    try {
      expect(realRuntime.marksOnly).toBe(false);
      dlog(1, "LOG1", message);
      dmark(1, "CMIT", { kind: "commit", index: 7 }, message);
    } finally {
      realRuntime.setLogSink({});
    }
    expect(built).toBe(2);
    expect(lines).toHaveLength(2);
    expect(marks).toMatchObject([{ message: "m2", mark: { kind: "commit", index: 7 } }]);
  });

  it("runs channels in real time", async () => {
    const ch = new Channel<number>();
    go("sender", async () => {
      await sleep(5);
      await ch.send(42);
    });
    expect(await ch.recv()).toBe(42);
  });
});
