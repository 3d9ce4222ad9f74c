/**
 * The repository stands alone: no file (code, tests, scripts, docs, package READMEs, course files)
 * refers to a path outside its root. The checker is shown to fail on planted references, in small
 * trees and in a copy of this repository's files.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { filesToScan, findOutsideReferences, formatOutsideReferences } from "./lib/outside-paths.js";
import { TempDirs, writeTree } from "./lib/temp-tree.js";

const ROOT = resolve(import.meta.dirname, "..");
const temps = new TempDirs("raftlab-outside-paths-");
afterEach(() => temps.removeAll());

/** The references found in a tree made of `files`. */
function scan(files: Record<string, string>): string[] {
  const dir = temps.make();
  writeTree(dir, files);
  return findOutsideReferences(dir).map((r) => `${r.file}:${r.line}: ${r.path}`);
}

describe("no path outside the repository", () => {
  it("in any file of this repository", () => {
    const files = filesToScan(ROOT);
    // The scan covers what the rule names; a regression in listing would make this test vacuous.
    for (const f of ["README.md", "docs/conformance.md", "packages/porcupine/README.md", "src/models/test-data.ts", "scripts/stress.ts", "course/student-README.md", ".ci/run", "package.json"]) {
      expect(files).toContain(f);
    }
    const found = findOutsideReferences(ROOT, files);
    expect(found, `paths outside the repository (move what they name into it, e.g. testdata/):\n${formatOutsideReferences(found)}`).toEqual([]);
  });

  it("fails on a reference planted in one of this repository's files", () => {
    const files = filesToScan(ROOT);
    const target = "src/models/test-data.ts";
    const planted = 'const OLD = "../../../shared/histories/porcupine";'; // outside-path-ok: fixture
    const read = (f: string) => readFileSync(join(ROOT, f), "utf8") + (f === target ? `\n${planted}\n` : "");
    const found = findOutsideReferences(ROOT, files, read);
    expect(found.map((r) => r.file)).toEqual([target, target]);
    expect(formatOutsideReferences(found)).toContain("../../../shared/histories/porcupine (leaves the repository from the file's folder)"); // outside-path-ok: fixture
  });

  it("finds folders beside the checkout, climbing paths and machine paths, in code, docs and course files", () => {
    expect(
      scan({
        "src/models/data.ts": 'export const DIR = resolve(import.meta.dirname, "../../../shared/histories");\n', // outside-path-ok: fixture
        "scripts/bench.ts": 'const D = resolve(ROOT, "../data");\nconst E = new URL("../../../x.txt", import.meta.url);\n', // outside-path-ok: fixture
        "README.md": "```\n$ npx porcupine check ../histories/kv/c01-ok.txt\n```\nNotes in /work/notes/audit.md.\n", // outside-path-ok: fixture
        "docs/page.md": "See shared/spec/porcupine.md §7.\n", // outside-path-ok: fixture
        "packages/p/README.md": "[data](../../../elsewhere/data.json)\n", // outside-path-ok: fixture
        "course/student-README.md": "Copy /home/alice/raft.ts first.\n", // outside-path-ok: fixture
        "package.json": '{ "scripts": { "x": "node ../tool.js" } }\n', // outside-path-ok: fixture
      }),
    ).toEqual([
      "README.md:2: ../histories/kv/c01-ok.txt", // outside-path-ok: fixture
      "README.md:4: /work/notes/audit.md", // outside-path-ok: fixture
      "course/student-README.md:1: /home/alice/raft.ts", // outside-path-ok: fixture
      "docs/page.md:1: shared/spec/porcupine.md", // outside-path-ok: fixture
      "package.json:1: ../tool.js", // outside-path-ok: fixture
      "packages/p/README.md:1: ../../../elsewhere/data.json", // outside-path-ok: fixture
      "scripts/bench.ts:1: ../data", // outside-path-ok: fixture
      "scripts/bench.ts:2: ../../../x.txt", // outside-path-ok: fixture
      "src/models/data.ts:1: shared/histories", // outside-path-ok: fixture
      "src/models/data.ts:1: ../../../shared/histories", // outside-path-ok: fixture
    ]);
  });

  it("accepts paths inside the repository, imports, URLs, temp folders and marked fixtures", () => {
    expect(
      scan({
        "src/raft/raft.ts": 'import { x } from "../labrpc/index.js";\nconst ROOT = resolve(import.meta.dirname, "../..");\n', // outside-path-ok: fixture
        "src/labrpc/index.ts": "export const x = 1;\n",
        "docs/page.md": "[home](../README.md), `src/raft/raft.ts`, https://example.com/home/x, `--out /tmp/handout`, `ExploreRaft3A`..`3D`\n", // outside-path-ok: fixture
        "README.md": "```ts\nimport { sleep } from \"../runtime/index.js\";\n```\n", // outside-path-ok: fixture
        "scripts/t.test.ts": 'const escape = "../../etc/passwd"; // outside-path-ok: a fixture of a path that must be rejected\n',
        "testdata/x/log.txt": "../../anything /work/x\n", // outside-path-ok: fixture
      }),
    ).toEqual([]);
  });
});
