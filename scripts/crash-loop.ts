/**
 * `npm run crash-loop -- --kills <n>`: the kill -9 loop (src/cluster/crash-loop.ts) on a 3-node
 * cluster of real processes on loopback, with the HTTP history checked by Porcupine. Exits 0 when
 * every key's history is linearizable, 1 when one is not (or the loop failed), 2 on a bad command
 * line, 130 when interrupted (every node process is killed by its pid first).
 */
import { parseArgs } from "node:util";
import { runCrashLoop } from "../src/cluster/crash-loop.js";
import { UsageError, runCli } from "./lib/cli.js";
import { onInterrupt } from "./lib/interrupt.js";

const USAGE = `Usage: npm run crash-loop -- [--kills <n>] [--seed <n>] [--clients <n>] [--planted lagging-disk] [--vis <file>] [--max-minutes <m>] [--quiet]

Starts 3 nodes on free loopback ports, runs <clients> HTTP clients (puts, appends, linearizable
gets, through every node) and <n> kill points (default 300): kill -9 of the leader, of a follower,
of the leader right after a write was acknowledged, of the leader and a follower right after one,
or of every node right after one; each killed node restarts after a random pause. Every key's
history is checked by Porcupine when the key retires. Prints each kill point and the verdict.

Options:
  --kills <n>        kill points (default 300)
  --seed <n>         seed of the loop's choices (default: random, printed)
  --clients <n>      concurrent HTTP clients (default 4)
  --planted <bug>    run nodes with a planted bug the loop must catch: lagging-disk (writes reach
                     the disk 400 ms after they are reported durable); stops at the first failure
  --vis <file>       write the visualization of the first failing history there
  --max-minutes <m>  give up after this long (default 60)
  --quiet            print only the kill points' count every 25 and the verdict`;

const PLANTED: Readonly<Record<string, string>> = { "lagging-disk": "src/cluster/fixtures/lagging-disk.ts" };

interface Options {
  readonly kills: number;
  readonly seed: number;
  readonly clients: number;
  readonly planted: string | undefined;
  readonly vis: string | undefined;
  readonly maxMinutes: number;
  readonly quiet: boolean;
}

function parse(argv: readonly string[]): Options | undefined {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      kills: { type: "string" },
      seed: { type: "string" },
      clients: { type: "string" },
      planted: { type: "string" },
      vis: { type: "string" },
      "max-minutes": { type: "string" },
      quiet: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) return undefined;
  const int = (name: string, v: string | undefined, dflt: number, min: number): number => {
    const n = Number(v ?? dflt);
    if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} ${v}: expected a whole number >= ${min}`);
    return n;
  };
  if (values.planted !== undefined && PLANTED[values.planted] === undefined) throw new UsageError(`--planted ${values.planted}: the planted bugs are ${Object.keys(PLANTED).join(", ")}`);
  return {
    kills: int("kills", values.kills, 300, 1),
    seed: int("seed", values.seed, Math.floor(Math.random() * 1_000_000), 0),
    clients: int("clients", values.clients, 4, 1),
    planted: values.planted,
    vis: values.vis,
    maxMinutes: int("max-minutes", values["max-minutes"], 60, 1),
    quiet: values.quiet === true,
  };
}

async function run(o: Options): Promise<number> {
  const controller = new AbortController();
  const off = onInterrupt((sig) => {
    console.error(`${sig}: stopping the loop and killing its node processes`);
    controller.abort();
  });
  console.log(`crash loop: ${o.kills} kill points, ${o.clients} clients, seed ${o.seed}${o.planted !== undefined ? `, planted bug: ${o.planted}` : ""}`);
  let kills = 0;
  try {
    const report = await runCrashLoop({
      kills: o.kills,
      seed: o.seed,
      clients: o.clients,
      maxMs: o.maxMinutes * 60_000,
      signal: controller.signal,
      ...(o.planted !== undefined ? { preload: PLANTED[o.planted]! } : {}),
      ...(o.vis !== undefined ? { visualizationFile: o.vis } : {}),
      log: (line) => {
        if (line.startsWith("kill point")) kills++;
        if (!o.quiet || line.startsWith("NOT") || line.startsWith("NODE FAILED") || (line.startsWith("kill point") && kills % 25 === 0)) console.log(line);
      },
    });
    console.log(`kill points: ${report.kills} (${Object.entries(report.byKind).map(([k, n]) => `${k} ${n}`).join(", ")})`);
    console.log(`operations checked: ${report.operations} in ${report.checked} key groups (${report.unknownWrites} writes of unknown outcome); node processes started: ${report.pids.length}, all killed`);
    console.log(`wall time: ${(report.wallMs / 1000).toFixed(1)} s`);
    const f = report.firstFailure;
    if (f?.kind === "not linearizable") {
      console.log(`FAILED: not linearizable: keys ${f.keys.join(", ")}, found after kill point ${f.afterKills}${f.visualization !== undefined ? ` (visualization: ${f.visualization})` : ""}`);
      return 1;
    }
    if (f?.kind === "node failed") {
      console.log(`FAILED: after kill point ${f.afterKills}, ${f.detail}`);
      return 1;
    }
    if (report.undecided > 0) {
      console.log(`UNDECIDED: Porcupine could not decide ${report.undecided} key group(s)`);
      return 1;
    }
    console.log(`ok: every key's history is linearizable (${report.illegal} failures)`);
    return 0;
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    return controller.signal.aborted ? 130 : 1;
  } finally {
    off();
  }
}

await runCli(USAGE, () => parse(process.argv.slice(2)), run);
// Every node process is gone by now; an interrupted wait (a status poll) may still hold a timer.
process.exit();
