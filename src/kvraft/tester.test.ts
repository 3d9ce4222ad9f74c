/**
 * Tests of the KV tester's linearizability check itself: a check that can never fail proves
 * nothing, so it is fed a history that is not linearizable and must fail with the original's
 * message, name the visualization, and write it with the test's faults on their own rows.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { checkOperations } from "porcupine";
import { runOnce, simTest } from "../harness/index.js";
import { kvModel } from "../models/kv.js";
import { runSim } from "../sim/index.js";
import { LINEARIZABILITY_GAVE_UP, VIS_ENV, checkLinearizable, reportRealSpeed, withConfig, type Config, type KvOperation } from "./tester.js";

/** put(x, "1") completes, then a later get(x) returns "2": no order of the two explains it. */
const ILLEGAL: KvOperation[] = [
  { clientId: 0, input: { op: "put", key: "x", value: "1" }, call: 0, output: {}, return: 10 },
  { clientId: 1, input: { op: "get", key: "x" }, call: 20, output: { value: "2" }, return: 30 },
];

/** Runs `body` on a 3-server cluster in a simulation; rejects with the tester's failure, if any. */
function onCluster(body: (cfg: Config) => Promise<void>): Promise<unknown> {
  return runSim(1, () => withConfig({ name: "TestVis", seed: 1, wallMs: () => 0, note: () => {} }, 3, false, -1, body));
}

/** The same history with the get reading what the put wrote. */
const LEGAL: KvOperation[] = [ILLEGAL[0]!, { ...ILLEGAL[1]!, output: { value: "1" } }];

describe("KV tester: checkLinearizable", () => {
  let dir = "";
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "raftlab-kv-vis-"));
    vi.spyOn(console, "log").mockImplementation(() => {});
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it("an illegal history fails the test and writes an annotated visualization", async () => {
    const file = join(dir, "illegal.html");
    vi.stubEnv(VIS_ENV.file, file);
    await expect(
      onCluster(async (cfg) => {
        cfg.partition([0, 1], [2]);
        cfg.shutdownServer(2);
        checkLinearizable(cfg, ILLEGAL);
      }),
    ).rejects.toThrow(`history is not linearizable\n  visualization: ${file}`);
    const html = readFileSync(file, "utf8");
    expect(html).toContain("Test Framework"); // the partition's row
    expect(html).toContain("partition [0 1] [2]");
    expect(html).toContain("Server 2"); // the crashed server's row
  });

  simTest("a linearizable history passes and writes nothing unless VIS_ENABLE=always", (t) =>
    withConfig(t, 3, false, -1, async (cfg) => {
      const file = join(dir, "legal.html");
      // Idempotent, so CHECK_DETERMINISM can run it twice.
      vi.unstubAllEnvs();
      rmSync(file, { force: true });
      vi.stubEnv(VIS_ENV.file, file);
      expect(checkLinearizable(cfg, LEGAL)).toBe("ok");
      expect(existsSync(file)).toBe(false);
      vi.stubEnv(VIS_ENV.enable, "always");
      expect(checkLinearizable(cfg, LEGAL)).toBe("ok");
      expect(existsSync(file)).toBe(true);
    }),
  );

  it("a failing simulated test keeps its files in one folder named by test and seed, listed in the failure", async () => {
    vi.stubEnv("LOG_DIR", dir);
    const outcome = await runOnce({
      name: "TestVisFolder",
      fullName: "TestVisFolder",
      file: "src/kvraft/tester.test.ts",
      seed: 5,
      recordTrace: false,
      options: {},
      body: (t) => withConfig(t, 3, false, -1, async (cfg) => void checkLinearizable(cfg, ILLEGAL)),
    });
    expect(outcome.ok).toBe(false);
    const folder = join(dir, "TestVisFolder-seed5");
    const message = outcome.ok ? "" : outcome.error.message;
    expect(message).toContain(`history is not linearizable\n  visualization: ${join(folder, "porcupine.html")}`);
    expect(message).toContain(`  files:  ${folder}  (history.json, porcupine.html, run.log)`);
    expect(readFileSync(join(folder, "porcupine.html"), "utf8")).toContain('"openAtFirstError":true');
    // The history file is the Porcupine CLI's format, and it is the illegal history.
    const history = JSON.parse(readFileSync(join(folder, "history.json"), "utf8")) as { model: string; operations: KvOperation[] };
    expect(history).toEqual({ model: "kv", operations: ILLEGAL });
    expect(checkOperations(kvModel, history.operations)).toBe("illegal");
  });

  it("VIS_ENABLE=never fails an illegal history without writing it", async () => {
    const file = join(dir, "never.html");
    vi.stubEnv(VIS_ENV.file, file);
    vi.stubEnv(VIS_ENV.enable, "never");
    await expect(onCluster(async (cfg) => void checkLinearizable(cfg, ILLEGAL))).rejects.toThrow(/^history is not linearizable$/);
    expect(existsSync(file)).toBe(false);
  });
});

