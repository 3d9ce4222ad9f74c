/**
 * The original labrpc unit tests (TestBasic ... TestKilled), in virtual time, plus the behaviour
 * this port adds: copy semantics, clear errors for values that cannot cross the network and for
 * unknown services or methods.
 */
import { describe, expect, it } from "vitest";
import { go, now, random, sleep } from "../runtime/index.js";
import { runSim } from "../sim/index.js";
import { simTest } from "../harness/index.js";
import { EncodeError, encode } from "./codec.js";
import { LABRPC, Network, Server, Service, originalFaults } from "./index.js";

/** The original's JunkServer, as a handler table. */
function junkService(log: { calls: string[] } = { calls: [] }): Service {
  return new Service("JunkServer", {
    // Handler1: parse a number from a string.
    Handler1: (args: string) => Number.parseInt(args, 10),
    // Handler2: format a number.
    Handler2: (args: number) => `handler2-${args}`,
    // Handler3: sleep 20 s, then reply -args (TestKilled).
    Handler3: async (args: number) => {
      await sleep(20_000);
      return -args;
    },
    // Handler4/5: object arguments and replies.
    Handler4: (args: { x: number }) => ({ x: args.x * 2 }),
    // Handler6: reply the length of a string (TestBytes).
    Handler6: (args: string) => args.length,
    // Handler7: reply a string of n "y"s (TestBytes).
    Handler7: (args: number) => "y".repeat(args),
    Record: (args: string) => {
      log.calls.push(args);
      return args;
    },
  });
}

/** A network with one JunkServer called `server`, and a connected, enabled end called `end`. */
function setup(server: string | number = "server99", end: string | number = "end1-99") {
  const net = new Network();
  const srv = new Server();
  srv.addService(junkService());
  net.addServer(server, srv);
  const e = net.makeEnd(end);
  net.connect(end, server);
  net.enable(end, true);
  return { net, srv, e };
}

