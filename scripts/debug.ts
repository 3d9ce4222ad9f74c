/**
 * `npm run debug -- <test> [--seed N]`: records one run of a simulated test and serves the step
 * debugger's page for it on 127.0.0.1 (a free port, a random token in the printed URL) until the
 * command is stopped (Ctrl-C). See docs/debugger.md.
 */
import { randomInt } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { parseEdits, type Edit } from "../src/debugger/edits.js";
import { findTest } from "../src/debugger/find-test.js";
import { parseScheduleFile, type ScheduleFile } from "../src/explore/schedule.js";
import { recordInChild } from "../src/debugger/run-child.js";
import { startDebugServer } from "../src/debugger/server.js";
import { DebugSession } from "../src/debugger/session.js";
import { isMain, runCli, UsageError } from "./lib/cli.js";

const USAGE = `Usage: npm run debug -- <test> [--seed N] [options]

Runs the simulated test <test> once with seed N, recording every step, and serves the
step debugger on http://127.0.0.1:<free port>/?token=<random> until you stop it (Ctrl-C):
step forward and back, jump to the first monitor violation, look at every peer's state,
and branch the run (drop, delay, duplicate or deliver a message now, crash or restart a
peer, partition or heal) to see what would have happened.

<test> is a lab test (TestBackup3B), an explore scenario (ExploreRaftPersistence3C: runs with its
fault plan), or a kept test (src/raft/kept, src/kvraft/kept).

Options:
  --seed <n>       the seed (default: a fresh one, printed)
  --file <path>    the test file, when the name alone is ambiguous
  --explore        run a lab test in explore mode (under the nemesis), as explore did
  --edits <file>   start from the edits of an exported schedule (its test and seed, unless given)
  --schedule <file>  replay an explore fault schedule (npm run explore's schedules/*.json or a
                   shrunk one): its test, seed and faults, in explore mode
  --at <seconds>   open at this virtual time (default: at the first failure, else the end)
  --port <n>       listen on this port (default: a free one)
  -h, --help       this help

Every failure message of a simulated test prints its debug command.`;

interface DebugOptions {
  test: string;
  seed: number;
  file: string | undefined;
  explore: boolean;
  edits: Edit[];
  /** An explore fault schedule to replay (absolute path), and its content. */
  schedule: string | undefined;
  scheduleFile: ScheduleFile | undefined;
  port: number | undefined;
  /** Virtual seconds to open at. */
  at: number | undefined;
}

function parse(argv: string[]): DebugOptions | undefined {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      seed: { type: "string" },
      file: { type: "string" },
      explore: { type: "boolean" },
      edits: { type: "string" },
      schedule: { type: "string" },
      port: { type: "string" },
      at: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) return undefined;
  let test = positionals[0];
  let seed: number | undefined;
  let file = values.file;
  let explore = values.explore === true;
  let edits: Edit[] = [];
  if (values.edits !== undefined) {
    const text = readFileSync(values.edits, "utf8");
    edits = parseEdits(text, values.edits);
    const s = JSON.parse(text) as { test?: string; seed?: number; file?: string; explore?: boolean };
    test ??= s.test;
    seed = s.seed;
    file ??= s.file;
    explore ||= s.explore === true && !(s.file ?? "").endsWith(".explore.test.ts");
  }
  let schedule: string | undefined;
  let scheduleFile: ScheduleFile | undefined;
  if (values.schedule !== undefined) {
    schedule = resolve(values.schedule);
    const s = parseScheduleFile(readFileSync(schedule, "utf8"), values.schedule);
    scheduleFile = s;
    test ??= s.test;
    seed = s.seed;
    file ??= s.file;
    explore = true;
  }
  if (test === undefined) throw new UsageError("name the test to debug, e.g. npm run debug -- TestBackup3B --seed 1");
  if (positionals.length > 1) throw new UsageError(`one test at a time (got ${positionals.join(" ")})`);
  if (values.seed !== undefined) {
    seed = Number(values.seed);
    if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed must be an integer, got ${values.seed}`);
  }
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!Number.isSafeInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, got ${values.port}`);
  }
  let at: number | undefined;
  if (values.at !== undefined) {
    at = Number(values.at.replace(/s$/, ""));
    if (!Number.isFinite(at) || at < 0) throw new UsageError(`--at takes virtual seconds, e.g. --at 1.25, got ${values.at}`);
  }
  return { test, seed: seed ?? randomInt(1, 2 ** 31 - 1), file, explore, edits, schedule, scheduleFile, port, at };
}

async function main(opts: DebugOptions): Promise<number> {
  const root = process.cwd();
  let target;
  try {
    target = findTest(root, opts.test, { ...(opts.file === undefined ? {} : { file: opts.file }), explore: opts.explore });
  } catch (e) {
    console.error(`debug: ${(e as Error).message}`);
    return 2;
  }
  const session = new DebugSession(target, opts.seed, (edits, onProgress) => recordInChild({ root, target, seed: opts.seed, edits, onProgress, schedule: opts.schedule }), opts.edits, opts.scheduleFile);
  const server = await startDebugServer({ session, ...(opts.port === undefined ? {} : { port: opts.port }) });
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  console.log(`debug: ${target.name} (${target.file}${target.explore ? ", explore mode" : ""}) seed ${opts.seed}: recording the run...`);
  const root0 = await session.start();
  if (root0.state === "error") {
    console.error(`debug: ${root0.error ?? "the run could not be recorded"}`);
    await server.close();
    return 1;
  }
  const rec = root0.recording!;
  console.log(
    `debug: recorded ${rec.steps.length} steps, ${rec.events.length} events, ${rec.messages.length} messages in ${((root0.wallMs ?? 0) / 1000).toFixed(1)} s; ` +
      `the run ${rec.outcome.ok ? "passed" : `failed: ${(rec.outcome.error ?? "").split("\n", 1)[0]}`}`,
  );
  console.log(`debug: open ${server.url}${opts.at === undefined ? "" : `#t=${opts.at}`}`);
  console.log(`debug: (serving on 127.0.0.1 only; Ctrl-C stops it)`);
  await new Promise<never>(() => {});
  return 0;
}

if (isMain(import.meta.url)) {
  await runCli(USAGE, () => parse(process.argv.slice(2)), main);
}
