/**
 * `npm run bench:cluster`: the real cluster against a production system. Starts 3 local nodes
 * (fsync on: every save is durable before the node acknowledges anything that depends on it) and
 * measures, for --seconds each (default 10), on keys from a space of 1000 and 100-byte values:
 *
 *   (a) sequential puts from one client (to the leader),
 *   (b) puts from 16 concurrent clients spread over the nodes,
 *   (c) linearizable gets from 16 clients spread over the nodes,
 *
 * printing ops/s and p50/p99 latency, each node's CPU time per operation (from /proc), and for
 * raftlab where the slowest 1% of operations spent their time: the share of them that overlapped a
 * checkpoint (on the leader, on a follower) or a GC pause on any node, with each node's checkpoints,
 * WAL write, KV request (as the node timed it) and event-loop delay percentiles during the load
 * (from the nodes' `GET /metrics`); for load (a), each sequential put split into phases from the
 * leader's timeline (scripts/lib/slow-ops.ts), for the slowest 1% and the middle 10%; and for
 * both systems each member's WAL syncs within 1, 2 and 4 ms (etcd's from its Prometheus metrics).
 * `--loads a,b,c` picks the loads; `--cpu-prof <dir>` profiles each raftlab node (Node's --cpu-prof) into <dir>/node<i>/.
 * `--max-raft-state <n>` is passed to raftlab's nodes (their snapshot threshold). When Debian's etcd-server is installed (/usr/bin/etcd, or
 * --etcd <path>) it runs the same load against a 3-member etcd on loopback (its v3 JSON gateway,
 * a temp data directory) and prints the ratios; both clusters run at once and take turns, load by
 * load, so each comparison sees about the same machine load. Every process it starts is stopped
 * by pid. `--runs n` repeats the whole measurement n times on fresh clusters and ends with the
 * medians and ranges (min-max) of ops/s and p99 for both systems, and of their ratios per run.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent } from "node:http";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { httpCall } from "../src/cluster/http-client.js";
import { freePorts } from "../src/cluster/free-ports.js";
import { stopProcesses } from "../src/cluster/processes.js";
import type { NodeTimeline } from "../src/cluster/node-metrics.js";
import { breakdown, clockOffset, describeBreakdown } from "./lib/slow-ops.js";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const KEYS = 1000;
const VALUE_BYTES = 100;

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    seconds: { type: "string", default: "10" },
    clients: { type: "string", default: "16" },
    etcd: { type: "string" },
    "max-raft-state": { type: "string" },
    runs: { type: "string", default: "1" },
    loads: { type: "string", default: "a,b,c" },
    "cpu-prof": { type: "string" },
    "no-etcd": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help === true) {
  process.stdout.write("Usage: npm run bench:cluster -- [--seconds 10] [--clients 16] [--runs 1] [--max-raft-state <bytes>] [--loads a,b,c] [--cpu-prof <dir>] [--etcd /usr/bin/etcd | --no-etcd]\n");
  process.exit(0);
}
const SECONDS = Number(values.seconds);
const CLIENTS = Number(values.clients);
const RUNS = Number(values.runs);
if (!(SECONDS > 0) || !(Number.isInteger(CLIENTS) && CLIENTS > 0) || !(Number.isInteger(RUNS) && RUNS > 0)) {
  process.stderr.write("error: --seconds, --clients and --runs must be positive numbers (--clients and --runs whole), e.g. --seconds 5 --runs 3\n");
  process.exit(2);
}
const MAX_RAFT_STATE = values["max-raft-state"];
if (MAX_RAFT_STATE !== undefined && !/^\d+$/.test(MAX_RAFT_STATE)) {
  process.stderr.write(`error: --max-raft-state ${MAX_RAFT_STATE}: expected a number of bytes, e.g. 67108864\n`);
  process.exit(2);
}
const LOADS = values.loads.split(",").map((l) => ["a", "b", "c"].indexOf(l.trim()));
if (LOADS.length === 0 || LOADS.some((l) => l < 0) || new Set(LOADS).size !== LOADS.length) {
  process.stderr.write(`error: --loads ${values.loads}: expected a comma-separated subset of a,b,c (e.g. --loads a or --loads b,c)\n`);
  process.exit(2);
}
LOADS.sort((x, y) => x - y);
// A CPU profile per raftlab node (Node's --cpu-prof, written when the node exits), to see where its time goes.
const CPU_PROF = values["cpu-prof"] === undefined ? undefined : resolve(values["cpu-prof"]);
const etcdPath = values["no-etcd"] === true ? undefined : (values.etcd ?? (existsSync("/usr/bin/etcd") ? "/usr/bin/etcd" : undefined));

/** A system under test: how to put and get one key through member `m`, and which member leads. */
interface Target {
  readonly name: string;
  readonly members: readonly string[];
  leader(): Promise<number>;
  put(m: number, key: string, value: string, agent: Agent): Promise<boolean>;
  get(m: number, key: string, agent: Agent): Promise<boolean>;
  /** The member processes' ids, in member order (for their CPU time). */
  readonly pids: readonly number[];
  /** Per-member `GET /metrics` reports (raftlab only). */
  metrics?(since: number): Promise<NodeReport[]>;
  /** Per-member WAL sync counts so far, in all and within 1, 2 and 4 ms (etcd only: its Prometheus histogram). */
  walSyncs?(): Promise<WalSyncs[]>;
  stop(): Promise<void>;
}

