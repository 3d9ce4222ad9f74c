/**
 * A handout ships the students' documentation and none of the instructors': the pages of docs/
 * that `studentDocs` of course/course.json lists (a lab's pages only with that lab), and every link
 * of the handout's README and pages resolves inside the handout.
 */
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { assembleHandout, type Handout } from "./lib/course/build-handout.js";
import { loadCourse } from "./lib/course/config.js";
import { checkDocs, formatDocProblems, type DocTree } from "./lib/doc-links.js";

const ROOT = resolve(import.meta.dirname, "..");

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

  it("of both labs has every student page and no instructor page, and its links resolve", () => {
    const h = assembleHandout({ root: ROOT, labs: [3, 4] });
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
});
