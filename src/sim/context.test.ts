import { describe, expect, it } from "vitest";
import { Network, Server, Service } from "../labrpc/index.js";
import { after, dlog, go, random, sleep, uniqueId } from "../runtime/index.js";
import { runSim, type Simulation } from "./index.js";

/** Draws `n` numbers from the calling task's stream. */
function draws(n: number): number[] {
  return Array.from({ length: n }, () => random.int(1_000_000));
}

describe("random streams per node", () => {
  it("an extra draw in one node does not change what other nodes, or the main task, draw", async () => {
    const run = (extra: number) =>
      runSim(42, async (sim) => {
        const a = sim.node("A");
        const b = sim.node("B");
        sim.runIn(a, () => draws(1 + extra));
        const fromB = sim.runIn(b, () => draws(5));
        return { fromB, fromMain: draws(5) };
      });
    const base = await run(0);
    const perturbed = await run(3);
    expect(perturbed.value.fromB).toEqual(base.value.fromB);
    expect(perturbed.value.fromMain).toEqual(base.value.fromMain);
    // ...while the trace still tells the two runs apart.
    expect(perturbed.traceHash).not.toBe(base.traceHash);
  });

  it("tasks, timers and Math.random inside a node use that node's stream", async () => {
    const sequence = async (sim: Simulation, how: "go" | "after" | "Math.random"): Promise<number[]> => {
      const node = sim.node("N");
      const out: number[] = [];
      sim.runIn(node, () => {
        if (how === "go") go("t", () => out.push(...draws(3)));
        else if (how === "after") after(5, () => out.push(...draws(3)));
        else go("t", () => out.push(...[0, 1, 2].map(() => Math.floor(Math.random() * 1_000_000))));
      });
      await sleep(10);
      return out;
    };
    const direct = await runSim(7, async (sim) => sim.runIn(sim.node("N"), () => draws(3)));
    for (const how of ["go", "after", "Math.random"] as const) {
      const r = await runSim(7, (sim) => sequence(sim, how));
      expect(r.value, how).toEqual(direct.value);
    }
  });

  it("a second node of the same name (a restarted server) gets a stream of its own", async () => {
    const r = await runSim(3, async (sim) => {
      const first = sim.runIn(sim.node("S1"), () => draws(3));
      const second = sim.runIn(sim.node("S1"), () => draws(3));
      return { first, second, streams: [sim.node("S1").random.stream] };
    });
    expect(r.value.second).not.toEqual(r.value.first);
    expect(r.value.streams).toEqual(["node S1#3"]);
  });

  it("an RPC handler runs as code of the server's node, not of the caller's", async () => {
    const r = await runSim(11, async (sim) => {
      const net = new Network();
      const server = sim.runIn(sim.node("server"), () => {
        const srv = new Server();
        srv.addService(new Service("S", { Draw: () => draws(2) }));
        return srv;
      });
      net.addServer("s", server);
      const end = net.makeEnd("e");
      net.connect("e", "s");
      net.enable("e", true);
      const viaRpc = await sim.runIn(sim.node("client"), () => end.call<number[]>("S.Draw", null));
      return viaRpc;
    });
    // What the server's node draws first, in a run without the network:
    const serverDraws = await runSim(11, async (sim) => sim.runIn(sim.node("server"), () => draws(2)));
    expect(r.value).toEqual(serverDraws.value);
  });
});

describe("uniqueId", () => {
  it("never returns the same number twice in a run, and is the same for the same seed", async () => {
    const ids = async () =>
      (
        await runSim(1, async (sim) => {
          const out = [uniqueId()];
          sim.runIn(sim.node("X"), () => out.push(uniqueId(), uniqueId()));
          out.push(uniqueId());
          return out;
        })
      ).value;
    const a = await ids();
    expect(new Set(a).size).toBe(a.length);
    expect(await ids()).toEqual(a);
  });
});

