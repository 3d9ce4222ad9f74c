/**
 * The instructor's side of the course kit: `course/course.json` (where the skeletons are, which
 * solution files have none, what never goes into a handout) and the classification of this
 * repository's files that follows from it and from the labs registry (`course/labs.json`).
 *
 * Every file the student patterns select here is a solution file, and must be accounted for: it has
 * a skeleton (the handout gets the skeleton) or is listed as solution-only (the handout gets
 * nothing). A new file under a lab folder that is neither makes {@link classify} fail, naming it, so
 * no file silently leaks into a handout or silently goes missing from it.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import picomatch from "picomatch";
import { parseConfigObject } from "../config-file.js";
import { listFiles, studentOwned, type Manifest } from "../handout-manifest.js";
import { REGISTRY_FILE, loadRegistry } from "../labs-registry.js";

/** The file this module reads. */
export const COURSE_FILE = "course/course.json";

/** A line a skeleton may share with the reference, and why. */
export interface AllowedLine {
  readonly line: string;
  readonly why: string;
}

/** A parsed `course/course.json`. */
export interface CourseConfig {
  /** Folder of skeleton files, mirroring the paths they replace (`course/skeleton/src/raft/raft.ts`). */
  readonly skeletons: string;
  /** The student README of handouts. */
  readonly studentReadme: string;
  /** Solution files with no skeleton, each with why. */
  readonly solutionOnly: ReadonlyMap<string, string>;
  /** Patterns of files that never go into a handout (instructor tools, this README, CI). */
  readonly instructorOnly: readonly string[];
  /** package.json scripts left out of handouts. */
  readonly instructorScripts: readonly string[];
  readonly allowedLines: readonly AllowedLine[];
  /**
   * Harness files that only make sense with a lab (patterns, by lab number): a handout without
   * that lab leaves them out, e.g. real cluster mode, which runs the KV service, without Lab 4.
   * (Files that import a lab's folder go with it anyway; these are the ones that use it otherwise,
   * e.g. by starting a script that does.)
   */
  readonly harnessOfLab: ReadonlyMap<number, readonly string[]>;
  /**
   * The files of `docs/` handouts ship: `all` in every handout, `ofLab` only with their lab. Every
   * other file of `docs/` is the instructors' and maintainers' (the course kit, the architecture),
   * so a new page stays out of handouts until it is listed here.
   */
  readonly studentDocs: { readonly all: readonly string[]; readonly ofLab: ReadonlyMap<number, readonly string[]> };
}

/** The folder of documentation pages, whose files ship only when `studentDocs` lists them. */
export const DOCS_FOLDER = "docs/";

/** A course configuration that cannot be used; the message names the problem and the fix. */
export class CourseConfigError extends Error {
  override readonly name = "CourseConfigError";
}

/** Reads `course/course.json` under `root`. */
export function loadCourse(root: string): CourseConfig {
  const path = join(root, COURSE_FILE);
  if (!existsSync(path)) throw new CourseConfigError(`${path} is missing: the course kit needs it (see the README's "For instructors")`);
  const { raw, fail } = parseConfigObject(readFileSync(path, "utf8"), path, "raftlab-course/1", CourseConfigError);
  const str = (k: string): string => (typeof raw[k] === "string" && raw[k] !== "" ? (raw[k] as string) : fail(`"${k}" must be a path`));
  const list = (k: string): string[] => {
    const v = raw[k];
    return Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : fail(`"${k}" must be a list of strings`);
  };
  const solutionOnly = new Map<string, string>();
  const so = raw["solutionOnly"];
  if (!Array.isArray(so)) fail(`"solutionOnly" must be a list of { "path", "why" }`);
  for (const [i, e] of (so as unknown[]).entries()) {
    const entry = e as { path?: unknown; why?: unknown };
    if (typeof entry.path !== "string" || typeof entry.why !== "string" || entry.why === "") {
      fail(`solutionOnly[${i}] must be { "path": "...", "why": "..." } with a reason`);
    }
    solutionOnly.set(entry.path as string, entry.why as string);
  }
  const leak = (raw["leakCheck"] ?? {}) as { allowedLines?: unknown };
  const allowed = leak.allowedLines ?? [];
  if (!Array.isArray(allowed)) fail(`"leakCheck.allowedLines" must be a list of { "line", "why" }`);
  const allowedLines = (allowed as unknown[]).map((e, i) => {
    const entry = e as { line?: unknown; why?: unknown };
    if (typeof entry.line !== "string" || entry.line.trim() === "" || typeof entry.why !== "string" || entry.why === "") {
      return fail(`leakCheck.allowedLines[${i}] must be { "line": "...", "why": "..." } with a reason`);
    }
    return { line: entry.line, why: entry.why };
  });
  const harnessOfLab = new Map<number, string[]>();
  const hol = raw["harnessOfLab"] ?? {};
  if (typeof hol !== "object" || hol === null || Array.isArray(hol)) fail(`"harnessOfLab" must map lab numbers to lists of patterns`);
  for (const [lab, patterns] of Object.entries(hol as Record<string, unknown>)) {
    if (lab === "$comment") continue;
    if (!/^\d+$/.test(lab) || !Array.isArray(patterns) || !patterns.every((x) => typeof x === "string" && x !== "")) {
      fail(`harnessOfLab["${lab}"] must be a list of patterns under a lab number`);
    }
    harnessOfLab.set(Number(lab), patterns as string[]);
  }
  const sd = (raw["studentDocs"] ?? { all: [] }) as Record<string, unknown>;
  const pages = (v: unknown, where: string): string[] =>
    Array.isArray(v) && v.every((x) => typeof x === "string" && x.startsWith(DOCS_FOLDER))
      ? (v as string[])
      : fail(`${where} must be a list of paths under ${DOCS_FOLDER}`);
  if (typeof sd !== "object" || sd === null || Array.isArray(sd)) fail(`"studentDocs" must be { "all": [...], "ofLab": { "<lab>": [...] } }`);
  const docsOfLab = new Map<number, string[]>();
  for (const [lab, list] of Object.entries((sd["ofLab"] ?? {}) as Record<string, unknown>)) {
    if (lab === "$comment") continue;
    if (!/^\d+$/.test(lab)) fail(`studentDocs.ofLab["${lab}"]: the keys are lab numbers`);
    docsOfLab.set(Number(lab), pages(list, `studentDocs.ofLab["${lab}"]`));
  }
  return {
    skeletons: str("skeletons"),
    studentReadme: str("studentReadme"),
    solutionOnly,
    instructorOnly: list("instructorOnly"),
    instructorScripts: list("instructorScripts"),
    allowedLines,
    harnessOfLab,
    studentDocs: { all: pages(sd["all"] ?? [], "studentDocs.all"), ofLab: docsOfLab },
  };
}

