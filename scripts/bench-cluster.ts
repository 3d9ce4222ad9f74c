/**
 * `npm run bench:cluster`: the real cluster against a production system. Starts 3 local nodes
 * (fsync on: every save is durable before the node acknowledges anything that depends on it) and
 * measures, for --seconds each (default 10), on keys from a space of 1000 and 100-byte values:
 *
 *   (a) sequential puts from one client (to the leader),
 *   (b) puts from 16 concurrent clients spread over the nodes,
 *   (c) linearizable gets from 16 clients spread over the nodes,
 *
 * printing ops/s and p50/p99 latency. When Debian's etcd-server is installed (/usr/bin/etcd, or
 * --etcd <path>) it runs the same load against a 3-member etcd on loopback (its v3 JSON gateway,
 * a temp data directory) and prints the ratios; both clusters run at once and take turns, load by
 * load, so each comparison sees about the same machine load. Every process it starts is stopped
 * by pid.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { Agent } from "node:http";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { httpCall } from "../src/cluster/http-client.js";
import { freePorts } from "../src/cluster/free-ports.js";
import { stopProcesses } from "../src/cluster/processes.js";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const KEYS = 1000;
const VALUE_BYTES = 100;

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    seconds: { type: "string", default: "10" },
    clients: { type: "string", default: "16" },
    etcd: { type: "string" },
    "no-etcd": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help === true) {
  process.stdout.write("Usage: npm run bench:cluster -- [--seconds 10] [--clients 16] [--etcd /usr/bin/etcd | --no-etcd]\n");
  process.exit(0);
}
const SECONDS = Number(values.seconds);
const CLIENTS = Number(values.clients);
if (!(SECONDS > 0) || !(Number.isInteger(CLIENTS) && CLIENTS > 0)) {
  process.stderr.write("error: --seconds and --clients must be positive numbers\n");
  process.exit(2);
}
const etcdPath = values["no-etcd"] === true ? undefined : (values.etcd ?? (existsSync("/usr/bin/etcd") ? "/usr/bin/etcd" : undefined));

/** A system under test: how to put and get one key through member `m`, and which member leads. */
interface Target {
  readonly name: string;
  readonly members: readonly string[];
  leader(): Promise<number>;
  put(m: number, key: string, value: string, agent: Agent): Promise<boolean>;
  get(m: number, key: string, agent: Agent): Promise<boolean>;
  stop(): Promise<void>;
}

interface Result {
  readonly ops: number;
  readonly errors: number;
  readonly opsPerSec: number;
  readonly p50: number;
  readonly p99: number;
}

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
  const procs = [0, 1, 2].map((i) =>
    startChild(process.execPath, ["--import", "tsx", join(ROOT, "scripts", "node.ts"), "--id", String(i + 1), "--peers", peers.join(","), "--data", join(dir, `n${i + 1}`), "--http", members[i]!], `raftlab node ${i + 1}`),
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
    stop: () => stopProcesses(procs),
  };
}

const VALUE = "v".repeat(VALUE_BYTES);

/** Runs `clients` closed-loop clients for `seconds`: client i talks to member `memberOf(i)`. */
async function measure(seconds: number, clients: number, memberOf: (i: number) => number, op: (m: number, key: string, agent: Agent) => Promise<boolean>): Promise<Result> {
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        let n = i * 7919;
        while (performance.now() < end) {
          const key = `key${(n++ * 2654435761) % KEYS}`;
          const t = performance.now();
          if (await op(memberOf(i), key, agent)) latencies.push(performance.now() - t);
          else errors++;
        }
      } finally {
        agent.destroy();
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { ops: latencies.length, errors, opsPerSec: latencies.length / seconds, p50: at(0.5), p99: at(0.99) };
}

/** The three loads, by index: (a) sequential puts to the leader, (b) concurrent puts, (c) concurrent gets. */
async function runLoad(t: Target, load: number, leader: number): Promise<Result> {
  process.stderr.write(`${t.name}: ${names[load]} (load average ${loadavg()[0]!.toFixed(2)})\n`);
  if (load === 0) return measure(SECONDS, 1, () => leader, (m, k, a) => t.put(m, k, VALUE, a));
  if (load === 1) return measure(SECONDS, CLIENTS, (i) => i % 3, (m, k, a) => t.put(m, k, VALUE, a));
  return measure(SECONDS, CLIENTS, (i) => i % 3, (m, k, a) => t.get(m, k, a));
}

const fmt = (r: Result): string => `${r.opsPerSec.toFixed(0).padStart(6)} ops/s  p50 ${r.p50.toFixed(1).padStart(5)} ms  p99 ${r.p99.toFixed(1).padStart(6)} ms${r.errors > 0 ? `  (${r.errors} errors)` : ""}`;
const load = (): string => loadavg().map((x) => x.toFixed(2)).join(" ");

const names = ["(a) sequential puts, 1 client", `(b) puts, ${CLIENTS} clients`, `(c) linearizable gets, ${CLIENTS} clients`];
process.stdout.write(`bench:cluster: 3 nodes on loopback, fsync on, ${KEYS} keys, ${VALUE_BYTES}-byte values, ${SECONDS} s per measurement, ${cpus().length} CPUs\n`);
process.stdout.write(`load average before: ${load()}\n`);
const ours: Result[] = [];
const theirs: Result[] = [];
// Both systems run at once (the idle one costs little) and take turns, load by load, so that each
// comparison is made under about the same machine load.
const systems: Target[] = [];
try {
  systems.push(await startRaftlab());
  if (etcdPath !== undefined) systems.push(await startEtcd(etcdPath));
  const leaders: number[] = [];
  for (const t of systems) {
    leaders.push(await t.leader());
    // Warm up (connections, JIT, the first snapshot), not counted.
    await measure(1, CLIENTS, (i) => i % 3, (m, k, a) => t.put(m, k, VALUE, a));
  }
  for (let l = 0; l < names.length; l++) {
    for (const [i, t] of systems.entries()) (i === 0 ? ours : theirs).push(await runLoad(t, l, leaders[i]!));
  }
} finally {
  stopping = true;
  await Promise.all(systems.map((t) => t.stop()));
}
process.stdout.write(`load average after:  ${load()}\n\n`);
for (const [i, name] of names.entries()) {
  process.stdout.write(`${name}\n  raftlab  ${fmt(ours[i]!)}\n`);
  if (theirs.length > 0) {
    const t = theirs[i]!;
    process.stdout.write(`  etcd     ${fmt(t)}\n  ratio    ${(ours[i]!.opsPerSec / t.opsPerSec).toFixed(2)}x the throughput, ${(ours[i]!.p50 / t.p50).toFixed(2)}x the p50 latency\n`);
  }
}
if (etcdPath === undefined) process.stdout.write("\n(etcd not found: install Debian's etcd-server, or pass --etcd <path>, to compare)\n");
process.exit(0);
