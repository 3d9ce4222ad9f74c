/**
 * The handout manifest (`handout.json`): which files a student owns, per lab, as glob patterns.
 * Shared by `npm run handout` (which writes one into each handout) and `npm run grade` (which takes
 * exactly the student-owned paths from a submission). In this repository it is the ownership view
 * of the labs registry (`course/labs.json`, see `labs-registry.ts`); in a handout it is
 * `handout.json` at the root, with the labs handed out.
 *
 * Also here, because both tools need them: listing a tree's files, and dropping the labs that a
 * handout or a grading run leaves out, together with every file that imports them.
 */
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, readFileSync, readdirSync } from "node:fs";
import { join, posix, relative, sep } from "node:path";
import picomatch from "picomatch";
import { isRecord, parseConfigObject } from "./config-file.js";

/** The manifest's file name at the root of a handout. */
export const MANIFEST_FILE = "handout.json";
/** The only manifest format this code reads. */
export const MANIFEST_FORMAT = "raftlab-handout/1";

/** Patterns of student-owned paths, relative to the root; a path is owned if it matches an include and no exclude. */
export interface Ownership {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
}

/** One lab of the manifest. */
export interface LabEntry {
  readonly lab: number;
  readonly title: string;
  /** Its parts, e.g. 3A-3D. */
  readonly parts: readonly string[];
  /** Labs this one builds on (Lab 4's KV server runs on the student's Raft). */
  readonly needs: readonly number[];
  /** The folder holding the lab's files, the student's and the tester's. */
  readonly folder: string;
  /**
   * Every folder of the lab: `folder`, then the entry's optional `moreFolders` (Lab 5 has two, as
   * in Go: `src/shardkv` and `src/shardctrler`).
   */
  readonly folders: readonly string[];
  /** The entry's `moreFolders`, kept so that a handout's own `handout.json` (this entry, written out) still has them. */
  readonly moreFolders?: readonly string[];
  readonly student: Ownership;
}

/** A parsed `handout.json`. */
export interface Manifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly labs: readonly LabEntry[];
}

/** A manifest that cannot be used: the message names the file, the field and the fix. */
export class ManifestError extends Error {
  override readonly name = "ManifestError";
}

/** Parses and checks a manifest; `source` names it in errors. */
export function parseManifest(text: string, source: string): Manifest {
  const { raw, fail } = parseConfigObject(text, source, MANIFEST_FORMAT, ManifestError);
  const labsRaw = raw["labs"];
  if (!Array.isArray(labsRaw) || labsRaw.length === 0) return fail(`"labs" must be a non-empty array`);
  const labs = labsRaw.map((l: unknown, i): LabEntry => {
    const at = `labs[${i}]`;
    if (!isRecord(l)) return fail(`${at} must be an object`);
    const lab = l["lab"];
    if (typeof lab !== "number" || !Number.isInteger(lab)) return fail(`${at}.lab must be an integer`);
    const student = l["student"];
    if (!isRecord(student)) return fail(`${at}.student must be an object with "include" and "exclude" pattern lists`);
    const folder = l["folder"];
    if (typeof folder !== "string" || folder === "" || folder.endsWith("/")) return fail(`${at}.folder must be a path like "src/raft"`);
    const more = l["moreFolders"] === undefined ? [] : stringList(l["moreFolders"], `${at}.moreFolders`, fail);
    for (const f of more) if (f === "" || f.endsWith("/")) fail(`${at}.moreFolders must hold paths like "src/shardctrler"`);
    return {
      lab,
      title: stringField(l["title"], `${at}.title`, fail),
      parts: stringList(l["parts"], `${at}.parts`, fail),
      needs: l["needs"] === undefined ? [] : numberList(l["needs"], `${at}.needs`, fail),
      folder,
      ...(more.length > 0 ? { moreFolders: more } : {}),
      folders: [folder, ...more],
      student: {
        include: patternList(student["include"], `${at}.student.include`, fail),
        exclude: patternList(student["exclude"] ?? [], `${at}.student.exclude`, fail),
      },
    };
  });
  const seen = new Set<number>();
  for (const l of labs) {
    if (seen.has(l.lab)) fail(`lab ${l.lab} is listed twice`);
    seen.add(l.lab);
  }
  for (const l of labs) {
    for (const n of l.needs) if (!seen.has(n)) fail(`lab ${l.lab} needs lab ${n}, which the manifest does not list`);
  }
  return { format: MANIFEST_FORMAT, labs };
}

