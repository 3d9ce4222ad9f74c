/**
 * `npm run bench:liveness`: how far the reference stays from the bounds of the explore scenarios'
 * liveness checks (src/explore/scenarios/raft-liveness.ts). Runs the Raft explore scenarios
 * in-process over many seeds and prints, per part, the distribution of the time to settle on a
 * leader after the healing, the RPCs per second of the stability window, and the time for a
 * command to be applied everywhere, next to their bounds.
 */
import { parseArgs } from "node:util";
import { LIVENESS_BOUNDS } from "../src/explore/scenarios/raft-liveness.js";
import type { LivenessMeasure } from "../src/explore/scenarios/phases.js";
import { RAFT_SCENARIO_NAMES } from "../src/explore/scenarios/aims.js";
import { raftScenario, type RaftPart } from "../src/explore/scenarios/raft-scenario.js";
import { runSim } from "../src/sim/index.js";
import { UsageError, runCli } from "./lib/cli.js";

const USAGE = `Usage: npm run bench:liveness [-- --seeds <n>] [--first <seed>] [--parts 3A,3B,3C,3D]

Runs each Raft explore scenario with seeds first..first+n-1 (default 1..200, in-process, one at a
time) and prints the reference's margins to the liveness bounds.`;

interface Options {
  readonly seeds: number;
  readonly first: number;
  readonly parts: readonly RaftPart[];
}

const PARTS: readonly RaftPart[] = ["3A", "3B", "3C", "3D"];

function parse(argv: readonly string[]): Options | undefined {
  const { values } = parseArgs({ args: [...argv], options: { seeds: { type: "string" }, first: { type: "string" }, parts: { type: "string" }, help: { type: "boolean", short: "h" } } });
  if (values.help === true) return undefined;
  const seeds = Number(values.seeds ?? "200");
  const first = Number(values.first ?? "1");
  const parts = (values.parts ?? "3A,3B,3C,3D").split(",").map((p) => p.trim()) as RaftPart[];
  if (!Number.isSafeInteger(seeds) || seeds < 1 || !Number.isSafeInteger(first)) throw new UsageError("--seeds must be a positive integer, --first an integer");
  for (const p of parts) if (!PARTS.includes(p)) throw new UsageError(`no Raft scenario for part ${p} (3A, 3B, 3C or 3D)`);
  return { seeds, first, parts };
}

function quantiles(xs: readonly number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const q = (f: number): number => s[Math.min(s.length - 1, Math.floor(f * s.length))]!;
  return `median ${q(0.5).toFixed(0)}, p99 ${q(0.99).toFixed(0)}, max ${s.at(-1)!.toFixed(0)}`;
}

async function run(opts: Options): Promise<number> {
  const b = LIVENESS_BOUNDS;
  let failed = 0;
  for (const part of opts.parts) {
    const name = RAFT_SCENARIO_NAMES[part];
    const measures: LivenessMeasure[] = [];
    for (let seed = opts.first; seed < opts.first + opts.seeds; seed++) {
      const quiet = console.log;
      console.log = () => {};
      try {
        await runSim(seed, () => raftScenario({ name, seed, wallMs: () => 0, note: () => {} }, part, { onLiveness: (m) => void measures.push(m) }));
      } catch (e) {
        failed++;
        console.error(`${name} seed ${seed} failed: ${(e as Error).message.split("\n", 1)[0]}`);
      } finally {
        console.log = quiet;
      }
    }
    const commits = measures.flatMap((m) => (m.commitMs === undefined ? [] : [m.commitMs]));
    console.log(`${name} (${measures.length} runs):`);
    console.log(`  settle after healing, ms:  ${quantiles(measures.map((m) => m.settleMs))}   (bound ${b.settleMs})`);
    console.log(`  RPCs per second, idle:     ${quantiles(measures.map((m) => m.rpcsPerSecond))}   (bound ${b.rpcsPerServerPerSecond} per server: 60 for 3, 100 for 5)`);
    if (commits.length > 0) console.log(`  command applied everywhere, ms: ${quantiles(commits)}   (bound ${b.commitMs})`);
  }
  return failed === 0 ? 0 : 1;
}

await runCli(USAGE, () => parse(process.argv.slice(2)), run);
