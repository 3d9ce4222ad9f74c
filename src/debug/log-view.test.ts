import { describe, expect, it } from "vitest";
import { formatLog } from "../runtime/log-format.js";
import { readLogLines } from "./log-reader.js";
import { SAMPLE_LOG as sample } from "./sample-log.js";
import { describeMark, inferPeers, renderColumns, wrap } from "./log-view.js";
import { syntheticRun } from "./synthetic-run.js";

const ESC = String.fromCharCode(27);


describe("column view", () => {
  it("puts each peer's lines in its column and tester/net lines across all columns", () => {
    const out = renderColumns(sample, { width: 127 });
    // 127 = 7 (time) + 3 columns of 40.
    expect(out[0]).toBe(`       S0${" ".repeat(38)}S1${" ".repeat(38)}S2`);
    expect(out[1]).toBe("-".repeat(127));
    expect(out).toContain("     0 TEST tester: Test (3A): initial election");
    expect(out).toContain("     3 TIMR timer reset");
    expect(out).toContain(`   412 ${" ".repeat(40)}VOTE asking for votes`);
    expect(out).toContain(`   415 ${" ".repeat(80)}VOTE granting vote to S1`);
    expect(out).toContain(`   418 ${" ".repeat(40)}LEAD [leader T1]`);
    expect(out).toContain("   420 DROP net: request lost");
    expect(out.join("\n")).not.toContain(ESC);
  });

  it("filters topics with just and ignore", () => {
    const just = renderColumns(sample, { just: new Set(["VOTE", "LEAD"]), width: 127 }).slice(2).join("\n");
    expect(just).toContain("asking for votes");
    expect(just).not.toContain("TIMR");
    expect(just).not.toContain("tester");
    const ignore = renderColumns(sample, { ignore: new Set(["TIMR", "DROP"]), width: 127 }).join("\n");
    expect(ignore).not.toContain("timer reset");
    expect(ignore).not.toContain("request lost");
    expect(ignore).toContain("initial election");
  });

  it("colours by topic only when asked", () => {
    const colored = renderColumns(sample, { color: true, width: 127 }).join("\n");
    expect(colored).toContain(ESC + "[");
  });

  it("honours --peers, prints comments and unparsed lines verbatim", () => {
    const lines = readLogLines("# TestX seed 3\n000001 VOTE S4 hi\npanic: at the disco\n");
    const out = renderColumns(lines, { peers: 2, width: 47 });
    expect(out[0]).toBe("       S0                  S1");
    expect(out).toContain("# TestX seed 3");
    expect(out).toContain("     1 VOTE S4: hi"); // beyond --peers: spans the columns
    expect(out).toContain("panic: at the disco");
  });

  it("formats a safety monitor's violation read back from a log file: a banner, then its explanation", () => {
    const message = [
      "Election Safety violated: S2 and S3 were both leaders of term 1",
      "  S2 was leader of T1 at 0.308s; S3 is leader of T1 at 0.426s.",
      "  Election Safety (Raft, Figure 3): at most one leader can be elected in a given term.",
    ].join("\n");
    const text = formatLog([...sample, { time: 426, peer: "monitor", topic: "ERRO", message, mark: { kind: "violation", property: "Election Safety", peers: [2, 3] } }], ["TestX  seed 4"]);
    const lines = readLogLines(text);
    expect(lines.filter((l) => l.kind === "other")).toEqual([]);
    const out = renderColumns(lines, { peers: 4, width: 100 });
    expect(out.some((l) => l.startsWith("#####"))).toBe(false);
    const at = out.findIndex((l) => l.includes("SAFETY VIOLATION"));
    expect(out[at]).toBe("   426 !!! SAFETY VIOLATION: Election Safety (S2 S3) !!!");
    expect(out.slice(at + 1, at + 4)).toEqual([
      "       Election Safety violated: S2 and S3 were both leaders of term 1",
      "         S2 was leader of T1 at 0.308s; S3 is leader of T1 at 0.426s.",
      "         Election Safety (Raft, Figure 3): at most one leader can be elected in a given term.",
    ]);
  });

  it("infers peers, wraps, describes marks", () => {
    expect(inferPeers(syntheticRun())).toBe(3);
    expect(inferPeers([])).toBe(0);
    expect(wrap("aaa bbb ccc", 7)).toEqual(["aaa bbb", "ccc"]);
    expect(wrap("abcdefghij", 4)).toEqual(["abcd", "efgh", "ij"]);
    expect(describeMark({ kind: "partition", groups: [[0, 1], [2]] })).toBe("[partition 0,1|2]");
    expect(describeMark({ kind: "rpc", method: "Raft.AppendEntries", from: 1, to: 2, sent: 10 })).toBe("[Raft.AppendEntries S1->S2 sent 10]");
  });
});
