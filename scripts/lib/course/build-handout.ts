/**
 * Builds a student handout from this repository: every harness file as it is, a skeleton in place
 * of each solution file that has one, nothing of the others, and the handout's own `handout.json`,
 * `README.md` (the student README), `package.json` (without the instructor's scripts) and
 * `course/labs.json` (the registry, with the handed-out labs only) and `course/grading.json` (the
 * explore component of those labs only). The whole handout is assembled in memory and
 * checked before anything is written: no solution file, no line of the solution
 * (`leak-check.ts`), every skeleton in place.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { MANIFEST_FILE, labOf, selectLabs, studentOwned, withoutLabs, type Manifest } from "../handout-manifest.js";
import { SKELETON_DIGESTS_KEY, digest } from "../started-labs.js";
import { GRADING_FILE, gradingForParts, parseGrading } from "../grading.js";
import { REGISTRY_FILE, parseRegistry, registryForLabs } from "../labs-registry.js";
import picomatch from "picomatch";
import { classify, type Classification } from "./config.js";
import { docProblems, handoutPage } from "./handout-docs.js";
import { describeLeak, findLeaks, type LeakCheckResult } from "./leak-check.js";

/** What to build. */
export interface HandoutOptions {
  /** The course repository. */
  readonly root: string;
  /** The labs to hand out (with the labs they need). */
  readonly labs: readonly number[];
}

/** A handout in memory: path → content. */
export interface Handout {
  readonly manifest: Manifest;
  readonly files: ReadonlyMap<string, Buffer>;
  readonly leakCheck: LeakCheckResult;
  readonly classification: Classification;
}

/** The handout cannot be built as asked; the message says why and what to change. */
export class HandoutError extends Error {
  override readonly name = "HandoutError";
}

/**
 * Assembles the handout of `labs` and checks it; throws a {@link HandoutError} listing every leak or
 * missing piece. `transform` (for tests) may change a file's content before the check.
 */