describe("the trace", () => {
  /** One run: two concurrent calls on a reliable network, issued in `order`. */
  const calls = (order: readonly string[]) =>
    runSim(
      5,
      async () => {
        const net = new Network();
        const srv = new Server();
        srv.addService(new Service("S", { A: () => 1, B: () => 2 }));
        net.addServer("s", srv);
        const e = net.makeEnd("e");
        net.connect("e", "s");
        net.enable("e", true);
        await Promise.all(order.map((m) => e.call(`S.${m}`, null)));
      },
      { recordTrace: true },
    );

  it("tells apart two runs that differ only in the order of their messages", async () => {
    const ab = await calls(["A", "B"]);
    const ba = await calls(["B", "A"]);
    // Same timers, same draws...
    const withoutMessages = (lines: readonly string[] | undefined) => (lines ?? []).filter((l) => !l.includes(" rpc "));
    expect(withoutMessages(ab.traceLines)).toEqual(withoutMessages(ba.traceLines));
    // ...but the messages are traced, so the hashes differ.
    expect(ab.traceLines?.some((l) => l.includes("rpc request delivered S.A e -> s"))).toBe(true);
    expect(ab.traceHash).not.toBe(ba.traceHash);
    expect((await calls(["A", "B"])).traceHash).toBe(ab.traceHash);
  });

  it("records every kept log line, with the timer's task", async () => {
    const run = (text: string) =>
      runSim(
        1,
        async () => {
          go("worker", async () => {
            await sleep(3);
            dlog(0, "INFO", text);
          });
          await sleep(5);
        },
        { recordTrace: true, log: true },
      );
    const a = await run("hello");
    const b = await run("bye");
    expect(a.traceLines).toContain("0.003s worker: sleep");
    expect(a.traceLines).toContain("0.003s S0: INFO hello");
    expect(a.traceHash).not.toBe(b.traceHash);
  });
});

describe("node busy time (SimNode.occupy)", () => {
  it("accumulates after what the node is already busy with, and drains with virtual time", async () => {
    await runSim(1, async (sim) => {
      const node = sim.node("N");
      expect(node.busyFor()).toBe(0);
      node.occupy(2.5);
      node.occupy(1);
      expect(node.busyFor()).toBe(3.5);
      await sleep(2);
      expect(node.busyFor()).toBe(1.5);
      await sleep(5);
      expect(node.busyFor()).toBe(0);
      node.occupy(1);
      expect(node.busyFor()).toBe(1);
      expect(() => node.occupy(-1)).toThrow(RangeError);
    });
  });

  it("delays the requests a busy node sends, and the replies of a busy server", async () => {
    const r = await runSim(1, async (sim) => {
      const net = new Network();
      const serverNode = sim.node("server");
      const server = sim.runIn(serverNode, () => {
        const srv = new Server();
        srv.addService(new Service("S", { Echo: (x: number) => x, Slow: (x: number) => (serverNode.occupy(40), x) }));
        return srv;
      });
      net.addServer("s", server);
      const e = net.makeEnd("e");
      net.connect("e", "s");
      net.enable("e", true);
      const client = sim.node("client");
      const rtt = async (method: string, busyFirst: number): Promise<number> =>
        sim.runIn(client, async () => {
          if (busyFirst > 0) client.occupy(busyFirst);
          const t0 = sim.now();
          await e.call(`S.${method}`, 1);
          return sim.now() - t0;
        });
      return { plain: await rtt("Echo", 0), busySender: await rtt("Echo", 30), busyServer: await rtt("Slow", 0) };
    });
    const { plain, busySender, busyServer } = r.value;
    expect(plain).toBeLessThanOrEqual(4);
    expect(busySender).toBeGreaterThanOrEqual(32);
    expect(busySender).toBeLessThanOrEqual(34);
    expect(busyServer).toBeGreaterThanOrEqual(42);
    expect(busyServer).toBeLessThanOrEqual(44);
  });
});