describe("labrpc (ported from the original's test_test.go)", () => {
  simTest("TestBasic", async () => {
    const { e } = setup();
    expect(await e.call<string>("JunkServer.Handler2", 111)).toBe("handler2-111");
    expect(await e.call<number>("JunkServer.Handler1", "9099")).toBe(9099);
  });

  simTest("TestTypes", async () => {
    // Go checks pointer vs value arguments; here: object arguments and replies.
    const { e } = setup();
    expect(await e.call<{ x: number }>("JunkServer.Handler4", { x: 21 })).toEqual({ x: 42 });
  });

  simTest("TestDisconnect", async () => {
    const { net, e } = setup();
    net.enable("end1-99", false);
    expect(await e.call("JunkServer.Handler2", 111)).toBeUndefined();
    net.enable("end1-99", true);
    expect(await e.call<number>("JunkServer.Handler1", "9099")).toBe(9099);
  });

  simTest("TestCounts", async () => {
    const { net, e } = setup("server99", "end1-99");
    for (let i = 0; i < 17; i++) {
      expect(await e.call<string>("JunkServer.Handler2", i)).toBe(`handler2-${i}`);
    }
    expect(net.getCount("server99")).toBe(17);
  });

  simTest("TestBytes", async () => {
    const { net, e } = setup();
    const arg = "x".repeat(288);
    for (let i = 0; i < 17; i++) expect(await e.call<number>("JunkServer.Handler6", arg)).toBe(288);
    const n = net.getTotalBytes();
    expect(n).toBeGreaterThanOrEqual(4828);
    expect(n).toBeLessThanOrEqual(6000);
    for (let i = 0; i < 17; i++) expect(await e.call<string>("JunkServer.Handler7", 107)).toHaveLength(107);
    const delta = net.getTotalBytes() - n;
    expect(delta).toBeGreaterThanOrEqual(1800);
    expect(delta).toBeLessThanOrEqual(2500);
  });

  simTest("TestConcurrentMany", async () => {
    const net = new Network();
    const srv = new Server();
    srv.addService(junkService());
    net.addServer(1000, srv);
    const clients = await Promise.all(
      Array.from({ length: 20 }, async (_, ii) => {
        const e = net.makeEnd(ii);
        net.connect(ii, 1000);
        net.enable(ii, true);
        let n = 0;
        for (let j = 0; j < 10; j++) {
          const arg = 100 * ii + j;
          expect(await e.call<string>("JunkServer.Handler2", arg)).toBe(`handler2-${arg}`);
          n++;
        }
        return n;
      }),
    );
    expect(clients.reduce((a, b) => a + b, 0)).toBe(200);
    expect(net.getCount(1000)).toBe(200);
  });

  simTest("TestUnreliable", async () => {
    const net = new Network();
    net.setReliable(false);
    const srv = new Server();
    srv.addService(junkService());
    net.addServer(1000, srv);
    const results = await Promise.all(
      Array.from({ length: 300 }, async (_, ii) => {
        const e = net.makeEnd(ii);
        net.connect(ii, 1000);
        net.enable(ii, true);
        const reply = await e.call<string>("JunkServer.Handler2", 100 * ii);
        if (reply !== undefined) expect(reply).toBe(`handler2-${100 * ii}`);
        return reply !== undefined;
      }),
    );
    const ok = results.filter(Boolean).length;
    if (ok === 0 || ok === 300) throw new Error("all RPCs succeeded despite unreliable");
    // About 81% succeed (10% of requests lost, then 10% of replies); 300 draws stay well inside this.
    expect(ok).toBeGreaterThan(200);
    expect(ok).toBeLessThan(290);
  });

  simTest("TestConcurrentOne", async () => {
    const { net, e } = setup(1000, "c");
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, ii) => e.call<string>("JunkServer.Handler2", 100 + ii)),
    );
    replies.forEach((r, ii) => expect(r).toBe(`handler2-${100 + ii}`));
    expect(net.getCount(1000)).toBe(20);
  });

  simTest("TestRegression1", async () => {
    // Calls started on a disabled end must not delay a later call once the end is enabled.
    const net = new Network();
    const srv = new Server();
    srv.addService(junkService());
    net.addServer(1000, srv);
    const e = net.makeEnd("c");
    net.connect("c", 1000);
    const stuck = Array.from({ length: 20 }, (_, i) => e.call("JunkServer.Handler2", i));
    await sleep(0);
    net.enable("c", true);
    const t0 = now();
    expect(await e.call<string>("JunkServer.Handler2", 99)).toBe("handler2-99");
    expect(now() - t0).toBeLessThan(30);
    expect((await Promise.all(stuck)).every((r) => r === undefined)).toBe(true);
    expect(net.getCount(1000)).toBe(1);
  });

  simTest("TestKilled", async () => {
    // A call stuck in a handler returns (no reply) within 100 ms of its server being deleted.
    const { net, e } = setup(1000, "c");
    let returned: number | undefined;
    let replied: unknown = "pending";
    go("caller", async () => {
      replied = await e.call<number>("JunkServer.Handler3", 99);
      returned = now();
    });
    await sleep(1000);
    expect(returned).toBeUndefined();
    net.deleteServer(1000);
    const deletedAt = now();
    await sleep(LABRPC.DEAD_CHECK_INTERVAL + 1);
    expect(replied).toBeUndefined();
    expect(returned).toBeDefined();
    expect(returned! - deletedAt).toBeLessThanOrEqual(LABRPC.DEAD_CHECK_INTERVAL);
  });
});

