/**
 * Scoring and reports of `npm run grade`: the rule (a test earns its points only if it passed every
 * run), the terminal table, the Markdown report and Gradescope's `results.json`.
 */
import type { StressRecord } from "../../src/harness/index.js";
import type { GradedPart, GradescopeSettings } from "./grading.js";
import type { Colors } from "./seed-runs.js";

/** One test's grade. */
export interface TestGrade {
  readonly part: string;
  readonly test: string;
  readonly file: string | undefined;
  /** Points it is worth. */
  readonly points: number;
  readonly runs: number;
  readonly passed: number;
  /** `points` if every run passed, else 0. */
  readonly earned: number;
  /** The first failing run (by seed order), if any. */
  readonly firstFailure: StressRecord | undefined;
  /** For an explore entry's failure: what broke, e.g. `Election Safety violated [safety]`. */
  readonly violated?: string | undefined;
}

/** One part's grade. */
export interface PartGrade {
  readonly part: string;
  readonly lab: number;
  readonly title: string;
  readonly extraCredit: boolean;
  readonly tests: readonly TestGrade[];
  readonly earned: number;
  /** Its tests' points (0 for an extra-credit part: they add to the score, not the maximum). */
  readonly max: number;
  /** "explore" for the explore component's parts (see grade-explore.ts); the lab parts have none. */
  readonly component?: "explore";
}

/** Why no test could run (or ran in vain): the submission does not type-check, or is missing. */
export interface Blocker {
  /** A name for the check, e.g. "Type check (npm run typecheck)". */
  readonly check: string;
  readonly output: string;
}

/** Everything a report shows. */
export interface GradeReport {
  readonly parts: readonly PartGrade[];
  readonly score: number;
  readonly maxScore: number;
  /** Runs per test and their seeds. */
  readonly runs: number;
  readonly seeds: readonly number[];
  readonly wallMs: number;
  /** CPU time of the grading processes, when the platform tells (Linux). */
  readonly cpuMs: number | undefined;
  /** The submission graded, or undefined for the files in place. */
  readonly solution: string | undefined;
  /** The type check's output when it failed, and what that did to the score. */
  readonly typecheck: { readonly ok: boolean; readonly output: string; readonly blocking: boolean } | undefined;
  /** Reasons no test ran at all, if any. */
  readonly blocker: Blocker | undefined;
  readonly deadlineHit: boolean;
  readonly warnings: readonly string[];
  /** How the runs per test were fitted to the deadline (see grade-budget.ts), when they were. */
  readonly budget?: string | undefined;
}

/**
 * Grades `parts` from the run records: each test's runs are the records of its name (one per
 * seed); a test with fewer than its runs (`runs`, or the test's entry when a map) records, or any
 * failed one, earns 0.
 */
export function gradeParts(parts: readonly GradedPart[], runsOf: number | ReadonlyMap<string, number>, records: readonly StressRecord[]): PartGrade[] {
  const byTest = new Map<string, StressRecord[]>();
  for (const r of records) {
    let list = byTest.get(r.test);
    if (list === undefined) byTest.set(r.test, (list = []));
    list.push(r);
  }
  return parts.map((p) => {
    const tests = [...p.tests].map(([test, points]): TestGrade => {
      const runs = typeof runsOf === "number" ? runsOf : (runsOf.get(test) ?? 1);
      const list = byTest.get(test) ?? [];
      const passed = list.filter((r) => r.ok).length;
      const failures = list.filter((r) => !r.ok).sort((a, b) => a.seed - b.seed);
      const complete = list.length >= runs && passed >= runs;
      return {
        part: p.part,
        test,
        file: list[0]?.file,
        points,
        runs,
        passed: Math.min(passed, runs),
        earned: complete ? points : 0,
        firstFailure: failures[0],
      };
    });
    const earned = sum(tests.map((t) => t.earned));
    return { part: p.part, lab: p.lab, title: p.title, extraCredit: p.extraCredit, tests, earned, max: p.extraCredit ? 0 : sum(tests.map((t) => t.points)) };
  });
}

/** Every test at 0 with `why`: what a blocked submission (no type check, nothing submitted) gets. */
export function blockedParts(parts: readonly GradedPart[], runs: number, why: string): PartGrade[] {
  return parts.map((p) => {
    const tests = [...p.tests].map(([test, points]): TestGrade => ({
      part: p.part,
      test,
      file: p.files[0],
      points,
      runs,
      passed: 0,
      earned: 0,
      firstFailure: { test, fullName: test, file: p.files[0] ?? "", seed: 0, ok: false, wallMs: 0, error: why },
    }));
    return { part: p.part, lab: p.lab, title: p.title, extraCredit: p.extraCredit, tests, earned: 0, max: p.extraCredit ? 0 : sum(tests.map((t) => t.points)) };
  });
}

/** Totals over parts (rounded to hundredths, so 0.1 + 0.2 shows as 0.3). */
export function totals(parts: readonly PartGrade[]): { score: number; maxScore: number } {
  return { score: round(sum(parts.map((p) => p.earned))), maxScore: round(sum(parts.map((p) => p.max))) };
}

