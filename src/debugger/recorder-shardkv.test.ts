/**
 * The debugger's recorder on a Lab 5 run (the reference's controller and shard servers): the four
 * Raft clusters are told apart (peers named by cluster, the clusters listed), messages between
 * groups reach the right lanes, shard moves are events, a crash edit names the server it hits,
 * and recording still changes nothing.
 */
import { describe, expect, it } from "vitest";
import { sleep } from "../runtime/index.js";
import { runSim } from "../sim/index.js";
import { checkAll, putKeys, withConfig } from "../shardkv/tester.js";
import type { Edit } from "./edits.js";
import { Recorder } from "./recorder.js";
import type { Recording } from "./recording.js";

const RUN = { name: "TestRecordedShards", fullName: "TestRecordedShards", file: "src/debugger/recorder-shardkv.test.ts", seed: 3 };

/** Group 100 serves every shard, then group 101 joins and takes half of them. */
async function body(): Promise<void> {
  await withConfig({ name: RUN.name, seed: RUN.seed, wallMs: () => 0, note: () => {} }, 3, false, -1, async (cfg) => {
    const ck = cfg.makeClient(cfg.ctl);
    await cfg.join(0);
    const { ka, va } = await putKeys(ck, 10, 5);
    await cfg.join(1);
    await sleep(1000);
    await checkAll(ck, ka, va);
  });
}

async function run(edits: readonly Edit[] | undefined): Promise<{ hash: string; virtualMs: number; rec: Recording | undefined }> {
  const recorder = edits === undefined ? undefined : new Recorder(RUN, { edits });
  const r = await runSim(
    RUN.seed,
    (s) => {
      recorder?.attach(s);
      return body();
    },
    { log: true },
  );
  return { hash: r.traceHash, virtualMs: r.virtualMs, rec: recorder?.finish({ ok: true, traceHash: r.traceHash, wallMs: 0 }) };
}

describe("Recorder on Lab 5", () => {
  it("tells the controller's cluster and the three groups apart, with the shard moves, and changes nothing", async () => {
    const plain = await run(undefined);
    const { hash, rec } = await run([]);
    expect(hash).toBe(plain.hash);
    expect(rec!.steps.at(-1)!.time).toBe(plain.virtualMs);

    expect(rec!.peers).toBe(12);
    expect(rec!.peerNames).toEqual(["ctl:S0", "ctl:S1", "ctl:S2", ...[100, 101, 102].flatMap((gid) => [0, 1, 2].map((i) => `${gid}:S${i}`))]);
    expect(rec!.groups).toEqual([
      { label: "controller", first: 0, count: 3 },
      { label: "group 100", first: 3, count: 3 },
      { label: "group 101", first: 6, count: 3 },
      { label: "group 102", first: 9, count: 3 },
    ]);
    // Each peer's Raft state is its own: the controller's leader and a group's leader are different lanes.
    const leaders = new Set(rec!.changes.filter((c) => c.set?.role === "leader").map((c) => c.peer));
    expect([...leaders].some((p) => p < 3)).toBe(true);
    expect([...leaders].some((p) => p >= 3 && p < 6)).toBe(true);
    // Group 101 pulls its shards from group 100: requests from a 101 lane to a 100 lane.
    const fetches = rec!.messages.filter((m) => m.method === "ShardKV.FetchShard");
    expect(fetches.length).toBeGreaterThan(0);
    for (const m of fetches) {
      expect(rec!.peerNames![m.fromPeer]).toMatch(/^101:S\d$/);
      expect(rec!.peerNames![m.to]).toMatch(/^100:S\d$/);
    }
    // Raft messages stay inside their cluster.
    for (const m of rec!.messages.filter((x) => x.method.startsWith("Raft.") && x.fromPeer >= 0)) expect(Math.floor(m.fromPeer / 3)).toBe(Math.floor(m.to / 3));
    // The shard moves, as events of the servers that made them.
    const shard = rec!.events.filter((e) => e.kind === "shard").map((e) => `${rec!.peerNames![e.peer]} ${e.text}`);
    expect(shard).toContainEqual(expect.stringMatching(/^100:S\d 100:S\d in configuration 2: hands off( \d)+$/));
    expect(shard).toContainEqual(expect.stringMatching(/^101:S\d 101:S\d in configuration 2: gains( \d)+$/));
    expect(shard).toContainEqual(expect.stringMatching(/^101:S\d 101:S\d serves shard \d \(configuration 2\)$/));
    expect(shard).toContainEqual(expect.stringMatching(/^100:S\d 100:S\d dropped shard \d \(configuration 2\)$/));
    // Log lines belong to the server that logged them (every group has an S0).
    expect(rec!.events.some((e) => e.kind === "log" && e.peer === 7 && /config 2/.test(e.text))).toBe(true);
  });

  it("a crash edit names the server of its cluster and crashes that one", async () => {
    const { rec } = await run([]);
    const step = Math.floor(rec!.steps.length / 2);
    const crash: Edit = { kind: "crash", step, at: rec!.steps[step]!.time, server: 7 };
    const a = await run([crash]);
    expect(a.rec!.events.find((e) => e.kind === "edit")?.text).toMatch(/crash 101:S1 \(after step \d+\)$/);
    expect(a.rec!.events.some((e) => e.kind === "crash" && e.peer === 7 && e.text === "101:S1 crashed")).toBe(true);
    expect(a.hash).not.toBe((await run(undefined)).hash);
  });
});
