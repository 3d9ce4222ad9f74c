import { describe, expect, it } from "vitest";
import { runSim, SimulationError } from "../sim/index.js";
import { Channel, go, now, recvTimeout, select, sleep } from "./index.js";

describe("select: Go's select over receives, with a timeout", () => {
  it("Promise.race([ch.recv(), sleep(t)]) leaks its receive: the next value sent goes nowhere", async () => {
    const { value } = await runSim(1, async () => {
      const ch = new Channel<number>();
      const first = await Promise.race([ch.recv(), sleep(10).then(() => "timeout" as const)]);
      // The receive is still registered: this send is taken by it, and nobody ever sees 42.
      const delivered = ch.trySend(42);
      const later = await Promise.race([ch.recv(), sleep(10).then(() => "timeout" as const)]);
      return { first, delivered, later };
    });
    expect(value).toEqual({ first: "timeout", delivered: true, later: "timeout" });
  });

  it("select with a timeout leaves nothing behind: the next value goes to the next receive", async () => {
    const { value } = await runSim(1, async () => {
      const ch = new Channel<number>();
      const first = await select([ch], { timeoutMs: 10 });
      const delivered = ch.trySend(42); // no receiver is waiting any more
      const sender = (async () => {
        await sleep(5);
        await ch.send(43);
      })();
      const later = await recvTimeout(ch, 10);
      await sender;
      return { first, delivered, later, at: now() };
    });
    expect(value).toEqual({
      first: { timedOut: true, index: -1, closed: false, value: undefined },
      delivered: false,
      later: { ok: true, value: 43 },
      at: 15,
    });
  });

  it("waits on several channels and takes the first that gives a value, withdrawing from the others", async () => {
    const { value } = await runSim(1, async () => {
      const applied = new Channel<string>();
      const stop = new Channel<void>();
      go("applier", async () => {
        await sleep(20);
        await applied.send("put x");
      });
      const r = await select([applied, stop], { timeoutMs: 100 });
      // The stop channel has no receiver left behind.
      return { r, at: now(), stopTaken: stop.trySend(undefined) };
    });
    expect(value).toEqual({ r: { timedOut: false, index: 0, closed: false, value: "put x" }, at: 20, stopTaken: false });
  });

  it("cancels its timer once a value came: the run is not kept alive by it", async () => {
    const e = await runSim(1, async () => {
      const ch = new Channel<number>();
      go("sender", async () => {
        await sleep(10);
        await ch.send(1);
      });
      await select([ch], { timeoutMs: 1000 });
      await new Channel<void>().recv(); // deadlock right away, not when a stale timer fires at 1 s
    }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(SimulationError);
    expect((e as SimulationError).kind).toBe("deadlock");
    expect((e as SimulationError).virtualTime).toBe(10);
  });

  it("a closed channel is ready, timeoutMs 0 is Go's default case, and a waiting select shows in the dump", async () => {
    const { value } = await runSim(1, async () => {
      const a = new Channel<number>();
      const closedNow = await select([a], { timeoutMs: 0 });
      a.close();
      const closed = await select([a]);
      return { closedNow, closed, t: await recvTimeout(a, 5) };
    });
    expect(value.closedNow.timedOut).toBe(true);
    expect(value.closed).toEqual({ timedOut: false, index: 0, closed: true, value: undefined });
    expect(value.t).toEqual({ ok: false, closed: true });
    const e = await runSim(1, async () => {
      await select([new Channel<number>(), new Channel<number>()]);
    }).then(
      () => undefined,
      (err: unknown) => err as SimulationError,
    );
    expect(e?.message).toContain(`waiting on select on 2 channels since 0.000s`);
  });

  it("among several ready channels picks one at random from the task's seeded stream: the same per seed, all of them over seeds", async () => {
    const pick = async (seed: number): Promise<number> =>
      (
        await runSim(seed, async () => {
          const chans = [new Channel<number>(1), new Channel<number>(1), new Channel<number>(1)];
          chans.forEach((c, i) => c.trySend(i));
          const r = await select(chans);
          return r.index;
        })
      ).value;
    const seen = new Set<number>();
    for (let s = 1; s <= 12; s++) {
      const p = await pick(s);
      expect(await pick(s)).toBe(p);
      seen.add(p);
    }
    expect(seen).toEqual(new Set([0, 1, 2]));
  });

  it("rejects a select that could never end, and bad timeouts, naming select", async () => {
    await runSim(1, async () => {
      await expect(select([])).rejects.toThrow("select(): no channel and no timeout would wait forever");
      await expect(select([new Channel<number>()], { timeoutMs: NaN })).rejects.toThrow("select(): timeoutMs must be a finite number of ms, got NaN");
      expect((await select([], { timeoutMs: 3 })).timedOut).toBe(true);
    });
  });
});
