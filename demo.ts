/**
 * A narrated walkthrough of raftlab: a 3-server replicated key/value service on Raft, in a
 * deterministic simulation. Every line starts with the virtual time at which it happened.
 *
 *   npx tsx demo.ts [--seed N] [--timeline FILE] [--no-color]
 *
 * The same seed prints the same story, to the millisecond: everything (elections, delays, which
 * server crashes) follows from it. At the end Porcupine checks that everything the clients saw is
 * linearizable, and the run's HTML timeline is written to a file.
 */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pc from "picocolors";
import { checkOperationsVerbose } from "porcupine";
import { renderTimeline } from "./src/debug/timeline.js";
import type { Clerk } from "./src/kvraft/client.js";
import { OpLog, append, get, makeConfig, put, type Config } from "./src/kvraft/tester.js";
import { kvModel } from "./src/models/kv.js";
import { now, sleep, type LogEntry } from "./src/runtime/index.js";
import { formatTime, runSim } from "./src/sim/index.js";

const HELP = `Usage: npx tsx demo.ts [--seed N] [--timeline FILE] [--no-color]

A narrated run of a 3-server Raft key/value service in virtual time: election, reads and writes,
leader failure, concurrent clients, a partition and its healing, a crash and restart of every
server, and a final linearizability check by Porcupine.

  --seed N         the run to show (default 2026); the same seed prints the same story
  --timeline FILE  where to write the run's HTML timeline (default: in the OS temp folder)
  --no-color       plain text (also when NO_COLOR is set or output is not a terminal)
`;