/** The manifest restricted to `labs` (and what they need), in its own order. */
export function selectLabs(manifest: Manifest, labs: readonly number[]): Manifest {
  const known = new Map(manifest.labs.map((l) => [l.lab, l]));
  for (const n of labs) {
    if (!known.has(n)) throw new ManifestError(`there is no lab ${n}; the labs are ${[...known.keys()].join(", ")}`);
  }
  for (const n of labs) {
    for (const need of known.get(n)!.needs) {
      if (!labs.includes(need)) {
        throw new ManifestError(`lab ${n} needs lab ${need} (it builds on it): add ${need} to the labs, e.g. ${[...new Set([need, ...labs])].sort().join(",")}`);
      }
    }
  }
  return { format: manifest.format, labs: manifest.labs.filter((l) => labs.includes(l.lab)) };
}

/** A predicate: is this path (relative, `/`-separated) owned by the student in any lab of `manifest`? */
export function studentOwned(manifest: Manifest): (path: string) => boolean {
  const tests = manifest.labs.map((l) => {
    const inc = picomatch(l.student.include as string[], { dot: true });
    const exc = l.student.exclude.length === 0 ? () => false : picomatch(l.student.exclude as string[], { dot: true });
    return (p: string) => inc(p) && !exc(p);
  });
  return (path) => tests.some((t) => t(path));
}

/** The lab whose folder holds `path`, if any. */
export function labOf(manifest: Manifest, path: string): LabEntry | undefined {
  return manifest.labs.find((l) => l.folders.some((f) => path === f || path.startsWith(f + "/")));
}

// ---------------------------------------------------------------------------------------------
// Files of a tree

/** Folders never copied or graded, wherever they are. */
const ALWAYS_IGNORED = new Set(["node_modules", ".git"]);

/**
 * The files of the tree at `root`, relative and `/`-separated, sorted: what git tracks or would
 * track (untracked files that .gitignore does not exclude count) if `root` is a git work tree, else
 * every file but those the root `.gitignore`'s simple patterns exclude. Symbolic links are left out.
 */
export function listFiles(root: string): string[] {
  const fromGit = gitFiles(root);
  const files = fromGit ?? walk(root, gitignoreMatcher(root));
  return files
    .filter((f) => !f.split("/").some((part) => ALWAYS_IGNORED.has(part)))
    .filter((f) => lstatSync(join(root, f), { throwIfNoEntry: false })?.isFile() === true)
    .sort();
}

function gitFiles(root: string): string[] | undefined {
  const top = spawnSync("git", ["rev-parse", "--show-toplevel"], { cwd: root, encoding: "utf8" });
  if (top.status !== 0) return undefined;
  // Only when root is the top of its own work tree: a handout folder inside some other repository is not.
  if (relative(top.stdout.trim(), root) !== "") return undefined;
  const r = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) return undefined;
  return r.stdout.split("\0").filter((f) => f !== "");
}

/**
 * A matcher for the root .gitignore's lines: `/x` anchored, `x/` a folder, `x` anywhere, `!x`
 * re-includes what an earlier line excluded (the last matching line decides, as in git).
 */
function gitignoreMatcher(root: string): (path: string, isDir: boolean) => boolean {
  const file = join(root, ".gitignore");
  if (!existsSync(file)) return () => false;
  const rules = readFileSync(file, "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((line) => {
      const negated = line.startsWith("!");
      const l = negated ? line.slice(1) : line;
      const dirOnly = l.endsWith("/");
      let pat = dirOnly ? l.slice(0, -1) : l;
      const anchored = pat.startsWith("/") || pat.includes("/");
      pat = pat.replace(/^\//, "");
      const m = picomatch(anchored ? pat : `**/${pat}`, { dot: true });
      return { m, dirOnly, negated };
    });
  return (path, isDir) => {
    let ignored = false;
    for (const r of rules) if ((!r.dirOnly || isDir) && r.m(path)) ignored = !r.negated;
    return ignored;
  };
}

function walk(root: string, ignored: (path: string, isDir: boolean) => boolean): string[] {
  const out: string[] = [];
  const visit = (dir: string): void => {
    for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
      const rel = dir === "" ? e.name : `${dir}/${e.name}`;
      if (ALWAYS_IGNORED.has(e.name) || e.isSymbolicLink()) continue;
      if (e.isDirectory()) {
        if (!ignored(rel, true)) visit(rel);
      } else if (e.isFile() && !ignored(rel, false)) {
        out.push(rel);
      }
    }
  };
  visit("");
  return out;
}

// ---------------------------------------------------------------------------------------------
// Imports, and leaving labs out

