/**
 * The handout's "no line of the solution survives" check.
 *
 * A *code line* of the reference solution is a line holding part of a statement or an initializer:
 * a function or method body, a class property's value, a module-level statement or variable's
 * value (found with swc's parser, so signatures, interfaces, type aliases and imports are not code:
 * a skeleton shares those by design). Comments are removed first; whitespace is collapsed.
 *
 * A code line is checked unless it is trivial, i.e. it names at most one identifier besides
 * keywords (`}`, `} else {`, `return;`, `this.persist();`, `term,`): such a line says nothing of
 * a solution. A checked line *leaks* if it appears in any file of the handout (in code or inside a
 * comment: a solution pasted into a hint leaks too), unless it also appears in a harness file (the
 * handout ships those anyway) or is one of the few statements `course/course.json` allows, each
 * with its reason (API plumbing a skeleton must spell the same way).
 */
import { parseSync } from "@swc/core";
import type { ClassMember, Module, ModuleItem, Span, Statement } from "@swc/core";
import { stripComments } from "../handout-manifest.js";
import type { AllowedLine } from "./config.js";

/** A reference line found in the handout. */
export interface Leak {
  readonly referenceFile: string;
  readonly referenceLine: number;
  readonly handoutFile: string;
  readonly handoutLine: number;
  /** The line, normalized. */
  readonly text: string;
}

/** What {@link findLeaks} compares. Paths are only for messages. */
export interface LeakCheckInput {
  /** The reference's solution files (TypeScript), path → text. */
  readonly solution: ReadonlyMap<string, string>;
  /** Every file of the handout, path → text. */
  readonly handout: ReadonlyMap<string, string>;
  /** The harness files, path → text: their lines are public anyway. */
  readonly harness: ReadonlyMap<string, string>;
  readonly allowed: readonly AllowedLine[];
  /** Every skeleton, path → text: an allowed line none of them has (or the reference lacks) is stale. */
  readonly skeletons: ReadonlyMap<string, string>;
}

/** The outcome: the leaks, and allowed lines that no longer occur in both (stale entries to remove). */
export interface LeakCheckResult {
  readonly leaks: readonly Leak[];
  readonly staleAllowed: readonly AllowedLine[];
  /** How many code lines of the solution were checked (for the report). */
  readonly checkedLines: number;
}

const KEYWORDS = new Set([
  "this", "return", "await", "async", "new", "const", "let", "var", "if", "else", "for", "while", "do", "try", "catch",
  "finally", "break", "continue", "default", "true", "false", "null", "undefined", "void", "typeof", "of", "in", "case",
  "throw", "yield", "super",
]);

/** Collapses whitespace; what both sides of the comparison are reduced to. */
export function normalizeLine(line: string): string {
  return line.replace(/\s+/g, " ").trim();
}

/** Whether a normalized code line names at most one identifier besides keywords. */
export function isTrivial(line: string): boolean {
  const words = (line.replace(/(["'`])(?:\\.|(?!\1).)*\1/g, " \"\" ").match(/[A-Za-z_$][\w$]*/g) ?? []).filter((w) => !KEYWORDS.has(w));
  return words.length <= 1;
}

/** The code lines of a TypeScript file: line number (1-based) → normalized text, trivial ones left out. */
export function codeLines(text: string, file: string): Map<number, string> {
  let module: Module;
  try {
    module = parseSync(text, { syntax: "typescript", target: "es2022" });
  } catch (e) {
    throw new Error(`${file}: cannot be parsed for the leak check: ${e instanceof Error ? e.message : String(e)}`);
  }
  const bytes = Buffer.from(text, "utf8");
  // Byte offset at which each line starts, to map swc's byte spans to lines.
  const lineStarts = [0];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) lineStarts.push(i + 1);
  const lineOf = (byte: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= byte) lo = mid;
      else hi = mid - 1;
    }
    return lo; // 0-based
  };
  const codeLineSet = new Set<number>();
  for (const span of codeSpans(module)) {
    const first = lineOf(span.start - 1);
    const last = lineOf(Math.max(span.start - 1, span.end - 2));
    for (let l = first; l <= last; l++) codeLineSet.add(l);
  }
  const stripped = stripComments(text).split("\n");
  const out = new Map<number, string>();
  for (const l of [...codeLineSet].sort((a, b) => a - b)) {
    const norm = normalizeLine(stripped[l] ?? "");
    if (norm !== "" && !isTrivial(norm)) out.set(l + 1, norm);
  }
  return out;
}

