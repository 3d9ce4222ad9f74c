/**
 * How many simulated tests a `-t` pattern will match, read from the test files' text before any
 * of them runs, so that `npm run stress` shows its real total from the start. It reads
 * `simTest("Name", ...)` calls and the `describe("Name", ...)` blocks around them (vitest's `-t`
 * matches "describe names + test name"); a test whose name is not a literal is not counted (the
 * total then grows when it reports, as it would without this count).
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** A simulated test as its file declares it. */
export interface DeclaredTest {
  readonly file: string;
  /** The enclosing describe names and the test name, joined by spaces. */
  readonly fullName: string;
}

const SKIPPED = /\.(browser|cluster|explore)\.test\.ts$/;

/** Test files under `paths` (files or folders; default `src`), as the lab project would load them. */
export function testFiles(root: string, paths: readonly string[]): string[] {
  const out: string[] = [];
  const visit = (rel: string): void => {
    const abs = join(root, rel);
    if (!existsSync(abs)) return;
    if (statSync(abs).isDirectory()) {
      for (const e of readdirSync(abs).sort()) if (e !== "node_modules" && !e.startsWith(".")) visit(join(rel, e));
    } else if (rel.endsWith(".test.ts") && !SKIPPED.test(rel)) out.push(rel);
  };
  for (const p of paths.length > 0 ? paths : ["src"]) visit(p);
  return out;
}

/** The simulated tests `source` declares, with their describe names. */
export function declaredSimTests(file: string, source: string): DeclaredTest[] {
  const code = blankStringsAndComments(source);
  const blocks: { name: string; start: number; end: number }[] = [];
  const tests: { name: string; at: number }[] = [];
  for (const m of source.matchAll(/\b(describe|simTest)\(\s*(["'`])((?:(?!\2)[^\\\n]|\\.)*)\2/g)) {
    if (code[m.index] !== source[m.index]) continue; // inside a comment or string
    if (m[1] === "simTest") {
      tests.push({ name: m[3]!, at: m.index });
      continue;
    }
    const open = code.indexOf("{", m.index + m[0].length);
    if (open < 0) continue;
    blocks.push({ name: m[3]!, start: open, end: matchingBrace(code, open) });
  }
  return tests.map((t) => {
    const names = blocks.filter((b) => b.start < t.at && t.at < b.end).map((b) => b.name);
    return { file, fullName: [...names, t.name].join(" ") };
  });
}

/** How many tests under `paths` match `pattern` as `-t` would (a regular expression, matched anywhere). */
export function countMatchingTests(root: string, pattern: string, paths: readonly string[]): number {
  const re = new RegExp(pattern);
  let n = 0;
  for (const file of testFiles(root, paths)) {
    for (const t of declaredSimTests(file, readFileSync(join(root, file), "utf8"))) if (re.test(t.fullName)) n++;
  }
  return n;
}

/** `source` with the insides of strings and comments replaced by spaces (same length, braces that count only). */
function blankStringsAndComments(source: string): string {
  const out = source.split("");
  let i = 0;
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to && k < out.length; k++) if (out[k] !== "\n") out[k] = " ";
  };
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === "/" && source[i + 1] === "/") {
      const end = source.indexOf("\n", i);
      const stop = end < 0 ? source.length : end;
      blank(i, stop);
      i = stop;
    } else if (ch === "/" && source[i + 1] === "*") {
      const end = source.indexOf("*/", i + 2);
      const stop = end < 0 ? source.length : end + 2;
      blank(i, stop);
      i = stop;
    } else if (ch === '"' || ch === "'" || ch === "`") {
      let k = i + 1;
      while (k < source.length && source[k] !== ch) k += source[k] === "\\" ? 2 : 1;
      blank(i + 1, k);
      i = k + 1;
    } else i++;
  }
  return out.join("");
}

function matchingBrace(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i] === "{") depth++;
    else if (code[i] === "}" && --depth === 0) return i;
  }
  return code.length;
}
