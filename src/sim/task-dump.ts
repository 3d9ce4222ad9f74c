/**
 * The list of tasks still waiting when a run is stopped at a deadlock or at its virtual-time
 * budget, like the goroutine dump of a Go test that times out: each task, what it waits on (a
 * channel send or receive, a sleep, an RPC), since when, and where it was started.
 */
import type { SimTask, WaitNote } from "./context.js";
import { formatTime } from "./trace.js";

/** Tasks listed in full; the rest are counted. */
const MAX_TASKS_LISTED = 40;

/** The dump of `tasks` at virtual time `now` (`waits`: what each waits on), one block per task, the longest-waiting first. */
export function formatTaskDump(tasks: readonly SimTask[], waitsOf: ReadonlyMap<SimTask, readonly WaitNote[]>, now: number): string {
  const rows = tasks.map((task) => {
    const waits = waitsOf.get(task) ?? [];
    const since = waits.length === 0 ? Infinity : Math.min(...waits.map((w) => w.since));
    return { task, waits, since };
  });
  // Untracked waits last; otherwise oldest first, then in the order the tasks were started.
  const order = rows.map((r, i) => ({ r, i })).sort((a, b) => a.r.since - b.r.since || a.i - b.i);
  const lines = [`tasks still running or waiting at ${formatTime(now)} (${tasks.length}):`];
  for (const { r } of order.slice(0, MAX_TASKS_LISTED)) {
    const { task } = r;
    const origin = task.origin;
    const started = origin === undefined ? "the test's main task" : `started at ${formatTime(origin.at)} by "${origin.by}"`;
    lines.push(`  task "${task.name}" (node ${task.node.name}), ${started}`);
    if (r.waits.length === 0) {
      lines.push(`      waiting on a promise that nothing here tracks (an RPC handler, a lock, a Promise you made)`);
    }
    for (const w of r.waits) lines.push(`      waiting on ${w.what} since ${formatTime(w.since)}`);
    const at = origin?.stack === undefined ? undefined : whereStarted(origin.stack);
    if (at !== undefined) lines.push(`      go() at ${at}`);
  }
  if (order.length > MAX_TASKS_LISTED) lines.push(`  ... and ${order.length - MAX_TASKS_LISTED} more`);
  return lines.join("\n");
}

/** The first frame of `stack` in the code that called `go` (not the simulator or the runtime). */
function whereStarted(stack: Error): string | undefined {
  for (const line of (stack.stack ?? "").split("\n").slice(1)) {
    const frame = line.trim().replace(/^at /, "");
    if (!/[/\\]/.test(frame) || /[/\\]src[/\\](sim|runtime)[/\\](?![\w/\\.-]*\.test\.ts)|node:|node_modules/.test(frame)) continue;
    return frame;
  }
  return undefined;
}
