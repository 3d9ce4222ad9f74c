import { describe, expect, it } from "vitest";
import { atEndOfTurn } from "./end-of-turn.js";

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("atEndOfTurn", () => {
  it("runs nothing before the turn ends, then the sockets' work before the disk's, whatever the order it was queued in", async () => {
    const ran: string[] = [];
    atEndOfTurn("disk", () => ran.push("disk 1"));
    atEndOfTurn("sockets", () => ran.push("sockets 1"));
    atEndOfTurn("disk", () => ran.push("disk 2"));
    atEndOfTurn("sockets", () => ran.push("sockets 2"));
    await Promise.resolve();
    expect(ran).toEqual([]);
    await nextTurn();
    expect(ran).toEqual(["sockets 1", "sockets 2", "disk 1", "disk 2"]);
  });

  it("runs in the same pass what the disk's work queues for the sockets (replies released by a durable save)", async () => {
    const ran: string[] = [];
    atEndOfTurn("disk", () => {
      ran.push("write");
      atEndOfTurn("sockets", () => ran.push("release replies"));
    });
    // Queued after the stages' own setImmediate: runs after the whole pass.
    setImmediate(() => ran.push("next callback"));
    await nextTurn();
    expect(ran).toEqual(["write", "release replies", "next callback"]);
  });

  it("keeps going after a callback throws: the others run, and the error surfaces on its own", async () => {
    const ran: string[] = [];
    const thrown: unknown[] = [];
    const original = globalThis.queueMicrotask;
    // The error is rethrown from a microtask (an uncaught exception, as from a setImmediate of its own): catch it here.
    globalThis.queueMicrotask = (fn) => {
      try {
        fn();
      } catch (e) {
        thrown.push(e);
      }
    };
    try {
      atEndOfTurn("sockets", () => {
        throw new Error("a bug");
      });
      atEndOfTurn("sockets", () => ran.push("sockets 2"));
      atEndOfTurn("disk", () => ran.push("disk"));
      await nextTurn();
    } finally {
      globalThis.queueMicrotask = original;
    }
    expect(ran).toEqual(["sockets 2", "disk"]);
    expect(thrown.map((e) => (e as Error).message)).toEqual(["a bug"]);
  });
});
