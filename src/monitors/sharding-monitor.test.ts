/**
 * The sharding monitor on scripted replicas: each property is shown to fail on a history that
 * breaks it, and to stay quiet on the history a correct handoff produces.
 */
import { describe, expect, it } from "vitest";
import type { AppliedConfig, ShardInspection, ShardView } from "../shardkv/inspect.js";
import { ShardingMonitor } from "./sharding-monitor.js";
import { shardingViolationMessage } from "./sharding-violation.js";

const N = 10;

/** A replica whose state the test sets by hand. */
class ScriptedReplica {
  configNum = 0;
  prevShards: number[] = new Array<number>(N).fill(0);
  applied: AppliedConfig[] = [{ num: 0, index: 0, shards: new Array<number>(N).fill(0) }];
  shards: ShardView[] = Array.from({ length: N }, () => ({ accepting: false, handingOff: false, data: new Map(), writesSinceArrival: undefined }));
  dup = new Map<number, number>();

  constructor(readonly gid: number) {}

  inspection(): ShardInspection {
    const { gid, configNum, prevShards, dup } = this;
    return { gid, configNum, prevShards, applied: [...this.applied], shards: [...this.shards], dup };
  }

  /** Applies configuration `num` at log `index` with `shards`. */
  configure(num: number, index: number, shards: number[]): this {
    this.prevShards = this.applied[this.applied.length - 1]!.shards as number[];
    this.applied.push({ num, index, shards });
    this.configNum = num;
    return this;
  }

  shard(s: number, view: Partial<ShardView>): this {
    this.shards[s] = { ...this.shards[s]!, ...view };
    return this;
  }
}

function setup(): { monitor: ShardingMonitor; a: ScriptedReplica; a2: ScriptedReplica; b: ScriptedReplica } {
  const monitor = new ShardingMonitor();
  const a = new ScriptedReplica(100);
  const a2 = new ScriptedReplica(100);
  const b = new ScriptedReplica(101);
  monitor.watch(100, "server-100-0", () => a.inspection());
  monitor.watch(100, "server-100-1", () => a2.inspection());
  monitor.watch(101, "server-101-0", () => b.inspection());
  return { monitor, a, a2, b };
}

const ALL_100 = new Array<number>(N).fill(100);
const SPLIT = [100, 100, 100, 100, 100, 101, 101, 101, 101, 101];
const data = (pairs: [string, string][]): Map<string, string> => new Map(pairs);

