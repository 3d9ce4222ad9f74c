/**
 * `npm run logs` (scripts/logs.ts) end to end: files, stdin, a pipe without colours, bad options
 * and help, each through a real process (the rendering itself is tested in
 * src/debug/log-view.test.ts).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { SAMPLE_LOG as sample } from "../src/debug/sample-log.js";
import { formatLog } from "../src/runtime/log-format.js";

const ROOT = resolve(import.meta.dirname, "..");
const ESC = String.fromCharCode(27);

describe("npm run logs (scripts/logs.ts)", () => {
  const dir = mkdtempSync(join(tmpdir(), "raftlab-logs-cli-"));
  const file = join(dir, "sample.log");
  writeFileSync(file, formatLog(sample, ["TestSample seed 1"]));
  const run = (args: string[], input?: string) =>
    spawnSync("npx", ["tsx", "scripts/logs.ts", ...args], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, FORCE_COLOR: "1" },
      ...(input === undefined ? {} : { input }),
    });

  it("renders a file in columns, without colours when asked", () => {
    const r = run([file, "--no-color", "--width", "127", "--ignore", "TIMR"]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain(ESC);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe(`       S0${" ".repeat(38)}S1${" ".repeat(38)}S2`);
    expect(lines).toContain("# TestSample seed 1");
    expect(lines).toContain(`   415 ${" ".repeat(80)}VOTE granting vote to S1`);
    expect(r.stdout).not.toContain("timer reset");
  });

  it("reads stdin and filters with --just; output to a pipe has no colours", () => {
    const r = run(["-", "--just", "vote,LEAD", "--peers", "3", "--width", "127"], formatLog(sample));
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain(ESC);
    expect(r.stdout).toContain("asking for votes");
    expect(r.stdout).not.toContain("initial election");
  });

  it("explains bad options and prints help", () => {
    const bad = run([file, "--just", "VOTE,NOPE"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--just: unknown topic "NOPE"');
    const notLog = run(["-"], "hello\nworld\n");
    expect(notLog.status).toBe(2);
    expect(notLog.stderr).toContain("is not a raftlab log (line 1:");
    const help = run(["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("Usage: npm run logs -- [FILE] [options]");
  });
});
