/**
 * The course kit's handout side: the classification of files, the manifest, the handout's
 * contents, the leak check (clean on the real skeletons, failing on planted leaks), and the drift
 * check between skeletons and reference (names, signatures, and the handout's tree type-checking).
 */
import { execFile } from "node:child_process";
import { cpSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { unzipSync } from "fflate";
import { parseCli as parseHandoutCli } from "./handout.js";
import { autograderParts, buildAutograder, runAutograderFor } from "./lib/course/autograder.js";
import { HandoutError, assembleHandout, studentReadme, writeHandout } from "./lib/course/build-handout.js";
import { CourseConfigError, classify } from "./lib/course/config.js";
import { checkDrift } from "./lib/course/drift.js";
import { codeLines, findLeaks, isTrivial } from "./lib/course/leak-check.js";
import { typecheck } from "./lib/grade-tree.js";
import { ManifestError, parseManifest, relativeImports, selectLabs, studentOwned, withoutLabs } from "./lib/handout-manifest.js";
import { loadManifest, loadRegistry, parseRegistry } from "./lib/labs-registry.js";
import { TempDirs, writeTree } from "./lib/temp-tree.js";

const ROOT = resolve(import.meta.dirname, "..");
const temps = new TempDirs("raftlab-course-");
afterEach(() => temps.removeAll());
const temp = (): string => temps.make();
const read = (p: string): string => readFileSync(join(ROOT, p), "utf8");

/** Runs a script with tsx in `cwd`: exit code and output. */
function tsxRun(cwd: string, args: readonly string[]): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    execFile(join(cwd, "node_modules/.bin/tsx"), [...args], { cwd, env: { ...process.env, NO_COLOR: "1" }, timeout: 100_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, out: stdout + stderr });
    });
  });
}

describe("classification of this repository", () => {
  it("accounts for every file the student patterns select: a skeleton or solution-only, nothing else", () => {
    const c = classify(ROOT);
    const owned = studentOwned(c.manifest);
    expect(c.solution).toEqual(c.files.filter(owned));
    expect([...c.skeletons.keys()].sort()).toEqual(
      [
        "src/kvraft/client.ts", "src/kvraft/common.ts", "src/kvraft/index.ts", "src/kvraft/server.ts",
        "src/kvsrv/client.ts", "src/kvsrv/common.ts", "src/kvsrv/index.ts", "src/kvsrv/server.ts",
        "src/raft/index.ts", "src/raft/raft.ts", "src/raft/rpc-types.ts",
        "src/shardctrler/client.ts", "src/shardctrler/common.ts", "src/shardctrler/index.ts", "src/shardctrler/server.ts",
        "src/shardkv/client.ts", "src/shardkv/common.ts", "src/shardkv/index.ts", "src/shardkv/server.ts",
      ],
    );
    for (const f of c.solution) expect(c.skeletons.has(f) || c.course.solutionOnly.has(f)).toBe(true);
    // The tester's files are not the student's.
    for (const f of ["src/raft/tester.ts", "src/raft/api.ts", "src/raft/persister.ts", "src/raft/service.ts", "src/raft/raft-3b.test.ts", "src/kvraft/config.ts", "src/kvraft/cas.test.ts"]) {
      expect(c.harness).toContain(f);
    }
    // ...but a student's own new file would be.
    expect(owned("src/raft/my-helpers.ts")).toBe(true);
    expect(owned("src/kvraft/dedup.ts")).toBe(true);
    expect(owned("src/raft/tester-extra.ts")).toBe(false);
  });

  /** A small course repository: one lab folder with a tester file, a skeleton'd file and the given others. */
  function miniRepo(extra: Record<string, string>, course: Partial<Record<string, unknown>> = {}): string {
    const dir = temp();
    writeTree(dir, {
      "course/labs.json": JSON.stringify({
        format: "raftlab-labs/1",
        labs: [{ lab: 3, title: "Raft", folder: "src/raft", student: { include: ["src/raft/**"], exclude: ["src/raft/tester.ts"] }, parts: [{ part: "3A", files: ["src/raft/raft-3a.test.ts"], tests: { T: 1 } }] }],
      }),
      "course/course.json": JSON.stringify({
        format: "raftlab-course/1",
        skeletons: "course/skeleton",
        studentReadme: "course/student-README.md",
        solutionOnly: [{ path: "src/raft/log.ts", why: "internal" }],
        instructorOnly: ["course/**"],
        instructorScripts: [],
        ...course,
      }),
      "course/skeleton/src/raft/raft.ts": "export const x = 1;\n",
      "src/raft/raft.ts": "export const x = 2;\n",
      "src/raft/log.ts": "export const l = 1;\n",
      "src/raft/tester.ts": "export const t = 1;\n",
      ...extra,
    });
    return dir;
  }

  it("fails naming a new file under a lab folder that is neither skeletoned nor solution-only, and how to fix it", () => {
    expect(() => classify(miniRepo({}))).not.toThrow();
    expect(() => classify(miniRepo({ "src/raft/monitor.ts": "export const m = 1;\n" }))).toThrow(
      /src\/raft\/monitor\.ts is selected by the student patterns .* add it to that lab's "exclude".* "solutionOnly"/s,
    );
  });

  it("fails on a skeleton that would replace a harness file, and on a stale solution-only entry", () => {
    expect(() => classify(miniRepo({ "course/skeleton/src/raft/tester.ts": "export const t = 0;\n" }))).toThrow(/would replace src\/raft\/tester\.ts, which is not student-owned/);
    expect(() => classify(miniRepo({}, { solutionOnly: [{ path: "src/raft/log.ts", why: "x" }, { path: "src/raft/gone.ts", why: "x" }] }))).toThrow(
      /lists src\/raft\/gone\.ts as solution-only, but there is no such file/,
    );
    expect(() => classify(miniRepo({}, { solutionOnly: [{ path: "src/raft/log.ts" }] }))).toThrow(CourseConfigError);
  });
});