/** Every line of a file as it may carry a leak: comment markers removed, normalized. */
export function candidateLines(text: string): string[] {
  return text.split("\n").map((l) => normalizeLine(l.replace(/^\s*(\/\/+|\/\*+|\*+\/?|\*)/, "").replace(/\*\/\s*$/, "")));
}

/**
 * What a line of a handout file may hide a statement in: the line itself (comment markers removed)
 * and its text with string escapes decoded (a `\n` in a string starts a new piece, `\"` is a quote),
 * so that a statement quoted in a string (`search: "  this.votedFor = args.candidateId;\n"`) is
 * found as well as one in code or in a comment.
 */
export function linePieces(line: string): string[] {
  const [plain] = candidateLines(line);
  const pieces = new Set<string>([plain!]);
  if (line.includes("\\")) {
    const decoded = line.replace(/\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/g, (_, e: string) => {
      if (e === "n" || e === "r") return "\n";
      if (e === "t") return " ";
      if (e.length > 1) return String.fromCodePoint(parseInt(e.replace(/^[ux]\{?|\}$/g, ""), 16));
      return e;
    });
    for (const part of decoded.split("\n")) pieces.add(candidateLines(part)[0]!);
  }
  return [...pieces].filter((p) => p !== "");
}

const IDENT = /[A-Za-z_$][\w$]*/g;
const isIdentChar = (ch: string | undefined): boolean => ch !== undefined && /[\w$]/.test(ch);

/** Whether `needle` occurs in `hay` as a whole: not in the middle of a longer identifier (or member access) at either end. */
function containsStatement(hay: string, needle: string): boolean {
  for (let at = hay.indexOf(needle); at >= 0; at = hay.indexOf(needle, at + 1)) {
    // A statement starts a token: not inside an identifier, nor after a dot (`h.timer?.cancel()` is not `timer?.cancel()`).
    const before = isIdentChar(needle[0]) && (isIdentChar(hay[at - 1]) || hay[at - 1] === ".");
    const after = isIdentChar(needle[needle.length - 1]) && isIdentChar(hay[at + needle.length]);
    if (!before && !after) return true;
  }
  return false;
}

/** The longest identifier of a line (its anchor: a handout line can only contain it if it names it). */
function anchorOf(line: string): string {
  return (line.match(IDENT) ?? []).filter((w) => !KEYWORDS.has(w)).reduce((a, b) => (b.length > a.length ? b : a), "");
}

/**
 * Compares the solution's code lines with every handout line, in code, comments and strings alike:
 * a reference statement contained in a handout line (as a whole, see {@link containsStatement}) is a
 * leak unless `course/course.json` allows it, or the harness has it as code (the handout ships the
 * harness's code anyway: such a statement tells nothing of the solution).
 */
export function findLeaks(input: LeakCheckInput): LeakCheckResult {
  const harnessCode = new Set<string>();
  for (const [file, text] of input.harness) if (/\.(ts|mts|cts)$/.test(file)) for (const l of codeLines(text, file).values()) harnessCode.add(l);
  const allowed = new Map(input.allowed.map((a) => [normalizeLine(a.line), a]));

  // Normalized line → where the reference has it; and the lines by their anchor identifier.
  const reference = new Map<string, { file: string; line: number }>();
  let checkedLines = 0;
  for (const [file, text] of input.solution) {
    if (!/\.(ts|mts|cts)$/.test(file)) continue;
    for (const [line, norm] of codeLines(text, file)) {
      checkedLines++;
      if (!reference.has(norm)) reference.set(norm, { file, line });
    }
  }
  const byAnchor = new Map<string, string[]>();
  for (const norm of reference.keys()) {
    if (harnessCode.has(norm) || allowed.has(norm)) continue;
    const a = anchorOf(norm);
    byAnchor.set(a, [...(byAnchor.get(a) ?? []), norm]);
  }

  const leaks: Leak[] = [];
  for (const [file, text] of input.handout) {
    text.split("\n").forEach((raw, i) => {
      const found = new Set<string>();
      for (const piece of linePieces(raw)) {
        for (const word of new Set(piece.match(IDENT) ?? [])) {
          for (const norm of byAnchor.get(word) ?? []) if (!found.has(norm) && containsStatement(piece, norm)) found.add(norm);
        }
      }
      for (const norm of found) {
        const ref = reference.get(norm)!;
        leaks.push({ referenceFile: ref.file, referenceLine: ref.line, handoutFile: file, handoutLine: i + 1, text: norm });
      }
    });
  }
  const skeletonLines = new Set<string>();
  for (const text of input.skeletons.values()) for (const l of candidateLines(text)) skeletonLines.add(l);
  const staleAllowed = [...allowed].filter(([norm]) => !reference.has(norm) || !skeletonLines.has(norm)).map(([, a]) => a);
  return { leaks, staleAllowed, checkedLines };
}

