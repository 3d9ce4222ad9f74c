/**
 * Runs one test once, recorded, in a vitest child process (the way the test always runs: its own
 * file, its own module state, the student's code as it is), with a seed and a branch's edits, and
 * reads the recording back. A child per run also keeps one simulation per process.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Edit } from "./edits.js";
import type { TestTarget } from "./find-test.js";
import type { Recording } from "./recording.js";

/** What to run. */
export interface ChildRunSpec {
  /** The repository's root (the child's working directory). */
  readonly root: string;
  readonly target: TestTarget;
  readonly seed: number;
  readonly edits: readonly Edit[];
  /** Told the run's virtual time now and then. */
  readonly onProgress?: (virtualMs: number) => void;
  /** An explore fault schedule to replay (`EXPLORE_REPLAY`), as `npm run explore` recorded it. */
  readonly schedule?: string | undefined;
  /** Wall-clock limit (ms) of the child; default 10 minutes. */
  readonly timeoutMs?: number;
}

/** Records `spec`'s run in a vitest child and returns the recording (a failing test is still a recording). */
export async function recordInChild(spec: ChildRunSpec): Promise<Recording> {
  const dir = mkdtempSync(join(tmpdir(), "raftlab-debug-run-"));
  try {
    const out = join(dir, "recording.json");
    const progress = join(dir, "progress");
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const k of ["STRESS_SEEDS", "STRESS_OUT", "CHECK_DETERMINISM", "TIMELINE", "EXPLORE_REPLAY", "EXPLORE_SCHEDULE_OUT", "RAFTLAB_DEBUG_EDITS"]) delete env[k];
    Object.assign(env, {
      SEED: String(spec.seed),
      RAFTLAB_DEBUG_RECORD: out,
      RAFTLAB_DEBUG_PROGRESS: progress,
      LOG_DIR: join(dir, "logs"),
      NO_COLOR: "1",
      FORCE_COLOR: "0",
    });
    if (spec.target.explore) env["RAFTLAB_EXPLORE"] = "1";
    else delete env["RAFTLAB_EXPLORE"];
    if (spec.schedule !== undefined) env["EXPLORE_REPLAY"] = spec.schedule;
    if (spec.edits.length > 0) {
      const editsFile = join(dir, "edits.json");
      writeFileSync(editsFile, JSON.stringify(spec.edits));
      env["RAFTLAB_DEBUG_EDITS"] = editsFile;
    }
    const pattern = `^${spec.target.fullName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`;
    const vitest = join(spec.root, "node_modules/.bin/vitest");
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(vitest, ["run", "--project", "lab", "--reporter=dot", "-t", pattern, spec.target.file], { cwd: spec.root, env, stdio: ["ignore", "pipe", "pipe"] });
      let text = "";
      child.stdout.on("data", (d: Buffer) => (text += d.toString()));
      child.stderr.on("data", (d: Buffer) => (text += d.toString()));
      const poll = setInterval(() => {
        if (spec.onProgress === undefined || !existsSync(progress)) return;
        const ms = Number(readFileSync(progress, "utf8"));
        if (Number.isFinite(ms)) spec.onProgress(ms);
      }, 150);
      const timer = setTimeout(() => child.kill("SIGKILL"), spec.timeoutMs ?? 600_000);
      child.on("error", (e) => {
        clearInterval(poll);
        clearTimeout(timer);
        reject(e);
      });
      child.on("close", () => {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(text);
      });
    });
    if (!existsSync(out)) {
      const tail = output.trim().split("\n").slice(-20).join("\n");
      throw new Error(`the run of ${spec.target.name} seed ${spec.seed} recorded nothing (did the test run? is its name right?); vitest said:\n${tail}`);
    }
    return JSON.parse(readFileSync(out, "utf8")) as Recording;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
