/** `Simulation.probes`: observers of each event and log line, and attachments, that leave the run as it was. */
import { describe, expect, it } from "vitest";
import { dlog, go, random, sleep } from "../runtime/index.js";
import type { LogEntry } from "../runtime/log-types.js";
import type { FiredEvent } from "./run-probes.js";
import { runSim } from "./simulation.js";

async function workload(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    go(`worker ${i}`, async () => {
      for (let k = 0; k < 10; k++) {
        await sleep(random.between(1, 30));
        dlog(i, "INFO", `bump ${k}`);
      }
    });
  }
  await sleep(1000);
}

describe("RunProbes", () => {
  it("sees every timer event and every kept log line, and the run is the same run", async () => {
    const plain = await runSim(3, workload, { recordTrace: true, log: true });
    const events: FiredEvent[] = [];
    const lines: LogEntry[] = [];
    const watched = await runSim(
      3,
      (sim) => {
        sim.probes.onEvent((e) => events.push(e));
        sim.probes.onLog((l) => lines.push(l));
        return workload();
      },
      { recordTrace: true, log: true },
    );
    expect(watched.traceHash).toBe(plain.traceHash);
    expect(watched.traceLines).toEqual(plain.traceLines);
    expect(events.length).toBe(plain.events);
    expect(events.every((e, i) => i === 0 || e.time >= events[i - 1]!.time)).toBe(true);
    expect(events[0]).toMatchObject({ task: expect.stringMatching(/worker|main/), label: expect.any(String) });
    expect(lines).toEqual(watched.logs);
    expect(lines.length).toBe(40);
  });

  it("keeps attachments by key, and an observer can be removed", async () => {
    await runSim(1, async (sim) => {
      const key = { name: "test attachment" } as const;
      expect(sim.probes.get<number>(key)).toBeUndefined();
      sim.probes.attach<number>(key, 42);
      expect(sim.probes.get<number>(key)).toBe(42);
      let n = 0;
      const off = sim.probes.onEvent(() => n++);
      expect(sim.probes.watchingEvents).toBe(true);
      await sleep(1);
      off();
      expect(sim.probes.watchingEvents).toBe(false);
      await sleep(1);
      expect(n).toBe(1);
    });
  });
});
