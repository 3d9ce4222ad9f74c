/**
 * The dependency rules (`.dependency-cruiser.cjs`, `npm run check:deps`) are shown to fail: each
 * case builds a tiny tree with the repository's folder names in a temp folder, adds one forbidden
 * import, and runs dependency-cruiser on it with the repository's configuration.
 */
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { TempDirs, writeTree } from "./lib/temp-tree.js";

const ROOT = resolve(import.meta.dirname, "..");
const CONFIG = join(ROOT, ".dependency-cruiser.cjs");
const DEPCRUISE = join(ROOT, "node_modules/.bin/depcruise");

const temps = new TempDirs("raftlab-deps-");
afterEach(() => temps.removeAll());

/** Writes `files` (path → source) into a fresh folder and runs the rules on its `src`. */
function cruise(files: Record<string, string>): { code: number | null; out: string } {
  const dir = temps.make();
  writeTree(dir, { "tsconfig.json": JSON.stringify({ compilerOptions: { module: "nodenext", moduleResolution: "nodenext", strict: true } }), ...files });
  const r = spawnSync(DEPCRUISE, ["--config", CONFIG, "src"], { cwd: dir, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
}

/** A small tree that follows the rules. */
const CLEAN = {
  "src/runtime/index.ts": "export const now = (): number => 0;\n",
  "src/sim/index.ts": 'import { now } from "../runtime/index.js";\nexport const t = now();\n',
  "src/labrpc/network.ts": 'import { t } from "../sim/index.js";\nexport const n = t;\n',
  "src/raft/raft.ts": 'import { now } from "../runtime/index.js";\nimport { n } from "../labrpc/network.js";\nexport const r = now() + n;\n',
  "src/kvraft/server.ts": 'import { r } from "../raft/raft.js";\nexport const kv = r;\n',
};

describe("npm run check:deps", () => {
  it("passes a tree that follows the rules", () => {
    const { code, out } = cruise(CLEAN);
    expect(out).toContain("no dependency violations found");
    expect(code).toBe(0);
  });

  it("fails when the simulation kernel imports the network, naming the import", () => {
    const { code, out } = cruise({ ...CLEAN, "src/sim/bad.ts": 'import { n } from "../labrpc/network.js";\nexport const b = n;\n' });
    expect(code).not.toBe(0);
    expect(out).toContain("sim-knows-no-network-or-protocol: src/sim/bad.ts → src/labrpc/network.ts");
  });

  it("fails when the student's code imports the simulation instead of the runtime API", () => {
    const { code, out } = cruise({ ...CLEAN, "src/raft/raft.ts": 'import { t } from "../sim/index.js";\nexport const r = t;\n' });
    expect(code).not.toBe(0);
    expect(out).toContain("student-code-sees-only-the-runtime: src/raft/raft.ts → src/sim/index.ts");
  });

  it("applies to any file a student adds to a lab folder (the student's files come from course/labs.json), and to the lab's API", () => {
    const added = cruise({ ...CLEAN, "src/kvraft/my-table.ts": 'import { t } from "../sim/index.js";\nexport const d = t;\n' });
    expect(added.code).not.toBe(0);
    expect(added.out).toContain("student-code-sees-only-the-runtime: src/kvraft/my-table.ts → src/sim/index.ts");
    const api = cruise({ ...CLEAN, "src/tester/failure.ts": "export const f = 1;\n", "src/raft/api.ts": 'import { f } from "../tester/failure.js";\nexport const a = f;\n' });
    expect(api.code).not.toBe(0);
    expect(api.out).toContain("lab-api-sees-only-the-runtime: src/raft/api.ts → src/tester/failure.ts");
  });

  it("lets the student's code use the lab's API and the persister, not the lab's tester", () => {
    const api = {
      "src/tester/persister.ts": "export class Persister {}\n",
      "src/raft/persister.ts": 'export { Persister } from "../tester/persister.js";\n',
      "src/raft/api.ts": 'import type { Persister } from "./persister.js";\nexport interface Raft { p?: Persister }\n',
    };
    const ok = cruise({ ...CLEAN, ...api, "src/raft/raft.ts": 'import type { Raft } from "./api.js";\nimport { Persister } from "./persister.js";\nexport const r: Raft = { p: new Persister() };\n' });
    expect(ok.out).toContain("no dependency violations found");
    expect(ok.code).toBe(0);
    const tester = cruise({ ...CLEAN, ...api, "src/raft/tester.ts": "export const cfg = 1;\n", "src/raft/raft.ts": 'import { cfg } from "./tester.js";\nexport const r = cfg;\n' });
    expect(tester.code).not.toBe(0);
    expect(tester.out).toContain("student-code-does-not-import-the-lab-testers: src/raft/raft.ts → src/raft/tester.ts");
  });

  it("fails when Raft imports the KV service", () => {
    const { code, out } = cruise({ ...CLEAN, "src/raft/helper.ts": 'import { kv } from "../kvraft/server.js";\nexport const l = kv;\n' });
    expect(code).not.toBe(0);
    expect(out).toContain("raft-knows-no-kv: src/raft/helper.ts → src/kvraft/server.ts");
  });

  it("fails when a lab imports the exploration tools, or the shared tester imports a lab (the lab folders come from course/labs.json)", () => {
    const explore = { "src/explore/nemesis.ts": "export const nemesis = 1;\n" };
    const lab = cruise({ ...CLEAN, ...explore, "src/kvsrv/config.ts": 'import { nemesis } from "../explore/nemesis.js";\nexport const c = nemesis;\n' });
    expect(lab.code).not.toBe(0);
    expect(lab.out).toContain("labs-do-not-import-explore: src/kvsrv/config.ts → src/explore/nemesis.ts");
    // A kept test (written by explore's shrinking among the student's files) replays a scenario: it may.
    const kept = cruise({ ...CLEAN, ...explore, "src/raft/kept/ExploreRaft3C_seed4_shrunk.test.ts": 'import { nemesis } from "../../explore/nemesis.js";\nexport const k = nemesis;\n' });
    expect(kept.out).toContain("no dependency violations found");
    const notKept = cruise({ ...CLEAN, ...explore, "src/raft/peek.test.ts": 'import { nemesis } from "../explore/nemesis.js";\nexport const k = nemesis;\n' });
    expect(notKept.out).toContain("labs-do-not-import-explore: src/raft/peek.test.ts → src/explore/nemesis.ts");
    const tester = cruise({ ...CLEAN, "src/tester/server-group.ts": 'import { r } from "../raft/raft.js";\nexport const g = r;\n' });
    expect(tester.code).not.toBe(0);
    expect(tester.out).toContain("tester-imports-no-lab: src/tester/server-group.ts → src/raft/raft.ts");
    const monitors = cruise({ ...CLEAN, "src/monitors/attach.ts": 'import { r } from "../raft/raft.js";\nexport const m = r;\n' });
    expect(monitors.code).not.toBe(0);
    expect(monitors.out).toContain("monitors-see-only-the-lab-apis: src/monitors/attach.ts → src/raft/raft.ts");
  });

  it("fails on an import cycle, even through type-only imports", () => {
    const { code, out } = cruise({
      ...CLEAN,
      "src/labrpc/a.ts": 'import type { B } from "./b.js";\nexport type A = { b?: B };\n',
      "src/labrpc/b.ts": 'import type { A } from "./a.js";\nexport type B = { a?: A };\n',
    });
    expect(code).not.toBe(0);
    expect(out).toMatch(/no-circular: src\/labrpc\/(a|b)\.ts/);
  });
});
