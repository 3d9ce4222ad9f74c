import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  addAnnotations,
  checkOperationsVerbose,
  escapeHtml,
  jsonForHtml,
  renderVisualization,
  visualize,
  visualizeToFile,
  type LinearizationInfo,
  type Operation,
} from "porcupine";
import { PAGE_CSS } from "../src/visualization/page-css.js";
import { PAGE_SCRIPT } from "../src/visualization/page-script.js";
import { register, type RegInput } from "./register-model.js";

function put(clientId: number, value: number, call: number, ret: number, label?: string): Operation<RegInput, number> {
  const input: RegInput = label === undefined ? { op: "put", value } : { op: "put", value, label };
  return { clientId, input, output: 0, call, return: ret };
}
function get(clientId: number, value: number, call: number, ret: number): Operation<RegInput, number> {
  return { clientId, input: { op: "get", value: 0 }, output: value, call, return: ret };
}

interface PageJson {
  verdict: string;
  notes: string[];
  allowHtmlDetails: boolean;
  states: string[];
  partitions: {
    index: number;
    result: string;
    total: number;
    ops: { id: number; d: string; s: number; e: number; os: string; oe: string }[];
    lins: { steps: [number, number][]; bad: number[]; len: number }[];
    largest: number[];
    note?: string;
  }[];
  annotations: { tag?: string; c: number; s: number; e: number; point: boolean; d: string; details: string }[];
}

/** Extracts and parses the page's embedded JSON. */
function pageData(html: string): PageJson {
  const m = /<script type="application\/json" id="porcupine-data">([\s\S]*?)<\/script>/.exec(html);
  expect(m).not.toBeNull();
  return JSON.parse(m![1]!) as PageJson;
}

/** `n` sequential puts by 3 clients, then a get of a value never written. */
function illegalHistory(n: number): Operation<RegInput, number>[] {
  const h: Operation<RegInput, number>[] = [];
  for (let i = 0; i < n; i++) h.push(put(i % 3, i + 1, 10 * i, 10 * i + 5));
  h.push(get(1, 999, 10 * n, 10 * n + 5));
  return h;
}

