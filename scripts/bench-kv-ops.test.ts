import { describe, expect, it } from "vitest";
import { kvOpsRows, parseKvSummaries } from "./bench-kv-ops.js";

describe("bench kvops", () => {
  it("pairs each title with the figures that follow it, and compares with Go's sample", () => {
    const out = [
      "Test: one client (4A) ...",
      "  ... Passed --  15.1  5  5057  975  seed=1 wall=471ms",
      "Test: ops complete fast enough (4A) ...",
      "  ... Passed --  17.4  3  3105    0  seed=1 wall=250ms",
      "Test: no such test ...",
      "stray line",
    ].join("\n");
    const s = parseKvSummaries(out);
    expect(s).toEqual([
      { title: "Test: one client (4A)", virtualS: 15.1, rpcs: 5057, ops: 975 },
      { title: "Test: ops complete fast enough (4A)", virtualS: 17.4, rpcs: 3105, ops: 0 },
    ]);
    expect(kvOpsRows(s)).toEqual([
      ["test", "ops", "Go sample", "ratio"],
      ["one client (4A)", "975", "903", "1.08"],
    ]);
  });
});