/** Runs per test as a phrase: `10 runs per test`, or `3-10 runs per test` when the budget fitted them to the solution. */
export function runsText(report: Pick<GradeReport, "parts" | "runs">): string {
  const runs = report.parts.filter((p) => p.component === undefined).flatMap((p) => p.tests.map((t) => t.runs));
  const lo = runs.length === 0 ? report.runs : Math.min(...runs);
  const hi = runs.length === 0 ? report.runs : Math.max(...runs);
  return `${lo === hi ? lo : `${lo}-${hi}`} run${hi === 1 ? "" : "s"} per test`;
}

/** The first line of a failure message. */
export function firstLine(text: string | undefined): string {
  return (text ?? "").split("\n", 1)[0] ?? "";
}

/** A failure's replay command: the record's, else none (a run that never started has none to give). */
function replayOf(r: StressRecord): string | undefined {
  return r.replay ?? (/^\s*replay: (.+)$/m.exec(r.error ?? "")?.[1] || undefined);
}

// ---------------------------------------------------------------------------------------------
// Terminal table

/** The final table: per part, per test: runs passed, points, and the first failure's seed, message and replay. */
export function formatGradeTable(report: GradeReport, c: Colors): string {
  const out: string[] = [];
  const header = ["Test", "Runs passed", "Points"];
  for (const p of report.parts) {
    const rows = p.tests.map((t) => [t.test, `${t.passed}/${t.runs}`, `${fmt(t.earned)}/${fmt(t.points)}`]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: readonly string[]): string => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ");
    const partPoints = p.extraCredit ? `${fmt(p.earned)} extra credit` : `${fmt(p.earned)}/${fmt(p.max)}`;
    if (p.component === "explore" && report.parts.find((q) => q.component === "explore") === p) {
      out.push(c.bold(`Explore component (beyond the original tests; its points add to the maximum):`), "");
    }
    out.push(c.bold(`Part ${p.part}: ${p.title}  ${partPoints}`));
    out.push(c.dim(line(header)));
    p.tests.forEach((t, i) => {
      const text = line(rows[i]!);
      out.push(t.earned === t.points && t.passed === t.runs ? c.green(text) : c.red(text));
      if (t.firstFailure !== undefined) {
        const f = t.firstFailure;
        out.push(c.dim(`    first failure${f.seed !== 0 ? `, seed ${f.seed}` : ""}: ${firstLine(f.error)}`));
        if (t.violated !== undefined) out.push(c.dim(`    violated: ${t.violated}`));
        const replay = replayOf(f);
        if (replay !== undefined) out.push(c.dim(`    replay: ${replay}`));
      }
    });
    out.push("");
  }
  out.push(c.bold(totalLine(report)) + c.dim(` (${runsText(report)}; a test earns its points only if every run passes)`));
  return out.join("\n");
}

/**
 * `Total: 37/40`; for parts that carry no points (`Total: 0/0` would say nothing), how many tests
 * passed every run instead.
 */
export function totalLine(report: GradeReport): string {
  if (report.maxScore > 0 || report.score > 0) return `Total: ${fmt(report.score)}/${fmt(report.maxScore)}`;
  const tests = report.parts.flatMap((p) => p.tests);
  const passed = tests.filter((t) => t.passed === t.runs && t.runs > 0).length;
  return `Total: ${passed}/${tests.length} tests passed every run (these parts carry no points)`;
}

// ---------------------------------------------------------------------------------------------
// Markdown

