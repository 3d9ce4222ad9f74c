/**
 * Where bench:cluster's sequential puts (load (a)) spent their time, one operation at a time, from
 * the client's own [start, end] and the leader's timeline (`GET /metrics?timeline=1`: its KV
 * requests, WAL writes and commits, in epoch ms on the same clock).
 *
 * With one client, each operation is exactly one KV request in the leader, one entry, one commit:
 * so an operation's time splits, in order, into
 *
 * - **before the leader's handler**: the client's request on its way (the client, HTTP, the
 *   kernel, a process waiting for a CPU);
 * - **until the leader's WAL write**: from the handler's start until its own save of the entry was
 *   durable, or until the commit if a majority of followers acknowledged first;
 * - **waiting for a follower**: from the leader's durable save until the commit (a follower's
 *   acknowledgement had not come yet);
 * - **applying and answering**: from the commit until the answer was handed to the kernel;
 * - **after the leader's answer**: the answer on its way back to the client.
 *
 * The leader counts itself toward a majority only at its durable index, so the commit comes after
 * the leader's WAL write or after two followers' acknowledgements, whichever is first.
 */

/** [start, end] in epoch ms. */
export type Span = readonly [number, number];

/** What the leader recorded during the load (sorted by time, as a node reports them). */
export interface LeaderTimeline {
  readonly kvRequests: readonly Span[];
  readonly walWrites: readonly Span[];
  readonly commits: readonly number[];
}

/** One operation's time, split as in the module comment (ms). */
export interface Phases {
  readonly total: number;
  readonly beforeHandler: number;
  readonly untilLeaderDurable: number;
  readonly waitingForFollower: number;
  readonly applyingAndAnswering: number;
  readonly afterAnswer: number;
}

/** The phases' names as printed, in order. */
export const PHASE_NAMES = {
  beforeHandler: "before the leader's handler",
  untilLeaderDurable: "until the leader's WAL write",
  waitingForFollower: "waiting for a follower",
  applyingAndAnswering: "applying and answering",
  afterAnswer: "after the leader's answer",
} as const satisfies Record<Exclude<keyof Phases, "total">, string>;

type PhaseKey = keyof typeof PHASE_NAMES;
const KEYS = Object.keys(PHASE_NAMES) as PhaseKey[];

/** Index of the first element of sorted `xs` whose key is at least `t`. */
function lowerBound<T>(xs: readonly T[], t: number, key: (x: T) => number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key(xs[mid]!) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The leader's KV request that overlaps `op` the most (none: undefined). */
function requestOf(op: Span, leader: LeaderTimeline): Span | undefined {
  const [s, e] = op;
  const overlap = (kv: Span): number => Math.min(e, kv[1]) - Math.max(s, kv[0]);
  // Requests are disjoint and sorted: the candidates are the last one starting by `e` and its neighbours.
  const k = lowerBound(leader.kvRequests, e, (x) => x[0]);
  let best: Span | undefined;
  for (let i = k - 2; i <= k; i++) {
    const kv = leader.kvRequests[i];
    if (kv !== undefined && overlap(kv) > 0 && (best === undefined || overlap(kv) > overlap(best))) best = kv;
  }
  return best;
}

/**
 * How far the leader's clock is ahead of the client's, in ms, estimated from `ops`: each process
 * reads the wall clock as `performance.timeOrigin + performance.now()`, and two processes' origins
 * differ by about as much as a fast operation's time on the wire (0.08-0.10 ms seen here). With
 * the fast trips each way taken as equal (the 10th percentile of each, so that a stray match does
 * not decide it), the offset is half their difference, as NTP reckons.
 */
export function clockOffset(ops: readonly Span[], leader: LeaderTimeline): number {
  const there: number[] = [];
  const back: number[] = [];
  for (const op of ops) {
    const kv = requestOf(op, leader);
    if (kv === undefined) continue;
    there.push(kv[0] - op[0]);
    back.push(op[1] - kv[1]);
  }
  if (there.length === 0) return 0;
  const fast = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(0.1 * xs.length)]!;
  return (fast(there) - fast(back)) / 2;
}