/** What a raftlab node's `GET /metrics` answers (see src/cluster/node-metrics.ts). */
interface NodeReport {
  readonly role: string;
  readonly checkpoints: { readonly count: number; readonly intervals: readonly (readonly [number, number])[] };
  readonly walWrites: { readonly count: number; readonly p50: number; readonly p99: number };
  /** KV requests as the node timed them (absent from nodes of before it did). */
  readonly kvRequests?: { readonly count: number; readonly p50: number; readonly p99: number };
  /** Each WAL write, KV request and commit during the load (asked for with timeline=1). */
  readonly timeline?: NodeTimeline;
  readonly loopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly gc: { readonly count: number; readonly totalMs: number; readonly pauses: readonly (readonly [number, number])[] };
}

/** How many WAL syncs a member made, in all and within 1, 2 and 4 ms. */
interface WalSyncs {
  readonly all: number;
  readonly within: readonly [number, number, number];
}

/** etcd's `etcd_disk_wal_fsync_duration_seconds` histogram, read from its Prometheus text. */
function etcdWalSyncs(text: string): WalSyncs {
  const line = (le: string): string => `etcd_disk_wal_fsync_duration_seconds_bucket{le="${le}"} `;
  const bucket = (le: string): number => Number(text.split("\n").find((l) => l.startsWith(line(le)))?.slice(line(le).length) ?? NaN);
  return { all: bucket("+Inf"), within: [bucket("0.001"), bucket("0.002"), bucket("0.004")] };
}

/** `a% within 1 ms, b% within 2 ms, c% within 4 ms` of the syncs between two readings. */
function describeSyncs(before: WalSyncs, after: WalSyncs): string {
  const n = after.all - before.all;
  if (!(n > 0)) return "no WAL syncs";
  const pct = (i: number): string => `${((100 * (after.within[i]! - before.within[i]!)) / n).toFixed(1)}%`;
  return `${n} WAL syncs: ${pct(0)} within 1 ms, ${pct(1)} within 2 ms, ${pct(2)} within 4 ms`;
}

/** The same counts for a raftlab node's WAL writes on its timeline. */
function raftlabSyncs(timeline: NodeTimeline): WalSyncs {
  const ms = timeline.walWrites.map(([a, b]) => b - a);
  return { all: ms.length, within: [1, 2, 4].map((t) => ms.filter((x) => x <= t).length) as [number, number, number] };
}

interface Result {
  readonly ops: number;
  readonly errors: number;
  readonly opsPerSec: number;
  readonly p50: number;
  readonly p99: number;
  /** Every operation, as [start, end] in epoch ms, fastest first. */
  readonly all: readonly (readonly [number, number])[];
  /** The slowest 1% of operations, as [start, end] in epoch ms. */
  readonly slowest: readonly (readonly [number, number])[];
  /** When the measurement started and ended, in epoch ms. */
  readonly span: readonly [number, number];
}

/** Wall-clock now in epoch ms, comparable with the nodes' `/metrics` times (same machine). */
const epoch = (): number => performance.timeOrigin + performance.now();

/** CPU time (user + system) of a process so far, in ms, from /proc; NaN where there is no /proc. */
function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of the line)
    return (ticks * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
/** Linux's USER_HZ: /proc reports CPU time in these ticks (100 on every mainstream build). */
const CLOCK_TICKS = 100;

const children = new Set<ChildProcess>();
const tempDirs: string[] = [];
process.once("exit", () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});
process.once("SIGINT", () => process.exit(130));