/** The Markdown report (`--md`). */
export function toMarkdown(report: GradeReport): string {
  const lines: string[] = [];
  lines.push(`# raftlab grade: ${fmt(report.score)}/${fmt(report.maxScore)}`, "");
  lines.push(
    `${runsText(report)} on distinct seeds; a test earns its points only if every run passes. ` +
      `Graded ${report.solution === undefined ? "the files in place" : `\`${report.solution}\``} in ${(report.wallMs / 1000).toFixed(1)} s.`,
    "",
  );
  if (report.blocker !== undefined) lines.push(`**No test ran: ${report.blocker.check} failed.**`, "", "```", report.blocker.output.trimEnd(), "```", "");
  if (report.typecheck !== undefined && !report.typecheck.ok && report.blocker === undefined) {
    lines.push("**The type check failed** (tests ran anyway):", "", "```", report.typecheck.output.trimEnd(), "```", "");
  }
  for (const w of report.warnings) lines.push(`> ${w}`, "");
  if (report.deadlineHit) lines.push("> The grading deadline passed: runs that did not finish count as failed.", "");
  if (report.budget !== undefined) lines.push(`> ${report.budget}`, "");
  lines.push("| Part | Points |", "|---|---:|");
  for (const p of report.parts) lines.push(`| ${p.part}: ${escapeCell(p.title)} | ${p.extraCredit ? `${fmt(p.earned)} (extra credit)` : `${fmt(p.earned)}/${fmt(p.max)}`} |`);
  lines.push(`| **Total** | **${report.maxScore === 0 && report.score === 0 ? totalLine(report).replace(/^Total: /, "") : `${fmt(report.score)}/${fmt(report.maxScore)}`}** |`, "");
  for (const p of report.parts) {
    lines.push(`## ${p.part}: ${p.title}`, "", "| Test | Runs passed | Points | First failure |", "|---|---:|---:|---|");
    for (const t of p.tests) {
      const f = t.firstFailure;
      const replay = f === undefined ? undefined : replayOf(f);
      const violated = t.violated === undefined ? "" : `<br>violated: ${escapeCell(t.violated)}`;
      const failure = f === undefined ? "" : `${f.seed !== 0 ? `seed ${f.seed}: ` : ""}${escapeCell(firstLine(f.error))}${violated}${replay === undefined ? "" : `<br>\`${escapeCell(replay)}\``}`;
      lines.push(`| ${t.test} | ${t.passed}/${t.runs} | ${fmt(t.earned)}/${fmt(t.points)} | ${failure} |`);
    }
    lines.push("");
  }
  lines.push(`Seeds: ${report.seeds.join(", ")}`, "");
  return lines.join("\n");
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

// ---------------------------------------------------------------------------------------------
// Gradescope

/** One entry of `results.json`'s `tests` (Gradescope's autograder specification). */
export interface GradescopeTest {
  name: string;
  number?: string;
  score?: number;
  max_score?: number;
  status: "passed" | "failed";
  output: string;
  output_format?: "text" | "html" | "simple_format" | "md" | "ansi";
  tags?: string[];
  visibility?: string;
}

/** Gradescope's `results.json`. */
export interface GradescopeResults {
  score: number;
  execution_time: number;
  output: string;
  output_format: "md";
  test_output_format: "text";
  visibility: string;
  stdout_visibility: string;
  tests: GradescopeTest[];
  extra_data: Record<string, unknown>;
}

/** The report as Gradescope's `results.json`. */
export function toGradescope(report: GradeReport, settings: Pick<GradescopeSettings, "visibility" | "stdoutVisibility">): GradescopeResults {
  const tests: GradescopeTest[] = [];
  const blocking = report.blocker ?? (report.typecheck !== undefined && !report.typecheck.ok ? { check: "Type check (npm run typecheck)", output: report.typecheck.output } : undefined);
  if (blocking !== undefined) {
    // A check with no score of its own: it says why everything else is 0 (or what to fix).
    tests.push({ name: blocking.check, status: "failed", output: truncate(blocking.output), visibility: settings.visibility });
  }
  for (const p of report.parts) {
    p.tests.forEach((t, i) => {
      const f = t.firstFailure;
      const lines = [`${t.passed}/${t.runs} runs passed${t.earned === t.points ? "" : " (a test earns its points only if every run passes)"}.`];
      if (f !== undefined) {
        lines.push("", `First failure${f.seed !== 0 ? ` (seed ${f.seed})` : ""}:`, truncate(f.error ?? "", 4000));
        if (t.violated !== undefined) lines.push(`  violated: ${t.violated}`);
        const replay = replayOf(f);
        if (replay !== undefined && !(f.error ?? "").includes(replay)) lines.push(`  replay: ${replay}`);
      }
      tests.push({
        name: `${p.part} ${t.test}`,
        number: `${p.part}.${i + 1}`,
        score: t.earned,
        max_score: p.extraCredit ? 0 : t.points,
        status: t.earned === t.points && t.passed === t.runs ? "passed" : "failed",
        output: lines.join("\n"),
        tags: [p.part, `lab ${p.lab}`, ...(p.component === "explore" ? ["explore"] : [])],
        visibility: settings.visibility,
      });
    });
  }
  const summary = [
    `**${fmt(report.score)}/${fmt(report.maxScore)}**: ${runsText(report)} on distinct seeds; a test earns its points only if every run passes.`,
    ...report.parts.map((p) => `- ${p.part} (${p.title}): ${p.extraCredit ? `${fmt(p.earned)} extra credit` : `${fmt(p.earned)}/${fmt(p.max)}`}`),
    ...(report.deadlineHit ? ["", "The grading deadline passed: runs that did not finish count as failed."] : []),
    ...(report.budget !== undefined ? ["", report.budget] : []),
    ...report.warnings.map((w) => `\n${w}`),
    "",
    "Each failing test shows its first failing seed and the command that replays it exactly on your machine.",
  ].join("\n");
  return {
    score: report.score,
    execution_time: Math.round(report.wallMs / 100) / 10,
    output: summary,
    output_format: "md",
    test_output_format: "text",
    visibility: settings.visibility,
    stdout_visibility: settings.stdoutVisibility,
    tests,
    extra_data: { runs: report.runs, seeds: report.seeds, max_score: report.maxScore, deadline_hit: report.deadlineHit, ...(report.budget !== undefined ? { budget: report.budget } : {}) },
  };
}

/** Gradescope caps outputs; long ones keep their start and end. */
function truncate(text: string, max = 20_000): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max / 2)}\n... (${text.length - max} characters left out) ...\n${text.slice(-max / 2)}`;
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}