/**
 * The phases of the client operation `op`, or undefined when the leader's timeline does not hold
 * what one sequential put leaves: a KV request overlapping `op`, and a WAL write and a commit
 * inside that request. `offset`: the leader's clock ahead of the client's ({@link clockOffset}).
 */
export function phasesOf(op: Span, leader: LeaderTimeline, offset = 0): Phases | undefined {
  const [s, e] = op;
  const kv = requestOf(op, leader);
  if (kv === undefined) return undefined;
  const [ks, ke] = kv;
  const wal = leader.walWrites[lowerBound(leader.walWrites, ks, (x) => x[0])];
  const commit = leader.commits[lowerBound(leader.commits, ks, (x) => x)];
  if (wal === undefined || commit === undefined || wal[0] > ke || commit > ke) return undefined;
  const durable = Math.min(wal[1], commit);
  return {
    total: e - s,
    beforeHandler: ks - offset - s,
    untilLeaderDurable: durable - ks,
    waitingForFollower: Math.max(0, commit - wal[1]),
    applyingAndAnswering: ke - commit,
    afterAnswer: e - (ke - offset),
  };
}

/** The phases' means over `ops`, and for how many of them each phase was the longest. */
export interface Breakdown {
  readonly matched: number;
  readonly unmatched: number;
  readonly mean: Phases;
  readonly longest: Readonly<Record<PhaseKey, number>>;
}

/** Splits each of `ops` (see {@link phasesOf}; `offset` as there) and sums up. */
export function breakdown(ops: readonly Span[], leader: LeaderTimeline, offset = 0): Breakdown {
  const sum = { total: 0, beforeHandler: 0, untilLeaderDurable: 0, waitingForFollower: 0, applyingAndAnswering: 0, afterAnswer: 0 };
  const longest = { beforeHandler: 0, untilLeaderDurable: 0, waitingForFollower: 0, applyingAndAnswering: 0, afterAnswer: 0 };
  let matched = 0;
  for (const op of ops) {
    const p = phasesOf(op, leader, offset);
    if (p === undefined) continue;
    matched++;
    sum.total += p.total;
    for (const key of KEYS) sum[key] += p[key];
    const top = KEYS.reduce((a, b) => (p[b] > p[a] ? b : a));
    longest[top]++;
  }
  const n = Math.max(1, matched);
  const mean = {
    total: sum.total / n,
    beforeHandler: sum.beforeHandler / n,
    untilLeaderDurable: sum.untilLeaderDurable / n,
    waitingForFollower: sum.waitingForFollower / n,
    applyingAndAnswering: sum.applyingAndAnswering / n,
    afterAnswer: sum.afterAnswer / n,
  };
  return { matched, unmatched: ops.length - matched, mean, longest };
}

/** `label (n ops): mean T ms = a before the leader's handler + b until ... ; longest part: x% ..., y% ...`. */
export function describeBreakdown(label: string, b: Breakdown): string {
  if (b.matched === 0) return `${label}: no operation matched the leader's timeline (${b.unmatched} ops)`;
  const parts = KEYS.map((k) => `${b.mean[k].toFixed(2)} ${PHASE_NAMES[k]}`).join(" + ");
  const longest = KEYS.filter((k) => b.longest[k] > 0)
    .sort((x, y) => b.longest[y] - b.longest[x])
    .map((k) => `${Math.round((100 * b.longest[k]) / b.matched)}% ${PHASE_NAMES[k]}`)
    .join(", ");
  const unmatched = b.unmatched > 0 ? `, ${b.unmatched} not matched` : "";
  return `${label} (${b.matched} ops${unmatched}): mean ${b.mean.total.toFixed(2)} ms = ${parts}; longest part: ${longest}`;
}
