import { describe, expect, it } from "vitest";
import { Channel, ChannelClosedError } from "./channel.js";
import { go, now, sleep } from "./index.js";
import { runSim } from "../sim/index.js";

/** Runs `main` in a simulation and returns its value. */
async function sim<T>(main: () => Promise<T>): Promise<T> {
  return (await runSim(1, main)).value;
}

describe("unbuffered channel", () => {
  it("resolves send only after a receive (rendezvous)", async () => {
    const events = await sim(async () => {
      const ch = new Channel<string>();
      const log: string[] = [];
      go("sender", async () => {
        await ch.send("x");
        log.push(`sent at ${now()}`);
      });
      await sleep(100);
      log.push(`receiving at ${now()}`);
      log.push(`got ${await ch.recv()}`);
      await sleep(0);
      return log;
    });
    // The sender stays blocked until the receive at 100 ms (it wakes in the receive's microtask turn).
    expect(events).toEqual(["receiving at 100", "sent at 100", "got x"]);
  });

  it("hands a value straight to a waiting receiver", async () => {
    const got = await sim(async () => {
      const ch = new Channel<number>();
      const received: [number, number][] = [];
      go("receiver", async () => received.push([await ch.recv(), now()]));
      await sleep(30);
      await ch.send(7);
      await sleep(0);
      return received;
    });
    expect(got).toEqual([[7, 30]]);
  });

  it("holds no value: trySend fails without a waiting receiver, tryRecv finds nothing", async () => {
    await sim(async () => {
      const ch = new Channel<number>();
      expect(ch.trySend(1)).toBe(false);
      expect(ch.length).toBe(0);
      expect(ch.tryRecv()).toEqual({ ok: false });
      go("receiver", () => ch.recv());
      await sleep(0);
      expect(ch.trySend(2)).toBe(true);
    });
  });

  it("tryRecv takes from a blocked sender and releases it", async () => {
    const log = await sim(async () => {
      const ch = new Channel<string>();
      const log: string[] = [];
      go("sender", async () => {
        await ch.send("v");
        log.push("sender released");
      });
      await sleep(0);
      log.push(JSON.stringify(ch.tryRecv()));
      await sleep(0);
      return log;
    });
    expect(log).toEqual(['{"ok":true,"value":"v"}', "sender released"]);
  });

  it("serves blocked senders and receivers first-come first-served", async () => {
    const out = await sim(async () => {
      const ch = new Channel<string>();
      for (const name of ["a", "b", "c"]) go(`send-${name}`, () => ch.send(name));
      await sleep(1);
      const got = [await ch.recv(), await ch.recv(), await ch.recv()];
      const order: string[] = [];
      for (const name of ["r1", "r2", "r3"]) go(name, async () => order.push(`${name}:${await ch.recv()}`));
      await sleep(1);
      for (const v of ["x", "y", "z"]) await ch.send(v);
      await sleep(0);
      return { got, order };
    });
    expect(out.got).toEqual(["a", "b", "c"]);
    expect(out.order).toEqual(["r1:x", "r2:y", "r3:z"]);
  });
});

describe("buffered channel", () => {
  it("accepts up to capacity sends without a receiver, then blocks", async () => {
    const log = await sim(async () => {
      const ch = new Channel<number>(2);
      const log: string[] = [];
      go("sender", async () => {
        for (let i = 1; i <= 4; i++) {
          await ch.send(i);
          log.push(`sent ${i} at ${now()}`);
        }
      });
      await sleep(10);
      log.push(`length ${ch.length}`);
      for (let i = 0; i < 4; i++) {
        log.push(`recv ${await ch.recv()} at ${now()}`);
        await sleep(10);
      }
      return log;
    });
    expect(log).toEqual([
      "sent 1 at 0",
      "sent 2 at 0",
      "length 2",
      // A receive frees a slot, so the blocked send completes at the same instant.
      "sent 3 at 10",
      "recv 1 at 10",
      "sent 4 at 20",
      "recv 2 at 20",
      "recv 3 at 30",
      "recv 4 at 40",
    ]);
  });

  it("keeps FIFO order when a blocked sender's value moves into the buffer", async () => {
    const got = await sim(async () => {
      const ch = new Channel<number>(1);
      expect(ch.trySend(1)).toBe(true);
      expect(ch.trySend(2)).toBe(false);
      go("s2", () => ch.send(2));
      go("s3", () => ch.send(3));
      await sleep(0);
      const out: number[] = [];
      for (let i = 0; i < 3; i++) {
        const r = ch.tryRecv();
        if (r.ok) out.push(r.value);
      }
      expect(ch.tryRecv()).toEqual({ ok: false });
      return out;
    });
    expect(got).toEqual([1, 2, 3]);
  });
});

describe("close", () => {
  it("rejects blocked receivers and senders, and later sends", async () => {
    const out = await sim(async () => {
      const ch = new Channel<number>();
      const results: string[] = [];
      const record = (name: string, p: Promise<unknown>): void =>
        void p.then(
          () => results.push(`${name} ok`),
          (e: unknown) => results.push(`${name} ${e instanceof ChannelClosedError ? "closed" : "other"}: ${(e as Error).message}`),
        );
      record("recv", ch.recv());
      await sleep(1);
      const other = new Channel<number>();
      record("send", other.send(1));
      ch.close();
      other.close();
      await sleep(0);
      record("late send", ch.send(2));
      await sleep(0);
      expect(() => ch.trySend(3)).toThrow(ChannelClosedError);
      expect(ch.closed).toBe(true);
      ch.close(); // closing twice is harmless
      return results;
    });
    expect(out).toEqual([
      "recv closed: receive from closed channel",
      "send closed: send on closed channel",
      "late send closed: send on closed channel",
    ]);
  });

  it("lets buffered values be received after close, then rejects", async () => {
    await sim(async () => {
      const ch = new Channel<number>(3);
      await ch.send(1);
      await ch.send(2);
      ch.close();
      expect(await ch.recv()).toBe(1);
      expect(ch.tryRecv()).toEqual({ ok: true, value: 2 });
      await expect(ch.recv()).rejects.toThrow(ChannelClosedError);
      expect(ch.tryRecv()).toEqual({ ok: false });
    });
  });

  it("ends for-await loops once closed and drained", async () => {
    const out = await sim(async () => {
      const ch = new Channel<number>();
      const seen: number[] = [];
      let finishedAt = -1;
      go("consumer", async () => {
        for await (const v of ch) seen.push(v);
        finishedAt = now();
      });
      for (let i = 0; i < 3; i++) {
        await sleep(10);
        await ch.send(i);
      }
      await sleep(5);
      ch.close();
      await sleep(0);
      return { seen, finishedAt };
    });
    expect(out).toEqual({ seen: [0, 1, 2], finishedAt: 35 });
  });
});
