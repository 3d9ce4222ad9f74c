/**
 * The Gradescope autograder archive: the handout (the pristine harness, skeletons included, which
 * the submission's student-owned files replace at grading) with Gradescope's two scripts at its
 * root, `setup.sh` (Node 20 and `npm ci`, once per image) and `run_autograder` (once per
 * submission), from `course/gradescope/`. Zipped with fflate; the scripts keep their executable bit.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { zipSync, type Zippable } from "fflate";
import type { GradedPart } from "../labs-registry.js";
import type { Handout } from "./build-handout.js";

/** Gradescope's scripts, as they are named at the archive's root, and where this repository keeps them. */
export const GRADESCOPE_SCRIPTS = { "setup.sh": "course/gradescope/setup.sh", run_autograder: "course/gradescope/run_autograder" } as const;

/** Unix permissions in a zip entry's external attributes (upper 16 bits), with os = 3 (Unix). */
const EXECUTABLE = { os: 3, attrs: 0o755 << 16 };
const REGULAR = { os: 3, attrs: 0o644 << 16 };

/**
 * The parts an archive grades when `--grade` names labs: their default parts (a Lab 4 archive holds
 * Lab 3's Raft, but a Lab 4 assignment grades 4A and 4B: the 540 s deadline fits one lab). No labs
 * named: none listed, i.e. every default part of the archive's labs.
 */
export function autograderParts(parts: readonly GradedPart[], graded: readonly number[] | undefined): string[] {
  if (graded === undefined) return [];
  const chosen = parts.filter((p) => p.byDefault && graded.includes(p.lab)).map((p) => p.part);
  if (chosen.length === 0) throw new Error(`no default part to grade in lab ${graded.join(",")}: course/labs.json has none`);
  return chosen;
}

/** The line of `run_autograder` that names the parts it grades (empty: every default part). */
const PARTS_LINE = /^PARTS=""$/m;

/**
 * `run_autograder` with the parts it grades filled in (`PARTS="4A,4B"`); with none, as it is
 * (every default part of the labs in the archive).
 */
export function runAutograderFor(template: string, parts: readonly string[]): string {
  const lines = template.match(new RegExp(PARTS_LINE.source, "gm")) ?? [];
  if (lines.length !== 1) throw new Error(`${GRADESCOPE_SCRIPTS.run_autograder} must have exactly one line PARTS="" (the parts the archive grades), found ${lines.length}`);
  for (const p of parts) if (!/^[0-9A-Za-z-]+$/.test(p)) throw new Error(`part name "${p}" cannot go into run_autograder (letters, digits and - only)`);
  return template.replace(PARTS_LINE, `PARTS="${parts.join(",")}"`);
}

/**
 * Writes the archive of `handout` to `zipPath`; returns its entry count and size. `parts`: the
 * parts its `run_autograder` grades (none: every default part of the handout's labs).
 */
export function buildAutograder(handout: Handout, root: string, zipPath: string, parts: readonly string[] = []): { entries: number; bytes: number } {
  const entries: Zippable = {};
  // A fixed time, so the same handout gives the same archive.
  const mtime = new Date("2026-01-01T00:00:00Z");
  for (const [path, content] of handout.files) {
    if (path in GRADESCOPE_SCRIPTS) throw new Error(`the handout has a file named ${path}, which Gradescope's script of that name would replace`);
    entries[path] = [new Uint8Array(content), { ...REGULAR, mtime }];
  }
  for (const [name, source] of Object.entries(GRADESCOPE_SCRIPTS)) {
    const text = readFileSync(join(root, source), "utf8");
    entries[name] = [new Uint8Array(Buffer.from(name === "run_autograder" ? runAutograderFor(text, parts) : text)), { ...EXECUTABLE, mtime }];
  }
  const zip = zipSync(entries, { level: 9 });
  writeFileSync(zipPath, zip);
  return { entries: Object.keys(entries).length, bytes: zip.length };
}
