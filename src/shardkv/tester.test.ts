/**
 * The sharded KV tester's own checks: the challenge-2 deadline fails naming the shard (where Go
 * would hang), and the "2 s without an answer" window counts what comes in time and keeps the rest.
 */
import { describe, expect, it } from "vitest";
import { after, sleep } from "../runtime/index.js";
import { runSim } from "../sim/index.js";
import { Completions, SERVE_DEADLINE_MS, served } from "./tester.js";

describe("served(): the challenge-2 deadline", () => {
  it("fails an operation that never completes, naming its shard and key", async () => {
    const run = runSim(1, () => served("Get", "3", "challenge 2: test", () => new Promise<string>(() => {})), { log: false });
    await expect(run).rejects.toThrow(/^shard 1 \(key '3'\) was not served: Get did not complete within 30 s \(challenge 2: test\)/);
  });

  it("lets an operation that completes in time through, and leaves no timer behind", async () => {
    const r = await runSim(2, async () => {
      const v = await served("Put", "7", "x", async () => {
        await sleep(SERVE_DEADLINE_MS - 1);
        return "done";
      });
      return v;
    });
    expect(r.value).toBe("done");
    expect(r.virtualMs).toBe(SERVE_DEADLINE_MS - 1);
  });
});

describe("Completions: Go's select with time.After(2 s)", () => {
  it("counts the answers that come before 2 s pass without one, and keeps a later one", async () => {
    const r = await runSim(3, async () => {
      const ch = new Completions();
      for (const ms of [100, 1500, 3000]) after(ms, () => ch.push(""));
      after(6000, () => ch.push("late"));
      const counted = await ch.countUntilQuiet(2000);
      const next = await ch.next(10_000);
      return { counted, next };
    });
    // 100 and 1500 come within 2 s of the previous one; 3000 does too (1.5 s after 1500); then 3 s of silence.
    expect(r.value).toEqual({ counted: 3, next: "late" });
  });

  it("fails the test with an answer that is a failure message", async () => {
    const run = runSim(4, async () => {
      const ch = new Completions();
      after(10, () => ch.push("Get(3): expected:\nx\nreceived:\ny"));
      await ch.countUntilQuiet(2000);
    }, { log: false });
    await expect(run).rejects.toThrow(/^Get\(3\): expected:\nx\nreceived:\ny/);
  });
});