/** Every file of `docs/` that `studentDocs` lists, for any handout. */
function studentDocPaths(course: CourseConfig): Set<string> {
  return new Set([...course.studentDocs.all, ...[...course.studentDocs.ofLab.values()].flat()]);
}

/** This repository's files, sorted into the three kinds a handout treats differently. */
export interface Classification {
  readonly manifest: Manifest;
  readonly course: CourseConfig;
  /** Every file of the repository (see `listFiles`). */
  readonly files: readonly string[];
  /** Files the student patterns select: the reference solution. */
  readonly solution: readonly string[];
  /** Solution files with a skeleton: path → skeleton path. */
  readonly skeletons: ReadonlyMap<string, string>;
  /** Files that go into a handout as they are (neither solution nor instructor-only). */
  readonly harness: readonly string[];
  /** Files left out of handouts besides the solution. */
  readonly instructorOnly: readonly string[];
}

/**
 * Classifies the files of the repository at `root`; throws a {@link CourseConfigError} listing
 * every file or entry that does not fit (an unaccounted solution file, a skeleton that would
 * replace a harness file, a stale solution-only entry).
 */
export function classify(root: string): Classification {
  const course = loadCourse(root);
  const { manifest } = loadRegistry(root);
  const files = listFiles(root);
  const owned = studentOwned(manifest);
  const instructor = picomatch(course.instructorOnly as string[], { dot: true });
  const skeletonPrefix = course.skeletons.replace(/\/$/, "") + "/";
  const skeletonTargets = new Map(
    files.filter((f) => f.startsWith(skeletonPrefix)).map((f) => [f.slice(skeletonPrefix.length), f] as const),
  );

  const problems: string[] = [];
  const solution = files.filter((f) => owned(f));
  const skeletons = new Map<string, string>();
  for (const f of solution) {
    const skeleton = skeletonTargets.get(f);
    if (skeleton !== undefined) skeletons.set(f, skeleton);
    else if (!course.solutionOnly.has(f)) {
      problems.push(
        `${f} is selected by the student patterns of ${REGISTRY_FILE} but is neither skeletoned nor solution-only. ` +
          `If it is the tester's, add it to that lab's "exclude"; if it is solution code, give it a skeleton ` +
          `(${skeletonPrefix}${f}) or list it in "solutionOnly" of course/course.json with why.`,
      );
    }
    if (skeleton !== undefined && course.solutionOnly.has(f)) problems.push(`${f} has a skeleton and is listed as solution-only: pick one`);
  }
  for (const [target, skeleton] of skeletonTargets) {
    if (!owned(target)) {
      problems.push(`${skeleton} would replace ${target}, which is not student-owned (a harness file or nothing): move or delete the skeleton`);
    }
  }
  for (const path of course.solutionOnly.keys()) {
    if (!files.includes(path)) problems.push(`course/course.json lists ${path} as solution-only, but there is no such file: remove the entry`);
    else if (!owned(path)) problems.push(`course/course.json lists ${path} as solution-only, but the student patterns do not select it`);
  }
  // A listed page that does not exist is not an error here (a partial copy of the repository has no
  // docs/); scripts/course-docs.test.ts checks that a handout ships exactly the listed pages.
  const studentDocs = studentDocPaths(course);
  for (const page of studentDocs) {
    if (files.includes(page) && instructor(page)) problems.push(`${page} is in "studentDocs" and matches "instructorOnly" of course/course.json: pick one`);
  }
  if (problems.length > 0) throw new CourseConfigError(`the course kit's classification of files is inconsistent:\n- ${problems.join("\n- ")}`);

  const instructorFile = (f: string): boolean => instructor(f) || (f.startsWith(DOCS_FOLDER) && !studentDocs.has(f));
  const instructorOnly = files.filter((f) => !owned(f) && instructorFile(f));
  const harness = files.filter((f) => !owned(f) && !instructorFile(f));
  return { manifest, course, files, solution, skeletons, harness, instructorOnly };
}
