import { describe, expect, it } from "vitest";
import type { Config } from "../shardctrler/shard-config.js";
import { NSHARDS } from "../shardctrler/shard-config.js";
import { ShardStateMachine, type ShardCommand } from "./state-machine.js";

const GID = 100;

function config(num: number, shards: number[]): Config {
  return { num, shards, groups: { "100": ["server-100-0", "server-100-1"], "101": ["server-101-0"] } };
}

function applyAll(sm: ShardStateMachine, cmds: ShardCommand[]): void {
  for (const c of cmds) sm.apply(sm.lastApplied + 1, c);
}

/**
 * The bytes the snapshot must have: the UTF-8 of `JSON.stringify` of the whole tuple at once (the
 * format `encode` assembles from cached pieces). The configuration index and the duplicate table
 * are not public: they are read back from the snapshot and checked against the state machine's
 * answers and what the test applied.
 */
function expectedBytes(sm: ShardStateMachine, bytes: Uint8Array, configIndex: number, clients: readonly number[]): Uint8Array {
  const parsed = JSON.parse(new TextDecoder().decode(bytes)) as unknown[];
  expect(parsed[3]).toBe(configIndex);
  const dup = parsed[5] as [number, number][];
  expect(dup.map(([c]) => c).sort()).toEqual([...clients].sort());
  for (const [c, r] of dup) expect([sm.isDuplicate(c, r), sm.isDuplicate(c, r + 1)]).toEqual([true, false]);
  const shards = Array.from({ length: NSHARDS }, (_, s) => [sm.status(s), [...sm.shardData(s)]]);
  return new TextEncoder().encode(JSON.stringify([sm.lastApplied, sm.config, sm.prev, parsed[3], shards, parsed[5]]));
}

describe("ShardStateMachine.encode", () => {
  it("gives the bytes of the whole tuple's JSON after every kind of change, and round-trips", () => {
    const sm = new ShardStateMachine(GID);
    const seen: Uint8Array[] = [];
    let configIndex = 0;
    const clients = new Set<number>();
    const step = (cmds: ShardCommand[]): void => {
      for (const c of cmds) {
        sm.apply(sm.lastApplied + 1, c);
        if (c.op === "config") configIndex = sm.lastApplied;
        if (c.op === "put" || c.op === "append") clients.add(c.clientId);
        if (c.op === "insert") for (const [client] of c.dup) clients.add(client);
      }
      const bytes = sm.encode();
      expect(bytes).toEqual(expectedBytes(sm, bytes, configIndex, [...clients]));
      // A second encode (every piece cached) gives the same bytes; so does a decoded copy.
      expect(sm.encode()).toEqual(bytes);
      expect(ShardStateMachine.decode(GID, bytes).encode()).toEqual(bytes);
      seen.push(bytes);
    };
    step([{ op: "noop" }]);
    step([{ op: "config", config: config(1, [100, 100, 100, 100, 100, 100, 100, 100, 100, 100]) }]);
    // Values with quotes, a line separator, a character outside the BMP and a lone surrogate (key
    // "3" is in shard 1: its first byte, 51, modulo 10).
    step([
      { op: "put", key: "3", value: '"q" \u2028 \u{1F600}', clientId: 1, requestId: 1 },
      { op: "append", key: "2", value: "\ud800x", clientId: 2, requestId: 1 },
    ]);
    step([{ op: "append", key: "3", value: "y", clientId: 1, requestId: 2 }]);
    step([{ op: "config", config: config(2, [100, 101, 100, 100, 100, 100, 100, 100, 100, 100]) }]);
    expect(sm.status(1)).toBe("bepulled");
    step([{ op: "delete", num: 2, shard: 1 }]);
    step([{ op: "config", config: config(3, new Array<number>(NSHARDS).fill(GID)) }]);
    expect(sm.status(1)).toBe("pulling");
    step([{ op: "insert", num: 3, shard: 1, data: [["3", "back"]], dup: [[1, 5], [9, 1]] }]);
    expect(sm.isDuplicate(9, 1)).toBe(true);
    step([{ op: "gcdone", num: 3, shard: 1 }]);
    expect(sm.status(1)).toBe("serving");
    // Each change changed the bytes.
    expect(new Set(seen.map((b) => new TextDecoder().decode(b))).size).toBe(seen.length);
  });

  it("decodes the duplicate table it encodes", () => {
    const sm = new ShardStateMachine(GID);
    applyAll(sm, [
      { op: "config", config: config(1, new Array<number>(NSHARDS).fill(GID)) },
      { op: "put", key: "3", value: "v", clientId: 4, requestId: 7 },
    ]);
    const back = ShardStateMachine.decode(GID, sm.encode());
    expect(back.isDuplicate(4, 7)).toBe(true);
    expect(back.isDuplicate(4, 8)).toBe(false);
    expect(back.shardData(1).get("3")).toBe("v");
  });
});
