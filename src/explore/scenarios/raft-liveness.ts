/**
 * Liveness as checked properties of a healed Raft cluster (the explore scenarios' liveness phase).
 * Once every fault is healed (every server up, every link back, no more faults on messages), a
 * correct Raft must, within bounds derived from the labs' timing rules:
 *
 * - `liveness: no stable leader`: settle on one leader, every running server in its term (for
 *   {@link LIVENESS_BOUNDS.settleHoldMs}, and at least {@link LIVENESS_BOUNDS.hangoverMs} after the
 *   healing), within {@link LIVENESS_BOUNDS.settleMs} of the healing (the lab asks for a new leader
 *   within five seconds);
 * - `liveness: leader deposed on a healed network`: keep it, and its term, for
 *   {@link LIVENESS_BOUNDS.stableMs} (TestInitialElection3A's "term should not change" window:
 *   twice the tester's election timeout): nothing is lost, so no follower may time out;
 * - `liveness: too many RPCs`: meanwhile send at most TestCount3B's RPCs per second of idleness
 *   (3·20 for 3 servers: 20 per server per second), counted over that window;
 * - `liveness: a command took too long`: commit a new command on every server within
 *   {@link LIVENESS_BOUNDS.commitMs} of the leader accepting it.
 *
 * Each failure is named, with the numbers it saw; each is shown failing on a planted bug
 * (`liveness.test.ts`). The bounds hold with a wide margin on the reference (measured over many
 * seeds; see the bounds' comments), so a failure is a bug, not bad luck.
 */
import { dlog, now, sleep } from "../../runtime/index.js";
import { fatal } from "../../tester/failure.js";
import { RAFT_ELECTION_TIMEOUT, type RaftTester } from "../../raft/tester.js";

/** The bounds, in virtual ms (and RPCs per server per second). */
export const LIVENESS_BOUNDS = {
  /**
   * One leader, every running server in its term, this long after healing at most: the lab's five
   * seconds for a new leader. The reference settles within 1.6 s in 3 000 runs (median 0.3 s).
   */
  settleMs: 5 * RAFT_ELECTION_TIMEOUT,
  /**
   * The agreement must hold this long to count as settled (two heartbeat intervals at the lab's
   * at most ten per second: every follower has heard from the leader since).
   */
  settleHoldMs: 200,
  /**
   * ...and not before this long after the healing: a follower cut off from its leader until the
   * healing may still time out and start a (legal) election this long after it.
   */
  hangoverMs: RAFT_ELECTION_TIMEOUT,
  /** That leader keeps its term this long: TestInitialElection3A's window (2 election timeouts). */
  stableMs: 2 * RAFT_ELECTION_TIMEOUT,
  /** TestCount3B's idle bound: 3·20 RPCs per second for 3 servers, i.e. 20 per server. */
  rpcsPerServerPerSecond: 20,
  /**
   * A command accepted by the settled leader is applied on every server this long after at most
   * (one election timeout; the reference takes a few ms: one round of AppendEntries).
   */
  commitMs: RAFT_ELECTION_TIMEOUT,
} as const;

/** How often the checks look (virtual ms). */
const POLL_MS = 5;

/** What {@link checkSettledLeader} saw. */
export interface SettledLeader {
  readonly leader: number;
  readonly term: number;
  /** Virtual ms from the healing to settling. */
  readonly settleMs: number;
  /** RPCs per second during the stability window. */
  readonly rpcsPerSecond: number;
}

/** The running servers' terms and roles, e.g. `S0 T5 leader, S1 T5, S2 T6 candidate`. */
function describeCluster(ts: RaftTester): string {
  return ts.rafts
    .map((rf, i) => {
      if (rf === undefined) return `S${i} down`;
      const s = rf.getState();
      return `S${i} T${s.term}${s.isLeader ? " leader" : ""}`;
    })
    .join(", ");
}

