import { describe, expect, it } from "vitest";
import { NSHARDS } from "./shard-config.js";
import { rebalance } from "./rebalance.js";

function counts(shards: readonly number[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const g of shards) m.set(g, (m.get(g) ?? 0) + 1);
  return m;
}

describe("rebalance", () => {
  it("puts every shard on gid 0 when there are no groups", () => {
    expect(rebalance([1, 1, 1, 1, 1, 2, 2, 2, 2, 2], [])).toEqual(new Array(NSHARDS).fill(0));
  });

  it("splits evenly and moves as few shards as possible, over many join/leave sequences", () => {
    let shards = new Array<number>(NSHARDS).fill(0);
    let groups: number[] = [];
    const steps: [("join" | "leave"), number][] = [];
    for (let g = 1; g <= 12; g++) steps.push(["join", g]);
    for (const g of [3, 7, 1, 12, 5, 2, 4, 6, 8, 9, 10]) steps.push(["leave", g]);
    for (const [op, g] of steps) {
      const before = shards;
      groups = op === "join" ? [...groups, g] : groups.filter((x) => x !== g);
      shards = rebalance(before, groups);
      const c = counts(shards);
      const loads = groups.map((x) => c.get(x) ?? 0);
      expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);
      // Minimal: the shards of groups that left, plus each remaining group's excess over the
      // largest share it could keep (the larger shares going to the most loaded groups).
      const moved = shards.filter((x, s) => x !== before[s]).length;
      const load = counts(before);
      const orphans = before.filter((x) => !groups.includes(x)).length;
      const byLoad = groups.map((x) => load.get(x) ?? 0).sort((a, b) => b - a);
      const base = Math.floor(NSHARDS / groups.length);
      const excess = byLoad.reduce((sum, l, rank) => sum + Math.max(0, l - (base + (rank < NSHARDS % groups.length ? 1 : 0))), 0);
      expect(moved).toBe(groups.length === 0 ? orphans : orphans + excess);
    }
  });

  it("moves exactly the minimum on a join and a leave (TestMinimalAgain's shape)", () => {
    const c1 = rebalance(new Array(NSHARDS).fill(0), [1, 2]);
    const c2 = rebalance(c1, [1, 2, 3]);
    expect(c2.filter((g, s) => g !== c1[s]).length).toBe(3);
    expect(c2.every((g, s) => g === 3 || g === c1[s])).toBe(true);
    const c3 = rebalance(c2, [2, 3]);
    expect(c3.every((g, s) => c2[s] === 1 || g === c2[s])).toBe(true);
  });

  it("is a function of its arguments: the order of the gids does not matter", () => {
    const start = [5, 5, 5, 9, 9, 9, 9, 0, 0, 0];
    expect(rebalance(start, [9, 5, 7])).toEqual(rebalance(start, [7, 5, 9]));
  });
});
