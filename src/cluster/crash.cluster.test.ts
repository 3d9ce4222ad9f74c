/**
 * Processes killed with SIGKILL at random instants: the persister's promise (old state or new,
 * never torn, nothing reported durable lost) and the node's command-line errors.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { FilePersister } from "./file-persister.js";
import { freePorts } from "./free-ports.js";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const dirs: string[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "raftlab-crash-"));
  dirs.push(d);
  return d;
}

/** Runs `node --import tsx <script> ...args`; SIGKILLs it after `killAfterMs` (if given) or at `timeoutMs`. */
function run(script: string, args: readonly string[], opts: { killAfterMs?: number; timeoutMs?: number } = {}): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, script), ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
  child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  let killer: NodeJS.Timeout | undefined;
  const arm = (ms: number): void => {
    killer = setTimeout(() => child.kill("SIGKILL"), ms);
  };
  if (opts.killAfterMs !== undefined) {
    // Count from the first output, so tsx's start-up time does not eat the run.
    child.stdout.once("data", () => arm(opts.killAfterMs!));
  }
  const guard = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
  return new Promise((done) =>
    child.once("exit", (code, signal) => {
      clearTimeout(killer);
      clearTimeout(guard);
      done({ code, signal, stdout, stderr });
    }),
  );
}

describe("kill -9 of a process that is saving", () => {
  it("recovers, every time, a state at least as new as the last one reported durable, with its snapshot, never a torn one", async () => {
    const dir = tempDir();
    let previous = 0;
    for (let round = 0; round < 8; round++) {
      const r = await run("src/cluster/fixtures/persister-crash-child.ts", [dir], { killAfterMs: 150 + round * 60 });
      expect(r.signal, r.stderr).toBe("SIGKILL");
      const recovered = Number(/^recovered (\d+)$/m.exec(r.stdout)![1]);
      expect(recovered).toBeGreaterThanOrEqual(previous);
      const durable = [...r.stdout.matchAll(/^durable (\d+)$/gm)].map((m) => Number(m[1]));
      expect(durable.length, `round ${round}: no save became durable before the kill`).toBeGreaterThan(0);
      const lastDurable = durable.at(-1)!;
      const p = await FilePersister.open(dir, { id: 1, peers: ["a:1", "b:2"] }, { walBytes: 16 * 1024 });
      const [n, entries] = JSON.parse(new TextDecoder().decode(p.readRaftState())) as [number, string[]];
      expect(n).toBeGreaterThanOrEqual(lastDurable);
      // A state is whole: its entries are exactly those it was saved with...
      expect(entries).toEqual(Array.from({ length: n % 200 }, (_, i) => `entry ${i} of ${n}`));
      // ...and the snapshot is the one saved with it (state and snapshot are saved as one).
      expect(new TextDecoder().decode(p.readSnapshot())).toBe(n >= 25 ? `snapshot at ${25 * Math.floor(n / 25)}` : "");
      await p.close();
      previous = n;
    }
  }, 180_000);
});

describe("npm run node: command-line errors", () => {
  const NODE = "scripts/node.ts";

  it("prints its help, and refuses bad flags with exit status 2", async () => {
    const help = await run(NODE, ["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npm run node -- --id <i> --addr <host:port> --peers/);
    const bad = await run(NODE, ["--id", "1", "--bogus"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("error: Unknown option '--bogus' (see --help)\n");
  }, 60_000);

  it("says which address is in use, and which data directory it refuses, with exit status 1", async () => {
    const [p1, p2, h1] = await freePorts(3);
    const peers = `127.0.0.1:${p1},127.0.0.1:${p2}`;
    const busy = createServer();
    servers.push(busy);
    await new Promise<void>((r) => busy.listen(p1, "127.0.0.1", () => r()));
    const taken = await run(NODE, ["--id", "1", "--peers", peers, "--data", tempDir(), "--http", String(h1)]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain(`error: node 1 cannot start: peer address 127.0.0.1:${p1} is already in use`);
    const httpTaken = await run(NODE, ["--id", "2", "--peers", peers, "--data", tempDir(), "--http", String(p1)]);
    expect(httpTaken.code).toBe(1);
    expect(httpTaken.stderr).toContain(`HTTP address 127.0.0.1:${p1} (--http) is already in use`);

    const foreign = tempDir();
    writeFileSync(join(foreign, "photo.jpg"), "x");
    const refused = await run(NODE, ["--id", "2", "--peers", peers, "--data", foreign, "--http", String(h1)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`data directory ${foreign} is not empty and holds no raftlab state (it has photo.jpg)`);

    const other = tempDir();
    await (await FilePersister.open(other, { id: 1, peers: peers.split(",") })).close();
    const before = readFileSync(join(other, "state"));
    const wrongId = await run(NODE, ["--id", "2", "--peers", peers, "--data", other, "--http", String(h1)]);
    expect(wrongId.code).toBe(1);
    expect(wrongId.stderr).toContain("it belongs to node 1, not to node 2; start node 2 with its own directory");
    expect(readFileSync(join(other, "state")).equals(before)).toBe(true);
  }, 60_000);
});