/** One leak, for a message: where it is in the handout and where it comes from. */
export function describeLeak(l: Leak): string {
  return `${l.handoutFile}:${l.handoutLine} repeats ${l.referenceFile}:${l.referenceLine}: ${l.text}`;
}

// ---------------------------------------------------------------------------------------------
// Where code is

/** Spans of code: statements in bodies, property values, module-level statements and variable values. */
function codeSpans(module: Module): Span[] {
  const spans: Span[] = [];
  for (const item of module.body) moduleItem(item, spans);
  return spans;
}

function moduleItem(item: ModuleItem, spans: Span[]): void {
  switch (item.type) {
    case "ImportDeclaration":
    case "ExportNamedDeclaration":
    case "ExportAllDeclaration":
    case "TsImportEqualsDeclaration":
    case "TsExportAssignment":
    case "TsNamespaceExportDeclaration":
      return;
    case "ExportDeclaration":
      declaration(item.declaration, spans);
      return;
    case "ExportDefaultDeclaration":
    case "ExportDefaultExpression":
      spans.push(item.span);
      return;
    default:
      statement(item, spans);
  }
}

function statement(s: Statement, spans: Span[]): void {
  switch (s.type) {
    case "ClassDeclaration":
    case "FunctionDeclaration":
    case "VariableDeclaration":
    case "TsInterfaceDeclaration":
    case "TsTypeAliasDeclaration":
    case "TsEnumDeclaration":
    case "TsModuleDeclaration":
      declaration(s, spans);
      return;
    case "EmptyStatement":
      return;
    default:
      spans.push(s.span);
  }
}

type Decl = Extract<Statement, { type: "ClassDeclaration" | "FunctionDeclaration" | "VariableDeclaration" | "TsInterfaceDeclaration" | "TsTypeAliasDeclaration" | "TsEnumDeclaration" | "TsModuleDeclaration" }>;

function declaration(d: Decl, spans: Span[]): void {
  switch (d.type) {
    case "FunctionDeclaration":
      for (const st of d.body?.stmts ?? []) spans.push(st.span);
      return;
    case "VariableDeclaration":
      for (const v of d.declarations) if (v.init) pushSpan(spans, v.init);
      return;
    case "ClassDeclaration":
      for (const m of d.body) classMember(m, spans);
      return;
    case "TsEnumDeclaration":
      for (const m of d.members) if (m.init) pushSpan(spans, m.init);
      return;
    default:
      return; // types: no code
  }
}

/** Adds an expression's span (every expression but JSX member names has one). */
function pushSpan(spans: Span[], node: object): void {
  const span = (node as { span?: Span }).span;
  if (span !== undefined) spans.push(span);
}

function classMember(m: ClassMember, spans: Span[]): void {
  switch (m.type) {
    case "Constructor":
    case "ClassMethod":
    case "PrivateMethod": {
      const body = m.type === "Constructor" ? m.body : m.function.body;
      for (const st of body?.stmts ?? []) spans.push(st.span);
      return;
    }
    case "ClassProperty":
    case "PrivateProperty":
      if (m.value) pushSpan(spans, m.value);
      return;
    case "StaticBlock":
      for (const st of m.body.stmts) spans.push(st.span);
      return;
    default:
      return;
  }
}
