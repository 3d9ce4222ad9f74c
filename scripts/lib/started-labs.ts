/**
 * Which labs a student has started: a lab is started when any of its student files differs from
 * the skeleton handed out (changed, added or removed). `npm run grade` with no `--parts` grades the
 * started labs only, so that a finished Lab 3 is not graded against Lab 4's untouched stubs.
 *
 * The skeleton is known by its digests: a handout records them in its `handout.json`
 * (`skeletonDigests`, written by the handout builder); the course repository has the skeletons
 * themselves under `course/skeleton/`.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { MANIFEST_FILE, listFiles, studentOwned, type Manifest } from "./handout-manifest.js";

/** The key of `handout.json` that holds the skeleton's digests (path → sha256 of its content). */
export const SKELETON_DIGESTS_KEY = "skeletonDigests";

/** The sha256 of a file's content, in hex. */
export function digest(content: Buffer | string): string {
  return createHash("sha256").update(content).digest("hex");
}

/**
 * The skeleton's student files of the tree at `harnessRoot`, path → digest: the course
 * repository's `course/skeleton/`, else a handout's `handout.json` record; undefined when the tree
 * has neither (then nobody can tell which labs were started).
 */
export function skeletonDigests(harnessRoot: string): ReadonlyMap<string, string> | undefined {
  const skeletonDir = join(harnessRoot, "course", "skeleton");
  if (existsSync(join(harnessRoot, "course", "course.json")) && existsSync(skeletonDir)) {
    return new Map(listFiles(skeletonDir).map((f) => [f, digest(readFileSync(join(skeletonDir, f)))]));
  }
  const manifestFile = join(harnessRoot, MANIFEST_FILE);
  if (!existsSync(manifestFile)) return undefined;
  const raw = JSON.parse(readFileSync(manifestFile, "utf8")) as Record<string, unknown>;
  const recorded = raw[SKELETON_DIGESTS_KEY];
  if (typeof recorded !== "object" || recorded === null) return undefined;
  return new Map(Object.entries(recorded as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === "string"));
}

/** Started and untouched labs, each in the manifest's order. */
export interface LabsStarted {
  readonly started: readonly number[];
  readonly untouched: readonly number[];
}

/**
 * Splits the labs of `manifest` into started and untouched by comparing the student files of the
 * tree at `studentRoot` with `skeleton` (see {@link skeletonDigests}).
 */
export function labsStarted(manifest: Manifest, studentRoot: string, skeleton: ReadonlyMap<string, string>): LabsStarted {
  const files = listFiles(studentRoot);
  const started: number[] = [];
  const untouched: number[] = [];
  const owned = studentOwned(manifest);
  for (const lab of manifest.labs) {
    // Only this lab's own folders: a lab that needs Lab 3 does not own src/raft.
    const own = (f: string): boolean => owned(f) && lab.folders.some((d) => f.startsWith(d + "/"));
    const mine = files.filter(own);
    const changed =
      mine.some((f) => skeleton.get(f) !== digest(readFileSync(join(studentRoot, f)))) ||
      [...skeleton.keys()].filter(own).some((f) => !mine.includes(f));
    (changed ? started : untouched).push(lab.lab);
  }
  return { started, untouched };
}

/** "Lab 3", "Labs 2 and 4", "Labs 2, 4 and 5". */
export function labList(labs: readonly number[]): string {
  if (labs.length === 1) return `Lab ${labs[0]}`;
  return `Labs ${labs.slice(0, -1).join(", ")} and ${labs[labs.length - 1]}`;
}
