/** The shard controller tester's minimal-transfer checks: the effective one fails on a bad transfer, Go's as written cannot. */
import { describe, expect, it } from "vitest";
import type { Config as ShardConfig } from "./shard-config.js";
import type { Config } from "./config.js";
import { checkMinimalTransferAsWritten, checkMinimalTransferEffective } from "./tester.js";

/** A stand-in for the tester whose fatal() throws, outside any simulation. */
const cfg = { fatal: (message: string): never => { throw new Error(message); } } as unknown as Config;

const groups = (gids: number[]): Record<string, string[]> => Object.fromEntries(gids.map((g) => [String(g), [`s${g}`]]));
// Ten groups 100..190 with one shard each (after ConcurrentLeaveJoin), then gids 11..15 join.
const c1: ShardConfig = { num: 30, shards: [100, 110, 120, 130, 140, 150, 160, 170, 180, 190], groups: groups([100, 110, 120, 130, 140, 150, 160, 170, 180, 190]) };
const all = [100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 11, 12, 13, 14, 15];
const minimal: ShardConfig = { num: 35, shards: [...c1.shards], groups: groups(all) };
// Non-minimal: shards 0 and 1 swap groups although neither had to move.
const swapped: ShardConfig = { num: 35, shards: [110, 100, ...c1.shards.slice(2)], groups: groups(all) };

describe("minimal-transfer checks of TestBasic/TestMulti", () => {
  it("Go's check as written passes a needless swap: gids 1..10 hold no shard", () => {
    expect(() => checkMinimalTransferAsWritten(cfg, c1, swapped, 10, "into", "non-minimal transfer after Join()s")).not.toThrow();
  });

  it("the effective check fails on it, naming itself and the shards", () => {
    expect(() => checkMinimalTransferEffective(cfg, c1, swapped, "into", "non-minimal transfer after Join()s")).toThrow(
      /non-minimal transfer after Join\(\)s \(effective minimal-transfer check.*shards \[0 1\] were on \[100 110\] and are now on \[110 100\]/,
    );
    expect(() => checkMinimalTransferEffective(cfg, minimal, swapped, "away", "non-minimal transfer after Leave()s")).toThrow(/effective/);
  });

  it("the effective check passes a minimal transfer", () => {
    expect(() => checkMinimalTransferEffective(cfg, c1, minimal, "into", "x")).not.toThrow();
    expect(() => checkMinimalTransferEffective(cfg, minimal, c1, "away", "x")).not.toThrow();
  });
});
