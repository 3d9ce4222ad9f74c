/**
 * Running commands from the course kit's end-to-end tests: each in its own process group, bounded
 * in time, its output collected; every process still running when a test ends is stopped by its
 * own id ({@link stopAll}).
 */
import { spawn, type ChildProcess } from "node:child_process";

/** How a command ended. */
export interface CommandResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** stdout and stderr, interleaved as they came. */
  readonly output: string;
  readonly wallMs: number;
  readonly timedOut: boolean;
}

const running = new Set<ChildProcess>();

/** Runs `command args` in `cwd`; stops it (SIGTERM, then SIGKILL) after `timeoutMs`. */
export function runCommand(
  command: string,
  args: readonly string[],
  opts: { readonly cwd: string; readonly env?: Readonly<Record<string, string>>; readonly timeoutMs: number },
): Promise<CommandResult> {
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    running.add(child);
    let output = "";
    child.stdout?.on("data", (b: Buffer) => (output += b.toString()));
    child.stderr?.on("data", (b: Buffer) => (output += b.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      stop(child);
    }, opts.timeoutMs);
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      clearTimeout(timer);
      running.delete(child);
      stop(child, "SIGKILL"); // anything left in its process group
      done({ code, signal, output, wallMs: Date.now() - started, timedOut });
    };
    child.on("error", (e) => {
      output += `\n(could not start ${command}: ${e.message})`;
      finish(null, null);
    });
    child.on("close", finish);
  });
}

/** Stops every command still running (for afterAll/afterEach), each by its own process group id. */
export function stopAll(): void {
  for (const child of running) stop(child, "SIGKILL");
  running.clear();
}

function stop(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
  if (signal === "SIGTERM") {
    setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // gone
      }
    }, 5000).unref();
  }
}