function startChild(cmd: string, args: readonly string[], label: string): ChildProcess {
  const c = spawn(cmd, args, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
  children.add(c);
  let tail = "";
  c.stderr!.setEncoding("utf8").on("data", (s: string) => (tail = (tail + s).slice(-2000)));
  c.once("exit", (code, signal) => {
    children.delete(c);
    if (!stopping) process.stderr.write(`${label} exited (${signal ?? code}):\n${tail}\n`);
  });
  return c;
}

let stopping = false;

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: not ready within ${ms} ms`);
}

async function startRaftlab(): Promise<Target> {
  const ports = await freePorts(6);
  const dir = mkdtempSync(join(tmpdir(), "raftlab-bench-"));
  tempDirs.push(dir);
  const peers = [0, 1, 2].map((i) => `127.0.0.1:${ports[i]}`);
  const members = [0, 1, 2].map((i) => `127.0.0.1:${ports[3 + i]}`);
  const extra = MAX_RAFT_STATE === undefined ? [] : ["--max-raft-state", MAX_RAFT_STATE];
  const procs = [0, 1, 2].map((i) =>
    startChild(process.execPath, [...(CPU_PROF === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", join(CPU_PROF, `node${i + 1}`)]), "--import", "tsx", join(ROOT, "scripts", "node.ts"), "--id", String(i + 1), "--peers", peers.join(","), "--data", join(dir, `n${i + 1}`), "--http", members[i]!, ...extra], `raftlab node ${i + 1}`),
  );
  const leader = async (): Promise<number> =>
    waitFor("a raftlab leader", async () => {
      for (const [i, m] of members.entries()) {
        const s = await httpCall(m, "/status", { timeoutMs: 2000 });
        if (s.body["role"] === "leader") return i;
      }
      return undefined;
    });
  await leader();
  const ok = (r: { status: number }): boolean => r.status === 200;
  return {
    name: "raftlab",
    members,
    leader,
    put: async (m, key, value, agent) => ok(await httpCall(members[m]!, "/put", { method: "POST", body: { key, value }, agent })),
    get: async (m, key, agent) => ok(await httpCall(members[m]!, `/get?key=${key}`, { agent })),
    pids: procs.map((p) => p.pid ?? -1),
    metrics: async (since) => Promise.all(members.map(async (m) => (await httpCall(m, `/metrics?since=${since}&reset=1&timeline=1`, { timeoutMs: 5000 })).body as unknown as NodeReport)),
    stop: () => stopProcesses(procs),
  };
}

async function startEtcd(binary: string): Promise<Target> {
  const ports = await freePorts(6);
  const dir = mkdtempSync(join(tmpdir(), "raftlab-bench-etcd-"));
  tempDirs.push(dir);
  const peerUrls = [0, 1, 2].map((i) => `http://127.0.0.1:${ports[i]}`);
  const members = [0, 1, 2].map((i) => `127.0.0.1:${ports[3 + i]}`);
  const cluster = peerUrls.map((u, i) => `e${i + 1}=${u}`).join(",");
  const procs = [0, 1, 2].map((i) =>
    startChild(
      binary,
      [
        "--name", `e${i + 1}`,
        "--data-dir", join(dir, `e${i + 1}`),
        "--listen-client-urls", `http://${members[i]}`,
        "--advertise-client-urls", `http://${members[i]}`,
        "--listen-peer-urls", peerUrls[i]!,
        "--initial-advertise-peer-urls", peerUrls[i]!,
        "--initial-cluster", cluster,
        "--initial-cluster-state", "new",
        "--initial-cluster-token", "raftlab-bench",
        "--logger", "zap",
        "--log-level", "error",
      ],
      `etcd member ${i + 1}`,
    ),
  );
  const b64 = (s: string): string => Buffer.from(s).toString("base64");
  const leader = async (): Promise<number> =>
    waitFor("an etcd leader", async () => {
      for (const [i, m] of members.entries()) {
        const s = await httpCall(m, "/v3/maintenance/status", { method: "POST", body: {}, timeoutMs: 2000 });
        const header = s.body["header"] as { member_id?: string } | undefined;
        if (s.status === 200 && header?.member_id !== undefined && header.member_id === s.body["leader"]) return i;
      }
      return undefined;
    });
  await leader();
  const ok = (r: { status: number; body: Record<string, unknown> }): boolean => r.status === 200 && r.body["error"] === undefined;
  return {
    name: "etcd",
    members,
    leader,
    put: async (m, key, value, agent) => ok(await httpCall(members[m]!, "/v3/kv/put", { method: "POST", body: { key: b64(key), value: b64(value) }, agent })),
    // Linearizable (etcd's default, serializable: false): a ReadIndex round with a quorum.
    get: async (m, key, agent) => ok(await httpCall(members[m]!, "/v3/kv/range", { method: "POST", body: { key: b64(key) }, agent })),
    pids: procs.map((p) => p.pid ?? -1),
    walSyncs: async () => Promise.all(members.map(async (m) => etcdWalSyncs(await (await fetch(`http://${m}/metrics`, { signal: AbortSignal.timeout(5000) })).text()))),
    stop: () => stopProcesses(procs),
  };
}

