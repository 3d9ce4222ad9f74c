import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { assembleTree } from "./grade-tree.js";
import { loadManifest } from "./labs-registry.js";

const ROOT = resolve(import.meta.dirname, "../..");

describe("the grading tree", () => {
  it("takes the skeleton's copy of a student file the submission lacks, and says so", () => {
    const work = mkdtempSync(join(tmpdir(), "raftlab-grade-tree-"));
    try {
      // A submission with only the file the student changed.
      const solution = join(work, "submission");
      mkdirSync(join(solution, "src/raft"), { recursive: true });
      cpSync(join(ROOT, "course/skeleton/src/raft/raft.ts"), join(solution, "src/raft/raft.ts"));
      const tree = assembleTree({ harnessRoot: ROOT, manifest: loadManifest(ROOT).manifest, solution, labs: [3], workDir: join(work, "trees") });
      expect(tree.studentFiles).toEqual(["src/raft/raft.ts"]);
      // The skeleton's index.ts, never the reference's (this repository's own copy).
      expect(readFileSync(join(tree.root, "src/raft/index.ts"), "utf8")).toBe(readFileSync(join(ROOT, "course/skeleton/src/raft/index.ts"), "utf8"));
      expect(tree.warnings.join("\n")).toMatch(/the submission lacks \d+ student files?; graded with the skeleton's copy: .*src\/raft\/index\.ts/);
      // Solution-only files have no skeleton: they are not taken from the reference.
      expect(() => readFileSync(join(tree.root, "src/raft/log.ts"))).toThrow();
      tree.cleanup();
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
