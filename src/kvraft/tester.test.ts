/**
 * Tests of the KV tester's linearizability check itself: a check that can never fail proves
 * nothing, so it is fed a history that is not linearizable and must fail with the original's
 * message, name the visualization, and write it with the test's faults on their own rows.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, vi } from "vitest";
import { simTest } from "../harness/index.js";
import { VIS_ENV, checkLinearizable, withConfig, type KvOperation } from "./tester.js";

/** put(x, "1") completes, then a later get(x) returns "2": no order of the two explains it. */
const ILLEGAL: KvOperation[] = [
  { clientId: 0, input: { op: "put", key: "x", value: "1" }, call: 0, output: {}, return: 10 },
  { clientId: 1, input: { op: "get", key: "x" }, call: 20, output: { value: "2" }, return: 30 },
];

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

  simTest("an illegal history fails the test and writes an annotated visualization", (t) =>
    withConfig(t, 3, false, -1, async (cfg) => {
      const file = join(dir, "illegal.html");
      vi.stubEnv(VIS_ENV.file, file);
      cfg.partition([0, 1], [2]);
      cfg.shutdownServer(2);
      expect(() => checkLinearizable(cfg, ILLEGAL)).toThrow(`history is not linearizable\n  visualization: ${file}`);
      const html = readFileSync(file, "utf8");
      expect(html).toContain("Test Framework"); // the partition's row
      expect(html).toContain("partition [0 1] [2]");
      expect(html).toContain("Server 2"); // the crashed server's row
    }),
  );

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

  simTest("VIS_ENABLE=never fails an illegal history without writing it", (t) =>
    withConfig(t, 3, false, -1, async (cfg) => {
      const file = join(dir, "never.html");
      vi.stubEnv(VIS_ENV.file, file);
      vi.stubEnv(VIS_ENV.enable, "never");
      expect(() => checkLinearizable(cfg, ILLEGAL)).toThrow(/^history is not linearizable$/);
      expect(existsSync(file)).toBe(false);
    }),
  );
});
