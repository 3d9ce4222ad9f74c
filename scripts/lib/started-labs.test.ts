/**
 * `npm run grade` with no `--parts` grades the labs a student has started (scripts/lib/started-labs.ts
 * and the grader's choice of labs), in a handout (skeleton digests in handout.json) and in the
 * course repository (course/skeleton/), without running any test.
 */
import { afterEach, describe, expect, it } from "vitest";
import { chooseLabs } from "../grade.js";
import type { GradedPart } from "./grading.js";
import type { Manifest } from "./handout-manifest.js";
import { SKELETON_DIGESTS_KEY, digest, labsStarted, skeletonDigests } from "./started-labs.js";
import { TempDirs, writeTree } from "./temp-tree.js";

const temps = new TempDirs("raftlab-started-labs-");
afterEach(() => temps.removeAll());

const lab = (n: number, folder: string, needs: number[], parts: string[]) => ({
  lab: n,
  title: `Lab ${n}`,
  parts,
  needs,
  folder,
  folders: [folder],
  student: { include: [`${folder}/**`], exclude: [`${folder}/tester.ts`] },
});
const manifest: Manifest = {
  format: "raftlab-handout/1",
  labs: [lab(2, "src/kvsrv", [], ["2"]), lab(3, "src/raft", [], ["3A", "3B"]), lab(4, "src/kvraft", [3], ["4A"])],
};
const graded = (part: string, n: number, byDefault = true) => ({ part, lab: n, byDefault }) as unknown as GradedPart;
const parts = [graded("2", 2), graded("3A", 3), graded("3B", 3), graded("scenarios", 3, false), graded("4A", 4)];

const skeleton = { "src/kvsrv/server.ts": "// TODO 2\n", "src/raft/raft.ts": "// TODO 3\n", "src/kvraft/server.ts": "// TODO 4\n" };
const harness = { "src/kvsrv/tester.ts": "tester 2\n", "src/raft/tester.ts": "tester 3\n", "src/kvraft/tester.ts": "tester 4\n" };

/** A handout as built: the skeleton's files and their digests in handout.json. */
function handout(changes: Record<string, string> = {}): string {
  const dir = temps.make();
  const digests = Object.fromEntries(Object.entries(skeleton).map(([f, t]) => [f, digest(t)]));
  writeTree(dir, { ...harness, ...skeleton, ...changes, "handout.json": JSON.stringify({ format: "raftlab-handout/1", labs: manifest.labs, [SKELETON_DIGESTS_KEY]: digests }) });
  return dir;
}

describe("which labs a student has started", () => {
  it("a handout's labs are untouched as handed out, started once a student file changes, is added or is removed", () => {
    expect(labsStarted(manifest, handout(), skeletonDigests(handout())!)).toEqual({ started: [], untouched: [2, 3, 4] });
    const edited = handout({ "src/raft/raft.ts": "// my Raft\n" });
    expect(labsStarted(manifest, edited, skeletonDigests(edited)!)).toEqual({ started: [3], untouched: [2, 4] });
    const added = handout({ "src/kvraft/helper.ts": "export const x = 1;\n" });
    expect(labsStarted(manifest, added, skeletonDigests(added)!)).toEqual({ started: [4], untouched: [2, 3] });
    // A harness file changed is not the student's work.
    const tester = handout({ "src/raft/tester.ts": "edited\n" });
    expect(labsStarted(manifest, tester, skeletonDigests(tester)!)).toEqual({ started: [], untouched: [2, 3, 4] });
  });

  it("grades the started labs only and says which it left out and how to grade them", () => {
    const dir = handout({ "src/raft/raft.ts": "// my Raft\n" });
    const choice = chooseLabs(dir, manifest, undefined, parts);
    expect(choice.labs).toEqual([3]);
    expect(choice.note).toBe("grading Lab 3 (started); Labs 2 and 4 untouched: their skeletons are unchanged, pass --parts to grade them (e.g. --parts 2)");
  });

  it("grades every lab when none is started, when all are, and when the tree records no skeleton", () => {
    expect(chooseLabs(handout(), manifest, undefined, parts)).toEqual({ labs: [2, 3, 4], note: "grading every lab (Labs 2, 3 and 4): none is started yet (every student file is as handed out)" });
    const all = handout({ "src/kvsrv/server.ts": "a\n", "src/raft/raft.ts": "b\n", "src/kvraft/server.ts": "c\n" });
    expect(chooseLabs(all, manifest, undefined, parts)).toEqual({ labs: [2, 3, 4], note: "grading Labs 2, 3 and 4 (all started)" });
    const bare = temps.make();
    writeTree(bare, { ...harness, ...skeleton });
    expect(chooseLabs(bare, manifest, undefined, parts).labs).toEqual([2, 3, 4]);
    expect(chooseLabs(bare, manifest, undefined, parts).note).toMatch(/this tree does not record its skeleton/);
  });

  it("with --solution, looks at the submission's files; in the course repository, compares with course/skeleton", () => {
    const repo = temps.make();
    writeTree(repo, { ...harness, "course/course.json": "{}", ...Object.fromEntries(Object.entries(skeleton).map(([f, t]) => [`course/skeleton/${f}`, t])), ...skeleton });
    const submission = temps.make();
    writeTree(submission, { ...skeleton, "src/kvsrv/server.ts": "// done\n", "src/kvraft/server.ts": "// started\n" });
    const choice = chooseLabs(repo, manifest, submission, parts);
    expect(choice.labs).toEqual([2, 4]);
    expect(choice.note).toBe("grading Labs 2 and 4 (started); Lab 3 untouched: its skeleton is unchanged, pass --parts to grade it (e.g. --parts 3A,3B)");
  });
});
