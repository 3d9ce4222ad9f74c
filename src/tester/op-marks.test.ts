/**
 * The timeline of a KV test shows the Clerks' operations (invocation to response, with key and
 * result) and each server's new snapshots, from marks the testers and their persister write; no
 * lab code needs to log anything for them.
 */
import { describe, expect, it } from "vitest";
import { renderTimeline, timelineModel } from "../debug/timeline.js";
import { go, now, sleep } from "../runtime/index.js";
import { runSim } from "../sim/simulation.js";
import { OpMarks } from "./op-marks.js";
import { MemoryPersister } from "./persister.js";

describe("Clerk operations and snapshots on the timeline", () => {
  it("marks each operation from invocation to response, numbering the Clerks, with key, argument and result", async () => {
    const run = await runSim(
      5,
      async () => {
        const marks = new OpMarks();
        const a = { name: "clerk a" }, b = { name: "clerk b" };
        go("client a", async () => {
          await marks.watch(a, "put", "k", "v1", sleep(30));
          const t = now();
          await sleep(20);
          marks.mark(marks.clientOf(a), "get", "k", undefined, t, "v1");
        });
        await sleep(10);
        await marks.watch(b, "append", "k", "x".repeat(100), sleep(5));
        await marks.watch(b, "get", "gone", undefined, sleep(1).then(() => Promise.reject(new Error("failed op")))).catch(() => {}); // a failed operation: no mark
        await sleep(100);
      },
      { log: true },
    );
    const model = timelineModel(run.logs, { peers: 3 });
    expect(model.clients).toBe(2);
    expect(model.ops).toEqual([
      { client: 0, call: 0, ret: 30, op: "put", text: 'C0 put("k", "v1")' },
      { client: 1, call: 10, ret: 15, op: "append", text: `C1 append("k", "${"x".repeat(60)}... (100 chars)")` },
      { client: 0, call: 30, ret: 50, op: "get", text: 'C0 get("k") -> "v1"' },
    ]);
    // Every peer still has its follower bar from the start, though no Raft ever ran.
    expect(model.bands.map((b) => [b.peer, b.start, b.role])).toEqual([
      [0, 0, "follower"],
      [1, 0, "follower"],
      [2, 0, "follower"],
    ]);
    const html = renderTimeline(run.logs, { peers: 3 });
    const embedded = JSON.parse(/<script type="application\/json" id="timeline-data">([\s\S]*?)<\/script>/.exec(html)![1]!) as { ops: { text: string }[] };
    expect(embedded.ops.map((o) => o.text)).toContain('C0 get("k") -> "v1"');
    expect(html).toContain("Clerk operations");
  });

  it("marks a server's new snapshot once, on its row, when its persister knows its owner", async () => {
    const run = await runSim(
      1,
      async () => {
        const owned = new MemoryPersister();
        owned.owner = 1;
        const snap = new Uint8Array([1, 2, 3, 4]);
        await sleep(7);
        owned.save(new Uint8Array(10), snap);
        await sleep(5);
        owned.save(new Uint8Array(11), snap); // the same snapshot again, as Raft passes it on every save
        owned.save(new Uint8Array(11), null);
        const anonymous = new MemoryPersister(); // a persister no server group owns: no mark
        anonymous.save(new Uint8Array(1), snap);
      },
      { log: true },
    );
    const model = timelineModel(run.logs, { peers: 2 });
    expect(model.events.filter((e) => e.kind === "snapshot-saved")).toEqual([
      { peer: 1, time: 7, kind: "snapshot-saved", text: "saved a new snapshot: 4 bytes (Raft state 10 bytes)" },
    ]);
  });
});
