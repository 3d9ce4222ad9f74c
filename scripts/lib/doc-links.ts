/**
 * Checks of the Markdown documentation (README.md and docs/*.md, in the repository or in a
 * handout): every relative link names a file that exists inside the tree, every `#anchor` names a
 * heading of its page (GitHub's anchor slugs), every `npm run <script>` names a script of
 * package.json, and every script of package.json is documented somewhere.
 *
 * Pure functions over an in-memory tree (path → text), so the same checks run on the repository,
 * on a handout assembled in memory, and on planted bad inputs in tests.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, posix } from "node:path";

/** One problem found, with the file and line it is on. */
export interface DocProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** The tree the documents live in. */
export interface DocTree {
  /** The documents to check: path relative to the root (`README.md`, `docs/labrpc.md`) → Markdown. */
  readonly docs: ReadonlyMap<string, string>;
  /** Whether a path relative to the root names a file or folder of the tree. */
  readonly exists: (path: string) => boolean;
  /** Text of any Markdown file of the tree a link may point into (for its anchors); undefined if none. */
  readonly read: (path: string) => string | undefined;
  /** The scripts of the tree's package.json; undefined: script names are not checked. */
  readonly scripts: ReadonlySet<string> | undefined;
}

/**
 * GitHub's anchor of a heading: Markdown markup and punctuation removed (letters, digits, spaces,
 * `-` and `_` kept), lower case, spaces turned into `-`.
 */
export function githubSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // a link's text stays, its target goes
    .replace(/<[^>]+>/g, ""); // inline HTML
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, "")
    .replace(/ /g, "-");
}

/** Lines of `markdown` with those inside fenced code blocks marked (links and headings there are code). */
function linesOf(markdown: string): { text: string; line: number; code: boolean }[] {
  const out: { text: string; line: number; code: boolean }[] = [];
  let fence: string | undefined;
  for (const [i, text] of markdown.split("\n").entries()) {
    const m = /^\s*(```+|~~~+)/.exec(text);
    if (m !== null) {
      const mark = m[1]!;
      if (fence === undefined) fence = mark;
      else if (mark[0] === fence[0] && mark.length >= fence.length) fence = undefined;
      out.push({ text, line: i + 1, code: true });
      continue;
    }
    out.push({ text, line: i + 1, code: fence !== undefined });
  }
  return out;
}

/** The anchors of a page's headings, as GitHub makes them (the second "Tests" is `tests-1`). */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text, code } of linesOf(markdown)) {
    if (code) continue;
    const m = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    if (m === null) continue;
    const base = githubSlug(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  for (const m of markdown.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(m[1]!);
  return anchors;
}

/** Inline links and images (`[text](target)`) and reference definitions, outside code. */
export function markdownLinks(markdown: string): { target: string; line: number }[] {
  const links: { target: string; line: number }[] = [];
  for (const { text, line, code } of linesOf(markdown)) {
    if (code) continue;
    const prose = text.replace(/(`+)[\s\S]*?\1/g, ""); // inline code is not a link
    for (const m of prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ target: m[1]!, line });
    const def = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/.exec(prose);
    if (def !== null) links.push({ target: def[1]!, line });
  }
  return links;
}

/** Every `npm run <script>` in `markdown`, code included (that is where commands are shown). */
export function npmRunNames(markdown: string): { name: string; line: number }[] {
  const names: { name: string; line: number }[] = [];
  for (const [i, text] of markdown.split("\n").entries()) {
    for (const m of text.matchAll(/\bnpm run(?:-script)?\s+([A-Za-z0-9][\w:.-]*)/g)) {
      names.push({ name: m[1]!.replace(/[.:]+$/, ""), line: i + 1 });
    }
  }
  return names;
}

/**
 * Whether `name` is a script, or a pattern of scripts: an `X` after a digit stands for any part
 * letter (`test:3X` for `test:3A`, `test:3B`, ...) when some script matches it.
 */
function scriptExists(name: string, scripts: ReadonlySet<string>): boolean {
  if (scripts.has(name)) return true;
  if (!/\dX/.test(name)) return false;
  const pattern = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/(\d)X/g, "$1[A-Z]")}$`);
  return [...scripts].some((s) => pattern.test(s));
}

/** Whether a link target leaves the tree for the web (or mail). */
function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//");
}

/**
 * Every broken link, anchor or script name in `tree.docs`. A relative link must resolve inside the
 * tree (no `..` out of it) to an existing file or folder; an anchor must be a heading of the page it
 * names (the same page for `#anchor`).
 */
