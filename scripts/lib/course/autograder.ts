/**
 * The Gradescope autograder archive: the handout (the pristine harness, skeletons included, which
 * the submission's student-owned files replace at grading) with Gradescope's two scripts at its
 * root, `setup.sh` (Node 20 and `npm ci`, once per image) and `run_autograder` (once per
 * submission), from `course/gradescope/`. Zipped with fflate; the scripts keep their executable bit.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { zipSync, type Zippable } from "fflate";
import type { Handout } from "./build-handout.js";

/** Gradescope's scripts, as they are named at the archive's root, and where this repository keeps them. */
export const GRADESCOPE_SCRIPTS = { "setup.sh": "course/gradescope/setup.sh", run_autograder: "course/gradescope/run_autograder" } as const;

/** Unix permissions in a zip entry's external attributes (upper 16 bits), with os = 3 (Unix). */
const EXECUTABLE = { os: 3, attrs: 0o755 << 16 };
const REGULAR = { os: 3, attrs: 0o644 << 16 };

/** Writes the archive of `handout` to `zipPath`; returns its entry count and size. */
export function buildAutograder(handout: Handout, root: string, zipPath: string): { entries: number; bytes: number } {
  const entries: Zippable = {};
  // A fixed time, so the same handout gives the same archive.
  const mtime = new Date("2026-01-01T00:00:00Z");
  for (const [path, content] of handout.files) {
    if (path in GRADESCOPE_SCRIPTS) throw new Error(`the handout has a file named ${path}, which Gradescope's script of that name would replace`);
    entries[path] = [new Uint8Array(content), { ...REGULAR, mtime }];
  }
  for (const [name, source] of Object.entries(GRADESCOPE_SCRIPTS)) {
    entries[name] = [new Uint8Array(readFileSync(join(root, source))), { ...EXECUTABLE, mtime }];
  }
  const zip = zipSync(entries, { level: 9 });
  writeFileSync(zipPath, zip);
  return { entries: Object.keys(entries).length, bytes: zip.length };
}
