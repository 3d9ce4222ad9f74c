import { describe, expect, it } from "vitest";
import { Channel, go, sleep } from "../runtime/index.js";
import { SimulationError, runSim } from "./index.js";

/**
 * A planted bug of Lab 4's shape: the KV server's applier hands each applied command to the RPC
 * handler that waits for it, over an unbuffered channel, with `await notify.send(...)`; but the
 * handler gave up waiting, so nobody ever receives, the applier blocks, and Raft's applier blocks
 * behind it on applyCh.
 */
async function kvApplierStuckOnSend(options: { ticker: boolean }): Promise<void> {
  const applyCh = new Channel<number>();
  const notify = new Channel<number>();
  go("S0 raft applier", async () => {
    for (let index = 1; ; index++) {
      await sleep(10);
      await applyCh.send(index);
    }
  });
  go("S0 kv applier", async () => {
    for await (const index of applyCh) await notify.send(index); // the bug: the handler left
  });
  if (options.ticker) {
    go("S0 ticker", async () => {
      for (;;) await sleep(100);
    });
  }
  await new Channel<void>().recv(); // the tester waits for an answer that never comes
}

function failure(promise: Promise<unknown>): Promise<SimulationError> {
  return promise.then(
    () => {
      throw new Error("the run should have failed");
    },
    (e: unknown) => {
      expect(e).toBeInstanceOf(SimulationError);
      return e as SimulationError;
    },
  );
}

describe("the dump of waiting tasks", () => {
  it("at a deadlock: each task, what it waits on, since when, and where it was started", async () => {
    const e = await failure(runSim(1, () => kvApplierStuckOnSend({ ticker: false })));
    expect(e.kind).toBe("deadlock");
    const lines = e.message.split("\n");
    expect(lines[0]).toMatch(/^deadlock: .* \[seed 1, virtual time 0\.020s\]$/);
    expect(lines[1]).toBe("tasks still running or waiting at 0.020s (3):");
    expect(e.message).toContain(
      [
        `  task "main" (node main), the test's main task`,
        `      waiting on channel receive (nothing sent yet) since 0.000s`,
        `  task "S0 kv applier" (node main), started at 0.000s by "main"`,
        `      waiting on channel send (unbuffered: no receiver yet) since 0.010s`,
      ].join("\n"),
    );
    expect(e.message).toMatch(/ {6}go\(\) at .*src\/sim\/task-dump\.test\.ts:20:\d+/);
    expect(e.message).toContain(
      [`  task "S0 raft applier" (node main), started at 0.000s by "main"`, `      waiting on channel send (unbuffered: no receiver yet) since 0.020s`].join("\n"),
    );
  });

  it("at the virtual-time budget: the sleeping ticker and the stuck applier", async () => {
    const e = await failure(runSim(2, () => kvApplierStuckOnSend({ ticker: true }), { virtualBudgetMs: 1000 }));
    expect(e.kind).toBe("virtual-time-budget");
    expect(e.message).toContain(`  task "S0 kv applier" (node main), started at 0.000s by "main"\n      waiting on channel send (unbuffered: no receiver yet) since 0.010s`);
    expect(e.message).toContain(`  task "S0 ticker" (node main), started at 0.000s by "main"\n      waiting on sleep(100 ms) since 1.000s`);
  });

  it("a finished task is not listed; a receive that a Promise.race left behind is", async () => {
    const e = await failure(
      runSim(3, async () => {
        go("done quickly", async () => {
          await sleep(1);
        });
        const ch = new Channel<number>();
        go("S1 waiter", async () => {
          await Promise.race([ch.recv(), sleep(5)]); // the sleep wins; the receive stays pending
          await new Channel<void>().recv();
        });
        await sleep(10);
        await new Channel<void>().recv();
      }),
    );
    expect(e.message).not.toContain("done quickly");
    expect(e.message).toContain(
      [
        `  task "S1 waiter" (node main), started at 0.000s by "main"`,
        `      waiting on channel receive (nothing sent yet) since 0.000s`,
        `      waiting on channel receive (nothing sent yet) since 0.005s`,
      ].join("\n"),
    );
  });
});
