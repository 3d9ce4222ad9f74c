import { parseArgs } from "node:util";
import { parseHostPort } from "./transport.js";

/** How a node is started; see {@link NODE_USAGE}. */
export interface NodeConfig {
  /** 1..N, the node's place in {@link peers}. */
  readonly id: number;
  /** Every node's peer address, in id order. */
  readonly peers: readonly string[];
  /** Where to listen for peers (the `--addr`; default `peers[id - 1]`). */
  readonly listen: string;
  readonly dataDir: string;
  readonly http: { readonly host: string; readonly port: number };
  /** Whether `/fault/*` exists (tests only). */
  readonly faultInjection: boolean;
  /** Snapshot once Raft's state reaches about this many bytes. */
  readonly maxRaftState: number;
  /** An HTTP request not answered by then gets 503. */
  readonly requestTimeoutMs: number;
  /** Raft's debug log: a file, "-" for stderr, or undefined for none. */
  readonly log: string | undefined;
}

/** A bad command line: the message names the flag and the fix. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Defaults of the optional flags. */
export const NODE_DEFAULTS = {
  /**
   * A checkpoint (snapshot file, state file, directory fsyncs) comes with each snapshot and stalls
   * the node's saves while it is written; saves copy only what changed (src/cluster/file-persister.ts),
   * so a large threshold makes checkpoints rare (every few thousand puts) at little cost per save.
   */
  MAX_RAFT_STATE: 512 * 1024,
  REQUEST_TIMEOUT_MS: 5000,
} as const;

/**
 * Each node's default snapshot threshold, by id: {@link NODE_DEFAULTS}.MAX_RAFT_STATE times a
 * factor of its own. With one threshold every node reaches it at about the same log index, so
 * all checkpoint at once, and while two of three do, no entry can commit (a checkpoint delays
 * the node's acknowledgements). Staggered, a checkpoint stalls one node while the other two
 * commit; the factors' ratios are far from small fractions, so the nodes' checkpoints seldom
 * line up again.
 */
export function defaultMaxRaftState(id: number): number {
  const factor = STAGGER[(id - 1) % STAGGER.length]!;
  return Math.round(NODE_DEFAULTS.MAX_RAFT_STATE * factor);
}

const STAGGER = [1, 1.23, 0.83, 1.37, 0.71] as const;

export const NODE_USAGE = `Usage: npm run node -- --id <i> --addr <host:port> --peers <host:port,...> --data <dir> --http <[host:]port> [options]

Runs one node of a real cluster: the lab's Raft and KV server over TCP, with its state in <dir>
and an HTTP API (GET /get?key=K, /put?key=K&value=V, /append, /cas, /status).

  --id <i>               this node's id, 1..N: its place in --peers
  --addr <host:port>     where to listen for peers (default: entry <i> of --peers; its port must match)
  --peers <list>         host:port of every node, comma-separated, in id order (the same on every node)
  --data <dir>           data directory (created if missing; refused if corrupt or another node's)
  --http <[host:]port>   HTTP API address (host defaults to 127.0.0.1: loopback only unless you say otherwise)
  --max-raft-state <n>   snapshot when Raft's state reaches about n bytes (default ${NODE_DEFAULTS.MAX_RAFT_STATE}
                         on node 1, ${defaultMaxRaftState(2)} on node 2, ${defaultMaxRaftState(3)} on node 3...: staggered, so
                         that the nodes do not checkpoint at the same moment)
  --request-timeout <ms> answer 503 to a request not done by then (default ${NODE_DEFAULTS.REQUEST_TIMEOUT_MS})
  --log <file|->         write Raft's debug log (npm run logs reads it) to a file, or "-" for stderr
  --fault-injection      enable /fault/drop?peers=2,3 and /fault/heal (for tests; never in production)
  -h, --help             print this help

Example (node 1 of 3):
  npm run node -- --id 1 --addr 127.0.0.1:7001 --peers 127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003 --data ./data/n1 --http 8001`;

/** Parses a node's command line; `"help"` for --help. Throws {@link UsageError} naming what is wrong. */
export function parseNodeArgs(argv: readonly string[]): NodeConfig | "help" {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        id: { type: "string" },
        addr: { type: "string" },
        peers: { type: "string" },
        data: { type: "string" },
        http: { type: "string" },
        "max-raft-state": { type: "string" },
        "request-timeout": { type: "string" },
        log: { type: "string" },
        "fault-injection": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message.replace(/\. To specify a positional argument.*$/s, "")} (see --help)`);
  }
  if (values["help"] === true) return "help";
  const need = (flag: string): string => {
    const v = values[flag];
    if (typeof v !== "string" || v === "") throw new UsageError(`--${flag} is required (see --help)`);
    return v;
  };
  const peers = need("peers").split(",").map((p) => p.trim());
  peers.forEach((p, i) => usage(() => parseHostPort(p, `--peers entry ${i + 1}`)));
  const dup = peers.find((p, i) => peers.indexOf(p) !== i);
  if (dup !== undefined) throw new UsageError(`--peers lists ${dup} twice: every node needs its own address`);
  if (peers.length < 2) {
    throw new UsageError(`--peers lists ${peers.length} node: a cluster needs at least 2 (the lab's Raft commits an entry only when a follower has it)`);
  }
  const id = integer(need("id"), "--id", 1, peers.length, `an id from 1 to ${peers.length} (the node's place in --peers)`);
  const own = peers[id - 1]!;
  const listen = typeof values["addr"] === "string" ? values["addr"] : own;
  const l = usage(() => parseHostPort(listen, "--addr"));
  const o = parseHostPort(own, "--peers");
  if (l.port !== o.port) throw new UsageError(`--addr ${listen} and entry ${id} of --peers (${own}) have different ports: node ${id} must listen where its peers reach it`);
  const httpText = need("http");
  const http = /^\d+$/.test(httpText) ? { host: "127.0.0.1", port: Number(httpText) } : usage(() => parseHostPort(httpText, "--http"));
  if (!(http.port >= 0 && http.port <= 65535)) throw new UsageError(`--http ${httpText}: the port must be 0..65535`);
  const maxRaftState = optionalInteger(values["max-raft-state"], "--max-raft-state", 1024, 2 ** 30, defaultMaxRaftState(id));
  const requestTimeoutMs = optionalInteger(values["request-timeout"], "--request-timeout", 100, 600_000, NODE_DEFAULTS.REQUEST_TIMEOUT_MS);
  return {
    id,
    peers,
    listen,
    dataDir: need("data"),
    http,
    faultInjection: values["fault-injection"] === true,
    maxRaftState,
    requestTimeoutMs,
    log: typeof values["log"] === "string" ? values["log"] : undefined,
  };
}

function usage<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function integer(text: string, flag: string, min: number, max: number, what: string): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) throw new UsageError(`${flag} ${text}: expected ${what}`);
  return n;
}

function optionalInteger(v: string | boolean | undefined, flag: string, min: number, max: number, fallback: number): number {
  return typeof v === "string" ? integer(v, flag, min, max, `an integer from ${min} to ${max}`) : fallback;
}
