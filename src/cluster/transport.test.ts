import { afterEach, describe, expect, it } from "vitest";
import { EncodeError, Server, Service, UnknownMethodError } from "../labrpc/index.js";
import type { SendGate } from "./send-gate.js";
import { freePorts } from "./free-ports.js";
import { TcpTransport, type TransportOptions } from "./transport.js";

const started: TcpTransport[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((t) => t.stop()));
});

function echoServer(name: string, log: string[] = []): Server {
  const s = new Server();
  s.addService(
    new Service("Echo", {
      Hi: (x: unknown) => ({ from: name, got: x }),
      Slow: async (ms: number) => {
        await new Promise((r) => setTimeout(r, ms));
        return "late";
      },
      Log: (x: string) => log.push(x),
      Boom: () => {
        throw new Error("handler bug");
      },
    }),
  );
  return s;
}

async function start(options: Omit<TransportOptions, "server"> & { server?: Server }): Promise<TcpTransport> {
  const t = await TcpTransport.start({ server: echoServer(`n${options.me + 1}`), ...options });
  started.push(t);
  return t;
}

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("TcpTransport", () => {
  it("carries calls both ways over one link, pipelined, with plain data including bytes", async () => {
    const peers = (await freePorts(2)).map((p) => `127.0.0.1:${p}`);
    const a = await start({ me: 0, peers });
    const b = await start({ me: 1, peers });
    await until(() => a.connected(1) && b.connected(0), "the link");
    expect(await a.ends()[1]!.call("Echo.Hi", { x: [1, "two", null, true] })).toEqual({ from: "n2", got: { x: [1, "two", null, true] } });
    expect(await b.ends()[0]!.call("Echo.Hi", new Uint8Array([1, 2, 3]))).toEqual({ from: "n1", got: new Uint8Array([1, 2, 3]) });
    const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => a.ends()[1]!.call<{ got: number }>("Echo.Hi", i)));
    expect(replies.map((r) => r?.got)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    // A node's own end calls its services in process.
    expect(await a.ends()[0]!.call("Echo.Hi", "me")).toEqual({ from: "n1", got: "me" });
  });

  it("fails loudly on an unknown method or arguments that cannot cross the network, as labrpc does", async () => {
    const peers = (await freePorts(2)).map((p) => `127.0.0.1:${p}`);
    const a = await start({ me: 0, peers });
    await start({ me: 1, peers });
    await until(() => a.connected(1), "the link");
    await expect(a.ends()[1]!.call("Echo.Nope", 1)).rejects.toThrow(UnknownMethodError);
    await expect(a.ends()[1]!.call("Echo.Nope", 1)).rejects.toThrow(/node 2: labrpc: unknown method "Nope" in service Echo; expecting one of Boom, Hi, Log, Slow/);
    await expect(async () => a.ends()[1]!.call("Echo.Hi", { m: new Map() })).rejects.toThrow(EncodeError);
    await expect(async () => a.ends()[1]!.call("Echo.Hi", { m: new Map() })).rejects.toThrow("Echo.Hi args.m is a Map");
  });

  it("resolves to undefined on a timeout, a failed handler, an unreachable peer, and dropped traffic", async () => {
    const peers = (await freePorts(3)).map((p) => `127.0.0.1:${p}`);
    const errors: string[] = [];
    const a = await start({ me: 0, peers, callTimeoutMs: 300 });
    const b = await start({ me: 1, peers, callTimeoutMs: 300, onHandlerError: (m, e) => errors.push(`${m}: ${(e as Error).message}`) });
    await until(() => a.connected(1), "the link");
    expect(await a.ends()[1]!.call("Echo.Slow", 2000)).toBeUndefined();
    expect(await a.ends()[1]!.call("Echo.Boom", null)).toBeUndefined();
    expect(errors).toEqual(["Echo.Boom: handler bug"]);
    expect(await a.ends()[2]!.call("Echo.Hi", 1)).toBeUndefined(); // node 3 never started

    a.drop([1]);
    const pending = a.ends()[1]!.call("Echo.Slow", 100);
    expect(await a.ends()[1]!.call("Echo.Hi", 1)).toBeUndefined();
    expect(await pending).toBeUndefined();
    // Requests from a dropped peer are ignored too: the caller times out.
    expect(await b.ends()[0]!.call("Echo.Hi", 1)).toBeUndefined();
    a.heal();
    expect(await a.ends()[1]!.call("Echo.Hi", 2)).toEqual({ from: "n2", got: 2 });
    expect(await b.ends()[0]!.call("Echo.Hi", 3)).toEqual({ from: "n1", got: 3 });
  });

  it("reconnects after a peer restarts", async () => {
    const peers = (await freePorts(2)).map((p) => `127.0.0.1:${p}`);
    const a = await start({ me: 0, peers });
    const b = await start({ me: 1, peers });
    await until(() => a.connected(1), "the link");
    await b.stop();
    await until(() => !a.connected(1), "the link to go down");
    expect(await a.ends()[1]!.call("Echo.Hi", 1)).toBeUndefined();
    const b2 = await start({ me: 1, peers, server: echoServer("n2 again") });
    await until(() => a.connected(1) && b2.connected(0), "the link to come back");
    expect(await a.ends()[1]!.call("Echo.Hi", 1)).toEqual({ from: "n2 again", got: 1 });
  });

  it("refuses a link from a node started with other --peers, saying why", async () => {
    const ports = await freePorts(2);
    const peers = ports.map((p) => `127.0.0.1:${p}`);
    const notes: string[] = [];
    await start({ me: 1, peers, note: (m) => notes.push(m) });
    const dialerNotes: string[] = [];
    const a = await start({ me: 0, peers: [peers[0]!, peers[1]!, "127.0.0.1:1"], note: (m) => dialerNotes.push(m), listen: peers[0]! });
    await until(() => dialerNotes.some((n) => n.includes("refused the link")), "the refusal");
    expect(a.connected(1)).toBe(false);
    expect(dialerNotes.join("\n")).toMatch(/node 2: refused the link: node 1 was started with --peers .*127\.0\.0\.1:1, and node 2 with --peers/);
    expect(notes.join("\n")).toMatch(/refused a peer connection/);
  });

  it("holds every frame back until the saves made before it are durable", async () => {
    const peers = (await freePorts(2)).map((p) => `127.0.0.1:${p}`);
    const log: string[] = [];
    let saved = 0;
    let durable = 0;
    const listeners = new Set<() => void>();
    const gate: SendGate = { ticket: () => saved, durable: () => durable, onDurable: (fn) => (listeners.add(fn), () => listeners.delete(fn)) };
    const a = await start({ me: 0, peers, gate });
    await start({ me: 1, peers, server: echoServer("n2", log) });
    await until(() => a.connected(1), "the link");
    saved = 1; // a save not yet on disk: what is sent now must wait for it
    const first = a.ends()[1]!.call("Echo.Log", "first");
    const second = a.ends()[1]!.call("Echo.Log", "second");
    await new Promise((r) => setTimeout(r, 200));
    expect(log).toEqual([]);
    durable = 1;
    for (const fn of listeners) fn();
    expect(await first).toBe(1);
    expect(await second).toBe(2);
    expect(log).toEqual(["first", "second"]);
  });

  it("lets the requests named by leavesBeforeDurable overtake held frames, and nothing else", async () => {
    const peers = (await freePorts(2)).map((p) => `127.0.0.1:${p}`);
    const log: string[] = [];
    let durable = 0;
    const listeners = new Set<() => void>();
    const gate: SendGate = { ticket: () => 1, durable: () => durable, onDurable: (fn) => (listeners.add(fn), () => listeners.delete(fn)) };
    const a = await start({ me: 0, peers, gate, leavesBeforeDurable: (m) => m === "Echo.Hi" });
    await start({ me: 1, peers, server: echoServer("n2", log) });
    await until(() => a.connected(1), "the link");
    const held = a.ends()[1]!.call("Echo.Log", "held");
    // The save is not durable, yet the named request leaves (and its reply comes back) at once.
    expect(await a.ends()[1]!.call("Echo.Hi", 7)).toEqual({ from: "n2", got: 7 });
    expect(log).toEqual([]);
    durable = 1;
    for (const fn of listeners) fn();
    expect(await held).toBe(1);
    expect(log).toEqual(["held"]);
  });

  it("lets the replies named by replyLeavesBeforeDurable overtake held frames, and nothing else", async () => {
    const peers = (await freePorts(2)).map((p) => `127.0.0.1:${p}`);
    let durable = 0;
    const listeners = new Set<() => void>();
    const gate: SendGate = { ticket: () => 1, durable: () => durable, onDurable: (fn) => (listeners.add(fn), () => listeners.delete(fn)) };
    const log: string[] = [];
    await start({ me: 0, peers, gate, server: echoServer("n1", log), replyLeavesBeforeDurable: (m) => m === "Echo.Hi" });
    const b = await start({ me: 1, peers });
    await until(() => b.connected(0), "the link");
    // n1 has a save that is not durable: its reply to Echo.Log waits, its reply to Echo.Hi does not.
    let logged: unknown = "pending";
    const held = b.ends()[0]!.call("Echo.Log", "x").then((r) => (logged = r));
    expect(await b.ends()[0]!.call("Echo.Hi", 3)).toEqual({ from: "n1", got: 3 });
    expect(log).toEqual(["x"]); // the handler ran; only its reply is held
    expect(logged).toBe("pending");
    durable = 1;
    for (const fn of listeners) fn();
    await held;
    expect(logged).toBe(1);
  });

  it("says clearly when its address is in use", async () => {
    const peers = (await freePorts(2)).map((p) => `127.0.0.1:${p}`);
    await start({ me: 0, peers });
    await expect(TcpTransport.start({ me: 0, peers, server: new Server() })).rejects.toThrow(
      new RegExp(`peer address ${peers[0]} is already in use \\(another node or program listens there\\)`),
    );
  });
});
