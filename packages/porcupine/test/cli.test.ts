import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ExitCode, HELP, main } from "porcupine/cli";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
/** The Porcupine test histories of the repository (testdata/porcupine/README.md). */
const DATA = path.resolve(ROOT, "testdata/porcupine");
const tmp = mkdtempSync(path.join(tmpdir(), "porcupine-cli-"));

async function run(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l), color: false });
  return { code, out, err };
}

function writeTmp(name: string, content: string): string {
  const file = path.join(tmp, name);
  writeFileSync(file, content);
  return file;
}

/** An explosive kv history in our JSON format: 12 concurrent appends, then an impossible get. */
function hardJson(): string {
  const operations = Array.from({ length: 12 }, (_, i) => ({
    clientId: i,
    input: { op: "append", key: "k", value: `<${i}>` },
    call: 0,
    output: { value: "" },
    return: 100,
  }));
  operations.push({ clientId: 12, input: { op: "get", key: "k", value: "" }, call: 200, output: { value: "nope" }, return: 300 });
  return JSON.stringify({ model: "kv", operations });
}

describe("porcupine CLI", () => {
  it("exit 0 and one verdict line per file when all are linearizable", async () => {
    const files = [`${DATA}/jepsen/etcd_005.log`, `${DATA}/kv/c01-ok.txt`];
    const { code, out } = await run(["check", ...files]);
    expect(code).toBe(ExitCode.Ok);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/^.*etcd_005\.log {2}ok {2}ops=79 partitions=1 {2}\d+\.\dms$/);
    expect(out[1]).toMatch(/c01-ok\.txt {2}ok {2}ops=58 partitions=10 /);
  });
  it("exit 1 when some history is not linearizable", async () => {
    const { code, out } = await run(["check", "--model", "kv", `${DATA}/kv/c01-ok.txt`, `${DATA}/kv/c10-bad.txt`]);
    expect(code).toBe(ExitCode.Illegal);
    expect(out[1]).toMatch(/c10-bad\.txt {2}illegal {2}ops=405 partitions=10 /);
  });
  it("kv-nopartition checks kv logs as one partition", async () => {
    const { code, out } = await run(["check", "--model", "kv-nopartition", `${DATA}/kv/c01-bad.txt`]);
    expect(code).toBe(ExitCode.Illegal);
    expect(out[0]).toMatch(/illegal {2}ops=38 partitions=1 /);
  });
  it("exit 2 on bad input, naming file and line", async () => {
    const bad = writeTmp("bad.log", "INFO  jepsen.util - 1\t:invoke\t:read\tnil\nINFO  jepsen.util - 1\t:ok\t:read\tbanana\n");
    const { code, err } = await run(["check", bad]);
    expect(code).toBe(ExitCode.BadInput);
    expect(err.join("\n")).toMatch(/bad\.log:2: expected `:ok :read nil\|<integer>`/);
  });
  it("exit 2 on usage errors and model/format mismatches", async () => {
    expect((await run(["check"])).code).toBe(ExitCode.BadInput);
    expect((await run(["frobnicate", "x"])).code).toBe(ExitCode.BadInput);
    expect((await run(["check", "--model", "redis", "x"])).code).toBe(ExitCode.BadInput);
    expect((await run(["check", "--timeout", "soon", `${DATA}/kv/c01-ok.txt`])).code).toBe(ExitCode.BadInput);
    const mismatch = await run(["check", "--model", "etcd", `${DATA}/kv/c01-ok.txt`]);
    expect(mismatch.code).toBe(ExitCode.BadInput);
    expect(mismatch.err.join("\n")).toMatch(/is a kv history; it cannot be checked with --model etcd/);
    expect((await run(["check", path.join(tmp, "missing.json")])).code).toBe(ExitCode.BadInput);
  });
  it("exit 3 when a check times out, saying which limit stopped it and how to go further", async () => {
    const { code, out } = await run(["check", "--strategy", "wgl", "--timeout", "50", writeTmp("hard.json", hardJson())]);
    expect(code).toBe(ExitCode.Unknown);
    expect(out[0]).toMatch(/hard\.json {2}unknown {2}ops=13 partitions=1 /);
    expect(out[1]).toMatch(/^ {2}stopped by the timeout \(--timeout 50\) after \d+ ms, [\d ]+ configurations and [\d ]+ step calls \(0 of 1 partitions decided\)$/);
    expect(out[2]).toBe("  to search further: --timeout 500");
  });
  it("the memory cap and the step budget are named too", async () => {
    const file = writeTmp("hard.json", hardJson());
    const cache = await run(["check", "--strategy", "wgl", "--max-cache", "1000", file]);
    expect(cache.code).toBe(ExitCode.Unknown);
    expect(cache.out[1]).toMatch(/^ {2}stopped by the memory cap \(1 000 configurations, about 1 MiB, from --max-cache\) after [\d.]+ m?s, [\d ]+ configurations /);
    expect(cache.out[2]).toBe("  to search further: --max-cache 4000 (about 1 MiB)");
    const steps = await run(["check", "--strategy", "wgl", "--max-steps", "5000", file]);
    expect(steps.code).toBe(ExitCode.Unknown);
    expect(steps.out[1]).toMatch(/^ {2}stopped by the step budget \(--max-steps 5000\) after [\d.]+ m?s, [\d ]+ configurations and [\d ]+ step calls/);
    expect(steps.out[2]).toBe("  to search further: --max-steps 50000");
  });
  it("the pruned search (default) decides what Go's search cannot within the same budget", async () => {
    // The 12 appends are named by no get and the get's value is impossible: pruning sees it at once.
    const file = writeTmp("hard.json", hardJson());
    const pruned = await run(["check", "--max-steps", "5000", file]);
    expect(pruned.code).toBe(ExitCode.Illegal);
    expect(pruned.out).toHaveLength(1);
  });
  it("the READMEs' hard history (testdata/porcupine/hard/) is decided by the pruned search and stops Go's", async () => {
    const file = `${DATA}/hard/kv-22-clients-1-key.json`;
    const pruned = await run(["check", file]);
    expect(pruned.code).toBe(ExitCode.Ok);
    expect(pruned.out[0]).toMatch(/kv-22-clients-1-key\.json {2}ok {2}ops=220 partitions=1 /);
    const wgl = await run(["check", "--strategy", "wgl", "--max-steps", "5000", file]);
    expect(wgl.code).toBe(ExitCode.Unknown);
    expect(wgl.out[1]).toMatch(/stopped by the step budget \(--max-steps 5000\)/);
  });
  it("rejects bad limits and strategies", async () => {
    const file = `${DATA}/kv/c01-ok.txt`;
    for (const args of [["--max-cache", "0"], ["--max-cache", "1e6"], ["--max-steps", "1.5"], ["--strategy", "fast"]]) {
      const { code, err } = await run(["check", ...args, file]);
      expect(code).toBe(ExitCode.BadInput);
      expect(err.join("\n")).toMatch(new RegExp(`--${args[0]!.slice(2)} must be`));
    }
  });
  it("reads our JSON format (kv with cas, etcd, bigint times as strings)", async () => {
    const kv = writeTmp(
      "kv.json",
      JSON.stringify({
        model: "kv",
        operations: [
          { clientId: 0, input: { op: "put", key: "a", value: "1" }, call: 0, output: {}, return: 10 },
          { clientId: 1, input: { op: "cas", key: "a", expected: "1", value: "2" }, call: 11, output: { ok: true }, return: 20 },
          { clientId: 0, input: { op: "get", key: "a" }, call: "21", output: { value: "2" }, return: "9007199254740993" },
        ],
      }),
    );
    expect((await run(["check", kv])).out[0]).toMatch(/kv\.json {2}ok {2}ops=3 partitions=1 /);
    // Lab 2's append that returns the old value (Go's op 3); answering the new value is illegal.
    const lab2 = (old: string): string =>
      JSON.stringify({
        model: "kv",
        operations: [
          { clientId: 0, input: { op: "put", key: "a", value: "1" }, call: 0, output: {}, return: 10 },
          { clientId: 1, input: { op: "append-return", key: "a", value: "2" }, call: 11, output: { value: old }, return: 20 },
        ],
      });
    expect((await run(["check", writeTmp("lab2-ok.json", lab2("1"))])).code).toBe(ExitCode.Ok);
    expect((await run(["check", writeTmp("lab2-bad.json", lab2("12"))])).code).toBe(ExitCode.Illegal);
    const noOld = writeTmp("lab2-no-old.json", JSON.stringify({ model: "kv", operations: [{ input: { op: "append-return", key: "a", value: "2" }, output: {}, call: 0, return: 1 }] }));
    expect((await run(["check", noOld])).err.join("\n")).toMatch(/operations\[0\]\.output\.value: expected a string/);
    const etcd = writeTmp(
      "etcd.json",
      JSON.stringify({
        model: "etcd",
        operations: [
          { input: { op: "write", arg1: 3 }, call: 0, output: {}, return: 1 },
          { input: { op: "read" }, call: 2, output: { exists: true, value: 4 }, return: 3 },
        ],
      }),
    );
    expect((await run(["check", etcd])).code).toBe(ExitCode.Illegal);
    const broken = writeTmp("broken.json", JSON.stringify({ model: "kv", operations: [{ input: { op: "get" }, output: {}, call: 0, return: 1 }] }));
    const res = await run(["check", broken]);
    expect(res.code).toBe(ExitCode.BadInput);
    expect(res.err.join("\n")).toMatch(/broken\.json: operations\[0\]\.input\.key: expected a string/);
  });
  it("--html writes a visualization per file", async () => {
    const out = path.join(tmp, "viz.html");
    const { code, out: lines } = await run(["check", "--html", out, `${DATA}/kv/c01-bad.txt`]);
    expect(code).toBe(ExitCode.Illegal);
    expect(lines[1]).toBe(`  wrote ${out}`);
    expect(readFileSync(out, "utf8")).toMatch(/^<!DOCTYPE html>/i);
    await run(["check", "--html", out, `${DATA}/kv/c01-ok.txt`, `${DATA}/jepsen/etcd_004.log`]);
    expect(existsSync(path.join(tmp, "viz.c01-ok.txt.html"))).toBe(true);
    expect(existsSync(path.join(tmp, "viz.etcd_004.log.html"))).toBe(true);
  });
  it("--help prints the usage", async () => {
    const { code, out } = await run(["--help"]);
    expect(code).toBe(0);
    expect(out[0]).toBe(HELP);
  });
  it("the built command runs with its exit status: the bin, npx porcupine, npm run porcupine", () => {
    const file = `${DATA}/jepsen/etcd_000.log`;
    for (const [cmd, args] of [
      ["node", ["packages/porcupine/bin/porcupine.js", "check", file]],
      ["npx", ["--no-install", "porcupine", "check", file]],
      ["npm", ["run", "--silent", "porcupine", "--", "check", file]],
    ] as const) {
      const res = spawnSync(cmd, args, { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
      expect({ cmd, status: res.status, stderr: res.stderr }).toEqual({ cmd, status: ExitCode.Illegal, stderr: "" });
      expect(res.stdout).toMatch(/etcd_000\.log {2}illegal {2}ops=85 partitions=1 /);
    }
  });
});
