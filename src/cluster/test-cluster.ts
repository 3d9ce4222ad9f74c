/**
 * Real node processes for the integration tests: N nodes on free loopback ports, each a
 * `node --import tsx scripts/node.ts` child (one process per node, so `kill -9` of its pid is
 * exactly a crash of the node), with data directories in a temp folder. Every process started is
 * tracked by pid and killed by {@link TestCluster.destroy} (call it in `afterEach`), and by an exit
 * hook should the test runner itself stop first.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { httpCall, type HttpAnswer } from "./http-client.js";
import { freePorts } from "./free-ports.js";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const NODE_SCRIPT = join(ROOT, "scripts", "node.ts");

/** Every child of every cluster of this process, for the exit hook. */
const everyChild = new Set<ChildProcess>();
process.once("exit", () => {
  for (const c of everyChild) if (c.exitCode === null && c.pid !== undefined) c.kill("SIGKILL");
});

/** One node of a {@link TestCluster}. */
export interface TestNode {
  readonly id: number;
  readonly peer: string;
  readonly http: string;
  readonly dataDir: string;
  proc: ChildProcess | undefined;
  /** Everything the node's processes wrote to stderr, across restarts. */
  readonly output: string[];
}

/** Options of {@link TestCluster.start} beyond the nodes' flags. */
export interface TestClusterOptions {
  /**
   * A module each node process imports before `scripts/node.ts` (a path from the repository's
   * root): a test plants a bug this way (e.g. a disk that lies about durability) without a flag in
   * the product.
   */
  readonly preload?: string;
  /** Told of every node process started, with its pid (e.g. to show that none survives). */
  readonly onStart?: (id: number, pid: number) => void;
}

/** See the module comment. */
export class TestCluster {
  /** The pid of every node process this cluster started, in order. */
  readonly pids: number[] = [];

  private constructor(
    readonly nodes: readonly TestNode[],
    private readonly root: string,
    private readonly extraArgs: readonly string[],
    private readonly options: TestClusterOptions,
  ) {}

  /** Starts `n` nodes (with --fault-injection and the given extra flags); {@link waitForLeader} waits for a leader. */
  static async start(n: number, extraArgs: readonly string[] = [], options: TestClusterOptions = {}): Promise<TestCluster> {
    const ports = await freePorts(2 * n);
    const root = mkdtempSync(join(tmpdir(), "raftlab-cluster-test-"));
    const nodes: TestNode[] = Array.from({ length: n }, (_, i) => ({
      id: i + 1,
      peer: `127.0.0.1:${ports[2 * i]}`,
      http: `127.0.0.1:${ports[2 * i + 1]}`,
      dataDir: join(root, `n${i + 1}`),
      proc: undefined,
      output: [],
    }));
    const c = new TestCluster(nodes, root, extraArgs, options);
    for (const node of nodes) c.startNode(node.id);
    return c;
  }

  /** HTTP addresses in id order (for a {@link KvHttpClient}). */
  get httpAddrs(): string[] {
    return this.nodes.map((n) => n.http);
  }

  node(id: number): TestNode {
    const n = this.nodes[id - 1];
    if (n === undefined) throw new Error(`no node ${id}`);
    return n;
  }

  /** Starts node `id`'s process (it must not be running). */
  startNode(id: number): void {
    const n = this.node(id);
    if (this.running(id)) throw new Error(`node ${id} is already running`);
    const preload = this.options.preload === undefined ? [] : ["--import", pathToFileURL(join(ROOT, this.options.preload)).href];
    const args = [
      "--import", "tsx", ...preload, NODE_SCRIPT,
      "--id", String(id),
      "--peers", this.nodes.map((x) => x.peer).join(","),
      "--data", n.dataDir,
      "--http", n.http,
      "--fault-injection",
      ...this.extraArgs,
    ];
    const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
    everyChild.add(proc);
    proc.once("exit", () => everyChild.delete(proc));
    if (proc.pid !== undefined) {
      this.pids.push(proc.pid);
      this.options.onStart?.(id, proc.pid);
    }
    proc.stderr!.setEncoding("utf8");
    proc.stderr!.on("data", (s: string) => n.output.push(s));
    n.proc = proc;
  }

  /** `kill -9` of node `id`'s process; resolves once it has exited. */
  async kill9(id: number): Promise<void> {
    const proc = this.node(id).proc;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => proc.once("exit", () => r()));
    proc.kill("SIGKILL");
    await exited;
  }

  /** Whether node `id`'s process is running. */
  running(id: number): boolean {
    const p = this.node(id).proc;
    return p !== undefined && p.exitCode === null && p.signalCode === null;
  }

  /** A GET (or POST with `body`) to node `id`. */
  call(id: number, path: string, body?: unknown, timeoutMs = 10_000): Promise<HttpAnswer> {
    return httpCall(this.node(id).http, path, body === undefined ? { timeoutMs } : { method: "POST", body, timeoutMs });
  }

  /** The `/status` of every running node that answers. */
  async statuses(): Promise<Map<number, Record<string, unknown>>> {
    const out = new Map<number, Record<string, unknown>>();
    await Promise.all(
      this.nodes.filter((n) => this.running(n.id)).map(async (n) => {
        const r = await this.call(n.id, "/status", undefined, 2000);
        if (r.status === 200) out.set(n.id, r.body);
      }),
    );
    return out;
  }

  /**
   * Waits until the running nodes among `among` (default: all running) agree on one leader in
   * their highest term, and returns its id and term. Fails with the statuses after `timeoutMs`.
   */
  async waitForLeader(timeoutMs = 30_000, among?: readonly number[]): Promise<{ leader: number; term: number }> {
    const end = Date.now() + timeoutMs;
    let last = new Map<number, Record<string, unknown>>();
    while (Date.now() < end) {
      last = await this.statuses();
      const group = [...last.entries()].filter(([id]) => among === undefined || among.includes(id));
      const leaders = group.filter(([, s]) => s["role"] === "leader");
      const maxTerm = Math.max(...group.map(([, s]) => Number(s["term"])));
      if (leaders.length >= 1 && group.length > 0) {
        const top = leaders.filter(([, s]) => Number(s["term"]) === maxTerm);
        if (top.length === 1 && group.every(([, s]) => s["leader"] === top[0]![0])) return { leader: top[0]![0], term: maxTerm };
      }
      await sleep(100);
    }
    throw new Error(`no agreed leader within ${timeoutMs} ms; statuses: ${JSON.stringify([...last])}\n${this.outputs()}`);
  }

  /** Waits until `cond` holds for the statuses, failing with them after `timeoutMs`. */
  async waitForStatus(what: string, cond: (s: Map<number, Record<string, unknown>>) => boolean, timeoutMs = 30_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    let last = new Map<number, Record<string, unknown>>();
    while (Date.now() < end) {
      last = await this.statuses();
      if (cond(last)) return;
      await sleep(100);
    }
    throw new Error(`${what}: not reached within ${timeoutMs} ms; statuses: ${JSON.stringify([...last])}\n${this.outputs()}`);
  }

  /** The nodes' stderr, for failure messages. */
  outputs(): string {
    return this.nodes.map((n) => `--- node ${n.id} ---\n${n.output.join("").split("\n").slice(-15).join("\n")}`).join("\n");
  }

  /** Kills every process of this cluster by pid (kill -9) and removes its data. */
  async destroy(): Promise<void> {
    await Promise.all(this.nodes.map((n) => this.kill9(n.id)));
    rmSync(this.root, { recursive: true, force: true });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
