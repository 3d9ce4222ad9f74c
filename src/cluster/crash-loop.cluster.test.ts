/**
 * The kill -9 loop (crash-loop.ts), bounded for CI: a few tens of kill points on the real node
 * (no acknowledged write lost, no stale read: Porcupine over the HTTP history), the same loop
 * catching a planted node whose disk acknowledges writes before they are durable, and no node
 * process left behind on any way out (the end, a failure, an interrupted `npm run crash-loop`).
 * `npm run crash-loop -- --kills 300` is the long run.
 */
import { spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCrashLoop } from "./crash-loop.js";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

/** Whether process `pid` still exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

describe("kill -9 loop", () => {
  it("loses no acknowledged write and returns no stale read across 20 kill points (Porcupine over the HTTP history); leaves no process", async () => {
    const lines: string[] = [];
    const report = await runCrashLoop({ kills: 20, seed: 20261207, maxMs: 240_000, log: (l) => lines.push(l) });
    expect(report.kills, lines.join("\n")).toBe(20);
    expect(report.firstFailure, lines.join("\n")).toBeUndefined();
    expect(report.illegal).toBe(0);
    expect(report.undecided).toBe(0);
    expect(report.checked).toBeGreaterThanOrEqual(19);
    expect(report.operations).toBeGreaterThan(200);
    expect(report.pids.length).toBeGreaterThanOrEqual(23);
    expect(report.pids.filter(alive)).toEqual([]);
  }, 300_000);

  it("catches a planted node whose disk acknowledges writes 400 ms before they are durable; leaves no process", async () => {
    const lines: string[] = [];
    const report = await runCrashLoop({ kills: 60, seed: 2, maxMs: 240_000, preload: "src/cluster/fixtures/lagging-disk.ts", log: (l) => lines.push(l) });
    // Caught by the check (Porcupine), not by a node failing on its own.
    expect(report.firstFailure?.kind, `not caught in ${report.kills} kill points:\n${lines.join("\n")}`).toBe("not linearizable");
    expect(report.illegal).toBeGreaterThan(0);
    expect(report.pids.filter(alive)).toEqual([]);
  }, 300_000);

  it("npm run crash-loop, interrupted (SIGINT), kills every node process it started", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "scripts/crash-loop.ts"), "--kills", "50", "--seed", "3"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (out += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (out += s));
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    const guard = setTimeout(() => child.kill("SIGKILL"), 150_000);
    try {
      // Interrupt it in the middle of its first kill point's restart.
      while (!/kill point 1:/.test(out) && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
      child.kill("SIGINT");
      expect(await exited, out).toBe(130);
    } finally {
      clearTimeout(guard);
    }
    const pids = [...out.matchAll(/started \(pid (\d+)\)/g)].map((m) => Number(m[1]));
    expect(pids.length, out).toBeGreaterThanOrEqual(3);
    expect(pids.filter(alive), out).toEqual([]);
    expect(out).toContain("SIGINT: stopping the loop and killing its node processes");
  }, 180_000);
});