const VALUE = "v".repeat(VALUE_BYTES);

/** Runs `clients` closed-loop clients for `seconds`: client i talks to member `memberOf(i)`. */
async function measure(seconds: number, clients: number, memberOf: (i: number) => number, op: (m: number, key: string, agent: Agent) => Promise<boolean>): Promise<Result> {
  const ops: [number, number][] = [];
  let errors = 0;
  const begin = epoch();
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        let n = i * 7919;
        while (performance.now() < end) {
          const key = `key${(n++ * 2654435761) % KEYS}`;
          const t = epoch();
          if (await op(memberOf(i), key, agent)) ops.push([t, epoch()]);
          else errors++;
        }
      } finally {
        agent.destroy();
      }
    }),
  );
  ops.sort((a, b) => a[1] - a[0] - (b[1] - b[0]));
  const at = (q: number): number => {
    const o = ops[Math.min(ops.length - 1, Math.floor(q * ops.length))];
    return o === undefined ? NaN : o[1] - o[0];
  };
  const slowest = ops.slice(Math.floor(0.99 * ops.length));
  return { all: ops, ops: ops.length, errors, opsPerSec: ops.length / seconds, p50: at(0.5), p99: at(0.99), slowest, span: [begin, epoch()] };
}

/** One load's result, with each member's CPU time per operation and (raftlab) its `/metrics`. */
interface LoadResult extends Result {
  /** Which load: 0 (a), 1 (b), 2 (c). */
  readonly load: number;
  readonly cpuMsPerOp: readonly number[];
  readonly reports: readonly NodeReport[] | undefined;
  /** etcd: each member's WAL syncs during the load, described. */
  readonly syncs: readonly string[] | undefined;
}

/** The three loads, by index: (a) sequential puts to the leader, (b) concurrent puts, (c) concurrent gets. */
async function runLoad(t: Target, load: number, leader: number): Promise<LoadResult> {
  process.stderr.write(`${t.name}: ${names[load]} (load average ${loadavg()[0]!.toFixed(2)})\n`);
  await t.metrics?.(epoch()); // starts the nodes' percentiles over
  const syncsBefore = await t.walSyncs?.();
  const cpuBefore = t.pids.map(cpuMsOf);
  let r: Result;
  if (load === 0) r = await measure(SECONDS, 1, () => leader, (m, k, a) => t.put(m, k, VALUE, a));
  else if (load === 1) r = await measure(SECONDS, CLIENTS, (i) => i % 3, (m, k, a) => t.put(m, k, VALUE, a));
  else r = await measure(SECONDS, CLIENTS, (i) => i % 3, (m, k, a) => t.get(m, k, a));
  const cpuMsPerOp = t.pids.map((pid, i) => (cpuMsOf(pid) - cpuBefore[i]!) / Math.max(1, r.ops + r.errors));
  const reports = await t.metrics?.(r.span[0]);
  const syncsAfter = await t.walSyncs?.();
  const syncs = syncsBefore === undefined || syncsAfter === undefined ? undefined : syncsAfter.map((a, i) => describeSyncs(syncsBefore[i]!, a));
  return { ...r, load, cpuMsPerOp, reports, syncs };
}

/** Whether [s, e] overlaps any of `intervals`. */
function overlaps(s: number, e: number, intervals: readonly (readonly [number, number])[]): boolean {
  return intervals.some(([a, b]) => a <= e && b >= s);
}

