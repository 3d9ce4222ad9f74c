/**
 * The `kvops` section of `npm run bench`: how many Clerk operations each KV test does with the
 * reference solution (one seed), next to the 2024 handout's sample output. Go's clients loop flat
 * out, so the counts say how much load a solution carries; `docs/conformance.md` explains the gaps.
 */
import { spawn } from "node:child_process";
import { resolve } from "node:path";

/** Operation counts in the sample `go test` output of the Spring 2024 kvraft lab handout (Lab 4), by title. */
export const GO_SAMPLE_OPS: ReadonlyMap<string, number> = new Map([
  ["Test: one client (4A)", 903],
  ["Test: many clients (4A)", 1160],
  ["Test: unreliable net, many clients (4A)", 441],
  ["Test: concurrent append to same key, unreliable (4A)", 52],
  ["Test: progress in majority (4A)", 2],
  ["Test: no progress in minority (4A)", 3],
  ["Test: completion after heal (4A)", 3],
  ["Test: partitions, one client (4A)", 765],
  ["Test: partitions, many clients (4A)", 974],
  ["Test: restarts, one client (4A)", 908],
  ["Test: restarts, many clients (4A)", 1033],
  ["Test: unreliable net, restarts, many clients (4A)", 474],
  ["Test: restarts, partitions, many clients (4A)", 1060],
  ["Test: unreliable net, restarts, partitions, many clients (4A)", 317],
  ["Test: unreliable net, restarts, partitions, random keys, many clients (4A)", 746],
  ["Test: InstallSnapshot RPC (4B)", 63],
  ["Test: snapshot size is reasonable (4B)", 800],
  ["Test: restarts, snapshots, one client (4B)", 5820],
  ["Test: restarts, snapshots, many clients (4B)", 6420],
  ["Test: unreliable net, snapshots, many clients (4B)", 482],
  ["Test: unreliable net, restarts, snapshots, many clients (4B)", 471],
  ["Test: unreliable net, restarts, partitions, snapshots, many clients (4B)", 274],
  ["Test: unreliable net, restarts, partitions, snapshots, random keys, many clients (4B)", 681],
]);

/** One KV (sub)test's summary: its title and the figures of its `... Passed --` line. */
export interface KvSummary {
  readonly title: string;
  readonly virtualS: number;
  readonly rpcs: number;
  readonly ops: number;
}

/**
 * Pairs each `Test: ... ...` title line with the `  ... Passed --  secs  n  rpcs  ops` line that
 * follows it (the KV tester prints the title at `begin` and the figures at `end`, as Go's does).
 * The output must come from one test file at a time, or titles and figures interleave.
 */
export function parseKvSummaries(output: string): KvSummary[] {
  const out: KvSummary[] = [];
  let title: string | undefined;
  for (const line of output.split("\n")) {
    const t = /^(Test: .*) \.\.\.$/.exec(line.trim());
    if (t !== null) {
      title = t[1];
      continue;
    }
    const p = /^\.\.\. Passed -- +([\d.]+) +\d+ +(\d+) +(\d+)/.exec(line.trim());
    if (p !== null && title !== undefined) {
      out.push({ title, virtualS: Number(p[1]), rpcs: Number(p[2]), ops: Number(p[3]) });
      title = undefined;
    }
  }
  return out;
}

/** Runs the KV lab's test files one after another with `seed` and returns their summaries. */
export function runKvSummaries(seed: number, timeoutMs: number): Promise<KvSummary[]> {
  const files = ["src/kvraft/kvraft-4a.test.ts", "src/kvraft/kvraft-4a-faults.test.ts", "src/kvraft/kvraft-4b.test.ts", "src/kvraft/kvraft-4b-many-clients.test.ts"];
  const args = ["run", "--project", "lab", "--no-file-parallelism", "--reporter=dot", ...files];
  const env = { ...process.env, SEED: String(seed), NO_COLOR: "1", FORCE_COLOR: "0", LOG: "0" };
  return new Promise((done, fail) => {
    const child = spawn(resolve("node_modules/.bin/vitest"), args, { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        // already gone
      }
      fail(new Error(`the KV tests took longer than ${timeoutMs / 1000} s`));
    }, timeoutMs);
    let text = "";
    child.stdout.on("data", (d: Buffer) => (text += d.toString()));
    child.stderr.on("data", (d: Buffer) => (text += d.toString()));
    child.on("error", (e) => {
      clearTimeout(timer);
      fail(e);
    });
    child.on("exit", () => {
      clearTimeout(timer);
      done(parseKvSummaries(text));
    });
  });
}

/** The rows of the section's table: title, ops here, ops in Go's sample, ratio. */
export function kvOpsRows(summaries: readonly KvSummary[]): string[][] {
  const rows = [["test", "ops", "Go sample", "ratio"]];
  // 4A before 4B, in the order the tests ran within each part.
  const part = (s: KvSummary): number => (s.title.endsWith("(4B)") ? 1 : 0);
  for (const s of [...summaries].sort((a, b) => part(a) - part(b))) {
    const go = GO_SAMPLE_OPS.get(s.title);
    if (go === undefined || s.title.includes("ops complete fast enough")) continue;
    rows.push([s.title.replace(/^Test: /, ""), String(s.ops), String(go), (s.ops / go).toFixed(2)]);
  }
  return rows;
}
