/**
 * `npm run kv -- [--nodes <host:port,...>] put|get|append|cas|status ...`: a command-line client of a
 * cluster's HTTP API, with leader discovery and retries (each command keeps one clientId/requestId
 * across retries, so it is applied once).
 */
import { parseArgs } from "node:util";
import { KvHttpClient, httpCall } from "../src/cluster/http-client.js";

const DEFAULT_NODES = "127.0.0.1:8001,127.0.0.1:8002,127.0.0.1:8003";
const USAGE = `Usage: npm run kv -- [--nodes <host:port,...>] [--timeout <ms>] <command>

  put <key> <value>            set key to value
  get <key>                    print the value ("" if missing)
  append <key> <value>         append value to key's value
  cas <key> <expected> <value> set key to value if it holds expected; prints true or false
  status                       one line per node: role, term, leader, commit and applied index

--nodes: every node's HTTP address in id order (default ${DEFAULT_NODES}, the default of npm run cluster;
or set RAFTLAB_NODES). --timeout: give up after this many ms (default 10000).`;

function fail(message: string, status: number): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(status);
}

let parsed: ReturnType<typeof parseArgs<{ options: { nodes: { type: "string" }; timeout: { type: "string" }; help: { type: "boolean"; short: "h" } }; allowPositionals: true }>>;
try {
  parsed = parseArgs({ args: process.argv.slice(2), allowPositionals: true, options: { nodes: { type: "string" }, timeout: { type: "string" }, help: { type: "boolean", short: "h" } } });
} catch (e) {
  fail(`${(e as Error).message} (see --help)`, 2);
}
const { values, positionals } = parsed;
if (values.help === true || positionals.length === 0) {
  process.stdout.write(USAGE + "\n");
  process.exit(values.help === true ? 0 : 2);
}
const nodes = (values.nodes ?? process.env["RAFTLAB_NODES"] ?? DEFAULT_NODES).split(",").map((s) => s.trim());
for (const a of nodes) if (!/^[^:\s]+:\d{1,5}$/.test(a)) fail(`--nodes: "${a}" is not host:port`, 2);
const timeout = Number(values.timeout ?? "10000");
if (!(timeout > 0)) fail(`--timeout ${values.timeout}: expected a number of ms`, 2);
const [command, ...rest] = positionals;
const arity: Record<string, number> = { put: 2, get: 1, append: 2, cas: 3, status: 0 };
if (!(command! in arity)) fail(`unknown command "${command}": expected put, get, append, cas or status (see --help)`, 2);
if (rest.length !== arity[command!]) fail(`${command} takes ${arity[command!]} argument(s), got ${rest.length} (see --help)`, 2);

if (command === "status") {
  let up = 0;
  for (const [i, addr] of nodes.entries()) {
    const r = await httpCall(addr, "/status", { timeoutMs: Math.min(timeout, 3000) });
    if (r.status !== 200) {
      process.stdout.write(`node ${i + 1}  ${addr}  down (${String(r.body["error"])})\n`);
      continue;
    }
    up++;
    const s = r.body;
    process.stdout.write(`node ${s["id"]}  ${addr}  ${String(s["role"]).padEnd(9)} term ${s["term"]}  leader ${s["leader"] ?? "-"}  commit ${s["commitIndex"]}  applied ${s["lastApplied"]}\n`);
  }
  process.exit(up > 0 ? 0 : 1);
}

const client = new KvHttpClient(nodes, { deadlineMs: timeout });
try {
  const [a, b, c] = rest as [string, string, string];
  switch (command) {
    case "get":
      process.stdout.write((await client.get(a)) + "\n");
      break;
    case "put":
      await client.put(a, b);
      process.stdout.write("ok\n");
      break;
    case "append":
      await client.append(a, b);
      process.stdout.write("ok\n");
      break;
    case "cas":
      process.stdout.write(`${await client.cas(a, b, c)}\n`);
      break;
  }
} catch (e) {
  fail(`${(e as Error).message}${/no node could do it/.test((e as Error).message) ? " (are the nodes running? npm run cluster)" : ""}`, 1);
} finally {
  client.close();
}
