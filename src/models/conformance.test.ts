import { checkPartitionsIndividually, type Event, type Model } from "porcupine";
import { describe, expect, it } from "vitest";
import { etcdModel } from "./etcd.js";
import { kvModel, kvNoPartitionModel } from "./kv.js";
import { conformanceFiles, readConformance } from "./test-data.js";

// The Go checker's per-partition Step-call counts are deterministic for event histories; a
// faithful search (same candidate order, cache semantics and backtracking) reproduces them.
function modelFor(name: string, model: string): Model<unknown, unknown, unknown> {
  if (name.startsWith("nopartition-")) return kvNoPartitionModel as unknown as Model<unknown, unknown, unknown>;
  return (model === "etcd" ? etcdModel : kvModel) as unknown as Model<unknown, unknown, unknown>;
}

describe("step-call counts equal Go porcupine's (conformance/*.json)", () => {
  const files = conformanceFiles();
  it("has the conformance dumps", () => {
    expect(files.length).toBe(113);
  });
  for (const name of files) {
    const conf = readConformance(name);
    if (conf.result === "Unknown") continue;
    it(name, () => {
      const model = modelFor(name, conf.model);
      // Partitions Go cut off with a timeout have no authoritative count.
      const only = conf.partitions.flatMap((p, i) => (p.partitionResult === "Unknown" ? [] : [i]));
      const reports = checkPartitionsIndividually(model, { events: (conf.events ?? []) as Event<unknown>[] }, { only, strategy: "wgl" });
      expect(reports.length).toBe(conf.partitions.length);
      conf.partitions.forEach((p, i) => {
        const r = reports[i];
        if (p.partitionResult === "Unknown") {
          expect(r).toBeUndefined();
          return;
        }
        expect({ partition: p.key ?? i, result: r?.result, stepCalls: r?.stats.stepCalls, stepOk: r?.stats.stepOk }).toEqual({
          partition: p.key ?? i,
          result: p.partitionResult.toLowerCase(),
          stepCalls: p.stepCalls,
          stepOk: p.stepOk,
        });
      });
    });
  }
});