describe("ShardingMonitor", () => {
  it("stays quiet on a correct handoff of shard 5 from group 100 to group 101", () => {
    const { monitor, a, a2, b } = setup();
    for (const r of [a, a2]) r.configure(1, 3, ALL_100).shard(5, { accepting: true, data: data([["5", "x"]]), writesSinceArrival: 1 });
    a.dup.set(7, 4);
    a2.dup.set(7, 4);
    b.configure(1, 2, ALL_100);
    expect(monitor.check()).toBeUndefined();
    for (const r of [a, a2]) r.configure(2, 9, SPLIT).shard(5, { accepting: false, handingOff: true, frozenDup: new Map([[7, 4]]) });
    // Later writes to other shards raise the old group's table: they do not travel with shard 5.
    a.dup.set(7, 5);
    b.configure(2, 5, SPLIT);
    expect(monitor.check()).toBeUndefined();
    b.shard(5, { accepting: true, data: data([["5", "x"]]), writesSinceArrival: 0 });
    b.dup.set(7, 4);
    expect(monitor.check()).toBeUndefined();
  });

  it("Single Owner: two groups accept writes to one shard in one configuration", () => {
    const { monitor, a, b } = setup();
    a.configure(1, 3, ALL_100).shard(2, { accepting: true });
    b.configure(1, 2, ALL_100).shard(2, { accepting: true });
    const v = monitor.check();
    expect(v?.property).toBe("Single Owner");
    expect(v?.summary).toBe("server-101-0 (group 101) accepts writes to shard 2 in configuration 1, but server-100-0 (group 100) did too");
    expect(shardingViolationMessage(v!, 1500)).toMatch(/^Single Owner violated: .*\n {2}Single Owner \(sharding\): a shard accepts writes in at most one group for a given configuration\.\n {2}groups 100 101 · configs 1 · shards 2 · virtual time/);
  });

  it("Intact Handoff: the shard arrives with other pairs than it left with", () => {
    const { monitor, a, b } = setup();
    a.configure(1, 3, ALL_100).configure(2, 4, SPLIT).shard(5, { handingOff: true, data: data([["5", "x"]]) });
    b.configure(1, 1, ALL_100).configure(2, 2, SPLIT).shard(5, { accepting: true, data: new Map(), writesSinceArrival: 0 });
    const v = monitor.check();
    expect(v?.property).toBe("Intact Handoff");
    expect(v?.summary).toBe("shard 5 left group 100 and arrived in group 101 (configuration 2) with different pairs");
  });

  it("Intact Handoff: the duplicate table does not come along", () => {
    const { monitor, a, b } = setup();
    a.configure(1, 3, ALL_100).configure(2, 4, SPLIT).shard(5, { handingOff: true, data: data([["5", "x"]]), frozenDup: new Map([[7, 4]]) });
    b.configure(1, 1, ALL_100).configure(2, 2, SPLIT).shard(5, { accepting: true, data: data([["5", "x"]]), writesSinceArrival: 0 });
    const v = monitor.check();
    expect(v?.property).toBe("Intact Handoff");
    expect(v?.summary).toMatch(/without group 100's duplicate-table entry of client 7 \(request 4; there: none\)/);
  });

  it("Intact Handoff: two replicas of the old group froze different states", () => {
    const { monitor, a, a2 } = setup();
    a.configure(1, 3, ALL_100).configure(2, 4, SPLIT).shard(5, { handingOff: true, data: data([["5", "x"]]) });
    a2.configure(1, 3, ALL_100).configure(2, 4, SPLIT).shard(5, { handingOff: true, data: data([["5", "xy"]]) });
    expect(monitor.check()?.property).toBe("Intact Handoff");
  });

  it("Configuration Agreement: a replica skips a configuration", () => {
    const { monitor, a } = setup();
    a.configure(2, 3, SPLIT);
    const v = monitor.check();
    expect(v?.property).toBe("Configuration Agreement");
    expect(v?.summary).toBe("server-100-0 applied configuration 2 right after configuration 0 (at index 3)");
  });

  it("Configuration Agreement: replicas apply a configuration at different log indices", () => {
    const { monitor, a, a2 } = setup();
    a.configure(1, 3, ALL_100);
    a2.configure(1, 4, ALL_100);
    const v = monitor.check();
    expect(v?.property).toBe("Configuration Agreement");
    expect(v?.summary).toBe("server-100-1 applied configuration 1 at index 4 as [100 100 100 100 100 100 100 100 100 100], but server-100-0 applied it at index 3 as [100 100 100 100 100 100 100 100 100 100]");
  });

  it("Configuration Agreement: replicas apply different shard assignments under one number", () => {
    const { monitor, a, a2 } = setup();
    a.configure(1, 3, ALL_100);
    a2.configure(1, 3, SPLIT);
    expect(monitor.check()?.property).toBe("Configuration Agreement");
  });
});

describe("Raft monitors in a test with several Raft groups", () => {
  it("name the group in the failure message", async () => {
    const { violationMessage } = await import("./violation.js");
    const message = violationMessage({ property: "Election Safety", summary: "S0 and S1 both lead T3", peers: [0, 1], terms: [3], indices: [] }, 2000, "group 101");
    expect(message.split("\n").at(-1)).toMatch(/^ {2}group 101 · peers S0 S1 · terms T3 · virtual time/);
  });
});