/** Where the slowest 1% of a raftlab load spent its time, and what each node did meanwhile. */
function attribution(r: LoadResult): string {
  if (r.reports === undefined) return "";
  const reports = r.reports;
  const leaderCk = reports.filter((n) => n.role === "leader").flatMap((n) => n.checkpoints.intervals);
  const followerCk = reports.filter((n) => n.role !== "leader").flatMap((n) => n.checkpoints.intervals);
  const gc = reports.flatMap((n) => n.gc.pauses);
  let onLeader = 0;
  let onFollower = 0;
  let onGc = 0;
  let none = 0;
  for (const [s, e] of r.slowest) {
    const l = overlaps(s, e, leaderCk);
    const f = overlaps(s, e, followerCk);
    const g = overlaps(s, e, gc);
    if (l) onLeader++;
    if (f) onFollower++;
    if (g) onGc++;
    if (!l && !f && !g) none++;
  }
  const n = Math.max(1, r.slowest.length);
  const pct = (k: number): string => `${((100 * k) / n).toFixed(0)}%`;
  const lines = [
    `           slowest 1% (${r.slowest.length} ops): ${pct(onLeader)} overlapped a leader checkpoint, ${pct(onFollower)} a follower checkpoint, ${pct(onGc)} a GC pause, ${pct(none)} none of these`,
  ];
  // Sequential puts: each operation is one request, one WAL write and one commit in the leader.
  const timeline = reports.find((n) => n.role === "leader")?.timeline;
  if (r.load === 0 && timeline !== undefined) {
    const middle = r.all.slice(Math.floor(0.45 * r.all.length), Math.ceil(0.55 * r.all.length));
    const offset = clockOffset(r.all, timeline);
    lines.push(`           ${describeBreakdown("slowest 1%", breakdown(r.slowest, timeline, offset))}`);
    lines.push(`           ${describeBreakdown("middle 10%", breakdown(middle, timeline, offset))} (the leader's clock ${offset.toFixed(2)} ms ahead of the client's, estimated)`);
  }
  for (const [i, node] of reports.entries()) {
    const ck = node.checkpoints.intervals.filter(([a]) => a >= r.span[0]);
    const ckMs = ck.map(([a, b]) => b - a);
    const mean = ckMs.length === 0 ? 0 : ckMs.reduce((x, y) => x + y, 0) / ckMs.length;
    const pauses = node.gc.pauses.filter(([a]) => a >= r.span[0]);
    const gcMs = pauses.reduce((x, [a, b]) => x + b - a, 0);
    lines.push(
      `           node ${i + 1} (${node.role.padEnd(9)}) cpu ${r.cpuMsPerOp[i]!.toFixed(3)} ms/op, ${ck.length} checkpoints (mean ${mean.toFixed(1)} ms, max ${Math.max(0, ...ckMs).toFixed(1)} ms), ` +
        `WAL write p50 ${node.walWrites.p50.toFixed(2)} / p99 ${node.walWrites.p99.toFixed(2)} ms, ` +
        (node.kvRequests === undefined || node.kvRequests.count === 0 ? "" : `KV requests in the node p50 ${node.kvRequests.p50.toFixed(2)} / p99 ${node.kvRequests.p99.toFixed(2)} ms, `) +
        `loop delay p99 ${node.loopDelayMs.p99.toFixed(1)} ms, GC ${gcMs.toFixed(0)} ms in ${pauses.length} pauses` +
        (node.timeline === undefined ? "" : `; ${describeSyncs({ all: 0, within: [0, 0, 0] }, raftlabSyncs(node.timeline))}`),
    );
  }
  return `${lines.join("\n")}\n`;
}

const fmt = (r: Result): string => `${r.opsPerSec.toFixed(0).padStart(6)} ops/s  p50 ${r.p50.toFixed(1).padStart(5)} ms  p99 ${r.p99.toFixed(1).padStart(6)} ms${r.errors > 0 ? `  (${r.errors} errors)` : ""}`;
const load = (): string => loadavg().map((x) => x.toFixed(2)).join(" ");

