/**
 * How `npm run explore` reads its runs: what broke in a failed run (the monitor's property, or the
 * test's message with its numbers taken out), whether that is a safety or a liveness failure, and
 * the report section that groups failures by it.
 */
import type { StressRecord } from "../../src/harness/index.js";
import { SHARDING_PROPERTIES } from "../../src/monitors/sharding-violation.js";
import { RAFT_PROPERTIES } from "../../src/monitors/violation.js";
import type { Colors } from "./seed-runs.js";

/** What broke in a failed run, and which kind of failure it is. */
export interface FailureKind {
  /** The group's name: `Leader Completeness violated`, or the first line with numbers replaced by N. */
  readonly key: string;
  /**
   * `safety`: something a correct implementation never does (a monitor's property, a tester's check
   * of applied commands or of the history); `liveness`: no progress once every fault was healed.
   */
  readonly kind: "safety" | "liveness";
}

/** Liveness checks' messages: the tester's agreement and election checks, and the scenarios' own. */
const LIVENESS = [/^one\(.*\) failed to reach agreement/, /^only \d+ decided for index/, /^expected one leader, got none/, /^liveness: /, /^virtual time budget exceeded/];

/**
 * The message's statement: its first line, or, when that line ends in ":" (the values follow on
 * their own lines, as in the tester's `get wrong value, key 3, wanted:\n<value>\n, got\n<value>`),
 * the lines up to the seed and replay block joined, with each value shown as `...`.
 */
function statement(error: string): string {
  const lines = error.split("\n");
  const first = (lines[0] ?? "").trim();
  if (!first.endsWith(":")) return first;
  const rest: string[] = [];
  for (const line of lines.slice(1)) {
    if (/^\s+(seed|replay|files|log|timeline|note):/.test(line) || line.startsWith("tasks still running")) break;
    rest.push(line.trim());
  }
  // Values are the lines that are not the message's own words (", got" and the like start with a comma).
  const joined = rest.map((l) => (l === "" ? "" : /^,/.test(l) ? l : "...")).filter((l) => l !== "");
  return [first, ...joined].join(" ").replace(/ ,/g, ",");
}

/** Classifies a failed run by what its error says (see {@link statement}). */
export function failureKind(error: string): FailureKind {
  const first = statement(error);
  for (const property of [...Object.keys(RAFT_PROPERTIES), ...Object.keys(SHARDING_PROPERTIES)]) {
    if (first.startsWith(`${property} violated`)) return { key: `${property} violated`, kind: "safety" };
  }
  // A skeleton's method not written yet: kept as it is (its part, `(3A)`, is no number to hide).
  if (first.startsWith("not implemented: ")) return { key: first, kind: "safety" };
  const kind = LIVENESS.some((re) => re.test(first)) ? "liveness" : "safety";
  const normalized = first
    .replace(/\d+/g, "N")
    .replace(/"[^"]{20,}"/g, '"..."')
    .slice(0, 120);
  return { key: normalized, kind };
}

/** `RAFTLAB_EXPLORE=1 ` before a lab test's replay command (an explore scenario's replays in explore mode by itself). */
export function exploreReplay(r: Pick<StressRecord, "file" | "replay">): string {
  const replay = r.replay ?? "";
  return r.file.endsWith(".explore.test.ts") || replay.startsWith("RAFTLAB_EXPLORE=") ? replay : `RAFTLAB_EXPLORE=1 ${replay}`;
}

/** One group of failed runs. */
export interface FailureGroup {
  readonly key: string;
  readonly kind: FailureKind["kind"];
  readonly runs: readonly StressRecord[];
}

/** The failed runs grouped by what broke, largest group first. */
export function groupFailures(records: readonly StressRecord[]): FailureGroup[] {
  const groups = new Map<string, { kind: FailureKind["kind"]; runs: StressRecord[] }>();
  for (const r of records) {
    if (r.ok) continue;
    const { key, kind } = failureKind(r.error ?? "");
    const g = groups.get(key) ?? { kind, runs: [] };
    g.runs.push(r);
    groups.set(key, g);
  }
  return [...groups].map(([key, g]) => ({ key, ...g })).sort((a, b) => b.runs.length - a.runs.length);
}

/** The report's section: each group, its kind, how many runs of which tests, and its first run's replay. */
export function formatFailureGroups(records: readonly StressRecord[], c: Colors): string[] {
  const groups = groupFailures(records);
  if (groups.length === 0) return [];
  const lines = [c.bold(`Failures by what broke (${groups.length} kind${groups.length === 1 ? "" : "s"}):`)];
  for (const g of groups) {
    const tests = new Map<string, number>();
    for (const r of g.runs) tests.set(r.test, (tests.get(r.test) ?? 0) + 1);
    const which = [...tests].map(([t, n]) => `${t}: ${n}`).join(", ");
    const first = g.runs[0]!;
    lines.push(`  ${c.red(g.key)}  [${g.kind}]  ${g.runs.length} run${g.runs.length === 1 ? "" : "s"} (${which})`);
    lines.push(`    first: ${first.test} seed ${first.seed}: ${exploreReplay(first)}`);
  }
  lines.push("");
  return lines;
}