describe("the manifest", () => {
  const good = { format: "raftlab-handout/1", labs: [{ lab: 3, title: "Raft", parts: ["3A"], folder: "src/raft", student: { include: ["src/raft/**"], exclude: [] } }] };

  it("rejects bad manifests with the field at fault", () => {
    expect(() => parseManifest("{", "m.json")).toThrow(/m\.json: not valid JSON/);
    expect(() => parseManifest(JSON.stringify({ ...good, format: "x" }), "m.json")).toThrow(/"format" must be "raftlab-handout\/1"/);
    const bad = structuredClone(good) as { labs: { student: { include: string[] } }[] };
    bad.labs[0]!.student.include = ["../src/**"];
    expect(() => parseManifest(JSON.stringify(bad), "m.json")).toThrow(/relative to the root/);
    const needs = structuredClone(good) as unknown as { labs: { needs: number[] }[] };
    needs.labs[0]!.needs = [2];
    expect(() => parseManifest(JSON.stringify(needs), "m.json")).toThrow(/needs lab 2, which the manifest does not list/);
  });

  it("selects labs with what they need, and says what to add", () => {
    const { manifest } = loadManifest(ROOT);
    expect(selectLabs(manifest, [3]).labs.map((l) => l.lab)).toEqual([3]);
    expect(() => selectLabs(manifest, [4])).toThrow(/lab 4 needs lab 3 .* e\.g\. 3,4/);
    expect(() => selectLabs(manifest, [5])).toThrow(ManifestError);
  });

  it("leaving Labs 2, 4 and 5 out drops src/kvsrv, src/kvraft, src/shardctrler, src/shardkv and every file that imports them (demo.ts, real cluster mode, the sharding monitor), and nothing else", () => {
    const c = classify(ROOT);
    const kept = withoutLabs(c.harness, c.manifest, [3], read);
    const dropped = c.harness.filter((f) => !kept.includes(f));
    expect(dropped).toContain("demo.ts");
    expect(dropped).toContain("src/cluster/node.ts"); // imports the Lab 4 barrel, a student file
    // Only Lab 2's, Lab 4's and Lab 5's explore scenarios go: a Lab 3 handout keeps the monitors, Lab 3's
    // scenarios (the grader's explore component runs them), `npm run explore`, shrinking and the grader.
    const explore = (f: string): boolean =>
      [
        "src/explore/scenarios/kv-scenarios.ts",
        "src/explore/scenarios/kv-scenario.ts",
        "src/explore/scenarios/kv-read-scenarios.ts",
        "src/explore/kv-scenarios.explore.test.ts",
        "src/explore/scenarios/kvsrv-scenarios.ts",
        "src/explore/scenarios/kvsrv-scenario.ts",
        "src/explore/kvsrv-scenarios.explore.test.ts",
        "src/explore/scenarios/shardkv-scenarios.ts",
        "src/explore/scenarios/shardkv-scenario.ts",
        "src/explore/shardkv-scenarios.explore.test.ts",
      ].includes(f);
    const expected = (f: string): boolean =>
      f === "demo.ts" || f === "scripts/node.ts" || f.startsWith("src/kvraft/") || f.startsWith("src/kvsrv/") || f.startsWith("src/cluster/") || explore(f) ||
      f.startsWith("src/shardctrler/") || f.startsWith("src/shardkv/") || /^src\/monitors\/(attach-sharding|sharding-monitor)/.test(f);
    expect(kept).toContain("src/monitors/attach.ts");
    for (const f of ["scripts/grade.ts", "scripts/explore.ts", "scripts/lib/explore-runs.ts", "src/explore/scenarios/index.ts", "src/explore/raft-scenarios.explore.test.ts"]) expect(kept).toContain(f);
    expect(dropped.filter((f) => !expected(f))).toEqual([]);
    expect(kept).toContain("src/raft/tester.ts");
  });

  it("reads imports, not examples in comments", () => {
    expect(relativeImports('// import { a } from "./nope.js";\nimport { b } from "./yes.js";\nexport * from "../also.js";\nconst u = "http://x";\nawait import("./dyn.js");\n')).toEqual([
      "./yes.js",
      "../also.js", // outside-path-ok: an import specifier the parser under test returns
      "./dyn.js",
    ]);
  });
});

