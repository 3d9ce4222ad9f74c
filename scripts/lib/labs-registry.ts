/**
 * The course's one list of labs (`course/labs.json`): per lab its folder, the files a student owns,
 * the labs it builds on, and its graded parts with their test files and points. The handout
 * (ownership, which labs and folders to keep), the grader (points), explore and the docs follow
 * it, so a new lab is one entry plus its folders. A handout ships it too, with the labs handed out.
 *
 * The two views the tools read: the ownership {@link Manifest} (also written into each handout as
 * its `handout.json`, for students) and the {@link GradedPart}s.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isRecord, parseConfigObject } from "./config-file.js";
import { MANIFEST_FILE, MANIFEST_FORMAT, ManifestError, parseManifest, type Manifest } from "./handout-manifest.js";

/** Where the registry lives, relative to a tree's root (this repository or a handout). */
export const REGISTRY_FILE = "course/labs.json";
/** The only registry format this code reads. */
export const REGISTRY_FORMAT = "raftlab-labs/1";

/** One graded part: its tests (by name, in the given files) and their points. */
export interface GradedPart {
  readonly part: string;
  readonly lab: number;
  readonly title: string;
  /** Test files holding the part's tests, relative to the root. */
  readonly files: readonly string[];
  /** Test name → points, in the order given. */
  readonly tests: ReadonlyMap<string, number>;
  /** Graded when no --parts is given. */
  readonly byDefault: boolean;
  /** Its points add to the score but not to the maximum. */
  readonly extraCredit: boolean;
}

/** A parsed registry: the labs' ownership and their graded parts. */
export interface LabsRegistry {
  readonly manifest: Manifest;
  /** Every lab's parts, in the registry's order. */
  readonly parts: readonly GradedPart[];
}

/** A registry that cannot be used: the message names the file, the field and the fix. */
export class RegistryError extends ManifestError {}

/**
 * Parses and checks a registry; `source` names it in errors. Each lab must have at least one part,
 * a part's tests are named once in the whole registry, and a part's test files lie in its lab's
 * folder.
 */
export function parseRegistry(text: string, source: string): LabsRegistry {
  const { raw, fail } = parseConfigObject(text, source, REGISTRY_FORMAT, RegistryError);
  const labsRaw = raw["labs"];
  if (!Array.isArray(labsRaw) || labsRaw.length === 0) return fail(`"labs" must be a non-empty array`);
  const parts: GradedPart[] = [];
  const labs = labsRaw.map((l: unknown, i) => {
    if (!isRecord(l)) return fail(`labs[${i}] must be an object`);
    const { parts: partsRaw, ...entry } = l;
    if (!Array.isArray(partsRaw) || partsRaw.length === 0) return fail(`labs[${i}].parts must be a non-empty list of graded parts`);
    const lab = entry["lab"];
    const folder = entry["folder"];
    const more = Array.isArray(entry["moreFolders"]) ? entry["moreFolders"].filter((f): f is string => typeof f === "string") : [];
    const folders = typeof folder === "string" ? [folder, ...more] : more;
    partsRaw.forEach((p: unknown, j) => {
      const part = parsePart(p, `labs[${i}].parts[${j}]`, typeof lab === "number" ? lab : NaN, fail);
      for (const f of part.files) {
        if (typeof folder === "string" && !folders.some((d) => f.startsWith(d + "/"))) fail(`labs[${i}].parts[${j}].files: ${f} is not in the lab's ${folders.length === 1 ? `folder ${folders[0]}` : `folders ${folders.join(", ")}`}`);
      }
      parts.push(part);
    });
    return { ...entry, parts: parts.filter((p) => p.lab === lab).map((p) => p.part) };
  });
  const manifest = parseManifest(JSON.stringify({ format: MANIFEST_FORMAT, labs }), source);
  const seenParts = new Set<string>();
  const seenTests = new Map<string, string>();
  for (const p of parts) {
    if (seenParts.has(p.part)) fail(`part ${p.part} is listed twice`);
    seenParts.add(p.part);
    for (const t of p.tests.keys()) {
      const other = seenTests.get(t);
      if (other !== undefined) fail(`test ${t} is in parts ${other} and ${p.part}: a test belongs to one part`);
      seenTests.set(t, p.part);
    }
  }
  return { manifest, parts };
}

function parsePart(p: unknown, at: string, lab: number, fail: (what: string) => never): GradedPart {
  if (!isRecord(p)) return fail(`${at} must be an object`);
  const part = p["part"];
  if (typeof part !== "string" || !/^[A-Za-z0-9_-]+$/.test(part)) return fail(`${at}.part must be a name like "3A"`);
  const files = p["files"];
  if (!Array.isArray(files) || files.length === 0 || files.some((f) => typeof f !== "string" || !f.endsWith(".test.ts"))) {
    return fail(`${at}.files must list the part's test files, e.g. ["src/raft/raft-3a.test.ts"]`);
  }
  const testsRaw = p["tests"];
  if (!isRecord(testsRaw) || Object.keys(testsRaw).length === 0) return fail(`${at}.tests must map test names to points`);
  const tests = new Map<string, number>();
  for (const [name, points] of Object.entries(testsRaw)) {
    if (!/^[\w$-]+$/.test(name)) fail(`${at}.tests: "${name}" is not a test name`);
    if (typeof points !== "number" || !Number.isFinite(points) || points < 0) fail(`${at}.tests.${name} must be a number of points >= 0`);
    tests.set(name, points as number);
  }
  const title = p["title"];
  return {
    part,
    lab,
    title: typeof title === "string" ? title : part,
    files: files as string[],
    tests,
    byDefault: p["default"] !== false,
    extraCredit: p["extraCredit"] === true,
  };
}

/** Reads the registry of the tree at `root`. */
export function loadRegistry(root: string): LabsRegistry {
  const path = join(root, REGISTRY_FILE);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new RegistryError(`${root} has no ${REGISTRY_FILE}, the list of labs: is it a raftlab tree?`);
  }
  return parseRegistry(text, path);
}

/**
 * The ownership manifest of a tree: a handout's own `handout.json` (what its students were told),
 * else the one of this repository's registry.
 */
export function loadManifest(root: string): { manifest: Manifest; path: string } {
  const handout = join(root, MANIFEST_FILE);
  if (existsSync(handout)) return { manifest: parseManifest(readFileSync(handout, "utf8"), handout), path: handout };
  const registry = join(root, REGISTRY_FILE);
  if (existsSync(registry)) return { manifest: loadRegistry(root).manifest, path: registry };
  throw new ManifestError(`${root} has no ${MANIFEST_FILE} (a handout) or ${REGISTRY_FILE} (the course repository): is it a raftlab tree?`);
}

/** The registry with only the entries of `labs` (what a handout of those labs ships), as JSON text. */
export function registryForLabs(text: string, labs: readonly number[]): string {
  const raw = JSON.parse(text) as { labs: { lab: number }[] };
  raw.labs = raw.labs.filter((l) => labs.includes(l.lab));
  return JSON.stringify(raw, null, 2) + "\n";
}

/** The test files of every lab's default parts (the lab tests explore runs under its nemesis live there). */
export function labTestFiles(root: string): string[] {
  return [...new Set(loadRegistry(root).parts.filter((p) => p.byDefault).flatMap((p) => p.files))];
}
