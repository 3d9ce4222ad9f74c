import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { MUTANTS } from "./catalog.js";
import { plantInScratch } from "./plant.js";

const ROOT = resolve(import.meta.dirname, "../../..");

/** Scratch folders of mutant `id` in the temp folder. */
function scratches(id: string): string[] {
  return readdirSync(tmpdir()).filter((f) => f.startsWith(`raftlab-mutant-${id}-`));
}

/** Runs a script that plants a mutant in a child process, then does `then` ("exit", "throw" or "wait" for a signal). */
function plantInChild(then: "exit" | "throw" | "wait", signal?: NodeJS.Signals): Promise<{ code: number | null; signal: string | null; dir: string; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), "raftlab-plant-child-"));
  const script = join(dir, "plant.mts");
  writeFileSync(
    script,
    `import { MUTANTS } from ${JSON.stringify(join(ROOT, "src/explore/mutants/catalog.ts"))};
import { plantInScratch } from ${JSON.stringify(join(ROOT, "src/explore/mutants/plant.ts"))};
const dir = plantInScratch(${JSON.stringify(ROOT)}, MUTANTS[0]);
console.log("PLANTED " + dir);
if (${JSON.stringify(then)} === "throw") throw new Error("a crash with the copy still there");
if (${JSON.stringify(then)} === "wait") setInterval(() => {}, 1000);
`,
  );
  return new Promise((done) => {
    const child = spawn(join(ROOT, "node_modules/.bin/tsx"), [script], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let planted = "";
    child.stdout.on("data", (b: Buffer) => {
      out += b.toString();
      const m = /PLANTED (\S+)/.exec(out);
      if (m !== null && planted === "") {
        planted = m[1]!;
        if (then === "wait" && signal !== undefined) child.kill(signal);
      }
    });
    child.stderr.on("data", (b: Buffer) => (out += b.toString()));
    child.on("exit", (code, sig) => done({ code, signal: sig, dir: planted, out }));
  });
}

describe("a mutant's scratch copy never outlives its process", () => {
  const m = MUTANTS[0]!;

  it("is removed when planting fails (the search text is not in the code)", () => {
    const before = scratches(m.id).length;
    expect(() => plantInScratch(ROOT, { ...m, search: "this text is in no file of the repository" })).toThrow(/its search text is not in/);
    expect(scratches(m.id).length).toBe(before);
  });

  for (const then of ["exit", "throw"] as const) {
    it(`is removed when the process ends (${then === "exit" ? "normally" : "by an uncaught error"}) without removing it`, async () => {
      const r = await plantInChild(then);
      expect(r.dir, r.out).toContain("raftlab-mutant-");
      expect(existsSync(r.dir)).toBe(false);
    }, 120_000);
  }

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`is removed at ${signal}, and the process still ends by it`, async () => {
      const r = await plantInChild("wait", signal);
      expect(r.dir, r.out).toContain("raftlab-mutant-");
      expect(existsSync(r.dir)).toBe(false);
      expect(r.code === null ? r.signal : r.code, r.out).not.toBe(0);
    }, 120_000);
  }
});