describe("the handout", () => {
  it("has the harness, the skeletons, its own manifest, README, package.json and grading, and no solution", () => {
    const h = assembleHandout({ root: ROOT, labs: [2, 3, 4, 5] });
    const c = h.classification;
    for (const f of c.harness.filter((f) => !c.instructorOnly.includes(f))) expect(h.files.has(f)).toBe(true);
    for (const [target, skeleton] of c.skeletons) expect(h.files.get(target)?.toString()).toBe(read(skeleton));
    for (const f of c.solution.filter((f) => !c.skeletons.has(f))) expect(h.files.has(f)).toBe(false);
    for (const f of c.instructorOnly.filter((f) => f !== "README.md")) expect(h.files.has(f)).toBe(false);
    // Its manifest selects exactly the skeletons among its files.
    const manifest = parseManifest(h.files.get("handout.json")!.toString(), "handout.json");
    const owned = studentOwned(manifest);
    expect([...h.files.keys()].filter(owned).sort()).toEqual([...c.skeletons.keys()].sort());
    const pkg = JSON.parse(h.files.get("package.json")!.toString()) as { scripts: Record<string, string> };
    expect(pkg.scripts["handout"]).toBeUndefined();
    expect(pkg.scripts["test:course"]).toBeUndefined();
    expect(pkg.scripts["grade"]).toBe("tsx scripts/grade.ts");
    expect(h.files.get("README.md")!.toString()).toContain("## Your files");
    expect(h.leakCheck.checkedLines).toBeGreaterThan(500);
  });

  it("of Lab 3 alone has no Lab 4: no src/kvraft, no demo.ts, no test:4A, no 4A part to grade, no Lab 4 README section", () => {
    const h = assembleHandout({ root: ROOT, labs: [3] });
    expect([...h.files.keys()].some((f) => f.startsWith("src/kvraft/"))).toBe(false);
    expect(h.files.has("demo.ts")).toBe(false);
    const pkg = JSON.parse(h.files.get("package.json")!.toString()) as { scripts: Record<string, string> };
    expect(pkg.scripts["test:4A"]).toBeUndefined();
    expect(pkg.scripts["check:deps"]).not.toContain("demo.ts");
    const registry = parseRegistry(h.files.get("course/labs.json")!.toString(), "course/labs.json");
    expect(registry.parts.map((p) => p.part)).toEqual(["3A", "3B", "3C", "3D", "scenarios"]);
    const readme = h.files.get("README.md")!.toString();
    expect(readme).toContain("**3A, leader election**");
    expect(readme).not.toContain("4A, key/value");
    expect(readme).not.toMatch(/<!-- \/?lab/);
  });

  it("as an autograder archive with --grade 4, grades Lab 4's parts, not those of the lab it builds on", () => {
    const parts = autograderParts(loadRegistry(ROOT).parts, [4]);
    expect(parts).toEqual(["4A", "4B"]);
    expect(autograderParts(loadRegistry(ROOT).parts, undefined)).toEqual([]);
    const zip = join(temp(), "lab4.zip");
    buildAutograder(assembleHandout({ root: ROOT, labs: [3, 4] }), ROOT, zip, parts);
    const files = unzipSync(new Uint8Array(readFileSync(zip)));
    const script = Buffer.from(files["run_autograder"]!).toString();
    expect(script).toMatch(/^PARTS="4A,4B"$/m);
    expect(script).toContain('${PARTS:+--parts "$PARTS"}');
    expect(Object.keys(files)).toContain("src/raft/raft.ts"); // Lab 3's Raft is there, ungraded
    const template = read("course/gradescope/run_autograder");
    expect(runAutograderFor(template, [])).toBe(template);
    expect(() => runAutograderFor("#!/bin/sh\n", ["4A"])).toThrow(/exactly one line PARTS=""/);
    expect(() => runAutograderFor(template, ['4A"; rm -rf /'])).toThrow(/cannot go into run_autograder/);
  });

  it("npm run handout -- --autograder ... --grade 4 says what it grades; --grade needs --autograder and a lab of --labs", async () => {
    const zip = join(temp(), "lab4.zip");
    const r = await tsxRun(ROOT, ["scripts/handout.ts", "--autograder", zip, "--labs", "3,4", "--grade", "4"]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain("it grades parts 4A,4B (--grade 4)");
    expect(parseHandoutCli(["--autograder", "a.zip", "--labs", "3,4", "--grade", "4"])).toMatchObject({ labs: [3, 4], grade: [4] });
    expect(() => parseHandoutCli(["--out", "x", "--grade", "4"])).toThrow(/--grade goes with --autograder/);
    expect(() => parseHandoutCli(["--autograder", "a.zip", "--labs", "3", "--grade", "4"])).toThrow(/names lab 4, which --labs 3 leaves out/);
    expect(() => parseHandoutCli(["--autograder", "a.zip", "--grade", "four"])).toThrow(/--grade takes lab numbers/);
  }, 120_000);

  it("student README markers must pair up", () => {
    expect(studentReadme("a\n<!-- lab 4 -->\nfour\n<!-- /lab 4 -->\nb\n", [3])).toBe("a\nb\n");
    expect(studentReadme("a\n<!-- lab 4 -->\nfour\n<!-- /lab 4 -->\nb\n", [3, 4])).toBe("a\nfour\nb\n");
    expect(() => studentReadme("a\n<!-- lab 4 -->\nfour\n", [3])).toThrow(/has no matching marker/);
  });

  it("is written into a new folder only, and with --git as one commit", () => {
    const h = assembleHandout({ root: ROOT, labs: [3] });
    const out = join(temp(), "handout");
    writeHandout(h, out, { git: true });
    expect(readFileSync(join(out, "src/raft/raft.ts"), "utf8")).toBe(read("course/skeleton/src/raft/raft.ts"));
    expect(() => writeHandout(h, out, { git: false })).toThrow(/is not empty/);
  });
});

describe("the leak check", () => {
  /** The handout with `line` inserted after the first line of the raft skeleton matching `after`. */
  function plant(path: string, after: RegExp, line: string): () => unknown {
    return () =>
      assembleHandout({ root: ROOT, labs: [3, 4] }, (p, b) => {
        if (p !== path) return b;
        const lines = b.toString().split("\n");
        const i = lines.findIndex((l) => after.test(l));
        if (i < 0) throw new Error(`no line matching ${after} in ${path}`);
        lines.splice(i + 1, 0, line);
        return Buffer.from(lines.join("\n"));
      });
  }

  it("passes the real skeletons", () => {
    expect(() => assembleHandout({ root: ROOT, labs: [3, 4] })).not.toThrow();
  });

  it("fails on a line of the reference planted in a skeleton, naming both places", () => {
    const ref = read("src/raft/raft.ts").split("\n");
    const refLine = ref.findIndex((l) => l.includes("this.log.compact(index, term);")) + 1;
    expect(refLine).toBeGreaterThan(0);
    const skeleton = read("course/skeleton/src/raft/raft.ts").split("\n");
    const at = skeleton.findIndex((l) => l.includes("// Your code here (3D).")) + 2;
    expect(plant("src/raft/raft.ts", /\/\/ Your code here \(3D\)\./, "    this.log.compact(index, term);")).toThrow(
      new RegExp(`leak: src/raft/raft\\.ts:${at} repeats src/raft/raft\\.ts:${refLine}: this\\.log\\.compact\\(index, term\\);`),
    );
  });

  it("fails on a reference line hidden in a comment, in the README, or in a KV skeleton", () => {
    expect(plant("src/raft/raft.ts", /Your code here \(3C\)/, "    //   this.persister.save(state, this.snapshotData);")).toThrow(/leak: src\/raft\/raft\.ts:\d+ repeats src\/raft\/raft\.ts:\d+/);
    expect(plant("README.md", /^## Rules/, "    if (args.lastIncludedIndex <= this.commitIndex) {")).toThrow(/leak: README\.md:\d+ repeats src\/raft\/raft\.ts/);
    const sm = read("src/kvraft/state-machine.ts");
    const line = [...codeLines(sm, "sm").values()][3]!;
    expect(plant("src/kvraft/server.ts", /Your definitions here/, `  ${line}`)).toThrow(/leak: src\/kvraft\/server\.ts:\d+ repeats src\/kvraft\/state-machine\.ts/);
  });

  it("fails on a reference statement quoted in a string or a comment of any handout file (a harness file, JSON too)", () => {
    // The mutation catalog once shipped such lines as search texts: a string with the statement and a \n.
    expect(plant("src/explore/lab-tests.ts", /^export const NOT_UNDER_NEMESIS/, '  const search = "  this.votedFor = args.candidateId;\\n";')).toThrow(
      /leak: src\/explore\/lab-tests\.ts:\d+ repeats src\/raft\/raft\.ts:\d+: this\.votedFor = args\.candidateId;/,
    );
    expect(plant("src/explore/lab-tests.ts", /^export const NOT_UNDER_NEMESIS/, "  // the bug: persist after `if (result.changed) {` instead of before")).toThrow(/leak: src\/explore\/lab-tests\.ts:\d+ repeats src\/raft\/raft\.ts/);
    expect(plant("course/grading.json", /"runs"/, '  "hint": "if (majorityMatch > commitIndex && log.termAt(majorityMatch) === currentTerm) return majorityMatch;",')).toThrow(
      /leak: course\/grading\.json:\d+ repeats src\/raft\/rules\.ts/,
    );
  });

  it("npm run handout -- --check fails on a planted quoted line, and passes on the real handout", async () => {
    const real = await tsxRun(ROOT, ["scripts/handout.ts", "--check"]);
    expect(real.out).toMatch(/ok handout of labs 2,3,4,5: .*leak check: \d+ code lines of the solution, none in the handout/);
    expect(real.code).toBe(0);
    const copy = temp();
    for (const entry of ["src", "scripts", "packages", "course", "package.json", "tsconfig.json", "vitest.config.ts", ".dependency-cruiser.cjs", "demo.ts", "README.md"]) {
      cpSync(join(ROOT, entry), join(copy, entry), { recursive: true, filter: (p) => !p.includes("node_modules") });
    }
    symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"), "dir");
    const file = join(copy, "src/explore/lab-tests.ts");
    writeFileSync(file, readFileSync(file, "utf8") + '\n/** e.g. `this.persister.save(state, this.snapshotData);` */\nexport const QUOTED = "this.log.compact(index, term);";\n');
    const planted = await tsxRun(copy, ["scripts/handout.ts", "--check"]);
    expect(planted.code).toBe(1);
    expect(planted.out).toMatch(/leak: src\/explore\/lab-tests\.ts:\d+ repeats src\/raft\/raft\.ts:\d+: this\.persister\.save\(state, this\.snapshotData\);/);
    expect(planted.out).toMatch(/leak: src\/explore\/lab-tests\.ts:\d+ repeats src\/raft\/raft\.ts:\d+: this\.log\.compact\(index, term\);/);
  }, 120_000);

  it("fails on a whole reference file in place of its skeleton, listing its lines", () => {
    let message = "";
    try {
      assembleHandout({ root: ROOT, labs: [3, 4] }, (p, b) => (p === "src/kvraft/client.ts" ? Buffer.from(read("src/kvraft/client.ts")) : b));
    } catch (e) {
      expect(e).toBeInstanceOf(HandoutError);
      message = (e as Error).message;
    }
    expect(message.split("\n").filter((l) => l.startsWith("- leak: src/kvraft/client.ts")).length).toBeGreaterThan(20);
  });

  it("ignores signatures, types and imports, trivial lines, and lines the harness has; reports stale allowances", () => {
    const solution = new Map([
      [
        "s.ts",
        [
          'import { x } from "./x.js";',
          "export interface A { readonly key: string; }",
          "export function f(a: number, b: number): number {",
          "  const total = a * b + offset(a);",
          "  return total;",
          "}",
          "export const g = (k: string) => lookup(k, table);",
        ].join("\n"),
      ],
    ]);
    const check = (handout: string, harness = "", allowed: { line: string; why: string }[] = []) =>
      findLeaks({ solution, handout: new Map([["h.ts", handout]]), harness: new Map([["t.ts", harness]]), allowed, skeletons: new Map([["k.ts", handout]]) });
    expect(check('import { x } from "./x.js";\nexport interface A { readonly key: string; }\nexport function f(a: number, b: number): number {\n  return total;\n}').leaks).toEqual([]);
    expect(check("  const total = a * b + offset(a);").leaks.map((l) => l.referenceLine)).toEqual([4]);
    expect(check("x = (k: string) => lookup(k, table);").leaks).toEqual([]); // not the whole line
    expect(check("  const total = a * b + offset(a);", "const total = a * b + offset(a);").leaks).toEqual([]);
    expect(check("const total = a * b + offset(a);", "", [{ line: "const total = a * b + offset(a);", why: "test" }]).leaks).toEqual([]);
    expect(check("nothing", "", [{ line: "const total = a * b + offset(a);", why: "test" }]).staleAllowed).toHaveLength(1);
    // In a string, with escapes; not after a dot or inside a longer name.
    expect(check('x = "  const total = a * b + offset(a);\\n";').leaks).toHaveLength(1);
    expect(check("z = obj.g = (k: string) => lookup(k, table);").leaks).toEqual([]);
    expect(check("  const totals = a * b + offset(a);").leaks).toEqual([]);
    // The harness's own code is public; the same statement in a harness comment or string is not code.
    expect(check("  const total = a * b + offset(a);", '// const total = a * b + offset(a);\nexport const s = "const total = a * b + offset(a);";').leaks).toHaveLength(1);
    expect(isTrivial("this.persist();")).toBe(true);
    expect(isTrivial("} else {")).toBe(true);
    expect(isTrivial('throw new Error("x y z");')).toBe(true);
    expect(isTrivial("this.votedFor = args.candidateId;")).toBe(false);
  });
});

describe("skeleton and reference do not drift", () => {
  it("every name the harness imports from a student file is in the skeleton and the reference, with the same kind and signature", () => {
    const c = classify(ROOT);
    expect(checkDrift(ROOT, c)).toEqual([]);
  });

  it("reports a name missing from a skeleton, a changed signature, a changed member and a changed kind", () => {
    const c = classify(ROOT);
    const edit = (path: string, from: string | RegExp, to: string) => (p: string) => (p === path ? read(p).replace(from, to) : undefined);
    expect(checkDrift(ROOT, c, edit("course/skeleton/src/kvraft/client.ts", "export function makeClerk(", "function makeClerk("))).toEqual([
      expect.stringMatching(/course\/skeleton\/src\/kvraft\/client\.ts does not export makeClerk, which src\/kvraft\/config\.ts imports/),
    ]);
    expect(checkDrift(ROOT, c, edit("course/skeleton/src/kvraft/server.ts", /maxraftstate: number,\n  raft: RaftServerFactory = labRaft,\n\): KVServer/, "maxraftstate: string,\n  raft: RaftServerFactory = labRaft,\n): KVServer"))).toEqual([
      "startKVServer: the reference src/kvraft/server.ts has (readonly ClientEnd[], number, Persister, number, RaftServerFactory=) => KVServer, " +
        "the skeleton course/skeleton/src/kvraft/server.ts (readonly ClientEnd[], number, Persister, string, RaftServerFactory=) => KVServer",
    ]);
    expect(checkDrift(ROOT, c, edit("course/skeleton/src/raft/raft.ts", "start(command: unknown): StartResult {", "start(command: string): StartResult {"))).toEqual([
      "Raft.start: the reference src/raft/raft.ts has (unknown) => StartResult, the skeleton course/skeleton/src/raft/raft.ts (string) => StartResult",
    ]);
    expect(checkDrift(ROOT, c, edit("course/skeleton/src/raft/raft.ts", "export const make: MakeRaft = (...args) => new Raft(...args);", "export type make = MakeRaft;"))).toEqual([
      expect.stringMatching(/src\/raft\/raft\.ts exports make as a value but course\/skeleton\/src\/raft\/raft\.ts as a type/),
    ]);
  });

  it("the harness type-checks against the skeletons (the handout's tree, strict tsconfig), and fails when a skeleton lacks what it uses", async () => {
    const build = async (transform?: (p: string, b: Buffer) => Buffer) => {
      const out = join(temp(), "handout");
      writeHandout(assembleHandout({ root: ROOT, labs: [3, 4] }, transform), out, { git: false });
      symlinkSync(join(ROOT, "node_modules"), join(out, "node_modules"), "dir");
      return typecheck(out, 120_000);
    };
    const ok = await build();
    expect(ok.output).toBe("");
    expect(ok.ok).toBe(true);
    const broken = await build((p, b) => (p === "src/kvraft/server.ts" ? Buffer.from(b.toString().replace("services(): Service[] {", "servicez(): Service[] {")) : b));
    expect(broken.ok).toBe(false);
    expect(broken.output).toMatch(/src\/kvraft\/config\.ts\(\d+,\d+\): error TS2551: Property 'services' does not exist on type 'KVServer'/);
  });
});
