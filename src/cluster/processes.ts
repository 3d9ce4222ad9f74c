import type { ChildProcess } from "node:child_process";

/**
 * Stops child processes by their own pids: SIGTERM (a node then writes out its state and exits),
 * and SIGKILL for any still running after `graceMs`. Resolves once every one has exited.
 */
export async function stopProcesses(children: Iterable<ChildProcess>, graceMs = 5000): Promise<void> {
  await Promise.all(
    [...children].map(
      (c) =>
        new Promise<void>((done) => {
          if (c.exitCode !== null || c.signalCode !== null) return done();
          const hard = setTimeout(() => c.kill("SIGKILL"), graceMs);
          c.once("exit", () => {
            clearTimeout(hard);
            done();
          });
          c.kill("SIGTERM");
        }),
    ),
  );
}
