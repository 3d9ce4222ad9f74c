/**
 * Wall and CPU time of a shell command run to completion, for the bench's `commands` section
 * (`npm test`, `npm run test:3A`, ...). CPU time is the command's and all its children's user +
 * system time (bash's `times` after the command), which, unlike wall time, hardly changes when
 * other work shares the cores.
 */
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** One timed run of a command. */
export interface CommandTime {
  /** Exit status of the command. */
  readonly code: number | null;
  readonly wallMs: number;
  /** User + system CPU ms of the command and its children. */
  readonly cpuMs: number;
  /** The last lines of its output (for an error message). */
  readonly tail: string;
}

/** Runs `command` with bash in `cwd`, its output captured, and measures it; `timeoutMs` kills its process group. */
export function timeCommand(command: string, cwd: string, timeoutMs: number): Promise<CommandTime> {
  // `times` prints the shell's and then its children's user and system times; the marker finds them.
  const script = `( ${command} ) >"$RAFTLAB_TIMED_OUT" 2>&1; rc=$?; echo "@@times"; times; exit $rc`;
  return new Promise((done, fail) => {
    const start = performance.now();
    const outFile = join(tmpdir(), `raftlab-command-times-${process.pid}-${Math.round(start)}.out`);
    const child = spawn("bash", ["-c", script], { cwd, env: { ...process.env, RAFTLAB_TIMED_OUT: outFile }, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let text = "";
    child.stdout.on("data", (d: Buffer) => (text += d.toString()));
    child.stderr.on("data", (d: Buffer) => (text += d.toString()));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      fail(e);
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      const wallMs = performance.now() - start;
      let output = "";
      try {
        output = readFileSync(outFile, "utf8");
      } catch {
        // the command never started
      }
      rmSync(outFile, { force: true });
      const cpuMs = childrenCpuMs(text);
      if (cpuMs === undefined) return fail(new Error(`timeCommand: no CPU times from bash for "${command}": ${text.trim()}`));
      done({ code, wallMs, cpuMs, tail: output.trim().split("\n").slice(-5).join("\n") });
    });
  });
}

/** The children's user + system ms from bash's `times` output after the `@@times` marker. */
export function childrenCpuMs(text: string): number | undefined {
  const after = text.slice(text.indexOf("@@times") + "@@times".length).trim().split("\n");
  if (!text.includes("@@times") || after.length < 2) return undefined;
  const times = [...after[1]!.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => (Number(m[1]) * 60 + Number(m[2])) * 1000);
  return times.length === 2 ? times[0]! + times[1]! : undefined;
}
