/**
 * `npm run node -- --id <i> --addr <host:port> --peers <host:port,...> --data <dir> --http <[host:]port>`:
 * one node of a real cluster (see `src/cluster`, and --help). Exits 2 on a bad command line, 1 when
 * it cannot start or fails while running, 0 after SIGINT or SIGTERM (having written out its state).
 */
import { formatLogLine } from "../src/runtime/log-format.js";
import { ClusterNode, NODE_USAGE, UsageError, parseNodeArgs, type NodeConfig } from "../src/cluster/index.js";

let config: NodeConfig | "help";
try {
  config = parseNodeArgs(process.argv.slice(2));
} catch (e) {
  if (!(e instanceof UsageError)) throw e;
  process.stderr.write(`error: ${e.message}\n`);
  process.exit(2);
}
if (config === "help") {
  process.stdout.write(NODE_USAGE + "\n");
  process.exit(0);
}
const cfg = config;
const label = `node${cfg.id}`;
const say = (topic: "INFO" | "WARN" | "ERRO", message: string): void => {
  process.stderr.write(formatLogLine({ time: Math.round(performance.now()), peer: label, topic, message }) + "\n");
};

let node: ClusterNode | undefined;
let stopping = false;
const fatal = (e: unknown): void => {
  say("ERRO", `fatal: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
};

try {
  node = await ClusterNode.start(cfg, { note: (level, m) => say(level, m), fatal });
} catch (e) {
  process.stderr.write(`error: node ${cfg.id} cannot start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
const http = node.httpAddress();
say("INFO", `node ${cfg.id} of ${cfg.peers.length} up: peers on ${cfg.listen}, HTTP on http://${http.host}:${http.port}, data in ${cfg.dataDir}`);

const stop = (signal: string): void => {
  if (stopping) {
    say("WARN", `${signal} again: exiting at once`);
    process.exit(1);
  }
  stopping = true;
  say("INFO", `${signal}: stopping`);
  node!.stop().then(
    () => process.exit(0),
    (e: unknown) => fatal(e),
  );
};
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));
