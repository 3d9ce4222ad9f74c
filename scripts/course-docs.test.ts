/**
 * A handout ships the students' documentation and none of the instructors': the pages of docs/
 * that `studentDocs` of course/course.json lists (a lab's pages only with that lab), and every link
 * of the handout's README and pages resolves inside the handout.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { assembleHandout, type Handout } from "./lib/course/build-handout.js";
import { classify, loadCourse } from "./lib/course/config.js";
import { docProblems, handoutPage } from "./lib/course/handout-docs.js";
import { checkDocs, formatDocProblems, type DocTree } from "./lib/doc-links.js";
import { TempDirs, writeTree } from "./lib/temp-tree.js";

const ROOT = resolve(import.meta.dirname, "..");
const temps = new TempDirs("raftlab-course-docs-");
afterEach(() => temps.removeAll());

/** A small course repository with two pages in docs/, one of them listed for students. */
function miniRepo(course: Record<string, unknown>): string {
  const dir = temps.make();
  writeTree(dir, {
    "course/labs.json": JSON.stringify({
      format: "raftlab-labs/1",
      labs: [{ lab: 3, title: "Raft", folder: "src/raft", student: { include: ["src/raft/**"], exclude: ["src/raft/tester.ts"] }, parts: [{ part: "3A", files: ["src/raft/raft-3a.test.ts"], tests: { T: 1 } }] }],
    }),
    "course/course.json": JSON.stringify({
      format: "raftlab-course/1",
      skeletons: "course/skeleton",
      studentReadme: "course/student-README.md",
      solutionOnly: [],
      instructorOnly: ["course/**"],
      instructorScripts: [],
      studentDocs: { all: ["docs/student.md"] },
      ...course,
    }),
    "course/skeleton/src/raft/raft.ts": "export const x = 1;\n",
    "src/raft/raft.ts": "export const x = 2;\n",
    "src/raft/tester.ts": "export const t = 1;\n",
    "docs/student.md": "# For students\n",
    "docs/staff.md": "# For staff\n",
  });
  return dir;
}

/** The handout's README and docs pages as a tree of documents (links only: its scripts differ by lab). */
function handoutDocs(h: Handout): DocTree {
  const text = (p: string): string | undefined => h.files.get(p)?.toString("utf8");
  const docs = new Map([...h.files.keys()].filter((p) => p === "README.md" || (p.startsWith("docs/") && p.endsWith(".md"))).map((p) => [p, text(p)!]));
  const paths = [...h.files.keys()];
  return {
    docs,
    exists: (p) => h.files.has(p) || paths.some((f) => f.startsWith(p + "/")),
    read: (p) => (p.endsWith(".md") ? text(p) : undefined),
    scripts: undefined,
  };
}