describe("labrpc delivery semantics", () => {
  simTest("a reliable network delivers each request and each reply in MIN_DELAY ms plus a jitter", async () => {
    const { e } = setup();
    const seen = new Set<number>();
    for (let i = 0; i < 100; i++) {
      const t0 = now();
      expect(await e.call("JunkServer.Handler2", i)).toBe(`handler2-${i}`);
      const rtt = now() - t0;
      expect(rtt).toBeGreaterThanOrEqual(2 * LABRPC.MIN_DELAY);
      expect(rtt).toBeLessThanOrEqual(2 * (LABRPC.MIN_DELAY + LABRPC.RELIABLE_JITTER - 1));
      seen.add(rtt);
    }
    // Every combination of the two jitters occurs.
    expect(seen.size).toBe(2 * LABRPC.RELIABLE_JITTER - 1);
  });

  simTest("concurrent calls on a reliable network may reach the handler out of order (as Go's goroutines do)", async () => {
    // Go: "Concurrent calls to Call() may be delivered to the server out of order".
    const net = new Network();
    const srv = new Server();
    const arrived: number[] = [];
    srv.addService(new Service("S", { Take: (i: number) => arrived.push(i) }));
    net.addServer("s", srv);
    const e = net.makeEnd("e");
    net.connect("e", "s");
    net.enable("e", true);
    let sent = 0;
    for (let burst = 0; burst < 200; burst++) {
      const calls: Promise<unknown>[] = [];
      for (let k = 0; k < 20; k++) calls.push(e.call("S.Take", sent++));
      await Promise.all(calls);
      await sleep(random.int(5));
    }
    let inversions = 0;
    for (let i = 1; i < arrived.length; i++) if (arrived[i]! < arrived[i - 1]!) inversions++;
    expect(arrived).toHaveLength(4000);
    expect(inversions).toBeGreaterThan(100);
    // Calls sent more than the jitter apart keep their order.
    const spaced: number[] = [];
    arrived.length = 0;
    for (let i = 0; i < 50; i++) {
      void e.call("S.Take", i);
      await sleep(LABRPC.RELIABLE_JITTER);
    }
    await sleep(10);
    spaced.push(...arrived);
    expect(spaced).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  simTest("a loop of RPCs lets virtual time pass, so it can end", async () => {
    const { e } = setup();
    let calls = 0;
    const stopAt = now() + 1000;
    while (now() < stopAt) {
      await e.call("JunkServer.Handler2", calls++);
    }
    // Each round trip takes 2-4 ms: the loop ends after a few hundred calls.
    expect(calls).toBeGreaterThanOrEqual(1000 / (2 * (LABRPC.MIN_DELAY + LABRPC.RELIABLE_JITTER - 1)));
    expect(calls).toBeLessThanOrEqual(1000 / (2 * LABRPC.MIN_DELAY) + 1);
  });

  simTest("calls on a disabled end fail after 0-99 ms, or 0-6999 ms with long delays", async () => {
    const { net, e } = setup();
    net.enable("end1-99", false);
    const short: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t0 = now();
      expect(await e.call("JunkServer.Handler2", 1)).toBeUndefined();
      short.push(now() - t0);
    }
    expect(Math.max(...short)).toBeLessThan(LABRPC.NO_REPLY_DELAY);
    expect(Math.max(...short)).toBeGreaterThan(50);
    net.setLongDelays(true);
    const long: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t0 = now();
      await e.call("JunkServer.Handler2", 1);
      long.push(now() - t0);
    }
    expect(Math.max(...long)).toBeLessThan(LABRPC.LONG_DELAY);
    expect(Math.max(...long)).toBeGreaterThan(5000);
  }, { virtualBudgetMs: 2_000_000 });

  simTest("an unreliable network delays requests by 0-26 ms", async () => {
    const { net, e } = setup();
    net.setReliable(false);
    const delays: number[] = [];
    for (let i = 0; i < 300; i++) {
      const t0 = now();
      if ((await e.call("JunkServer.Handler2", 1)) !== undefined) delays.push(now() - t0);
    }
    // Request delay 0-26 ms (at least MIN_DELAY), plus MIN_DELAY and a jitter for the reply.
    expect(Math.min(...delays)).toBe(2 * LABRPC.MIN_DELAY);
    expect(Math.max(...delays)).toBeLessThanOrEqual(LABRPC.SHORT_DELAY - 1 + LABRPC.MIN_DELAY + LABRPC.RELIABLE_JITTER - 1);
    expect(Math.max(...delays)).toBeGreaterThan(15);
  });

  simTest("long reordering delays two replies in three by 200-2199 ms", async () => {
    const { net, e } = setup();
    net.setLongReordering(true);
    let delayed = 0;
    for (let i = 0; i < 300; i++) {
      const t0 = now();
      expect(await e.call("JunkServer.Handler2", 1)).toBe("handler2-1");
      // The request's own delay is MIN_DELAY plus a jitter.
      const d = now() - t0;
      const prompt = LABRPC.MIN_DELAY + LABRPC.RELIABLE_JITTER - 1;
      if (d > 2 * prompt) {
        delayed++;
        expect(d).toBeGreaterThanOrEqual(LABRPC.REORDER_MIN + LABRPC.MIN_DELAY);
        expect(d).toBeLessThan(LABRPC.REORDER_MIN + LABRPC.REORDER_SPREAD + prompt);
      } else {
        expect(d).toBeGreaterThanOrEqual(2 * LABRPC.MIN_DELAY);
      }
    }
    expect(delayed).toBeGreaterThan(160);
    expect(delayed).toBeLessThan(240);
  }, { virtualBudgetMs: 1_000_000 });

  simTest("a slow handler does not block other calls", async () => {
    const { e } = setup();
    const slow = e.call("JunkServer.Handler3", 5);
    const t0 = now();
    const prompt = LABRPC.MIN_DELAY + LABRPC.RELIABLE_JITTER - 1;
    expect(await e.call("JunkServer.Handler2", 7)).toBe("handler2-7");
    expect(now() - t0).toBeLessThanOrEqual(2 * prompt);
    expect(await slow).toBe(-5);
    expect(now() - t0).toBeGreaterThanOrEqual(20_000 + 2 * LABRPC.MIN_DELAY);
    expect(now() - t0).toBeLessThanOrEqual(20_000 + 2 * prompt);
  });

  simTest("arguments are copied at call time and replies at delivery", async () => {
    const net = new Network();
    const srv = new Server();
    let kept: { list: number[] } | undefined;
    const state = { list: [1, 2] };
    srv.addService(
      new Service("S", {
        Keep: async (args: { list: number[] }) => {
          await sleep(10);
          kept = args;
          return state;
        },
      }),
    );
    net.addServer("s", srv);
    const e = net.makeEnd("e");
    net.connect("e", "s");
    net.enable("e", true);
    const args = { list: [7] };
    const pending = e.call<{ list: number[] }>("S.Keep", args);
    args.list.push(8); // after the call: the server must not see it
    const reply = await pending;
    expect(kept).toEqual({ list: [7] });
    expect(reply).toEqual({ list: [1, 2] });
    reply!.list.push(3); // the caller's copy is its own
    expect(state.list).toEqual([1, 2]);
  });

  simTest("bytes count requests at send and replies only when delivered", async () => {
    const { net, e } = setup();
    net.enable("end1-99", false);
    await e.call("JunkServer.Handler7", 1000);
    expect(net.getTotalBytes()).toBe(4); // "1000"
    net.enable("end1-99", true);
    await e.call("JunkServer.Handler7", 1000);
    expect(net.getTotalBytes()).toBe(4 + 4 + 1002);
    expect(net.getTotalCount()).toBe(2);
  });

  simTest("a deleted server never replies, even when its handler finishes", async () => {
    const { net, e } = setup();
    const pending = e.call("JunkServer.Handler3", 1);
    await sleep(10);
    net.deleteServer("server99");
    expect(await pending).toBeUndefined();
  });

  simTest("cleanup makes later calls fail at once", async () => {
    const { net, e } = setup();
    net.cleanup();
    const t0 = now();
    expect(await e.call("JunkServer.Handler2", 1)).toBeUndefined();
    expect(now()).toBe(t0);
  });

  it("the same seed gives the same drops and delays", async () => {
    const run = (seed: number) =>
      runSim(seed, async () => {
        const { net, e } = setup();
        net.setReliable(false);
        const out: string[] = [];
        for (let i = 0; i < 50; i++) out.push(`${String(await e.call("JunkServer.Handler2", i))}@${now()}`);
        return out.join(",");
      });
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    expect(a.value).toBe(b.value);
    expect(a.traceHash).toBe(b.traceHash);
    expect(c.value).not.toBe(a.value);
  });
});