/** The leader every running server agrees on (one leader, all in its term), if any. */
function agreedLeader(ts: RaftTester): { leader: number; term: number } | undefined {
  let leader: number | undefined;
  let term: number | undefined;
  for (let i = 0; i < ts.n; i++) {
    const s = ts.rafts[i]?.getState();
    if (s === undefined) continue;
    if (term === undefined) term = s.term;
    else if (s.term !== term) return undefined;
    if (s.isLeader) {
      if (leader !== undefined) return undefined;
      leader = i;
    }
  }
  return leader === undefined || term === undefined ? undefined : { leader, term };
}

/**
 * Right after the healing: waits for the cluster to settle on a leader, then watches it keep its
 * term for the stability window while counting RPCs. Fails the run, naming the bound, otherwise.
 */
export async function checkSettledLeader(ts: RaftTester): Promise<SettledLeader> {
  const b = LIVENESS_BOUNDS;
  const healedAt = now();
  // Settled: the same agreement for a while, and long enough after the healing that a follower cut
  // off from the leader until then has either heard from it or timed out (a legal election).
  let current = agreedLeader(ts);
  let since = now();
  while (current === undefined || now() - since < b.settleHoldMs || now() - healedAt < b.hangoverMs) {
    if (now() - healedAt >= b.settleMs) fatal(`liveness: no stable leader within ${b.settleMs} ms after every fault was healed (${describeCluster(ts)})`);
    await sleep(POLL_MS);
    const a = agreedLeader(ts);
    if (a?.leader !== current?.leader || a?.term !== current?.term) {
      current = a;
      since = now();
    }
  }
  const settled = current;
  const settleMs = since - healedAt;
  dlog("tester", "TEST", `liveness: S${settled.leader} leads T${settled.term} with every server in its term, ${settleMs} ms after healing`);
  const rpcs0 = ts.rpcTotal();
  const from = now();
  while (now() - from < b.stableMs) {
    await sleep(POLL_MS);
    const s = ts.rafts[settled.leader]?.getState();
    const terms = ts.rafts.map((rf) => rf?.getState().term ?? settled.term);
    if (s === undefined || !s.isLeader || s.term !== settled.term || terms.some((t) => t !== settled.term)) {
      fatal(`liveness: leader deposed on a healed network: S${settled.leader} settled as leader of T${settled.term}, ${now() - from} ms later: ${describeCluster(ts)} (nothing is lost or delayed now: no server may time out)`);
    }
  }
  const rpcsPerSecond = ((ts.rpcTotal() - rpcs0) * 1000) / b.stableMs;
  const limit = b.rpcsPerServerPerSecond * ts.n;
  if (rpcsPerSecond > limit) {
    fatal(`liveness: too many RPCs: ${rpcsPerSecond.toFixed(0)} per second on a healed, idle cluster of ${ts.n} (TestCount3B's bound: ${limit})`);
  }
  return { leader: settled.leader, term: settled.term, settleMs, rpcsPerSecond };
}

/** Starts `cmd` at the settled leader and requires it applied on every server within the bound. */
export async function checkPromptCommit(ts: RaftTester, leader: number, cmd: number): Promise<number> {
  const b = LIVENESS_BOUNDS;
  const r = ts.raft(leader).start(cmd);
  if (!r.isLeader) fatal(`liveness: S${leader}, the settled leader, refused a command (${describeCluster(ts)})`);
  const from = now();
  for (;;) {
    const [count] = ts.nCommitted(r.index);
    if (count >= ts.n) break;
    if (now() - from >= b.commitMs) fatal(`liveness: a command took too long: index ${r.index} applied on ${count} of ${ts.n} servers ${b.commitMs} ms after the settled leader S${leader} accepted it`);
    await sleep(POLL_MS);
  }
  dlog("tester", "TEST", `liveness: index ${r.index} applied everywhere ${now() - from} ms after start()`);
  return r.index;
}
