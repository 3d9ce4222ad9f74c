import { describe, expect, it } from "vitest";
import type { LogEntry } from "../runtime/log-types.js";
import { renderTimeline, scriptSafeJson, timelineModel } from "./timeline.js";
import { syntheticRun } from "./synthetic-run.js";

describe("timeline model", () => {
  const m = timelineModel(syntheticRun(), { title: "T", failure: { time: 6900, message: "boom" } });

  it("has role bands per peer, ending at crashes and at the end of the run", () => {
    expect(m.peers).toBe(3);
    expect(m.end).toBe(7000);
    const s1 = m.bands.filter((b) => b.peer === 1).map((b) => [b.role, b.term, b.start, b.end]);
    expect(s1.slice(0, 3)).toEqual([
      ["follower", 0, 0, 412],
      ["candidate", 1, 412, 419],
      ["leader", 1, 419, 3904],
    ]);
    // S2 crashes at 2000 and has no role until its restart's role mark.
    const s2 = m.bands.filter((b) => b.peer === 2);
    expect(s2.some((b) => b.start < 2000 && b.end > 2000)).toBe(false);
    expect(s2.at(-1)).toMatchObject({ role: "leader", term: 4, end: 7000 });
  });

  it("gives every peer a follower bar from the start, and from a restart, before its first role mark", () => {
    const entries: LogEntry[] = [
      { time: 0, peer: 0, topic: "LEAD", message: "", mark: { kind: "role", role: "leader", term: 1 } },
      { time: 500, peer: 2, topic: "TEST", message: "crash", mark: { kind: "crash" } },
      { time: 800, peer: 2, topic: "TEST", message: "restart", mark: { kind: "restart" } },
      { time: 1000, peer: "tester", topic: "TEST", message: "done" },
    ];
    const model = timelineModel(entries, { peers: 3 });
    const of = (p: number) => model.bands.filter((b) => b.peer === p).map((b) => [b.role, b.term, b.start, b.end]);
    expect(of(1)).toEqual([["follower", 0, 0, 1000]]); // no role mark at all: still a bar
    expect(of(2)).toEqual([
      ["follower", 0, 0, 500],
      ["follower", 0, 800, 1000],
    ]);
    expect(of(0)).toEqual([["leader", 1, 0, 1000]]);
  });

  it("has crashed and cut-off spans (disconnect, minority side of a partition)", () => {
    expect(m.spans.filter((s) => s.kind === "down")).toEqual([{ peer: 2, start: 2000, end: 2900, kind: "down", label: "crashed" }]);
    const cuts = m.spans.filter((s) => s.kind === "cut").map((s) => [s.peer, s.start, s.end, s.label]);
    expect(cuts).toEqual([
      [1, 2400, 3900, "disconnected"],
      [0, 4600, 6200, "partition S1 S2 | S0"],
    ]);
  });

  it("has point events for faults, elections, commits, snapshots and the tester, in time order", () => {
    const kinds = new Set(m.events.map((e) => e.kind));
    for (const k of ["crash", "restart", "disconnect", "connect", "partition", "election", "leader", "commit", "snapshot", "test", "error"]) {
      expect(kinds, k).toContain(k);
    }
    expect(m.events.map((e) => e.time)).toEqual([...m.events.map((e) => e.time)].sort((a, b) => a - b));
    expect(m.events.find((e) => e.kind === "leader" && e.peer === 0)).toMatchObject({ time: 2856, term: 2 });
    expect(m.events.filter((e) => e.peer === -1 && e.kind === "test")[0]?.text).toContain("tester: Test (3C)");
    expect(m.rpcs.length).toBeGreaterThan(50);
    expect(m.failure).toEqual({ time: 6900, message: "boom" });
  });

  it("caps what it embeds and counts what it left out", () => {
    const capped = timelineModel(syntheticRun(), { maxEvents: 10, maxRpcs: 5 });
    expect(capped.events).toHaveLength(10);
    expect(capped.rpcs).toHaveLength(5);
    expect(capped.omitted).toBeGreaterThan(100);
  });
});

describe("timeline page", () => {
  it("embeds the data safely: no message can close the script element", () => {
    expect(scriptSafeJson({ s: "</script><b>&\u2028\u2029" })).toBe('{"s":"\\u003c/script\\u003e\\u003cb\\u003e\\u0026\\u2028\\u2029"}');
    const evil: LogEntry[] = [
      { time: 0, peer: 0, topic: "LEAD", message: "</script><script>alert(1)</script>", mark: { kind: "role", role: "leader", term: 1 } },
      { time: 5, peer: "tester", topic: "TEST", message: "<!-- \u2028" },
    ];
    const html = renderTimeline(evil, { title: "<Test & co>" });
    expect(html.match(/<\/script/g)).toHaveLength(2);
    expect(html).not.toContain("<!-- ");
    expect(html).toContain("<title>&#60;Test &#38; co&#62; · timeline</title>");
    const json = /<script type="application\/json" id="timeline-data">(.*?)<\/script>/s.exec(html)?.[1] ?? "";
    expect(JSON.parse(json)).toMatchObject({ title: "<Test & co>", peers: 1 });
  });

  it("is self-contained: nothing loaded from the network", () => {
    const html = renderTimeline(syntheticRun());
    const urls = html.match(/(?:https?:)?\/\/[\w.-]+\.[a-z]{2,}[^\s"')]*/g) ?? [];
    expect(urls.filter((u) => u !== "http://www.w3.org/2000/svg")).toEqual([]);
    expect(html).not.toMatch(/<(?:link|img|iframe)\b|<script[^>]+src=|@import|url\((?!#)/);
  });
});
