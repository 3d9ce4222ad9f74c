/**
 * Finds references from the repository's files (code, tests, scripts, docs, course files) to paths
 * outside the repository root: a folder beside the checkout, a relative path climbing out of the
 * root, an absolute path of a developer's machine (examples in the test). A clone must stand
 * alone, so each of these is a bug: a test that reads it fails, a link in a doc leads nowhere.
 */
import { existsSync, readFileSync } from "node:fs";
import { posix } from "node:path";
import { listFiles } from "./handout-manifest.js";

/** One reference to a path outside the repository. */
export interface OutsideReference {
  /** The file, relative to the root (`/`-separated). */
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  /** The path as written. */
  readonly path: string;
  /** Why it is outside. */
  readonly why: string;
}

/** A line carrying this marker (with a reason after it) may name an outside path, e.g. a fixture of one. */
export const ALLOW_MARKER = "outside-path-ok:";

/** Files that hold text a person or a program reads as references: code, docs, configuration. */
const TEXT_FILE = /\.(?:[cm]?[jt]sx?|json|md|sh|ya?ml|html|css|txt)$/;
/** Folders of data or build output, not references. */
const SKIPPED = [/^testdata\/(?!.*\.md$)/, /(^|\/)dist\//, /(^|\/)node_modules\//, /(^|\/)package-lock\.json$/];
/** Absolute paths of someone's machine. */
const MACHINE_PATH = /(?<![\w.:/~-])\/(?:work|home|Users|root|mnt|srv)\/[\w.@+/-]*/g;
/** A cheap first filter: a line without any of these holds no reference found below. */
const MAY_REFER_OUTSIDE = /\.\.|\/(?:work|home|Users|root|mnt|srv)\/|shared\//;
/** The folder beside the checkout on the development machines (spec, reviews, histories). */
const SHARED_FOLDER = /(?<![\w.-])shared\/(?:spec|reviews|histories)\b[\w.@+/-]*/g;
/** A relative path that climbs (`../x`, `../../x/y`), or a quoted `..` alone. */ // outside-path-ok: examples
const CLIMBING_PATH = /(?<![\w.@+/-])(?:\.\.\/)+[\w.@+/-]*|(["'])\.\.\/?\1/g;
/**
 * What precedes an import specifier. Imports are left to the compiler (a real one that leaves the
 * repository fails the type check of a fresh clone); in docs and test fixtures they are examples
 * written from a file elsewhere in the tree.
 */
const IMPORT_BEFORE = /(?:\bfrom|\bimport|\brequire\(|\bimport\()\s*\\?["']$/;
/** What precedes a path resolved against the repository root in code (`resolve(ROOT, "...")`). */
const ROOT_BEFORE = /\b(?:ROOT|root|repoRoot|cwd\(\))\s*,\s*["'`]$/;
/** Files whose paths are read from the repository root: docs (commands, links) and package.json's scripts. */
const READ_FROM_ROOT = /(?:\.md|(?:^|\/)package\.json)$/;

/** The files {@link findOutsideReferences} reads: tracked (or, outside git, not ignored) text files. */
export function filesToScan(root: string): string[] {
  return listFiles(root).filter((f) => (TEXT_FILE.test(f) || f.startsWith(".ci/")) && !SKIPPED.some((re) => re.test(f)));
}

/**
 * Every reference to a path outside `root` in `files` (default {@link filesToScan}). A climbing
 * path is outside if it leaves the root from the file's folder, or if it is read from the root (in
 * docs and package.json, whose commands run at the root; in code, an argument after `ROOT`), leaves
 * it from there, and names nothing inside from the file's folder (a relative link in a doc does).
 * `read` gives a file's text (a test plants a reference through it without writing a file).
 */
export function findOutsideReferences(
  root: string,
  files: readonly string[] = filesToScan(root),
  read: (file: string) => string = (file) => readFileSync(posix.join(root, file), "utf8"),
): OutsideReference[] {
  const found: OutsideReference[] = [];
  for (const file of files) {
    const lines = read(file).split("\n");
    lines.forEach((text, i) => {
      if (!MAY_REFER_OUTSIDE.test(text) || text.includes(ALLOW_MARKER)) return;
      const add = (path: string, why: string) => found.push({ file, line: i + 1, path, why });
      for (const m of text.matchAll(MACHINE_PATH)) add(trimPath(m[0]), "an absolute path on one machine");
      for (const m of text.matchAll(SHARED_FOLDER)) add(m[0], "the shared folder beside a development checkout");
      for (const m of text.matchAll(CLIMBING_PATH)) {
        const before = text.slice(0, m.index);
        if (IMPORT_BEFORE.test(before)) continue;
        const fromRoot = READ_FROM_ROOT.test(file) || ROOT_BEFORE.test(before);
        const why = climbsOut(root, file, trimPath(m[0].replace(/^["']|["']$/g, "")), fromRoot);
        if (why !== undefined) add(m[0], why);
      }
    });
  }
  return found;
}

/** One line per reference, for a failure message. */
export function formatOutsideReferences(refs: readonly OutsideReference[]): string {
  return refs.map((r) => `${r.file}:${r.line}: ${r.path} (${r.why})`).join("\n");
}

function trimPath(path: string): string {
  return path.replace(/[.,:;]+$/, (tail) => (path === tail ? tail : ""));
}

function climbsOut(root: string, file: string, path: string, fromRoot: boolean): string | undefined {
  const fromFile = posix.normalize(posix.join(posix.dirname(file), path));
  if (leaves(fromFile)) return "leaves the repository from the file's folder";
  if (fromRoot && leaves(posix.normalize(path)) && !existsInside(root, fromFile)) return "leaves the repository from its root";
  return undefined;
}

function leaves(normalized: string): boolean {
  return normalized === ".." || normalized.startsWith("../");
}

/** Whether `path` (relative to the root) names a file or folder; an import's `.js` may be a `.ts`. */
function existsInside(root: string, path: string): boolean {
  const candidates = [path, path.replace(/\.js$/, ".ts"), path.replace(/\.js$/, ".tsx")];
  return candidates.some((p) => existsSync(posix.join(root, p)));
}
