/**
 * A run's fault plan: how hard the nemesis hits, drawn per seed (swarm testing: each kind of fault
 * is switched off entirely in some runs and turned up in others, so that no single mix of faults
 * hides a bug that another mix would show). The plan fixes intensities; which messages and servers
 * the faults hit is drawn as the run goes, and recorded in its schedule (`schedule.ts`).
 */
import type { RandomSource } from "../runtime/index.js";

/** The nemesis's strategies (`strategies.ts`; `none`: random faults only). */
export type StrategyName = "none" | "split-vote" | "figure-8";

/** The intensities of one run's faults. Rates are per mille of the messages they may hit. */
export interface FaultPlan {
  /** Requests lost, and replies lost, beyond the network's own losses. */
  readonly dropPerMille: number;
  /** Every message is delayed 0..jitterMs-1 ms more (small reorderings; 0: off). */
  readonly jitterMs: number;
  /** Replies held back 200..reorderMaxMs ms (reordering). */
  readonly reorderPerMille: number;
  readonly reorderMaxMs: number;
  /** Requests delivered late, after the ones sent after them (a stale request): held 100..staleMaxMs ms. */
  readonly stalePerMille: number;
  readonly staleMaxMs: number;
  /**
   * Requests delivered once more, 100..duplicateMaxMs ms after the original (a stale retransmission,
   * maybe to the server restarted since): Raft's RPCs and the KV duplicate table must tolerate it.
   * Not in the `lab` profile (a lab test's checks may count what its servers handled).
   */
  readonly duplicatePerMille: number;
  readonly duplicateMaxMs: number;
  /**
   * Message history (`message-history.ts`): at the moments where a stale message hurts (a new
   * leader, a follower just installed a snapshot or caught up, a server just restarted), requests
   * sent earlier in the run (an AppendEntries or InstallSnapshot of an earlier term or index, a
   * RequestVote of an earlier election, a Clerk's earlier request) are delivered again to the server
   * they were addressed to, this often per moment and server. Not in the `lab` profile.
   */
  readonly historyPerMille: number;
  /**
   * Replies held back until their sender has moved on (a vote's reply until its candidate's next
   * election, a leader's AppendEntries or InstallSnapshot reply until it leads again in a later
   * term), so that they arrive as answers to requests of an earlier round. Not in the `lab` profile.
   */
  readonly holdReplyPerMille: number;
  /** Replies delayed past the next election (700..3000 ms), so they arrive in a later term. */
  readonly lateReplyPerMille: number;
  /** Handled requests after which the server crashes, its reply already on its way. */
  readonly crashAfterReplyPerMille: number;
  /** Requests after whose sending the sender crashes (what it persisted before sending must survive). */
  readonly crashAfterSendPerMille: number;
  /**
   * The same two crashes for votes (RequestVote, handled or sent), at a rate of their own: votes
   * are few, and a vote forgotten in a crash is the classic persistence bug.
   */
  readonly crashAfterVotePerMille: number;
  /**
   * Commands a leader accepts (in the explore scenarios' clients) after which it crashes at once,
   * before sending them anywhere: an entry only the old leader has, as in Figure 8.
   */
  readonly crashAfterStartPerMille: number;
  /**
   * Client writes (KVServer.Put, Append, Cas) after whose handling the server crashes, half of the
   * time losing its reply too: the Clerk retries the write, maybe on the same server restarted from
   * a snapshot, and the duplicate table must know it.
   */
  readonly crashAfterClientWritePerMille: number;
  /** Vote requests delayed 20..500 ms (so that candidates of one term overlap, and votes arrive after restarts). */
  readonly slowVotePerMille: number;
  /**
   * New leaders that the nemesis, watching the cluster, cuts off right after their election (their
   * requests in flight are lost too) for 100..3000 ms, or crashes: the others must elect another
   * leader from what the first one left behind.
   */
  readonly newLeaderPerMille: number;
  /** A sequence of faults that sets up a known trap (`strategies.ts`), and how often it starts where it can. */
  readonly strategy: StrategyName;
  readonly strategyPerMille: number;
  /** A crashed server restarts after 0..downMaxMs ms (0 drawn: at once). */
  readonly downMaxMs: number;
  /** The scheduler crashes a server about this often (ms; 0: never): the leader, half of the time. */
  readonly crashEveryMs: number;
  /**
   * The scheduler splits the cluster about this often (ms; 0: never), for up to partitionMaxMs ms:
   * half of the time it cuts the leader off with at most a minority.
   */
  readonly partitionEveryMs: number;
  readonly partitionMaxMs: number;
  /**
   * Most partitions cut one follower off alone (not the leader), so that the others go on
   * committing and compacting past it and it comes back by InstallSnapshot (the `snapshots`
   * profile's). Absent in the other profiles, whose plans stay as they were.
   */
  readonly lagFollowers?: true;
}

