/**
 * The mutation catalog stays planted-able, and its fast subset is caught: each fast mutant is
 * planted in a scratch copy of the repository and its part's explore scenario runs there (in a
 * child process, the copy's own code) until a run fails with the check the catalog names. One
 * mutant per safety property, so each monitor is shown to catch a real bug end to end.
 * (`npm run mutants` runs the whole catalog, with the lab tests too.)
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { RAFT_SCENARIO_NAMES, type RaftPart } from "../scenarios/aims.js";
import { SCENARIOS, scenarioFile } from "../scenarios/index.js";
import { MUTANTS, type Mutant } from "./catalog.js";
import { applyMutant, plantInScratch, removeScratch } from "./plant.js";

const ROOT = resolve(import.meta.dirname, "../../..");

/** The explore scenario of a mutant's part, or the targeted one its fast entry names. */
function scenarioOf(m: Mutant): string {
  if (m.fast?.scenario !== undefined && !m.fast.scenario.endsWith(m.part)) throw new Error(`${m.id}: ${m.fast.scenario} is not a scenario of part ${m.part}`);
  const name = m.fast?.scenario !== undefined ? m.fast.scenario : m.part === "2" ? "ExploreKVServer2" : m.part.startsWith("3") ? RAFT_SCENARIO_NAMES[m.part as RaftPart] : `ExploreKV${m.part}`;
  if (SCENARIOS[name] === undefined) throw new Error(`no scenario ${name}`);
  return name;
}

/** Runs `scenario` with seeds 1..seeds in the scratch copy `dir` until a run fails with `check`; returns the failures seen. */
function runInScratch(dir: string, scenario: string, seeds: number, check: string): { seed: number; first: string }[] {
  const script = join(dir, "fast-mutant.mts");
  writeFileSync(
    script,
    `import { runTarget } from "./scripts/lib/explore-runs.js";
const seen = [];
for (let seed = 1; seed <= ${seeds}; seed++) {
  const r = await runTarget({ file: ${JSON.stringify(scenarioFile(scenario))}, test: ${JSON.stringify(scenario)}, seed });
  if (r.ok) continue;
  const first = (r.error ?? "").split("\\n", 1)[0];
  seen.push({ seed, first });
  if (first.startsWith(${JSON.stringify(check)})) break;
}
console.log("RESULT " + JSON.stringify(seen));
`,
  );
  const r = spawnSync(join(dir, "node_modules/.bin/tsx"), [script], { cwd: dir, encoding: "utf8", timeout: 120_000, env: { ...process.env, NO_COLOR: "1" } });
  const line = (r.stdout ?? "").split("\n").find((l) => l.startsWith("RESULT "));
  if (line === undefined) throw new Error(`the scratch run printed no result:\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(line.slice("RESULT ".length)) as { seed: number; first: string }[];
}

describe("the mutation catalog", () => {
  it("has at least 12 mutants with unique ids, and every search text names exactly one place in today's sources", () => {
    expect(MUTANTS.length).toBeGreaterThanOrEqual(12);
    expect(new Set(MUTANTS.map((m) => m.id)).size).toBe(MUTANTS.length);
    // A tree without the student-style Raft (a handout) checks the reference's mutants only.
    for (const m of MUTANTS.filter((x) => x.implementation !== "student-style" || existsSync(join(ROOT, x.file)))) {
      const text = readFileSync(join(ROOT, m.file), "utf8");
      expect(() => applyMutant(text, m), m.id).not.toThrow();
      expect(applyMutant(text, m), m.id).not.toBe(text);
    }
  });

  it("refuses a search text that is missing or ambiguous, naming the mutant and the fix", () => {
    const m = MUTANTS[0]!;
    expect(() => applyMutant("nothing here", m)).toThrow(`mutant ${m.id}: its search text is not in ${m.file} any more; update src/explore/mutants/catalog.ts to the code`);
    expect(() => applyMutant(m.search + m.search, m)).toThrow(`mutant ${m.id}: its search text occurs more than once in ${m.file}`);
  });

  for (const m of MUTANTS.filter((x) => x.fast !== undefined)) {
    it(`catches ${m.id} (${m.part}) with "${m.fast!.check}" within ${m.fast!.seeds} seeds of ${scenarioOf(m)}`, () => {
      const dir = plantInScratch(ROOT, m);
      try {
        const seen = runInScratch(dir, scenarioOf(m), m.fast!.seeds, m.fast!.check);
        expect(seen.some((f) => f.first.startsWith(m.fast!.check)), JSON.stringify(seen)).toBe(true);
      } finally {
        removeScratch(dir);
      }
    });
  }
});