const { values } = parseArgs({
  options: {
    seed: { type: "string", default: "2026" },
    timeline: { type: "string" },
    "no-color": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const seed = Number(values.seed);
if (!Number.isSafeInteger(seed)) {
  console.error(`--seed must be an integer, got "${values.seed}"`);
  process.exit(2);
}
const c = pc.createColors(!values["no-color"] && pc.isColorSupported);

/** Prints one line of the story, stamped with the virtual time. */
function say(text: string): void {
  console.log(`${c.dim(`[${formatTime(now()).padStart(8)}]`)} ${text}`);
}

/** Prints a chapter heading. */
function chapter(title: string): void {
  console.log(`\n${c.bold(c.cyan(title))}`);
}

/** Waits (polling every 10 virtual ms) until some server believes it leads; returns it. */
async function awaitLeader(cfg: Config, exclude = -1): Promise<number> {
  for (;;) {
    for (const [i, kv] of cfg.kvservers.entries()) {
      if (i !== exclude && kv?.rf.getState().isLeader === true) return i;
    }
    await sleep(10);
  }
}

function termOf(cfg: Config, i: number): number {
  return cfg.kvservers[i]?.rf.getState().term ?? -1;
}

const SERVERS = 3;
const history = new OpLog();
let clientIds = 0;

/** A clerk whose operations are recorded in the history under their own client id. */
function recordedClerk(cfg: Config, to: readonly number[]) {
  const ck: Clerk = cfg.makeClient(to);
  const cli = clientIds++;
  return {
    ck,
    get: (key: string) => get(cfg, ck, key, history, cli),
    put: (key: string, value: string) => put(cfg, ck, key, value, history, cli),
    append: (key: string, value: string) => append(cfg, ck, key, value, history, cli),
  };
}

async function story(cfg: Config): Promise<void> {
  chapter("1. Election");
  say(`${SERVERS} servers start as followers, each with a random election timeout.`);
  const leader1 = await awaitLeader(cfg);
  say(`${c.green(`S${leader1}`)} timed out first, won a majority of votes and leads term ${termOf(cfg, leader1)}.`);

  chapter("2. Reads and writes");
  const alice = recordedClerk(cfg, cfg.all());
  let t0 = now();
  await alice.put("course", "6.5840");
  say(`put(course, "6.5840") committed on a majority in ${(now() - t0).toFixed(0)} ms (every network message takes 1 ms).`);
  await alice.append("course", " raft");
  say(`append(course, " raft"); get(course) = ${c.yellow(JSON.stringify(await alice.get("course")))}`);
  say("Reads go through the Raft log too, so they are linearizable: no stale read from an old leader.");

  chapter("3. The leader crashes");
  cfg.shutdownServer(leader1);
  say(`${c.red(`S${leader1} crashed`)} (its persisted state survives, its memory does not).`);
  t0 = now();
  const writing = alice.put("lab", "3A");
  const leader2 = await awaitLeader(cfg, leader1);
  say(`${c.green(`S${leader2}`)} noticed the silence and won term ${termOf(cfg, leader2)} after ${(now() - t0).toFixed(0)} ms.`);
  await writing;
  say(`The clerk retried on its own: put(lab, "3A") finished ${(now() - t0).toFixed(0)} ms after the crash.`);
  cfg.startServer(leader1);
  cfg.connectAll();
  say(`S${leader1} restarts from its persister and rejoins as a follower; the leader brings its log up to date.`);

  chapter("4. Concurrent clients");
  const writers = [0, 1, 2, 3].map(() => recordedClerk(cfg, cfg.all()));
  const counts = [0, 0, 0, 0];
  const stopAt = now() + 1000;
  await Promise.all(
    writers.map(async (w, i) => {
      for (let j = 0; now() < stopAt; j++) {
        await w.append("log", `[${i}.${j}]`);
        counts[i] = j + 1;
        // A read after each write: the history's reads are what let Porcupine pin down the order.
        if (!(await w.get("log")).includes(`[${i}.${j}]`)) throw new Error(`client ${i} lost its append ${j}`);
      }
    }),
  );
  const log = await alice.get("log");
  const seen = log.match(/\[\d+\.\d+\]/g) ?? [];
  const expected = counts.reduce((a, b) => a + b, 0);
  const once = seen.length === expected && new Set(seen).size === expected;
  say(
    `4 clients appended to one key (and read it back) for 1 s: ${expected} appends; the value holds ${seen.length} elements, ` +
      (once ? c.green("each exactly once") : c.red("NOT each exactly once")) + ".",
  );
  if (!once) throw new Error(`exactly-once violated: ${expected} appends, ${seen.length} elements (${new Set(seen).size} distinct)`);
  say("Each request carries (clientId, requestId); a retried request that already ran is not applied again.");

  chapter("5. A partition");
  const [majority, minority] = cfg.makePartition();
  cfg.partition(majority, minority);
  say(`Partition: ${c.magenta(`[${majority.join(" ")}]`)} | ${c.magenta(`[${minority.join(" ")}]`)} — the old leader S${minority.at(-1)} is cut off with no majority.`);
  const bob = recordedClerk(cfg, minority);
  let bobDone = false;
  const bobWrite = bob.put("partition", "from the minority").then(() => {
    bobDone = true;
  });
  const carol = recordedClerk(cfg, majority);
  t0 = now();
  await carol.put("partition", "from the majority");
  say(`A clerk talking to the majority wrote after ${(now() - t0).toFixed(0)} ms (a new leader was elected there).`);
  await sleep(1000);
  say(`A clerk talking to the minority is still waiting: ${bobDone ? c.red("it finished?!") : "its put cannot commit without a majority."}`);
  cfg.connectAll();
  cfg.connectClient(bob.ck, cfg.all());
  say("The partition heals.");
  t0 = now();
  await bobWrite;
  say(`The waiting put committed ${(now() - t0).toFixed(0)} ms later; get(partition) = ${c.yellow(JSON.stringify(await alice.get("partition")))}.`);

  chapter("6. Every server crashes");
  for (let i = 0; i < SERVERS; i++) cfg.shutdownServer(i);
  say(c.red("All 3 servers crashed at once."));
  await sleep(1000);
  for (let i = 0; i < SERVERS; i++) cfg.startServer(i);
  cfg.connectAll();
  say("They restart from their persisters (Raft state plus snapshot) and elect a leader again.");
  t0 = now();
  const course = await alice.get("course");
  say(`get(course) = ${c.yellow(JSON.stringify(course))} after ${(now() - t0).toFixed(0)} ms: nothing committed was lost.`);
  say(`Largest persisted Raft state: ${cfg.logSize()} bytes; largest snapshot: ${cfg.snapshotSize()} bytes (maxraftstate ${cfg.maxraftstate}).`);
}

let failure: unknown;
const result = await runSim(
  seed,
  async () => {
    const cfg = makeConfig({ name: "demo", seed, wallMs: () => 0, note: () => {} }, SERVERS, false, 1000);
    try {
      await story(cfg);
    } catch (e) {
      failure = e;
    } finally {
      cfg.cleanup();
    }
  },
  { log: true, virtualBudgetMs: 600_000 },
);
if (failure !== undefined) throw failure;

chapter("7. Was it all linearizable?");
const operations = history.read();
if (process.env["DEMO_DUMP"]) writeFileSync(process.env["DEMO_DUMP"], JSON.stringify({ model: "kv", operations }));
const t0 = performance.now();
const { result: verdict, info } = checkOperationsVerbose(kvModel, operations, { timeout: 10_000 });
const ms = performance.now() - t0;
const shown = verdict === "ok" ? c.green("yes") : verdict === "illegal" ? c.red("NO") : c.yellow("unknown (timed out)");
console.log(
  `Porcupine checked the ${operations.length} operations the clients saw (${info.partitions.length} keys) in ${ms.toFixed(0)} ms: ${shown}.`,
);

const timelinePath = values.timeline ?? join(tmpdir(), `raftlab-demo-seed${seed}.html`);
writeFileSync(
  timelinePath,
  renderTimeline(result.logs as LogEntry[], { title: "raftlab demo", subtitle: `seed ${seed} · ${SERVERS} servers` }),
);
console.log(`\nThe run took ${formatTime(result.virtualMs)} of virtual time and ${result.wallMs.toFixed(0)} ms of wall time.`);
console.log(`Timeline of the run (roles, terms, crashes, partitions, commits): ${c.underline(timelinePath)}`);
console.log(`Replay this exact story: npx tsx demo.ts --seed ${seed}`);
if (verdict === "illegal") process.exitCode = 1;
