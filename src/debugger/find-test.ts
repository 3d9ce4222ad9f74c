/**
 * Finds a simulated test by name for `npm run debug`: the lab tests (`simTest("TestBackup3B", …)`),
 * the explore scenarios (run in explore mode, with their fault plan), and kept tests
 * (`it("…_shrunk", …)` under src/raft/kept or src/kvraft/kept, or any test file that names it).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/** A test the debugger can run. */
export interface TestTarget {
  /** The test's name and what vitest's -t matches. */
  readonly name: string;
  readonly fullName: string;
  /** The file, relative to the repository's root. */
  readonly file: string;
  /** Run in explore mode (a scenario, or a lab test under the nemesis). */
  readonly explore: boolean;
}

/** Test files under `dir` (relative to `root`), skipping node_modules and browser and cluster tests. */
function testFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(join(root, dir));
  } catch {
    return out;
  }
  for (const name of names) {
    if (name === "node_modules") continue;
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) out.push(...testFiles(root, path));
    else if (/\.test\.ts$/.test(name) && !/\.(browser|cluster)\.test\.ts$/.test(name)) out.push(path);
  }
  return out;
}

/**
 * The explore scenarios' names, each with the test file that registers it, read from the lab's
 * scenario modules (`src/explore/scenarios/<lab>-scenarios.ts`, registered by
 * `src/explore/<lab>-scenarios.explore.test.ts`) as text, so this module loads no lab code.
 */
function scenarioFiles(root: string): Map<string, string> {
  const found = new Map<string, string>();
  const dir = join(root, "src/explore/scenarios");
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return found;
  }
  for (const module of names) {
    const lab = /^(\w+)-scenarios\.ts$/.exec(module)?.[1];
    if (lab === undefined) continue;
    const text = readFileSync(join(dir, module), "utf8");
    for (const m of text.matchAll(/^\s+(Explore\w+):/gm)) found.set(m[1]!, `src/explore/${lab}-scenarios.explore.test.ts`);
  }
  return found;
}

function scenarioNames(root: string): string[] {
  return [...scenarioFiles(root).keys()];
}

/**
 * The test called `name` (exactly), searched under `root`'s src folder, or in `file` if given. Throws
 * an error naming close matches when there is none, or the files when there are several.
 */
export function findTest(root: string, name: string, options: { file?: string; explore?: boolean } = {}): TestTarget {
  const scenarioFile = scenarioFiles(root).get(name);
  if (scenarioFile !== undefined) return { name, fullName: name, file: scenarioFile, explore: true };
  const files = options.file !== undefined ? [relative(root, join(root, options.file))] : testFiles(root, "src");
  const quoted = JSON.stringify(name);
  const hits = files.filter((f) => {
    const text = readFileSync(join(root, f), "utf8");
    return text.includes(`simTest(${quoted}`) || text.includes(`it(${quoted}`);
  });
  if (hits.length === 1) return { name, fullName: name, file: hits[0]!, explore: options.explore === true };
  if (hits.length > 1) {
    throw new Error(`more than one test file declares ${name}: ${hits.join(", ")}; choose one with --file`);
  }
  const all = files.flatMap((f) => [...readFileSync(join(root, f), "utf8").matchAll(/(?:simTest|it)\("([^"]+)"/g)].map((m) => m[1]!));
  const lower = name.toLowerCase();
  const close = [...new Set([...all, ...scenarioNames(root)])].filter((n) => n.toLowerCase().includes(lower) || lower.includes(n.toLowerCase())).slice(0, 8);
  throw new Error(
    `no simulated test called ${name}${options.file !== undefined ? ` in ${options.file}` : " under src"}` +
      (close.length > 0 ? `; did you mean ${close.join(", ")}?` : "; give the exact name, e.g. TestBackup3B or ExploreRaftPersistence3C"),
  );
}