describe("visualize (HTML generator)", () => {
  it("escapes </script>, U+2028 and U+2029 so the embedded JSON parses back", () => {
    const nasty = "</script><script>alert(1)</script> & <!-- \u2028line\u2029para";
    const history = [put(0, 1, 0, 10, nasty), get(1, 1, 20, 30)];
    const { result, info } = checkOperationsVerbose(register, history);
    expect(result).toBe("ok");
    const html = visualize(register, info, { title: "</title><b>t</b>" });
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).toContain('<meta charset="UTF-8">');
    // Exactly the page's own two <script> elements close.
    expect(html.match(/<\/script/gi)?.length).toBe(2);
    expect(html).not.toContain("alert(1)</script>");
    expect(html).not.toContain("\u2028");
    expect(html).not.toContain("\u2029");
    expect(html).toContain("\\u003c/script\\u003e");
    expect(html).toContain("<title>&#60;/title&#62;&#60;b&#62;t&#60;/b&#62;</title>");
    const data = pageData(html);
    expect(data.partitions[0]!.ops[0]!.d).toBe(nasty);
    expect(data.verdict).toBe("ok");
  });

  it("escapeHtml escapes markup characters for element content and attributes", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;");
  });
  it("jsonForHtml escapes exactly the dangerous characters", () => {
    expect(jsonForHtml({ a: "<>&\u2028\u2029é" })).toBe('{"a":"\\u003c\\u003e\\u0026\\u2028\\u2029é"}');
    expect(JSON.parse(jsonForHtml("</script>"))).toBe("</script>");
  });

  it("page script and stylesheet cannot close their own elements", () => {
    expect(PAGE_SCRIPT).not.toMatch(/<\/script/i);
    expect(PAGE_CSS).not.toMatch(/<\/style/i);
    // No network: no URLs to fetch anything from.
    for (const text of [PAGE_SCRIPT, PAGE_CSS]) {
      expect(text).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
      expect(text).not.toMatch(/@import|url\(|fetch\(|XMLHttpRequest/);
    }
  });

  it("embeds the partial linearization, its states and the illegal next step", () => {
    const history = illegalHistory(4);
    const { result, info } = checkOperationsVerbose(register, history);
    expect(result).toBe("illegal");
    const html = visualize(register, info);
    const data = pageData(html);
    expect(data.verdict).toBe("illegal");
    const p = data.partitions[0]!;
    expect(p.result).toBe("illegal");
    expect(p.ops).toHaveLength(5);
    const longest = p.lins[0]!;
    expect(longest.steps.map(([k]) => p.ops[k]!.d)).toEqual(["put(1)", "put(2)", "put(3)", "put(4)"]);
    expect(longest.steps.map(([, s]) => data.states[s])).toEqual(["value=1", "value=2", "value=3", "value=4"]);
    expect(longest.bad.map((k) => p.ops[k]!.d)).toEqual(["get() -> 999"]);
    expect(data.states).toContain("value=0"); // the initial state
    expect(p.largest.slice(0, 4)).toEqual([0, 0, 0, 0]);
    expect(p.largest[4]).toBe(-1);
  });

  it("caps operations per partition around the first error and says so", () => {
    const history = illegalHistory(60);
    const { info } = checkOperationsVerbose(register, history);
    const r = renderVisualization(register, info, { maxOperationsPerPartition: 10 });
    expect(r.droppedOperations).toBe(51);
    expect(r.notes).toHaveLength(1);
    expect(r.notes[0]).toMatch(/Partition 0: showing 10 of 61 operations.*51 not drawn.*maxOperationsPerPartition = 10/);
    const data = pageData(r.html);
    expect(data.notes).toEqual(r.notes);
    const p = data.partitions[0]!;
    expect(p.total).toBe(61);
    expect(p.ops).toHaveLength(10);
    // The window keeps the illegal get and the ops just before it.
    expect(p.ops.map((o) => o.d)).toContain("get() -> 999");
    expect(p.lins[0]!.bad.map((k) => p.ops[k]!.d)).toEqual(["get() -> 999"]);
    expect(p.lins[0]!.len).toBe(60);
    expect(p.lins[0]!.steps.length).toBeLessThan(10);
    // No cap hit: no notes.
    const full = renderVisualization(register, info);
    expect(full.notes).toEqual([]);
    expect(full.droppedOperations).toBe(0);
  });

  it("caps partial linearizations and long state descriptions", () => {
    const info: LinearizationInfo = {
      partitions: [
        {
          history: [0, 1, 2].map((i) => ({
            clientId: i,
            start: i,
            end: i + 10,
            originalStart: String(i),
            originalEnd: String(i + 10),
            description: `op${i}`,
          })),
          partialLinearizations: [
            [
              { index: 0, stateDescription: "x".repeat(50) },
              { index: 1, stateDescription: "b" },
            ],
            [{ index: 1, stateDescription: "c" }],
            [{ index: 2, stateDescription: "d" }],
          ],
          largest: { 0: 0, 1: 0, 2: 2 },
          illegalNext: [[2], [0], [0]],
          result: "illegal",
        },
      ],
      annotations: [],
    };
    const r = renderVisualization(register, info, {
      maxPartialLinearizationsPerPartition: 1,
      maxStateDescriptionLength: 20,
    });
    expect(r.droppedPartialLinearizations).toBe(2);
    expect(r.truncatedStateDescriptions).toBe(1);
    expect(r.notes.join("\n")).toMatch(/showing the 1 longest of 3 partial linearizations/);
    expect(r.notes.join("\n")).toMatch(/longer than 20 characters were cut/);
    const data = pageData(r.html);
    const p = data.partitions[0]!;
    expect(p.lins).toHaveLength(1);
    expect(data.states[p.lins[0]!.steps[0]![1]]).toBe(`${"x".repeat(20)}… (30 more characters)`);
    expect(p.largest).toEqual([0, 0, -1]);
  });

  it("places annotations (tags, clients, points) and keeps details as text by default", () => {
    const history = [put(0, 1, 100, 200), get(1, 1, 300, 400)];
    const { info } = checkOperationsVerbose(register, history);
    addAnnotations(info, [
      { tag: "Test Framework", start: 150, end: 350, description: "partition", details: "<img src=x onerror=alert(1)>" },
      { tag: "Server 1", start: 250, description: "leader", backgroundColor: "#f59e0b", textColor: "#fff" },
      { clientId: 1, start: 400, end: 100, description: "backwards" },
    ]);
    const html = visualize(register, info);
    expect(html).not.toContain("<img");
    const data = pageData(html);
    expect(data.allowHtmlDetails).toBe(false);
    const [frame, leader, back] = data.annotations;
    expect(frame).toMatchObject({ tag: "Test Framework", point: false, details: "<img src=x onerror=alert(1)>" });
    expect(leader).toMatchObject({ tag: "Server 1", point: true, d: "leader" });
    expect(back).toMatchObject({ c: 1, point: true });
    // Annotation times interleave with the operations' times on one axis.
    const ops = data.partitions[0]!.ops;
    expect(frame!.s).toBeGreaterThan(ops[0]!.s);
    expect(frame!.s).toBeLessThan(ops[0]!.e);
    expect(frame!.e).toBeGreaterThan(ops[1]!.s);
    expect(frame!.e).toBeLessThan(ops[1]!.e);
    expect(leader!.s).toBeGreaterThan(ops[0]!.e);
    expect(leader!.s).toBeLessThan(ops[1]!.s);
    expect(back!.s).toBe(ops[1]!.e);
    expect(pageData(visualize(register, info, { allowHtmlDetails: true })).allowHtmlDetails).toBe(true);
  });

  it("handles bigint (nanosecond) timestamps", () => {
    const base = 1_700_000_000_000_000_000n;
    const history: Operation<RegInput, number>[] = [
      { clientId: 0, input: { op: "put", value: 7 }, output: 0, call: base, return: base + 5n },
      { clientId: 1, input: { op: "get", value: 0 }, output: 7, call: base + 10n, return: base + 15n },
    ];
    const { result, info } = checkOperationsVerbose(register, history);
    expect(result).toBe("ok");
    addAnnotations(info, [{ tag: "T", start: base + 7n, description: "between" }]);
    const data = pageData(visualize(register, info));
    const ops = data.partitions[0]!.ops;
    expect(ops[0]!.os).toBe(base.toString());
    const a = data.annotations[0]!;
    expect(a.s).toBeGreaterThan(ops[0]!.e);
    expect(a.s).toBeLessThan(ops[1]!.s);
  });

  it("the banner says why a stopped search is unknown", () => {
    // Ten concurrent puts and a get of a value never written: an exhaustive search, cut short.
    const ops = [...Array.from({ length: 10 }, (_, k) => put(k % 3, k + 1, 0, 100)), get(1, 999, 200, 300)];
    const { result, info } = checkOperationsVerbose(register, ops, { maxSteps: 2000 });
    expect(result).toBe("unknown");
    const notes = pageData(renderVisualization(register, info).html).notes;
    expect(notes[0]).toBe(`The search stopped early: ${info.stop!.message}.`);
    expect(notes[0]).toMatch(/step budget exhausted after \d+ step calls \(options.maxSteps = 2000\) after .* raise options.maxSteps to search further\.$/);
  });
  it("renders an empty info, with or without annotations", () => {
    const empty: LinearizationInfo = { partitions: [], annotations: [] };
    const html = visualize(register, empty);
    const data = pageData(html);
    expect(data.verdict).toBe("ok");
    expect(data.partitions).toEqual([]);
    addAnnotations(empty, [{ tag: "Test Framework", start: 1, end: 2, description: "only a note" }]);
    expect(pageData(visualize(register, empty)).annotations).toHaveLength(1);
  });

  it("visualizeToFile writes the page and returns the notes", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "porcupine-viz-"));
    try {
      const { info } = checkOperationsVerbose(register, illegalHistory(3));
      const file = path.join(dir, "sub", "report.html");
      const notes = visualizeToFile(register, info, file, { maxOperationsPerPartition: 2 });
      expect(notes.droppedOperations).toBe(2);
      const html = fs.readFileSync(file, "utf8");
      expect(pageData(html).partitions[0]!.ops).toHaveLength(2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