const names = ["(a) sequential puts, 1 client", `(b) puts, ${CLIENTS} clients`, `(c) linearizable gets, ${CLIENTS} clients`];
process.stdout.write(`bench:cluster: 3 nodes on loopback, fsync on, ${KEYS} keys, ${VALUE_BYTES}-byte values, ${SECONDS} s per measurement, ${RUNS} run${RUNS > 1 ? "s" : ""}, ${cpus().length} CPUs${MAX_RAFT_STATE === undefined ? "" : `, raftlab --max-raft-state ${MAX_RAFT_STATE}`}\n`);
/** One run: fresh clusters (new data directories), the three loads, each system's results printed. */
async function oneRun(): Promise<{ ours: LoadResult[]; theirs: LoadResult[] }> {
  process.stdout.write(`load average before: ${load()}\n`);
  const ours: LoadResult[] = [];
  const theirs: LoadResult[] = [];
  // Both systems run at once (the idle one costs little) and take turns, load by load, so that each
  // comparison is made under about the same machine load.
  const systems: Target[] = [];
  stopping = false;
  try {
    systems.push(await startRaftlab());
    if (etcdPath !== undefined) systems.push(await startEtcd(etcdPath));
    const leaders: number[] = [];
    for (const t of systems) {
      leaders.push(await t.leader());
      // Warm up (connections, JIT, the first snapshot), not counted.
      await measure(1, CLIENTS, (i) => i % 3, (m, k, a) => t.put(m, k, VALUE, a));
    }
    for (const l of LOADS) {
      for (const [i, t] of systems.entries()) (i === 0 ? ours : theirs).push(await runLoad(t, l, leaders[i]!));
    }
  } finally {
    stopping = true;
    await Promise.all(systems.map((t) => t.stop()));
  }
  process.stdout.write(`load average after:  ${load()}\n\n`);
  const cpu = (r: LoadResult): string => `  cpu ms/op per node ${r.cpuMsPerOp.map((x) => x.toFixed(3)).join(" / ")}`;
  for (const [i, l] of LOADS.entries()) {
    const name = names[l]!;
    process.stdout.write(`${name}\n  raftlab  ${fmt(ours[i]!)}${cpu(ours[i]!)}\n${attribution(ours[i]!)}`);
    if (theirs.length > 0) {
      const t = theirs[i]!;
      const syncs = t.syncs === undefined ? "" : t.syncs.map((d, m) => `           member ${m + 1}: ${d}\n`).join("");
      process.stdout.write(`  etcd     ${fmt(t)}${cpu(t)}\n${syncs}  ratio    ${(ours[i]!.opsPerSec / t.opsPerSec).toFixed(2)}x the throughput, ${(ours[i]!.p50 / t.p50).toFixed(2)}x the p50 latency, ${(ours[i]!.p99 / t.p99).toFixed(2)}x the p99\n`);
    }
  }
  return { ours, theirs };
}

/** The median of `xs` (the mean of the middle two for an even count). */
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** `median (min-max)` of `xs`, with `digits` decimals. */
function spread(xs: readonly number[], digits: number): string {
  return `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)})`;
}

const runs: { ours: LoadResult[]; theirs: LoadResult[] }[] = [];
for (let run = 1; run <= RUNS; run++) {
  if (RUNS > 1) process.stdout.write(`\n=== run ${run} of ${RUNS} ===\n`);
  runs.push(await oneRun());
}
if (RUNS > 1) {
  process.stdout.write(`\n=== medians (min-max) over ${RUNS} runs ===\n`);
  for (const [i, l] of LOADS.entries()) {
    const name = names[l]!;
    const of = (side: "ours" | "theirs", f: (r: LoadResult) => number): number[] => runs.map((r) => f(r[side][i]!));
    process.stdout.write(`${name}\n  raftlab  ops/s ${spread(of("ours", (r) => r.opsPerSec), 0)}  p99 ${spread(of("ours", (r) => r.p99), 1)} ms\n`);
    if (etcdPath !== undefined) {
      process.stdout.write(`  etcd     ops/s ${spread(of("theirs", (r) => r.opsPerSec), 0)}  p99 ${spread(of("theirs", (r) => r.p99), 1)} ms\n`);
      const ratio = runs.map((r) => r.ours[i]!.opsPerSec / r.theirs[i]!.opsPerSec);
      const p99 = runs.map((r) => r.ours[i]!.p99 / r.theirs[i]!.p99);
      process.stdout.write(`  ratio    ${spread(ratio, 2)}x the throughput, ${spread(p99, 2)}x the p99 (per run, side by side)\n`);
    }
  }
}
if (etcdPath === undefined) process.stdout.write("\n(etcd not found: install Debian's etcd-server, or pass --etcd <path>, to compare)\n");
process.exit(0);