export function checkDocs(tree: DocTree): DocProblem[] {
  const problems: DocProblem[] = [];
  const anchorsCache = new Map<string, Set<string> | undefined>();
  const anchorsOf = (path: string): Set<string> | undefined => {
    if (!anchorsCache.has(path)) {
      const text = tree.docs.get(path) ?? tree.read(path);
      anchorsCache.set(path, text === undefined ? undefined : headingAnchors(text));
    }
    return anchorsCache.get(path);
  };
  for (const [file, markdown] of tree.docs) {
    for (const { target, line } of markdownLinks(markdown)) {
      if (isExternal(target)) continue;
      const at = (message: string): void => void problems.push({ file, line, message });
      const hash = target.indexOf("#");
      const pathPart = decodeURI(hash === -1 ? target : target.slice(0, hash));
      const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
      let resolved = file;
      if (pathPart !== "") {
        if (pathPart.startsWith("/")) {
          at(`link "${target}" is absolute: write it relative to ${file}`);
          continue;
        }
        resolved = posix.normalize(posix.join(posix.dirname(file), pathPart)).replace(/\/$/, "");
        if (resolved === ".." || resolved.startsWith("../")) {
          at(`link "${target}" points outside the repository (${resolved}): the repository stands alone`);
          continue;
        }
        if (!tree.exists(resolved)) {
          at(`link "${target}" names ${resolved}, which does not exist`);
          continue;
        }
      }
      if (anchor !== undefined && anchor !== "") {
        if (!resolved.endsWith(".md")) continue; // anchors into code files (#L10) are GitHub's, not ours
        const anchors = anchorsOf(resolved);
        if (anchors !== undefined && !anchors.has(anchor)) {
          const near = [...anchors].filter((a) => a.includes(anchor) || anchor.includes(a)).slice(0, 3);
          at(`link "${target}": ${resolved} has no heading with the anchor #${anchor}${near.length > 0 ? ` (did you mean #${near.join(", #")}?)` : ""}`);
        }
      }
    }
    if (tree.scripts === undefined) continue;
    for (const { name, line } of npmRunNames(markdown)) {
      if (!scriptExists(name, tree.scripts)) problems.push({ file, line, message: `"npm run ${name}": package.json has no script "${name}"` });
    }
  }
  return problems;
}

/**
 * Scripts of package.json that no document mentions: `npm run <name>` (or `npm test`, `npm start`),
 * or, for a lifecycle hook (`prepare`, `pretest`, `pre<script>`), its name in backquotes.
 */
export function undocumentedScripts(scripts: ReadonlySet<string>, docs: ReadonlyMap<string, string>): string[] {
  const all = [...docs.values()].join("\n");
  const run = new Set(npmRunNames(all).map((n) => n.name));
  return [...scripts].filter((name) => {
    if (run.has(name)) return false;
    if ((name === "test" || name === "start") && new RegExp(`\\bnpm ${name}\\b`).test(all)) return false;
    const hook = name === "prepare" || /^(pre|post)/.test(name);
    return !(hook && all.includes("`" + name + "`"));
  });
}

/** One line per problem: `file:line: message`. */
export function formatDocProblems(problems: readonly DocProblem[]): string {
  return problems.map((p) => `${p.file}:${p.line}: ${p.message}`).join("\n");
}

/** The documents of the folder `root` (README.md and docs/*.md), with its files and package.json scripts. */
export function docTreeFromFolder(root: string): DocTree {
  const docs = new Map<string, string>();
  if (existsSync(join(root, "README.md"))) docs.set("README.md", readFileSync(join(root, "README.md"), "utf8"));
  const docsDir = join(root, "docs");
  if (existsSync(docsDir)) {
    for (const f of readdirSync(docsDir).sort()) if (f.endsWith(".md")) docs.set(`docs/${f}`, readFileSync(join(docsDir, f), "utf8"));
  }
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts?: Record<string, string> };
  return {
    docs,
    exists: (path) => existsSync(join(root, path)),
    read: (path) => (path.endsWith(".md") && existsSync(join(root, path)) ? readFileSync(join(root, path), "utf8") : undefined),
    scripts: new Set(Object.keys(pkg.scripts ?? {})),
  };
}
