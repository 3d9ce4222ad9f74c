/**
 * `npm run cluster -- --nodes 3 [--data <dir>] [--base-port <p>] [--log]`: starts N local nodes as
 * child processes (node i: peers on port p+i, HTTP on port p+1000+i), prints their addresses, and
 * stops them all (SIGTERM, then SIGKILL after 5 s) on Ctrl+C. Run it again with the same --data to
 * restart the whole cluster from its saved state.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { stopProcesses } from "../src/cluster/processes.js";

const USAGE = `Usage: npm run cluster -- [--nodes <n>] [--data <dir>] [--base-port <p>] [--log]

Starts n nodes (default 3) on 127.0.0.1: node i listens for peers on port p+i and for HTTP on
port p+1000+i (p defaults to 7000: peers 7001.., HTTP 8001..). Their data goes to <dir>/n<i>
(default: a new temporary directory, printed; pass it again to restart the same cluster).
--log writes each node's Raft debug log to <dir>/n<i>.log. Ctrl+C stops them all.`;

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));

function fail(message: string, status = 2): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(status);
}

let values: { nodes?: string; data?: string; "base-port"?: string; log?: boolean; help?: boolean };
try {
  ({ values } = parseArgs({
    args: process.argv.slice(2),
    options: { nodes: { type: "string" }, data: { type: "string" }, "base-port": { type: "string" }, log: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  }));
} catch (e) {
  fail(`${(e as Error).message} (see --help)`);
}
if (values.help === true) {
  process.stdout.write(USAGE + "\n");
  process.exit(0);
}
const n = Number(values.nodes ?? "3");
if (!Number.isInteger(n) || n < 2 || n > 9) fail(`--nodes ${values.nodes}: expected 2 to 9 nodes`);
const base = Number(values["base-port"] ?? "7000");
if (!Number.isInteger(base) || base < 1 || base + 1000 + n > 65535) fail(`--base-port ${values["base-port"]}: expected a port from 1 to ${65535 - 1000 - n}`);
const data = resolve(values.data ?? mkdtempSync(join(tmpdir(), "raftlab-cluster-")));
try {
  mkdirSync(data, { recursive: true });
} catch (e) {
  fail(`cannot use --data ${data}: ${(e as Error).message}`, 1);
}

const ids = Array.from({ length: n }, (_, i) => i + 1);
const peer = (id: number): string => `127.0.0.1:${base + id}`;
const http = (id: number): string => `127.0.0.1:${base + 1000 + id}`;

// Say which port is taken before starting anything, rather than leave a half-started cluster.
for (const port of ids.flatMap((id) => [base + id, base + 1000 + id])) {
  const free = await new Promise<boolean>((ok) => {
    const s = createServer();
    s.once("error", () => ok(false));
    s.listen(port, "127.0.0.1", () => s.close(() => ok(true)));
  });
  if (!free) fail(`port ${port} on 127.0.0.1 is in use (by an earlier cluster still running?): stop it, or pass another --base-port`, 1);
}

const children = new Map<number, ChildProcess>();
let stopping = false;
for (const id of ids) {
  const args = ["--import", "tsx", join(ROOT, "scripts", "node.ts"), "--id", String(id), "--peers", ids.map(peer).join(","), "--data", join(data, `n${id}`), "--http", http(id)];
  if (values.log === true) args.push("--log", join(data, `n${id}.log`));
  // Its own process group: Ctrl+C reaches only this script, which then stops each node in order.
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "inherit", "pipe"], detached: true });
  children.set(id, child);
  let partial = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (s: string) => {
    const lines = (partial + s).split("\n");
    partial = lines.pop()!;
    for (const line of lines) process.stderr.write(`[n${id}] ${line}\n`);
  });
  child.on("exit", (code, signal) => {
    children.delete(id);
    if (!stopping) process.stderr.write(`[n${id}] exited (${signal ?? `status ${code}`})\n`);
    if (children.size === 0) process.exit(stopping ? 0 : 1);
  });
}

process.stdout.write(`\nraftlab cluster of ${n} nodes, data in ${data}\n`);
for (const id of ids) process.stdout.write(`  node ${id}: peers ${peer(id)}  HTTP http://${http(id)}\n`);
process.stdout.write(`\ntry:  curl 'http://${http(1)}/put?key=x&value=1'   curl 'http://${http(2)}/get?key=x'   curl http://${http(3)}/status\n`);
process.stdout.write(`      npm run kv -- --nodes ${ids.map(http).join(",")} status\nCtrl+C stops the cluster.\n\n`);

const stopAll = (): void => {
  if (stopping) return;
  stopping = true;
  process.stderr.write("stopping the nodes...\n");
  void stopProcesses(children.values()).then(() => process.exit(0));
};
process.on("SIGINT", stopAll);
process.on("SIGTERM", stopAll);
