import { checkEvents, checkEventsVerbose, type Event } from "porcupine";
import { describe, expect, it } from "vitest";
import { etcdModel, type EtcdInput, type EtcdOutput } from "./etcd.js";
import { parseJepsenEtcdLog, parseKvLog } from "porcupine/models";
import { kvModel, kvNoPartitionModel, type KvInput, type KvOutput } from "./kv.js";
import { conformanceFiles, expectedVerdicts, readConformance, readDataFile } from "./test-data.js";

describe("verdicts of expected.json", () => {
  const all = expectedVerdicts();
  it("lists 108 files (102 etcd, 6 kv)", () => {
    expect(all.filter((e) => e.model === "etcd").length).toBe(102);
    expect(all.filter((e) => e.model === "kv").length).toBe(6);
  });
  for (const e of all) {
    it(`${e.file} is ${e.linearizable ? "linearizable" : "not linearizable"}`, () => {
      const text = readDataFile(e.file);
      const result =
        e.model === "etcd"
          ? checkEvents(etcdModel, parseJepsenEtcdLog(text, e.file))
          : checkEvents(kvModel, parseKvLog(text, e.file));
      expect(result).toBe(e.linearizable ? "ok" : "illegal");
    });
  }
  it("etcd_095.log (empty, untested in Go) is ok", () => {
    expect(checkEvents(etcdModel, parseJepsenEtcdLog(readDataFile("jepsen/etcd_095.log")))).toBe("ok");
  });
  for (const [file, linearizable] of [
    ["kv/c01-ok.txt", true],
    ["kv/c01-bad.txt", false],
    ["kv/c10-ok.txt", true],
    ["kv/c10-bad.txt", false],
  ] as const) {
    it(`${file} with the no-partition model`, () => {
      expect(checkEvents(kvNoPartitionModel, parseKvLog(readDataFile(file), file))).toBe(linearizable ? "ok" : "illegal");
    });
  }
});

describe("first failing partition wins", () => {
  it("kv c50-bad is illegal without searching its hard partitions to the end", () => {
    // Partition "0" alone needs > 9 M steps; partition "3" fails after 5.5 k. No wall-time
    // assertion here (that belongs to the bench); a generous timeout turns a regression into
    // "unknown" instead of a hang.
    const events = parseKvLog(readDataFile("kv/c50-bad.txt"));
    expect(checkEvents(kvModel, events, { timeout: 60_000 })).toBe("illegal");
  });
});

describe("verbose info on real data", () => {
  it("kv c50-bad verbose, Go's search: illegal beats the timeout; cut-off partitions are unknown", () => {
    // Verbose mode searches every partition; with Go's search three of them cannot finish (Go: > 9 M steps each).
    const { result, info } = checkEventsVerbose(kvModel, parseKvLog(readDataFile("kv/c50-bad.txt")), { timeout: 1500, strategy: "wgl" });
    expect(result).toBe("illegal");
    expect(info.stopReason).toMatch(/^timed out after 1500 ms after [\d.]+ m?s, [\d ]+ configurations and [\d ]+ step calls \(\d+ of 10 partitions decided\); raise options.timeout/);
    expect(info.stop).toMatchObject({ kind: "timeout", limit: 1500, partitions: 10 });
    expect(info.partitions[3]!.result).toBe("illegal");
    expect(info.partitions[3]!.partialLinearizations[0]!.length).toBe(readConformance("c50-bad.txt.json").partitions[3]!.maxPartialLen);
    expect(info.partitions[0]!.result).toBe("unknown");
  });
  it("kv c50-bad verbose, pruned search: every partition decided, with Go's verdicts where Go finished", () => {
    const conf = readConformance("c50-bad.txt.json");
    const { result, info } = checkEventsVerbose(kvModel, parseKvLog(readDataFile("kv/c50-bad.txt")), { maxSteps: 2_000_000 });
    expect(result).toBe("illegal");
    expect(info.stop).toBeUndefined();
    info.partitions.forEach((p, i) => {
      const go = conf.partitions[i]!.partitionResult;
      // Go's verbose search never finished partitions 0, 7 and 9; here every partition is decided.
      if (go === "Unknown") expect(p.result).not.toBe("unknown");
      else expect(p.result).toBe(go.toLowerCase());
    });
    expect(info.partitions[3]!.partialLinearizations[0]!.length).toBe(conf.partitions[3]!.maxPartialLen);
  });
  it("etcd_000 (illegal): one longest partial, per-op lengths as in Go", () => {
    const conf = readConformance("etcd_000.log.json");
    const { result, info } = checkEventsVerbose(etcdModel, parseJepsenEtcdLog(readDataFile("jepsen/etcd_000.log")));
    expect(result).toBe("illegal");
    const p = info.partitions[0]!;
    expect(p.result).toBe("illegal");
    expect(p.partialLinearizations[0]!.length).toBe(conf.partitions[0]!.maxPartialLen);
    expect(p.illegalNext?.[0]?.length).toBeGreaterThan(0);
  });
  it("kv c10-bad: partitions have Go's per-partition verdicts and max partial lengths", () => {
    const conf = readConformance("c10-bad.txt.json");
    const { result, info } = checkEventsVerbose(kvModel, parseKvLog(readDataFile("kv/c10-bad.txt")));
    expect(result).toBe("illegal");
    expect(info.partitions.map((p) => p.result)).toEqual(conf.partitions.map((p) => p.partitionResult.toLowerCase()));
    info.partitions.forEach((p, i) => {
      expect(p.partialLinearizations[0]?.length ?? 0).toBe(conf.partitions[i]!.maxPartialLen);
      expect(p.history.length).toBe(conf.partitions[i]!.ops);
    });
  });
});

describe("parsers reproduce Go's parsed events", () => {
  // Returns of never-completed ops come last; Go appended them in map order, so compare that tail
  // as a set.
  function canonical(v: unknown): string {
    return JSON.stringify(v, (_k, x: unknown) =>
      typeof x === "object" && x !== null && !Array.isArray(x)
        ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1)))
        : x,
    );
  }
  function splitTail<V>(events: Event<V>[]): { head: Event<V>[]; tail: string[] } {
    let cut = events.length;
    while (cut > 0 && events[cut - 1]!.kind === "return") cut--;
    return { head: events.slice(0, cut), tail: events.slice(cut).map(canonical).sort() };
  }
  for (const name of conformanceFiles().filter((f) => !f.startsWith("nopartition-"))) {
    it(name, () => {
      const conf = readConformance(name);
      const file = conf.model === "etcd" ? `jepsen/${conf.file}` : `kv/${conf.file}`;
      const text = readDataFile(file);
      const parsed: Event<unknown>[] =
        conf.model === "etcd"
          ? (parseJepsenEtcdLog(text, file) as Event<EtcdInput | EtcdOutput>[])
          : (parseKvLog(text, file) as Event<KvInput | KvOutput>[]);
      const a = splitTail(parsed);
      const b = splitTail(conf.events ?? []);
      expect(a.head).toEqual(b.head);
      expect(a.tail).toEqual(b.tail);
    });
  }
});