export function assembleHandout(opts: HandoutOptions, transform?: (path: string, content: Buffer) => Buffer): Handout {
  const c = classify(opts.root);
  const manifest = selectLabs(c.manifest, opts.labs);
  const kept = manifest.labs.map((l) => l.lab);
  const read = (f: string): Buffer => readFileSync(join(opts.root, f));
  const text = (f: string): string => read(f).toString("utf8");

  // Harness files of the kept labs, without those that import a lab left out (e.g. demo.ts without
  // Lab 4) and without those course.json ties to a lab left out (real cluster mode without Lab 4,
  // and the pages of docs/ about it).
  const tiedToDroppedLab = picomatch(
    [...c.course.harnessOfLab, ...c.course.studentDocs.ofLab].filter(([lab]) => !kept.includes(lab)).flatMap(([, patterns]) => patterns),
    { dot: true },
  );
  const harness = withoutLabs(c.harness, c.manifest, kept, text).filter((f) => !tiedToDroppedLab(f));
  const droppedHarness = c.harness.filter((f) => !harness.includes(f));
  const files = new Map<string, Buffer>();
  for (const f of harness) files.set(f, read(f));
  for (const [target, skeleton] of c.skeletons) {
    const lab = labOf(c.manifest, target);
    if (lab === undefined || kept.includes(lab.lab)) files.set(target, read(skeleton));
  }

  const owned = studentOwned(manifest);
  files.set(MANIFEST_FILE, Buffer.from(handoutManifest(manifest, [...files].filter(([f]) => owned(f)))));
  files.set("README.md", Buffer.from(studentReadme(text(c.course.studentReadme), kept)));
  files.set("package.json", Buffer.from(handoutPackageJson(text("package.json"), c.course.instructorScripts, manifest, c.manifest, droppedHarness, harness)));
  const registry = registryForLabs(text(REGISTRY_FILE), kept);
  const keptParts = parseRegistry(registry, `${REGISTRY_FILE} (for labs ${kept.join(",")})`).parts; // still valid after filtering
  files.set(REGISTRY_FILE, Buffer.from(registry));
  if (files.has(GRADING_FILE)) {
    // The explore component's entries of the labs left out go too.
    const grading = gradingForParts(text(GRADING_FILE), keptParts.map((p) => p.part));
    parseGrading(grading, `${GRADING_FILE} (for labs ${kept.join(",")})`, keptParts); // still valid after filtering
    files.set(GRADING_FILE, Buffer.from(grading));
  }
  const problems: string[] = [];
  // The pages describe the lab's contract: maintainers' passages about the reference stay here.
  for (const [p, b] of files) {
    if (!/^docs\/.*\.md$/.test(p)) continue;
    try {
      files.set(p, Buffer.from(handoutPage(b.toString("utf8"), p)));
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if (transform !== undefined) for (const [p, b] of files) files.set(p, transform(p, b));

  const solutionOnly = c.solution.filter((f) => !c.skeletons.has(f));
  for (const [p, b] of files) {
    if (/^docs\/.*\.md$/.test(p) || p === "README.md") problems.push(...docProblems(p, b.toString("utf8"), solutionOnly));
  }
  for (const f of solutionOnly) if (files.has(f)) problems.push(`${f} is a solution file and must not be in the handout`);
  for (const [target] of c.skeletons) {
    const lab = labOf(c.manifest, target);
    if ((lab === undefined || kept.includes(lab.lab)) && !files.has(target)) problems.push(`the skeleton of ${target} is missing`);
  }
  const solutionText = new Map(c.solution.map((f) => [f, text(f)]));
  const leakCheck = findLeaks({
    solution: solutionText,
    handout: new Map([...files].filter(([, b]) => !b.includes(0)).map(([p, b]) => [p, b.toString("utf8")])),
    harness: new Map(c.harness.map((f) => [f, text(f)])),
    allowed: c.course.allowedLines,
    skeletons: new Map([...c.skeletons.values()].map((s) => [s, text(s)])),
  });
  for (const l of leakCheck.leaks) problems.push(`leak: ${describeLeak(l)}`);
  for (const a of leakCheck.staleAllowed) {
    problems.push(`course/course.json allows the line "${a.line}", which no longer occurs in both the skeletons and the reference: remove it`);
  }
  if (problems.length > 0) {
    throw new HandoutError(`the handout of labs ${kept.join(",")} is not clean (nothing was written):\n- ${problems.join("\n- ")}`);
  }
  return { manifest, files, leakCheck, classification: c };
}

/**
 * Writes `handout` into `out`, which must not exist or be empty (a handout starts fresh: no history
 * of the reference). With `git`, makes it a repository with one commit.
 */
export function writeHandout(handout: Handout, out: string, { git }: { readonly git: boolean }): { bytes: number } {
  if (existsSync(out) && readdirSync(out).length > 0) {
    throw new HandoutError(`${out} is not empty: a handout is written into a new folder (remove it, or choose another --out)`);
  }
  let bytes = 0;
  for (const [path, content] of handout.files) {
    const dest = join(out, path);
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, content);
    bytes += content.length;
  }
  if (git) {
    const run = (...args: string[]): void => {
      const r = spawnSync("git", args, { cwd: out, encoding: "utf8" });
      if (r.status !== 0) throw new HandoutError(`git ${args.join(" ")} failed in ${out}: ${r.stderr.trim() || r.error?.message}`);
    };
    run("init", "-q", "-b", "main");
    run("add", "-A");
    const labs = handout.manifest.labs.map((l) => l.lab).join(", ");
    run("-c", "user.name=raftlab", "-c", "user.email=raftlab@localhost", "commit", "-q", "-m", `raftlab handout: labs ${labs}`);
  }
  return { bytes };
}

/**
 * The handout's `handout.json`: the kept labs' entries, with a comment for students, and the
 * digests of the student files as handed out (`npm run grade` grades the labs whose files changed).
 */
function handoutManifest(manifest: Manifest, studentFiles: readonly (readonly [string, Buffer])[]): string {
  const doc = {
    $comment:
      "Which files are yours: for each lab, the paths matching an include pattern and no exclude pattern (picomatch globs, relative to this folder). Graders take exactly these paths from your submission and everything else from the original handout, so changes to any other file (the tester, the tests) do not count. You may add files of your own under these patterns. skeletonDigests: the sha256 of each of your files as handed out; `npm run grade` with no --parts grades the labs whose files you changed.",
    format: manifest.format,
    labs: manifest.labs,
    [SKELETON_DIGESTS_KEY]: Object.fromEntries([...studentFiles].sort(([a], [b]) => (a < b ? -1 : 1)).map(([f, b]) => [f, digest(b)])),
  };
  return JSON.stringify(doc, null, 2) + "\n";
}

/** The student README, without the sections of labs not handed out (`<!-- lab 4 -->` ... `<!-- /lab 4 -->`). */
export function studentReadme(template: string, labs: readonly number[]): string {
  const out = template.replace(/<!-- lab (\d+) -->\n([\s\S]*?)<!-- \/lab \1 -->\n?/g, (_, n: string, body: string) => (labs.includes(Number(n)) ? body : ""));
  const stray = /<!-- \/?lab \d+ -->/.exec(out);
  if (stray !== null) throw new HandoutError(`${stray[0]} in the student README has no matching marker (each "<!-- lab N -->" needs a "<!-- /lab N -->" on its own line)`);
  return out;
}

/**
 * The handout's package.json: the instructor's scripts left out, scripts that name a lab folder
 * left out of the handout or run a file left out dropped, and files left out removed from the rest.
 */
function handoutPackageJson(
  text: string,
  instructorScripts: readonly string[],
  kept: Manifest,
  all: Manifest,
  droppedFiles: readonly string[],
  keptFiles: readonly string[],
): string {
  const pkg = JSON.parse(text) as { scripts?: Record<string, string> };
  const droppedFolders = all.labs.filter((l) => !kept.labs.some((k) => k.lab === l.lab)).flatMap((l) => l.folders);
  const scripts: Record<string, string> = {};
  for (const [name, cmd] of Object.entries(pkg.scripts ?? {})) {
    if (instructorScripts.includes(name)) continue;
    const tokens = cmd.split(/\s+/);
    if (droppedFolders.some((d) => tokens.some((tok) => tok === d || tok.startsWith(d + "/")))) continue;
    // A script that runs a file left out (`tsx scripts/node.ts`), or names a folder all of whose
    // files were left out (`vitest run --project cluster src/cluster`), goes with them.
    if ((tokens[0] === "tsx" || tokens[0] === "node") && tokens[1] !== undefined && droppedFiles.includes(tokens[1])) continue;
    if (tokens.some((tok) => droppedFiles.some((f) => f.startsWith(tok + "/")) && !keptFiles.some((f) => f.startsWith(tok + "/")))) continue;
    scripts[name] = cmd
      .split(" ")
      .filter((tok) => !droppedFiles.includes(tok))
      .join(" ");
  }
  pkg.scripts = scripts;
  return JSON.stringify(pkg, null, 2) + "\n";
}
