/**
 * The tree a submission is graded in: the pristine harness (every file the manifest does not give
 * the student) with the student-owned files taken from the submission, and nothing else from it,
 * so a submission that edits the tests or the tester cannot pass by it (MIT's practice of putting
 * the original harness back). Labs not being graded are left out with everything that imports them.
 */
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { onInterrupt } from "./interrupt.js";
import { listFiles, selectLabs, studentOwned, withoutLabs, type Manifest } from "./handout-manifest.js";

/** A tree ready to grade. */
export interface GradingTree {
  readonly root: string;
  /** Student-owned files taken from the submission. */
  readonly studentFiles: readonly string[];
  readonly warnings: readonly string[];
  /** Removes the tree (not the harness's node_modules, which it links to). */
  cleanup(): void;
}

/** A submission that cannot be graded at all; the message says what is wrong with it. */
export class SubmissionError extends Error {
  override readonly name = "SubmissionError";
}

/**
 * Where the submitted tree starts inside `dir`: `dir` itself if it holds a lab folder (`src/raft`),
 * else the one folder below it (up to three levels down) that does, as when a repository was
 * uploaded inside a folder of its own.
 */
export function findSubmissionRoot(dir: string, manifest: Manifest): string {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new SubmissionError(`the submission ${dir} is not a folder`);
  const holdsLab = (d: string): boolean => manifest.labs.some((l) => existsSync(join(d, l.folder)));
  if (holdsLab(dir)) return dir;
  const found: string[] = [];
  const visit = (d: string, depth: number): void => {
    if (depth > 3) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (!e.isDirectory() || e.name === "node_modules" || e.name.startsWith(".")) continue;
      const sub = join(d, e.name);
      if (holdsLab(sub)) found.push(sub);
      else visit(sub, depth + 1);
    }
  };
  visit(dir, 1);
  if (found.length === 1) return found[0]!;
  const folders = manifest.labs.map((l) => l.folder).join(" or ");
  if (found.length === 0) {
    throw new SubmissionError(`the submission has no ${folders} folder: submit your whole repository (the folder with package.json and src/), not single files`);
  }
  throw new SubmissionError(`the submission holds several repositories (${found.join(", ")}): submit one`);
}

/**
 * Builds the grading tree under `workDir`: harness files of `labs` from `harnessRoot`, student
 * files of `labs` from `solution`. node_modules is linked from the harness, which must have run
 * `npm ci`.
 */
export function assembleTree(opts: { harnessRoot: string; manifest: Manifest; solution: string; labs: readonly number[]; workDir: string }): GradingTree {
  const harnessRoot = resolve(opts.harnessRoot);
  if (!existsSync(join(harnessRoot, "node_modules"))) {
    throw new Error(`${harnessRoot} has no node_modules: run npm ci there first`);
  }
  const kept = selectLabs(opts.manifest, opts.labs);
  const ownedAny = studentOwned(opts.manifest);
  const ownedKept = studentOwned(kept);
  const read = (f: string): string => readFileSync(join(harnessRoot, f), "utf8");

  const harness = withoutLabs(
    listFiles(harnessRoot).filter((f) => !ownedAny(f)),
    opts.manifest,
    kept.labs.map((l) => l.lab),
    read,
  );
  const solutionRoot = findSubmissionRoot(resolve(opts.solution), kept);
  const studentFiles = listFiles(solutionRoot).filter((f) => ownedKept(f));
  const warnings: string[] = [];
  for (const l of kept.labs) {
    if (!studentFiles.some((f) => l.folders.some((d) => f.startsWith(d + "/")))) warnings.push(`the submission has no files of lab ${l.lab} (${l.folders.map((d) => `${d}/`).join(", ")})`);
  }

  mkdirSync(opts.workDir, { recursive: true });
  const root = mkdtempSync(join(opts.workDir, "grade-"));
  const copy = (from: string, rel: string): void => {
    const dest = join(root, rel);
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(join(from, rel), dest);
  };
  for (const f of harness) copy(harnessRoot, f);
  for (const f of studentFiles) copy(solutionRoot, f);
  // A student file the submission lacks (one left as handed out): the skeleton's copy, as the
  // student's checkout has it. In the instructor's repository that is course/skeleton/<file> (its
  // own copy is the reference's, never used); in a handout or the autograder it is its own copy.
  const instructorRepo = existsSync(join(harnessRoot, "course", "course.json"));
  const skeletonFilled: string[] = [];
  for (const f of listFiles(harnessRoot).filter((f) => ownedKept(f) && !studentFiles.includes(f))) {
    const fromSkeleton = join(harnessRoot, "course", "skeleton", f);
    if (existsSync(fromSkeleton)) {
      mkdirSync(dirname(join(root, f)), { recursive: true });
      copyFileSync(fromSkeleton, join(root, f));
    } else if (!instructorRepo) copy(harnessRoot, f);
    else continue;
    skeletonFilled.push(f);
  }
  if (skeletonFilled.length > 0) {
    warnings.push(`the submission lacks ${skeletonFilled.length} student file${skeletonFilled.length === 1 ? "" : "s"}; graded with the skeleton's copy: ${skeletonFilled.join(", ")}`);
  }
  symlinkSync(join(harnessRoot, "node_modules"), join(root, "node_modules"), "dir");
  // Workspace packages may keep node_modules of their own.
  for (const f of harness.filter((h) => /^packages\/[^/]+\/package\.json$/.test(h))) {
    const nm = join(harnessRoot, dirname(f), "node_modules");
    if (existsSync(nm)) symlinkSync(nm, join(root, dirname(f), "node_modules"), "dir");
  }
  return { root, studentFiles, warnings, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** What the type check said. */
export interface TypecheckResult {
  readonly ok: boolean;
  readonly output: string;
}

/** Runs `tsc --noEmit` over the tree (its tsconfig.json), bounded by `timeoutMs`. */
export function typecheck(root: string, timeoutMs: number): Promise<TypecheckResult> {
  return new Promise((done) => {
    const tsc = join(root, "node_modules", ".bin", "tsc");
    const child = spawn(tsc, ["--noEmit", "-p", "tsconfig.json", "--pretty", "false"], { cwd: root, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let output = "";
    child.stdout.on("data", (b: Buffer) => (output += b.toString()));
    child.stderr.on("data", (b: Buffer) => (output += b.toString()));
    const timer = setTimeout(() => {
      output += `\n(the type check took longer than ${timeoutMs / 1000} s and was stopped)`;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // gone
      }
    }, timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      done({ ok: false, output: `could not run the type checker: ${e.message}` });
    });
    const offInterrupt = onInterrupt(() => {
      output += "\n(interrupted)";
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // gone
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      offInterrupt();
      done({ ok: code === 0, output: output.trim() });
    });
  });
}