/**
 * How a plan is drawn:
 * - `full`: everything, for the explore scenarios, which heal every fault before they judge
 *   liveness;
 * - `no-crash`: the same without crashes (parts 3A and 3B, where Raft need not persist yet);
 * - `kv`: `full` for the KV service: no Raft strategies, and crashes right after client writes more
 *   often (retried writes are where the KV bugs hide);
 * - `lab`: message faults only (no crashes, no partitions), at rates the lab tests' own time
 *   limits tolerate, for lab tests run under the nemesis;
 * - `kvsrv`: message faults only, at full strength, for Lab 2's single server (nothing to crash or
 *   partition): losses, copies of requests delivered again seconds later, held-back requests and
 *   replies, late replies;
 * - `snapshots`: `full` for log compaction (Lab 3D): no faults aimed at elections (no strategies,
 *   no crashes after votes, no slow votes, fewer hits on new leaders), partitions always on and
 *   most of them cutting one follower off for 0.8-3 s ({@link FaultPlan.lagFollowers}).
 */
export type PlanProfile = "full" | "no-crash" | "kv" | "lab" | "kvsrv" | "snapshots";

/** A plan with every fault off. */
export const NO_FAULTS: FaultPlan = {
  dropPerMille: 0,
  jitterMs: 0,
  reorderPerMille: 0,
  reorderMaxMs: 0,
  stalePerMille: 0,
  staleMaxMs: 0,
  duplicatePerMille: 0,
  duplicateMaxMs: 0,
  historyPerMille: 0,
  holdReplyPerMille: 0,
  lateReplyPerMille: 0,
  crashAfterReplyPerMille: 0,
  crashAfterSendPerMille: 0,
  crashAfterVotePerMille: 0,
  crashAfterStartPerMille: 0,
  crashAfterClientWritePerMille: 0,
  slowVotePerMille: 0,
  newLeaderPerMille: 0,
  strategy: "none",
  strategyPerMille: 0,
  downMaxMs: 0,
  crashEveryMs: 0,
  partitionEveryMs: 0,
  partitionMaxMs: 0,
};

/** Draws a plan from `rand` (the nemesis's own stream): each kind on with probability 0.6. */
export function drawFaultPlan(rand: RandomSource, profile: PlanProfile): FaultPlan {
  /** 0 in 40% of the runs, else lo..hi. */
  const maybe = (lo: number, hi: number): number => (rand.chance(0.6) ? rand.between(lo, hi) : 0);
  if (profile === "lab") {
    return {
      ...NO_FAULTS,
      dropPerMille: maybe(5, 30),
      jitterMs: maybe(2, 8),
      reorderPerMille: maybe(5, 30),
      reorderMaxMs: 800,
      stalePerMille: maybe(5, 30),
      staleMaxMs: 600,
      lateReplyPerMille: maybe(2, 10),
    };
  }
  if (profile === "kvsrv") {
    return {
      ...NO_FAULTS,
      dropPerMille: maybe(10, 300),
      jitterMs: maybe(2, 30),
      reorderPerMille: maybe(10, 150),
      reorderMaxMs: rand.between(400, 3000),
      stalePerMille: maybe(10, 150),
      staleMaxMs: rand.between(150, 3000),
      lateReplyPerMille: maybe(5, 60),
      duplicatePerMille: maybe(10, 200),
      duplicateMaxMs: rand.between(150, 5000),
    };
  }
  const crashes = (profile === "full" || profile === "kv" || profile === "snapshots") && rand.chance(profile === "kv" ? 0.85 : 0.75);
  const plan: FaultPlan = {
    dropPerMille: maybe(10, 250),
    jitterMs: maybe(2, 30),
    reorderPerMille: maybe(10, 150),
    reorderMaxMs: rand.between(400, 2000),
    stalePerMille: maybe(10, 100),
    staleMaxMs: rand.between(150, 1500),
    lateReplyPerMille: maybe(5, 60),
    crashAfterReplyPerMille: crashes ? maybe(5, 40) : 0,
    crashAfterSendPerMille: crashes ? maybe(5, 30) : 0,
    crashAfterVotePerMille: crashes ? maybe(100, 500) : 0,
    crashAfterStartPerMille: crashes ? maybe(20, 200) : 0,
    crashAfterClientWritePerMille: crashes && (profile === "kv" ? rand.chance(0.8) : rand.chance(0.6)) ? rand.between(20, 200) : 0,
    slowVotePerMille: maybe(100, 600),
    newLeaderPerMille: maybe(200, 800),
    ...drawStrategy(rand, profile),
    downMaxMs: rand.chance(0.3) ? 0 : rand.between(20, 2000),
    crashEveryMs: crashes ? maybe(300, 3000) : 0,
    partitionEveryMs: maybe(1000, 5000),
    partitionMaxMs: rand.between(300, 3000),
    // Drawn last, so that the other intensities of a seed's plan are what they were before it existed.
    duplicatePerMille: maybe(10, 100),
    duplicateMaxMs: rand.between(150, 3000),
    // Drawn after the copies, for the same reason: a seed's other intensities stay as they were.
    historyPerMille: maybe(150, 700),
    holdReplyPerMille: maybe(20, 150),
  };
  if (profile === "snapshots") {
    // Drawn after the rest, so that the shared draws above keep their order.
    const partitionEveryMs = rand.between(800, 2500);
    const partitionMaxMs = rand.between(800, 3000);
    return { ...plan, crashAfterVotePerMille: 0, slowVotePerMille: 0, newLeaderPerMille: Math.round(plan.newLeaderPerMille / 4), partitionEveryMs, partitionMaxMs, lagFollowers: true };
  }
  if (profile !== "kv") return plan;
  // The KV service shows its own bugs only in a cluster that makes progress: no hits aimed at
  // Raft's elections, and fewer crashes.
  return { ...plan, crashAfterVotePerMille: 0, slowVotePerMille: 0, newLeaderPerMille: 0, crashEveryMs: plan.crashEveryMs === 0 ? 0 : plan.crashEveryMs + 1500 };
}

