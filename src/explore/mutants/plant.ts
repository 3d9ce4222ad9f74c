/**
 * Planting a mutant: a scratch copy of the repository (its sources and configuration; node_modules
 * linked, not copied) with the mutant's edit applied. The source tree itself is never touched.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Mutant } from "./catalog.js";

/** What a scratch copy holds of the repository: everything a test or script run needs. */
const COPIED = ["src", "scripts", "course", "packages", "package.json", "tsconfig.json", "vitest.config.ts", ".dependency-cruiser.cjs", "demo.ts"];

/** A mutant's edit applied to `text` (the content of `mutant.file`); throws if its search text is not there exactly once. */
export function applyMutant(text: string, mutant: Mutant): string {
  const at = text.indexOf(mutant.search);
  if (at < 0) {
    throw new Error(`mutant ${mutant.id}: its search text is not in ${mutant.file} any more; update src/explore/mutants/catalog.ts to the code`);
  }
  if (text.indexOf(mutant.search, at + 1) >= 0) {
    throw new Error(`mutant ${mutant.id}: its search text occurs more than once in ${mutant.file}; make it longer so that it names one place`);
  }
  return text.slice(0, at) + mutant.replace + text.slice(at + mutant.search.length);
}

/**
 * Copies the repository at `root` to a new scratch folder, plants `mutant` in the copy, and returns
 * the folder (remove it with {@link removeScratch}).
 */
export function plantInScratch(root: string, mutant: Mutant): string {
  const dir = mkdtempSync(join(tmpdir(), `raftlab-mutant-${mutant.id}-`));
  for (const entry of COPIED) {
    const from = join(root, entry);
    if (existsSync(from)) cpSync(from, join(dir, entry), { recursive: true, filter: (p) => !p.includes("node_modules") });
  }
  symlinkSync(resolve(root, "node_modules"), join(dir, "node_modules"), "dir");
  const file = join(dir, mutant.file);
  writeFileSync(file, applyMutant(readFileSync(file, "utf8"), mutant));
  return dir;
}

/** Removes a scratch folder made by {@link plantInScratch}. */
export function removeScratch(dir: string): void {
  if (!dir.includes("raftlab-mutant-")) throw new Error(`removeScratch: ${dir} is not a mutant's scratch folder`);
  rmSync(dir, { recursive: true, force: true });
}