/**
 * The relative module specifiers a TypeScript file imports or re-exports (static `import`/`export
 * ... from`, side-effect imports and `import("...")` with a literal). Written for this repository's
 * style; comments are stripped first so an example in a doc comment is not an import.
 */
export function relativeImports(source: string): string[] {
  const code = stripComments(source);
  const specs = new Set<string>();
  const patterns = [/\bfrom\s*["']([^"']+)["']/g, /\bimport\s*["']([^"']+)["']/g, /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g];
  for (const re of patterns) for (const m of code.matchAll(re)) if (m[1]!.startsWith(".")) specs.add(m[1]!);
  return [...specs];
}

/** `source` without `//` and block comments (strings are kept, so a URL in a string survives). */
export function stripComments(source: string): string {
  let out = "";
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === "/" && next === "/") {
      while (i < source.length && source[i] !== "\n") i++;
    } else if (c === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      const stop = end === -1 ? source.length : end + 2;
      out += source.slice(i, stop).replace(/[^\n]/g, " "); // keep line numbers
      i = stop;
    } else if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      while (j < source.length && source[j] !== c) j += source[j] === "\\" ? 2 : 1;
      out += source.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The file a relative specifier of `from` names, among `files` (`./x.js` is `./x.ts` in TypeScript sources). */
export function resolveRelative(from: string, spec: string, files: ReadonlySet<string>): string | undefined {
  const base = posix.normalize(posix.join(posix.dirname(from), spec));
  const candidates = [base, base.replace(/\.js$/, ".ts"), base.replace(/\.mjs$/, ".mts"), `${base}.ts`, `${base}/index.ts`];
  return candidates.find((c) => files.has(c));
}

/**
 * `files` without the folders of the labs not in `keep`, and without every file that imports one
 * of those (directly or through other such files): e.g. without Lab 4, `src/kvraft/**` and
 * `demo.ts` (which runs the KV service) go. `read` gives a file's text.
 */
export function withoutLabs(files: readonly string[], manifest: Manifest, keep: readonly number[], read: (path: string) => string): string[] {
  const dropFolders = manifest.labs.filter((l) => !keep.includes(l.lab)).flatMap((l) => l.folders);
  const all = new Set(files);
  const inDroppedFolder = (f: string): boolean => dropFolders.some((d) => f.startsWith(d + "/"));
  const dropped = new Set(files.filter(inDroppedFolder));
  if (dropped.size === 0 && dropFolders.length === 0) return [...files];
  const importers = new Map<string, string[]>(); // file -> files importing it
  for (const f of files) {
    if (!/\.(ts|mts|cts|js|mjs)$/.test(f)) continue;
    for (const spec of relativeImports(read(f))) {
      // An import into a dropped lab's folder drops the importer, whether it names a harness file
      // there or one the student owns (e.g. that lab's index.ts), which `files` does not hold.
      const inFolder = posix.normalize(posix.join(posix.dirname(f), spec));
      if (inDroppedFolder(inFolder) && !dropped.has(f)) {
        dropped.add(f);
        continue;
      }
      const target = resolveRelative(f, spec, all);
      if (target === undefined) continue;
      let list = importers.get(target);
      if (list === undefined) importers.set(target, (list = []));
      list.push(f);
    }
  }
  const queue = [...dropped];
  while (queue.length > 0) {
    for (const f of importers.get(queue.pop()!) ?? []) {
      if (!dropped.has(f)) {
        dropped.add(f);
        queue.push(f);
      }
    }
  }
  return files.filter((f) => !dropped.has(f));
}

/** `path` made relative to `root` with `/` separators. */
export function toPosix(root: string, path: string): string {
  return relative(root, path).split(sep).join("/");
}

function stringField(v: unknown, at: string, fail: (what: string) => never): string {
  if (typeof v !== "string" || v === "") fail(`${at} must be a non-empty string`);
  return v as string;
}

function stringList(v: unknown, at: string, fail: (what: string) => never): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string" || x === "")) fail(`${at} must be a list of non-empty strings`);
  return v as string[];
}

function numberList(v: unknown, at: string, fail: (what: string) => never): number[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== "number" || !Number.isInteger(x))) fail(`${at} must be a list of lab numbers`);
  return v as number[];
}

function patternList(v: unknown, at: string, fail: (what: string) => never): string[] {
  const list = stringList(v, at, fail);
  for (const p of list) {
    if (p.startsWith("/") || p.startsWith("./") || p.includes("\\") || p.split("/").includes("..")) {
      fail(`${at}: "${p}" must be relative to the root, with / separators and no "..", e.g. "src/raft/**"`);
    }
  }
  return list;
}
