/** The timeline draws a safety monitor's violation on the rows of the peers involved and the tester's. */
import { describe, expect, it } from "vitest";
import type { LogEntry } from "../runtime/log-types.js";
import { renderTimeline, timelineModel } from "./timeline.js";

describe("timeline: safety violations", () => {
  const entries: LogEntry[] = [
    { time: 0, peer: 0, topic: "LEAD", message: "leader in T1", mark: { kind: "role", role: "leader", term: 1 } },
    { time: 300, peer: 2, topic: "LEAD", message: "leader in T1", mark: { kind: "role", role: "leader", term: 1 } },
    {
      time: 300,
      peer: "monitor",
      topic: "ERRO",
      message: "Election Safety violated: S0 and S2 were both leaders of term 1",
      mark: { kind: "violation", property: "Election Safety", peers: [0, 2] },
    },
  ];

  it("puts a violation event on each involved peer's row and on the tester's row", () => {
    const m = timelineModel(entries);
    const violations = m.events.filter((e) => e.kind === "violation");
    expect(violations.map((e) => e.peer).sort()).toEqual([-1, 0, 2]);
    expect(violations.every((e) => e.time === 300)).toBe(true);
    expect(violations[0]?.text).toBe("Election Safety violated: S0 and S2 were both leaders of term 1");
    expect(m.peers).toBe(3);
  });

  it("keeps the whole explanation of a violation, line by line, for its tooltip", () => {
    const message = "Election Safety violated: S0 and S2 were both leaders of term 1\n  S0 was leader of T1 at 0.000s; S2 is leader of T1 at 0.300s.";
    const m = timelineModel([...entries.slice(0, 2), { ...entries[2]!, message }]);
    const v = m.events.find((e) => e.kind === "violation" && e.peer === -1)!;
    expect(v.text.split("\n")).toEqual(["Election Safety violated: S0 and S2 were both leaders of term 1", "  S0 was leader of T1 at 0.000s; S2 is leader of T1 at 0.300s."]);
    expect(renderTimeline(entries)).toContain("white-space:pre-wrap");
  });

  it("draws it as a star, with a legend entry", () => {
    const html = renderTimeline(entries);
    expect(html).toContain("safety violation");
    expect(html).toContain('case "violation"');
  });
});