describe("labrpc errors name the problem and the fix", () => {
  async function failure(fn: () => Promise<unknown>): Promise<string> {
    try {
      await runSim(1, async () => {
        await fn();
      });
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
    throw new Error("expected the run to fail");
  }

  it("unknown method lists the known ones", async () => {
    const msg = await failure(() => setup().e.call("JunkServer.Nope", 1));
    expect(msg).toContain('unknown method "Nope" in service JunkServer; expecting one of Handler1, Handler2');
  });

  it("unknown service lists the known methods", async () => {
    const msg = await failure(() => setup().e.call("Raft.AppendEntries", {}));
    expect(msg).toContain('unknown service "Raft" in "Raft.AppendEntries"; expecting one of JunkServer.Handler1');
  });

  it("a class instance in the arguments names its field path", async () => {
    class Entry {
      constructor(readonly term: number) {}
    }
    const msg = await failure(() => setup().e.call("JunkServer.Handler4", { entries: [{ command: new Entry(1) }] }));
    expect(msg).toContain("JunkServer.Handler4 args.entries[0].command is an instance of class Entry");
  });

  it("a bad reply fails the run, naming the reply field", async () => {
    const msg = await failure(async () => {
      const net = new Network();
      const srv = new Server();
      srv.addService(new Service("S", { M: () => ({ done: () => 1 }) }));
      net.addServer(0, srv);
      const e = net.makeEnd(0);
      net.connect(0, 0);
      net.enable(0, true);
      await e.call("S.M", {});
    });
    expect(msg).toContain("S.M reply.done is a function");
  });

  it("a handler that throws fails the run, naming handler and server", async () => {
    const msg = await failure(async () => {
      const net = new Network();
      const srv = new Server();
      srv.addService(
        new Service("S", {
          M: () => {
            throw new Error("oops");
          },
        }),
      );
      net.addServer(3, srv);
      const e = net.makeEnd(0);
      net.connect(0, 3);
      net.enable(0, true);
      await e.call("S.M", {});
      await sleep(1000);
    });
    expect(msg).toContain("handler S.M on server 3 threw: oops");
  });

  it("a Network outside a simulation is an error", () => {
    expect(() => new Network()).toThrow(/inside a running simulation/);
  });

  it("duplicate and missing end names are errors", async () => {
    await runSim(1, async () => {
      const net = new Network();
      net.makeEnd("a");
      expect(() => net.makeEnd("a")).toThrow("end a already exists");
      expect(() => net.deleteEnd("b")).toThrow("end b doesn't exist");
      expect(() => net.enable("b", true)).toThrow("end b doesn't exist");
    });
  });
});

describe("codec", () => {
  it("copies plain data deeply and counts JSON bytes", () => {
    const value = { term: 3, entries: [{ term: 1, command: "x" }], ok: true, none: null, skip: undefined };
    const { copy, bytes } = encode(value, "args");
    expect(copy).toEqual({ term: 3, entries: [{ term: 1, command: "x" }], ok: true, none: null });
    expect(copy).not.toBe(value);
    expect(copy.entries[0]).not.toBe(value.entries[0]);
    expect(bytes).toBe(JSON.stringify(value).length);
  });

  it("counts escapes and non-ASCII text as their UTF-8 JSON bytes", () => {
    for (const s of ['a"b', "line\nbreak", "héllo", "日本", "\u2028"]) {
      expect(encode(s, "x").bytes).toBe(Buffer.byteLength(JSON.stringify(s)));
    }
  });

  it("copies byte arrays", () => {
    const b = new Uint8Array([1, 2, 3]);
    const { copy, bytes } = encode({ data: b }, "args");
    expect(copy.data).toEqual(b);
    expect(copy.data).not.toBe(b);
    expect(bytes).toBe(2 + 7 + 3 + 4);
  });

  it.each([
    [{ f: () => 1 }, "args.f is a function"],
    [{ m: new Map() }, "args.m is a Map"],
    [{ s: new Set() }, "args.s is a Set"],
    [{ d: new Date(0) }, "args.d is a Date (send date.getTime())"],
    [{ n: Number.NaN }, "args.n is NaN: only finite numbers can be sent"],
    [{ n: Infinity }, "args.n is Infinity"],
    [{ b: 10n }, "args.b is a bigint"],
    [{ a: [1, undefined] }, "args.a[1] is undefined"],
    [{ s: Symbol("x") }, "args.s is a symbol"],
    [{ p: Promise.resolve(1) }, "args.p is a Promise (await it first)"],
  ])("rejects %o", (value, message) => {
    expect(() => encode(value, "args")).toThrow(EncodeError);
    expect(() => encode(value, "args")).toThrow(message);
  });

  it("rejects cycles, naming where", () => {
    const a: Record<string, unknown> = { x: 1 };
    a["self"] = { back: a };
    expect(() => encode(a, "args")).toThrow("args.self.back refers back to an object that contains it (a cycle)");
  });

  it("accepts shared (non-cyclic) references and copies each", () => {
    const shared = { v: 1 };
    const { copy } = encode({ a: shared, b: shared }, "args");
    expect(copy.a).toEqual(copy.b);
    expect(copy.a).not.toBe(copy.b);
  });
});

describe("fault policies (the seam where faults are decided)", () => {
  /** A server with one method that records its calls, and an end to it. */
  function echoNet() {
    const net = new Network();
    const srv = new Server();
    const handled: number[] = [];
    srv.addService(new Service("S", { Echo: (x: number) => (handled.push(x), x) }));
    net.addServer("s", srv);
    const e = net.makeEnd("e");
    net.connect("e", "s");
    net.enable("e", true);
    return { net, e, handled };
  }

  simTest("a policy can lose one chosen request and delegate everything else to labrpc's own", async () => {
    const { net, e, handled } = echoNet();
    const seen: string[] = [];
    net.setFaultPolicy({
      ...originalFaults,
      dropRequest: (msg, conditions) => {
        seen.push(`${msg.svcMeth} ${String(msg.endName)} -> ${String(msg.serverName)}`);
        return handled.length === 1 || originalFaults.dropRequest(msg, conditions);
      },
    });
    expect(await e.call("S.Echo", 1)).toBe(1);
    expect(await e.call("S.Echo", 2)).toBeUndefined(); // lost: the handler never ran
    expect(handled).toEqual([1]);
    net.setFaultPolicy(originalFaults);
    expect(await e.call("S.Echo", 3)).toBe(3);
    expect(seen).toEqual(["S.Echo e -> s", "S.Echo e -> s"]);
  });

  simTest("afterHandler can crash the server: then the handler ran but no reply is delivered", async () => {
    const { net, e, handled } = echoNet();
    net.setFaultPolicy({ ...originalFaults, afterHandler: () => net.deleteServer("s") });
    expect(await e.call("S.Echo", 7)).toBeUndefined();
    expect(handled).toEqual([7]);
  });

  simTest("deliverAgain delivers a copy of the request later, whose reply goes nowhere; a copy to a disabled end is lost", async () => {
    const net = new Network();
    const srv = new Server();
    const handled: number[] = [];
    // The handler changes its arguments: the copy must arrive as it was sent.
    srv.addService(new Service("S", { Bump: (a: { n: number }) => (handled.push(a.n), (a.n += 100), a.n) }));
    net.addServer("s", srv);
    const e = net.makeEnd("e");
    net.connect("e", "s");
    net.enable("e", true);
    let asked = 0;
    net.setFaultPolicy({ ...originalFaults, deliverAgain: () => (asked++, 300) });
    expect(await e.call("S.Bump", { n: 1 })).toBe(101);
    expect(handled).toEqual([1]);
    await sleep(400);
    expect(handled).toEqual([1, 1]); // the copy, as sent
    expect(net.getCount("s")).toBe(2);
    expect(await e.call("S.Bump", { n: 2 })).toBe(102);
    net.enable("e", false);
    await sleep(400);
    expect(handled).toEqual([1, 1, 2]); // the end was cut before the copy arrived
    expect(asked).toBe(2); // once per delivered request, never for a copy
  });

  simTest("requestDelivered keeps a copy as sent, which goes to the server whenever asked, even over a disabled end; lost while the server is gone", async () => {
    const net = new Network();
    const srv = new Server();
    const handled: number[] = [];
    srv.addService(new Service("S", { Bump: (a: { n: number }) => (handled.push(a.n), (a.n += 100), a.n) }));
    net.addServer("s", srv);
    const e = net.makeEnd("e");
    net.connect("e", "s");
    net.enable("e", true);
    const kept: (() => void)[] = [];
    const seen: unknown[] = [];
    net.setFaultPolicy({ ...originalFaults, requestDelivered: (_msg, args, keepCopy) => (seen.push(structuredClone(args)), kept.push(keepCopy())) });
    expect(await e.call("S.Bump", { n: 1 })).toBe(101);
    expect(seen).toEqual([{ n: 1 }]);
    net.enable("e", false); // an asynchronous network may still deliver what was sent earlier
    kept[0]!();
    kept[0]!(); // twice: a fresh copy each time
    await sleep(1);
    expect(handled).toEqual([1, 1, 1]);
    net.deleteServer("s");
    kept[0]!();
    await sleep(1);
    expect(handled).toEqual([1, 1, 1]); // no server: lost
    expect(seen).toHaveLength(1); // copies are not reported again
  });

  simTest("holdReply holds a reply until its promise settles", async () => {
    const { net, e } = echoNet();
    let release: () => void = () => {};
    const held = new Promise<void>((r) => (release = r));
    net.setFaultPolicy({ ...originalFaults, replyDelay: () => 1, holdReply: (msg) => (msg.svcMeth === "S.Echo" ? held : undefined) });
    const t0 = now();
    const reply = e.call("S.Echo", 5);
    await sleep(1000);
    release();
    expect(await reply).toBe(5);
    expect(now() - t0).toBe(1000);
  });

  simTest("a policy decides delays", async () => {
    const { net, e } = echoNet();
    net.setFaultPolicy({ ...originalFaults, requestDelay: () => 500, replyDelay: () => 250 });
    const t0 = now();
    expect(await e.call("S.Echo", 1)).toBe(1);
    expect(now() - t0).toBe(750);
  });
});
