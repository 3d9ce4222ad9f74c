/**
 * The documentation's links hold: every relative link and anchor of README.md and docs/*.md
 * resolves inside the repository, every `npm run <script>` named there is a script of package.json,
 * and every script of package.json is documented. The checker is shown to fail on planted bad
 * inputs, in a copy of the repository's documents and as pure functions.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  checkDocs,
  docTreeFromFolder,
  formatDocProblems,
  githubSlug,
  headingAnchors,
  markdownLinks,
  npmRunNames,
  undocumentedScripts,
  type DocTree,
} from "./lib/doc-links.js";
import { TempDirs } from "./lib/temp-tree.js";

const ROOT = resolve(import.meta.dirname, "..");
const temps = new TempDirs("raftlab-docs-");
afterEach(() => temps.removeAll());

/** A copy of the documents, package.json and the files they link to, in a temp folder. */
function copyOfDocs(): string {
  const dir = temps.make();
  cpSync(join(ROOT, "docs"), join(dir, "docs"), { recursive: true });
  cpSync(join(ROOT, "README.md"), join(dir, "README.md"));
  cpSync(join(ROOT, "package.json"), join(dir, "package.json"));
  // Everything else a document links to.
  const tree = docTreeFromFolder(ROOT);
  for (const [file, text] of tree.docs) {
    for (const { target } of markdownLinks(text)) {
      const path = target.split("#")[0]!;
      if (path === "" || /^[a-z]+:/i.test(path)) continue;
      const to = join(dir, file, "..", path);
      if (existsSync(to)) continue;
      mkdirSync(join(to, ".."), { recursive: true });
      try {
        cpSync(join(ROOT, file, "..", path), to, { recursive: true });
      } catch {
        // a broken link: the check below reports it
      }
    }
  }
  return dir;
}

describe("the repository's documentation", () => {
  const tree = docTreeFromFolder(ROOT);

  it("has a short README and the pages it links to", () => {
    const readme = tree.docs.get("README.md")!;
    expect(readme.split("\n").length).toBeLessThanOrEqual(260);
    expect(tree.docs.size).toBeGreaterThan(10);
  });

  it("has no broken relative link or anchor, and names only scripts that exist", () => {
    expect(formatDocProblems(checkDocs(tree))).toBe("");
  });

  it("documents every script of package.json", () => {
    expect(undocumentedScripts(tree.scripts!, tree.docs)).toEqual([]);
  });

  it("fails on a broken link planted in a copy", () => {
    const dir = copyOfDocs();
    expect(formatDocProblems(checkDocs(docTreeFromFolder(dir)))).toBe(""); // the copy is clean
    const page = join(dir, "docs/labrpc.md");
    writeFileSync(page, readFileSync(page, "utf8") + "\nSee [the missing page](missing-page.md) and [a bad anchor](seeds-and-replay.md#no-such-heading).\n");
    const problems = formatDocProblems(checkDocs(docTreeFromFolder(dir)));
    expect(problems).toMatch(/docs\/labrpc\.md:\d+: link "missing-page\.md" names docs\/missing-page\.md, which does not exist/);
    expect(problems).toMatch(/docs\/labrpc\.md:\d+: link "seeds-and-replay\.md#no-such-heading": docs\/seeds-and-replay\.md has no heading/);
  });

  it("fails on an unknown script and on an undocumented one planted in a copy", () => {
    const dir = copyOfDocs();
    const before = docTreeFromFolder(dir);
    const undocumentedBefore = undocumentedScripts(before.scripts!, before.docs);
    writeFileSync(join(dir, "README.md"), readFileSync(join(dir, "README.md"), "utf8") + "\nRun `npm run no-such-script -- -n 3`.\n");
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { scripts: Record<string, string> };
    pkg.scripts["secret"] = "tsx scripts/secret.ts";
    writeFileSync(join(dir, "package.json"), JSON.stringify(pkg));
    const t = docTreeFromFolder(dir);
    expect(formatDocProblems(checkDocs(t))).toMatch(/README\.md:\d+: "npm run no-such-script": package\.json has no script "no-such-script"/);
    expect(undocumentedScripts(t.scripts!, t.docs)).toEqual([...undocumentedBefore, "secret"]);
  });
});

describe("the checker", () => {
  const tree = (docs: Record<string, string>, files: string[] = [], scripts: string[] = []): DocTree => ({
    docs: new Map(Object.entries(docs)),
    exists: (p) => p in docs || files.includes(p),
    read: () => undefined,
    scripts: new Set(scripts),
  });

  it("makes GitHub's anchors", () => {
    expect(githubSlug("Raft (3A-3D)")).toBe("raft-3a-3d");
    expect(githubSlug("`npm run explore`: adversarial runs beyond the faithful tests")).toBe("npm-run-explore-adversarial-runs-beyond-the-faithful-tests");
    expect(githubSlug("For instructors: handout, grading, Gradescope")).toBe("for-instructors-handout-grading-gradescope");
    expect(githubSlug("A [linked](x.md) heading_with_underscores")).toBe("a-linked-heading_with_underscores");
    expect([...headingAnchors("# Tests\n## Tests\n```\n# not a heading\n```\n### Tests ##\n")]).toEqual(["tests", "tests-1", "tests-2"]);
  });

  it("ignores links and headings in code", () => {
    expect(markdownLinks("`[a](b.md)`\n```\n[c](d.md)\n```\n[e](f.md \"title\")\n[ref]: g.md\n").map((l) => l.target)).toEqual(["f.md", "g.md"]);
    expect(npmRunNames("```\nnpm run stress -- 3A\n```\n`npm run test:3A`.").map((n) => n.name)).toEqual(["stress", "test:3A"]);
  });

  it("reports a missing file, a missing anchor, a link out of the tree, an absolute link and an unknown script", () => {
    const problems = checkDocs(
      tree(
        {
          "README.md": "# Top\n[ok](docs/a.md#a-page) [ok](#top) [web](https://example.com/x#y)\n[gone](docs/b.md)\n[bad](docs/a.md#nope)\n[out](../outside/x.md)\n[abs](/etc/passwd)\n`npm run nope`\n",
          "docs/a.md": "# A page\n[back](../README.md#top) [self](#a-page)\n",
        },
        [],
        ["test"],
      ),
    );
    expect(problems.map((p) => `${p.file}:${p.line}`)).toEqual(["README.md:3", "README.md:4", "README.md:5", "README.md:6", "README.md:7"]);
    expect(problems[2]!.message).toMatch(/outside the repository/);
  });

  it("takes `test:3X` for the part scripts of Lab 3, if there are any", () => {
    const t = tree({ "README.md": "`npm run test:3X` and `npm run test:9X`\n" }, [], ["test:3A", "test:3B"]);
    expect(formatDocProblems(checkDocs(t))).toBe('README.md:1: "npm run test:9X": package.json has no script "test:9X"');
  });

  it("counts a lifecycle hook as documented when its name is quoted", () => {
    const docs = new Map([["README.md", "`npm test` runs `pretest` first; `npm run build` compiles."]]);
    expect(undocumentedScripts(new Set(["test", "pretest", "build", "prepare", "bench"]), docs)).toEqual(["prepare", "bench"]);
  });
});
