import { afterEach, describe, expect, it } from "vitest";
import { epochMs, MAX_INTERVALS, MAX_TIMELINE, NodeMetrics, type NodeTimeline } from "./node-metrics.js";

let metrics: NodeMetrics | undefined;
afterEach(() => metrics?.stop());

describe("NodeMetrics", () => {
  it("reports checkpoints with their intervals, filtered by the time they ended", () => {
    metrics = new NodeMetrics();
    metrics.checkpoint(1000, 20);
    metrics.checkpoint(2000, 5);
    const all = metrics.report(0) as { checkpoints: { count: number; totalMs: number; maxMs: number; intervals: number[][] } };
    expect(all.checkpoints).toEqual({ count: 2, totalMs: 25, maxMs: 20, intervals: [[1000, 1020], [2000, 2005]] });
    const late = metrics.report(1500) as typeof all;
    expect(late.checkpoints.intervals).toEqual([[2000, 2005]]);
    expect(late.checkpoints.count).toBe(2);
  });

  it("summarizes WAL write durations by percentile", () => {
    metrics = new NodeMetrics();
    for (let i = 1; i <= 100; i++) metrics.wal(0, i);
    expect(metrics.report(0, true)["walWrites"]).toEqual({ count: 100, p50: 51, p99: 100, max: 100 });
    metrics.wal(0, 7);
    expect(metrics.report(0)["walWrites"]).toEqual({ count: 101, p50: 7, p99: 7, max: 7 });
  });

  it("summarizes the node's own time per KV request, and starts over on reset", () => {
    metrics = new NodeMetrics();
    expect(metrics.report(0)["kvRequests"]).toEqual({ count: 0, p50: 0, p99: 0, max: 0 });
    for (let i = 1; i <= 100; i++) metrics.kvRequest(i / 10);
    expect(metrics.report(0, true)["kvRequests"]).toEqual({ count: 100, p50: 5.1, p99: 10, max: 10 });
    metrics.kvRequest(0.25);
    expect(metrics.report(0)["kvRequests"]).toEqual({ count: 101, p50: 0.25, p99: 0.25, max: 0.25 });
  });

  it("keeps a bounded number of intervals", () => {
    metrics = new NodeMetrics();
    for (let i = 0; i < MAX_INTERVALS + 10; i++) metrics.checkpoint(i, 1);
    const r = metrics.report(0) as { checkpoints: { count: number; intervals: unknown[] } };
    expect(r.checkpoints.count).toBe(MAX_INTERVALS + 10);
    expect(r.checkpoints.intervals).toHaveLength(MAX_INTERVALS);
  });

  it("keeps a timeline of WAL writes, KV requests and commits only when asked, filtered by the time they ended", () => {
    metrics = new NodeMetrics();
    metrics.wal(1000, 2);
    metrics.wal(3000, 1);
    const before = epochMs();
    metrics.kvRequest(0.5);
    metrics.commit();
    expect(metrics.report(0)["timeline"]).toBeUndefined();
    const t = metrics.report(2000, false, true)["timeline"] as NodeTimeline;
    expect(t.walWrites).toEqual([[3000, 3001]]);
    expect(t.kvRequests).toHaveLength(1);
    const [start, end] = t.kvRequests[0]!;
    expect(end - start).toBeCloseTo(0.5, 6);
    expect(end).toBeGreaterThanOrEqual(before);
    expect(t.commits).toHaveLength(1);
    expect(t.commits[0]).toBeGreaterThanOrEqual(end);
  });

  it("keeps the latest MAX_TIMELINE intervals of the timeline, oldest first", () => {
    metrics = new NodeMetrics();
    for (let i = 0; i < MAX_TIMELINE + 3; i++) metrics.wal(i, 0.5);
    const t = (metrics.report(0, false, true)["timeline"] as NodeTimeline).walWrites;
    expect(t).toHaveLength(MAX_TIMELINE);
    expect(t[0]).toEqual([3, 3.5]);
    expect(t.at(-1)).toEqual([MAX_TIMELINE + 2, MAX_TIMELINE + 2.5]);
  });

  it("reads CPU time and the clock in epoch milliseconds", () => {
    metrics = new NodeMetrics();
    const r = metrics.report(0);
    expect(Math.abs((r["now"] as number) - Date.now())).toBeLessThan(1000);
    expect(Math.abs(epochMs() - Date.now())).toBeLessThan(1000);
    expect(r["cpuMs"]).toBeGreaterThan(0);
  });
});