/** Four runs in five of the `full` profile follow a strategy (they need crashes), starting often. */
function drawStrategy(rand: RandomSource, profile: PlanProfile): Pick<FaultPlan, "strategy" | "strategyPerMille"> {
  const strategy: StrategyName = profile === "full" ? (["none", "split-vote", "split-vote", "figure-8", "figure-8"] as const)[rand.int(5)]! : "none";
  return { strategy, strategyPerMille: strategy === "none" ? 0 : rand.between(500, 1000) };
}

/** Whether the plan crashes servers at all (a scenario then needs crash and restart). */
export function crashesServers(plan: FaultPlan): boolean {
  return plan.crashAfterReplyPerMille > 0 || plan.crashAfterSendPerMille > 0 || plan.crashAfterVotePerMille > 0 || plan.crashAfterStartPerMille > 0 || plan.crashAfterClientWritePerMille > 0 || plan.crashEveryMs > 0 || plan.strategy !== "none";
}

/**
 * The plan in one line, e.g. `drop 120‰ · jitter <12 ms · reorder 40‰ ≤1500 ms · stale 15‰
 * ≤1200 ms · late replies 10‰ · crash after reply 8‰ · crash after send off · down ≤800 ms ·
 * crashes ~3000 ms · partitions ~4000 ms ≤2500 ms`.
 */
export function describeFaultPlan(plan: FaultPlan): string {
  const rate = (name: string, perMille: number, extra = ""): string => (perMille > 0 ? `${name} ${perMille}‰${extra}` : `${name} off`);
  const every = (name: string, ms: number, extra = ""): string => (ms > 0 ? `${name} ~${ms} ms${extra}` : `${name} off`);
  const parts = [
    rate("drop", plan.dropPerMille),
    plan.jitterMs > 0 ? `jitter <${plan.jitterMs} ms` : "jitter off",
    rate("reorder", plan.reorderPerMille, ` ≤${plan.reorderMaxMs} ms`),
    rate("stale requests", plan.stalePerMille, ` ≤${plan.staleMaxMs} ms`),
    rate("copies", plan.duplicatePerMille, ` ≤${plan.duplicateMaxMs} ms`),
    rate("late replies", plan.lateReplyPerMille),
    rate("earlier messages again", plan.historyPerMille),
    rate("held replies", plan.holdReplyPerMille),
    rate("crash after reply", plan.crashAfterReplyPerMille),
    rate("crash after send", plan.crashAfterSendPerMille),
    rate("crash after vote", plan.crashAfterVotePerMille),
    rate("crash after start", plan.crashAfterStartPerMille),
    rate("crash after client write", plan.crashAfterClientWritePerMille),
    rate("slow votes", plan.slowVotePerMille),
    rate("new leaders hit", plan.newLeaderPerMille),
  ];
  if (plan.strategy !== "none") parts.push(`strategy ${plan.strategy} ${plan.strategyPerMille}‰`);
  if (crashesServers(plan)) parts.push(plan.downMaxMs > 0 ? `down ≤${plan.downMaxMs} ms` : "restart at once");
  parts.push(every("crashes", plan.crashEveryMs), every("partitions", plan.partitionEveryMs, ` ≤${plan.partitionMaxMs} ms`));
  if (plan.lagFollowers === true) parts.push("followers left behind");
  return parts.join(" · ");
}