describe("KV tester: the linearizability check's budget is deterministic", () => {
  /** Many concurrent appends to one key: a history whose search is long. */
  function hardHistory(): KvOperation[] {
    const ops: KvOperation[] = [];
    const n = 9;
    for (let c = 0; c < n; c++) ops.push({ clientId: c, input: { op: "append", key: "k", value: String(c) }, output: {}, call: c, return: 100 + c });
    // A get that sees every append in an order the search must find by trying many.
    ops.push({ clientId: n, input: { op: "get", key: "k" }, output: { value: "876543210" }, call: 200, return: 201 });
    return ops;
  }

  simTest("a check that exceeds its step budget passes as the original does, says so, and notes it on the run", async (t) => {
    const notes: string[] = [];
    const info = { ...t, note: (s: string) => void notes.push(s) };
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      await withConfig(info, 3, false, -1, async (cfg) => {
        // Go's search (strategy "wgl") needs thousands of steps here; the default, pruned one
        // decides this history in a few, so the budget is shown on Go's.
        expect(checkLinearizable(cfg, hardHistory(), { maxSteps: 50, strategy: "wgl" })).toBe("unknown");
        expect(checkLinearizable(cfg, hardHistory())).toBe("ok");
      });
      expect(notes).toEqual([LINEARIZABILITY_GAVE_UP]);
      expect(log.mock.calls.map((c) => String(c[0])).filter((l) => l.startsWith("info:"))).toEqual([
        expect.stringMatching(/^info: linearizability check timed out, assuming history is ok \(step budget exhausted after \d+ step calls/),
      ]);
    } finally {
      log.mockRestore();
    }
  });
});

describe("KV tester: the speed tests' real cost", () => {
  it("prints real ms/op next to virtual, and warns (and notes) only past Go's 33.3 ms/op", () => {
    const notes: string[] = [];
    const t = { name: "TestSpeed4A", seed: 1, wallMs: () => 0, note: (s: string) => void notes.push(s) };
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      reportRealSpeed(t, 1_500, 4_200, 1000);
      expect(log.mock.calls.map((c) => String(c[0]))).toEqual(["info: 1000 operations: 4.20 ms/op virtual, 1.500 ms/op real (limit 33.333333ms/op)"]);
      expect(notes).toEqual([]);
      log.mockClear();
      reportRealSpeed(t, 40_000, 4_200, 1000);
      const lines = log.mock.calls.map((c) => String(c[0]));
      expect(lines[1]).toBe(
        'warning: the operations took 40ms/op of real time, over Go\'s limit of 33.333333ms/op: at MIT this would fail with "Operations completed too slowly"',
      );
      expect(notes).toEqual(["real time per operation over Go's limit (40ms/op)"]);
    } finally {
      log.mockRestore();
    }
  });
});
