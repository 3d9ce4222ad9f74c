import { describe, expect, it } from "vitest";
import { formatLog, formatLogLine } from "../runtime/log-format.js";
import type { LogEntry } from "../runtime/log-types.js";
import { LogParseError, parseLog, readLogLines } from "./log-reader.js";
import { syntheticRun } from "./synthetic-run.js";

describe("log reader", () => {
  it("reads back exactly what formatLog writes, marks included", () => {
    const entries = syntheticRun();
    const parsed = parseLog(formatLog(entries, ["TestSynthetic seed 1", "replay: SEED=1 npx vitest run x"]));
    expect(parsed.comments).toEqual(["TestSynthetic seed 1", "replay: SEED=1 npx vitest run x"]);
    expect(parsed.entries).toEqual(entries);
  });

  it("round-trips awkward messages: multi-line, empty, containing the mark separator, fractional times", () => {
    const entries: LogEntry[] = [
      { time: 0, peer: "tester", topic: "TEST", message: "first line\nsecond line\n  indented third" },
      { time: 1.5, peer: 3, topic: "INFO", message: "" },
      { time: 2, peer: 0, topic: "WARN", message: 'user text with @mark {"kind":"crash"} inside' },
      { time: 3, peer: 1, topic: "LEAD", message: "x @mark y", mark: { kind: "role", role: "leader", term: 7 } },
      { time: 1234567, peer: "net", topic: "DROP", message: "trailing space " },
      { time: 4, peer: 2, topic: "SNAP", message: "", mark: { kind: "partition", groups: [[0, 1], [2]] } },
    ];
    expect(parseLog(formatLog(entries)).entries).toEqual(entries);
    expect(formatLogLine(entries[1] as LogEntry)).toBe("000001.5 INFO S3 ");
  });

  it("names the line of malformed input", () => {
    const text = "000001 VOTE S0 fine\n\n000002 NOPE S1 what\n";
    expect(() => parseLog(text)).toThrow(LogParseError);
    expect(() => parseLog(text)).toThrow(/^line 3: unknown topic "NOPE" .*: "000002 NOPE S1 what"$/);
    expect(() => parseLog("garbage here")).toThrow(/^line 1: expected "<virtual ms> <TOPIC> <peer> <message>": "garbage here"$/);
    expect(() => parseLog('000001 LEAD S0 x @mark {"kind":"role"')).toThrow(/^line 1: bad mark JSON after "@mark"/);
    expect(() => parseLog('#c\n000001 LEAD S0 x @mark {"kind":"role","role":"king","term":1}')).toThrow(
      /^line 2: bad mark: role must be follower, candidate or leader/,
    );
    expect(() => parseLog('000001 LEAD S0 x @mark {"kind":"boom"}')).toThrow(/bad mark: unknown kind "boom"/);
  });

  it("reads leniently for the viewer: other lines come back with their problem", () => {
    const lines = readLogLines("# header\n000001 VOTE S0 hi\npanic: oops\n000002 TEST tester bye\n");
    expect(lines.map((l) => [l.kind, l.line])).toEqual([
      ["comment", 1],
      ["entry", 2],
      ["other", 3],
      ["entry", 4],
    ]);
  });
});
