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
 * the folder (remove it with {@link removeScratch}). The copy holds someone's code, so it never
 * outlives the process: it is removed if planting fails, and at exit or at SIGINT/SIGTERM/SIGHUP if
 * it is still there.
 */
export function plantInScratch(root: string, mutant: Mutant): string {
  const dir = mkdtempSync(join(tmpdir(), `raftlab-mutant-${mutant.id}-`));
  live.add(dir);
  removeAtExit();
  try {
    for (const entry of COPIED) {
      const from = join(root, entry);
      if (existsSync(from)) cpSync(from, join(dir, entry), { recursive: true, filter: (p) => !p.includes("node_modules") });
    }
    symlinkSync(resolve(root, "node_modules"), join(dir, "node_modules"), "dir");
    if (mutant.implementation === "student-style") swapInStudentRaft(dir);
    const file = join(dir, mutant.file);
    if (!existsSync(file)) throw new Error(`mutant ${mutant.id}: ${mutant.file} does not exist in ${root}`);
    writeFileSync(file, applyMutant(readFileSync(file, "utf8"), mutant));
  } catch (e) {
    removeScratch(dir);
    throw e;
  }
  return dir;
}

/** Where the lab's Raft is chosen for the testers and the KV server, and what the swap puts there. */
const LAB_RAFT_FILE = "src/raft/service.ts";
const LAB_RAFT_FACTORY = "  const rf = make(peers, me, persister, applyCh);\n  return { peer: rf, service: raftService(rf) };";
const STUDENT_RAFT_FACTORY = "  return studentRaft(peers, me, persister, applyCh);";
const STUDENT_RAFT_IMPORT = 'import { studentRaft } from "../explore/student-style/raft.js";\n';

/**
 * Makes the scratch copy `dir` run the student-style Raft (`src/explore/student-style/raft.ts`)
 * wherever the lab's Raft runs (every tester and the KV server take `labRaft`): the lab tests and
 * explore then test it instead of the reference.
 */
export function swapInStudentRaft(dir: string): void {
  const file = join(dir, LAB_RAFT_FILE);
  const text = readFileSync(file, "utf8");
  if (!text.includes(LAB_RAFT_FACTORY)) throw new Error(`${LAB_RAFT_FILE}: labRaft no longer reads as plant.ts expects; update LAB_RAFT_FACTORY in src/explore/mutants/plant.ts`);
  writeFileSync(file, STUDENT_RAFT_IMPORT + text.replace(LAB_RAFT_FACTORY, STUDENT_RAFT_FACTORY));
}

/** Removes a scratch folder made by {@link plantInScratch}. */
export function removeScratch(dir: string): void {
  if (!dir.includes("raftlab-mutant-")) throw new Error(`removeScratch: ${dir} is not a mutant's scratch folder`);
  rmSync(dir, { recursive: true, force: true });
  live.delete(dir);
}

/** Scratch folders of this process not removed yet. */
const live = new Set<string>();
let hooked = false;

function removeAll(): void {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
  live.clear();
}

/**
 * Removes what is left at exit; and at a signal that would otherwise end the process without an
 * exit event (no other handler is installed), removes it and ends the process by the same signal.
 */
function removeAtExit(): void {
  if (hooked) return;
  hooked = true;
  process.once("exit", removeAll);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    if (process.listenerCount(signal) > 0) continue; // the process handles it (and exits through "exit")
    const onSignal = (): void => {
      removeAll();
      process.off(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}