describe("the documentation of a handout", () => {
  const course = loadCourse(ROOT);
  const docsOf = (h: Handout): string[] => [...h.files.keys()].filter((p) => p.startsWith("docs/")).sort();

  it("of Lab 3 has the common pages and Lab 3's, no Lab 4 page and no instructor page, and its links resolve", () => {
    const h = assembleHandout({ root: ROOT, labs: [3] });
    expect(docsOf(h)).toEqual([...course.studentDocs.all, ...course.studentDocs.ofLab.get(3)!].sort());
    for (const page of ["docs/lab4-kvraft.md", "docs/cluster.md", "docs/instructors.md", "docs/architecture.md", "docs/toolchain-and-ci.md"]) {
      expect(h.files.has(page)).toBe(false);
    }
    expect(h.files.get("README.md")!.toString()).toContain("(docs/lab3-raft.md)");
    expect(h.files.get("README.md")!.toString()).not.toContain("docs/lab4-kvraft.md");
    expect(formatDocProblems(checkDocs(handoutDocs(h)))).toBe("");
  });

  it("of every lab has every student page and no instructor page, and its links resolve", () => {
    const h = assembleHandout({ root: ROOT, labs: [2, 3, 4, 5] });
    const student = [...course.studentDocs.all, ...[...course.studentDocs.ofLab.values()].flat()].sort();
    expect(docsOf(h)).toEqual(student);
    for (const page of ["docs/instructors.md", "docs/architecture.md", "docs/toolchain-and-ci.md"]) expect(h.files.has(page)).toBe(false);
    // The repository's own documentation check is about its README, not the student README.
    expect(h.files.has("scripts/docs.test.ts")).toBe(false);
    expect(formatDocProblems(checkDocs(handoutDocs(h)))).toBe("");
  });

  it("would show a link to a page it does not ship", () => {
    const h = assembleHandout({ root: ROOT, labs: [3] }, (path, content) =>
      path === "docs/debugging.md" ? Buffer.from(content.toString() + "\nSee [the course kit](instructors.md).\n") : content,
    );
    expect(formatDocProblems(checkDocs(handoutDocs(h)))).toMatch(/^docs\/debugging\.md:\d+: link "instructors\.md" names docs\/instructors\.md, which does not exist$/);
  });

  it("describes the lab's contract: its pages leave out the maintainers' passages about the reference and name no solution-only file", () => {
    const h = assembleHandout({ root: ROOT, labs: [2, 3, 4, 5] });
    const solutionOnly = [...course.solutionOnly.keys()];
    for (const page of [...docsOf(h), "README.md"]) {
      const text = h.files.get(page)!.toString();
      expect(text, page).not.toContain("not in handouts -->");
      expect(docProblems(page, text, solutionOnly), page).toEqual([]);
    }
    // In the repository, the same pages keep them.
    expect(readFileSync(resolve(ROOT, "docs/finding-bugs.md"), "utf8")).toContain("<!-- not in handouts -->\n## The harness's own mutation score");
    expect(h.files.get("docs/finding-bugs.md")!.toString()).not.toContain("npm run mutants");
  });

  it("fails the build on a shipped line that names a solution-only file or speaks of the reference", () => {
    const plant = (line: string) => () =>
      assembleHandout({ root: ROOT, labs: [3] }, (path, content) => (path === "docs/debugging.md" ? Buffer.from(content.toString() + `\n${line}\n`) : content));
    expect(plant("The vote check lives in `src/raft/rules.ts`.")).toThrow(/docs\/debugging\.md:\d+ names the solution-only file src\/raft\/rules\.ts: describe the lab's contract instead/);
    expect(plant("The reference leader resends at the next heartbeat.")).toThrow(/docs\/debugging\.md:\d+ speaks of the reference \("The reference"\)/);
    expect(plant("Strings cross labrpc by reference.")).not.toThrow();
  });

  it("strips `not in handouts` blocks and refuses unmatched markers", () => {
    expect(handoutPage("a\n<!-- not in handouts -->\nb\n<!-- /not in handouts -->\n\nc\n", "x.md")).toBe("a\n\nc\n");
    expect(() => handoutPage("a\n<!-- not in handouts -->\nb\n", "x.md")).toThrow(/x\.md: "<!-- not in handouts -->" is never closed/);
    expect(() => handoutPage("a\n<!-- /not in handouts -->\n", "x.md")).toThrow(/without its/);
  });

  it("treats a page of docs/ that studentDocs does not list as the instructors'", () => {
    const c = classify(miniRepo({}));
    expect(c.harness).toContain("docs/student.md");
    expect(c.instructorOnly).toContain("docs/staff.md");
    expect(c.harness).not.toContain("docs/staff.md");
  });

  it("refuses a page listed for students that instructorOnly also selects", () => {
    expect(() => classify(miniRepo({ instructorOnly: ["course/**", "docs/**"] }))).toThrow(/docs\/student\.md is in "studentDocs" and matches "instructorOnly" of course\/course\.json: pick one/);
  });

  it("refuses a studentDocs entry outside docs/", () => {
    expect(() => classify(miniRepo({ studentDocs: { all: ["README.md"] } }))).toThrow(/studentDocs\.all must be a list of paths under docs\//);
  });
});
