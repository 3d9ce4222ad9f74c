import { existsSync, mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { TYPECHECK_CACHE_DIR, typecheckInBackground } from "./typecheck-setup.js";

const ROOT = resolve(import.meta.dirname, "../..");

/** A small project with this repository's compiler and `files`. */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "raftlab-typecheck-"));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(join(ROOT, "node_modules", ".bin"), join(dir, "node_modules", ".bin"), "dir");
  symlinkSync(join(ROOT, "node_modules", "typescript"), join(dir, "node_modules", "typescript"), "dir");
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, noUnusedLocals: true, noUnusedParameters: false, noEmit: true, types: [] }, include: ["*.ts"] }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

// One project checked step by step (each tsc run costs about half a second of CPU).
describe("the type check that runs beside the tests", () => {
  it("reports an unused constant (what the grader scores 0) and says the tests ran anyway; says nothing once it type-checks; is cached", async () => {
    const dir = project({ "server.ts": "const UNUSED = 1;\nexport function f(unusedParam: number): number { return 2; }\n" });
    const first = await typecheckInBackground(dir)();
    expect(first).toContain("type check (npm run typecheck): 1 type error:");
    expect(first).toContain("server.ts(1,7): error TS6133: 'UNUSED' is declared but its value is never read.");
    expect(first).not.toContain("unusedParam"); // like Go: an unused parameter is fine
    expect(first).toContain("every test scores 0");
    expect(existsSync(join(dir, TYPECHECK_CACHE_DIR, "tsconfig.tsbuildinfo"))).toBe(true);

    // Unchanged sources: a compiler that only leaves a mark, so the cache alone must give the report.
    const bin = join(dir, "node_modules", ".bin");
    rmSync(bin);
    mkdirSync(bin);
    writeFileSync(join(bin, "tsc"), `#!/bin/sh\necho ran > "${join(dir, "tsc-ran")}"\nexit 3\n`, { mode: 0o755 });
    expect(await typecheckInBackground(dir)()).toBe(first);
    expect(existsSync(join(dir, "tsc-ran"))).toBe(false);
    rmSync(bin, { recursive: true });
    symlinkSync(join(ROOT, "node_modules", ".bin"), bin, "dir");

    // Edits: checked again (incrementally).
    writeFileSync(join(dir, "server.ts"), "export function f(unusedParam: number): number { return 2; }\n");
    expect(await typecheckInBackground(dir)()).toBeUndefined();
    writeFileSync(join(dir, "client.ts"), "const ALSO_UNUSED = 3;\nexport const z = 4;\n");
    expect(await typecheckInBackground(dir)()).toContain("'ALSO_UNUSED' is declared but its value is never read.");
  }, 120_000);
});
