/**
 * Where a node's time goes, for `GET /metrics` and `npm run bench:cluster`: checkpoints and WAL
 * writes (from the file persister), the node's own time per KV request of the HTTP API, event-loop
 * delay, garbage-collection pauses and CPU time; and, on request, a timeline of each WAL write, KV
 * request and commit, from which bench:cluster tells where each slow operation spent its time.
 *
 * Times are wall-clock milliseconds since the Unix epoch with sub-millisecond precision
 * (`performance.timeOrigin + performance.now()`), so a client on the same machine can line its own
 * operations up with a node's checkpoints and pauses. Intervals are kept in bounded rings (the
 * latest {@link MAX_INTERVALS} of each kind): a long-running node does not grow.
 */
import { monitorEventLoopDelay, performance, PerformanceObserver, type IntervalHistogram } from "node:perf_hooks";

/** How many of the latest checkpoints and GC pauses a node remembers with their times. */
export const MAX_INTERVALS = 4096;

/** A span of wall-clock time: [start, end] in epoch ms. */
export type Interval = readonly [start: number, end: number];

/**
 * How many of the latest WAL writes, KV requests and commits a node keeps on its timeline: at
 * least a whole 10-second load of bench:cluster at a few thousand operations a second.
 */
export const MAX_TIMELINE = 65_536;

/** What `GET /metrics?timeline=1` adds: each WAL write, KV request and commit that ended at or after `since`. */
export interface NodeTimeline {
  readonly walWrites: Interval[];
  readonly kvRequests: Interval[];
  /** When this node's commitIndex advanced (epoch ms). */
  readonly commits: number[];
}

/** What the file persister reports about its writes. */
export interface StorageTimings {
  /** A WAL record's synchronized write took `ms`, from `start` (epoch ms). */
  wal(start: number, ms: number): void;
  /** A checkpoint (new generation: snapshot, state file, directory fsyncs) took `ms`, from `start`. */
  checkpoint(start: number, ms: number): void;
}

/** The current wall-clock time in epoch ms, monotonic within the process. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** A bounded ring of intervals, oldest first. */
class IntervalRing {
  private readonly items: Interval[] = [];
  count = 0;
  totalMs = 0;
  maxMs = 0;

  add(start: number, ms: number): void {
    this.items.push([start, start + ms]);
    if (this.items.length > MAX_INTERVALS) this.items.shift();
    this.count++;
    this.totalMs += ms;
    this.maxMs = Math.max(this.maxMs, ms);
  }

  /** The remembered intervals that end at or after `since`. */
  since(since: number): Interval[] {
    return this.items.filter(([, end]) => end >= since);
  }
}

/**
 * The latest {@link MAX_TIMELINE} intervals in a fixed ring (no allocation per interval: WAL writes
 * and KV requests are recorded on the hot path), oldest first.
 */
class Timeline {
  /** [start, end] of interval i at 2i and 2i+1 (3 rings of 1 MiB a node). */
  private readonly spans = new Float64Array(2 * MAX_TIMELINE);
  private next = 0;
  private size = 0;

  add(start: number, end: number): void {
    this.spans[2 * this.next] = start;
    this.spans[2 * this.next + 1] = end;
    this.next = (this.next + 1) % MAX_TIMELINE;
    this.size = Math.min(MAX_TIMELINE, this.size + 1);
  }

  /** The kept intervals that end at or after `since`, oldest first. */
  since(since: number): Interval[] {
    const out: Interval[] = [];
    for (let k = 0; k < this.size; k++) {
      const i = (this.next - this.size + k + MAX_TIMELINE) % MAX_TIMELINE;
      const end = this.spans[2 * i + 1]!;
      if (end >= since) out.push([this.spans[2 * i]!, end]);
    }
    return out;
  }
}

/** Durations with their percentiles, kept as a bounded reservoir of the latest samples. */
class Durations {
  private readonly samples: number[] = [];
  count = 0;

  add(ms: number): void {
    this.samples.push(ms);
    if (this.samples.length > MAX_INTERVALS) this.samples.shift();
    this.count++;
  }

  /** Forgets the samples (the count goes on). */
  reset(): void {
    this.samples.length = 0;
  }

  summary(): { count: number; p50: number; p99: number; max: number } {
    const s = [...this.samples].sort((a, b) => a - b);
    const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
    return { count: this.count, p50: round(at(0.5)), p99: round(at(0.99)), max: round(s[s.length - 1] ?? 0) };
  }
}

/** How often the event-loop delay is sampled, in ms. */
export const LOOP_DELAY_RESOLUTION_MS = 10;

/** One node's measurements; see the module comment. Call {@link stop} when the node stops. */
export class NodeMetrics implements StorageTimings {
  private readonly checkpoints = new IntervalRing();
  private readonly gcPauses = new IntervalRing();
  private readonly walWrites = new Durations();
  /** KV requests of the HTTP API, from the handler's start until its answer was handed to the OS. */
  private readonly kvRequests = new Durations();
  private readonly timeline = { walWrites: new Timeline(), kvRequests: new Timeline(), commits: new Timeline() };
  private readonly loopDelay: IntervalHistogram;
  private readonly gcObserver: PerformanceObserver;

  constructor() {
    // A 10 ms sampling timer (Node's default): at 1 ms it woke the event loop 1000 times a second,
    // most of an idle node's CPU and a tenth of a leader's per sequential put; a pause still shows
    // in full in the sample it delays, so what p99 suffers from (pauses of 10 ms and more) is kept.
    this.loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
    this.loopDelay.enable();
    this.gcObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) this.gcPauses.add(performance.timeOrigin + e.startTime, e.duration);
    });
    this.gcObserver.observe({ entryTypes: ["gc"] });
  }

  wal(start: number, ms: number): void {
    this.walWrites.add(ms);
    this.timeline.walWrites.add(start, start + ms);
  }

  /** A KV request (get, put, append, cas) of the HTTP API took `ms` in this node, answer sent just now. */
  kvRequest(ms: number): void {
    this.kvRequests.add(ms);
    const end = epochMs();
    this.timeline.kvRequests.add(end - ms, end);
  }

  /** This node's Raft advanced its commitIndex just now. */
  commit(): void {
    const at = epochMs();
    this.timeline.commits.add(at, at);
  }

  checkpoint(start: number, ms: number): void {
    this.checkpoints.add(start, ms);
  }

  /**
   * Everything measured so far, with the checkpoints and GC pauses that ended at or after `since`
   * (epoch ms). With `reset`, the percentiles (WAL writes, KV requests, event-loop delay) start over afterwards,
   * so that the next report describes only what happened in between. With `timeline`, it adds each
   * WAL write, KV request and commit that ended at or after `since` ({@link NodeTimeline}).
   */
  report(since: number, reset = false, timeline = false): Record<string, unknown> {
    const cpu = process.cpuUsage();
    const ns = (q: number): number => round(this.loopDelay.percentile(q) / 1e6);
    const out = {
      now: epochMs(),
      cpuMs: round((cpu.user + cpu.system) / 1000),
      checkpoints: { count: this.checkpoints.count, totalMs: round(this.checkpoints.totalMs), maxMs: round(this.checkpoints.maxMs), intervals: this.checkpoints.since(since) },
      walWrites: this.walWrites.summary(),
      kvRequests: this.kvRequests.summary(),
      loopDelayMs: { p50: ns(50), p99: ns(99), max: round(this.loopDelay.max / 1e6) },
      gc: { count: this.gcPauses.count, totalMs: round(this.gcPauses.totalMs), maxMs: round(this.gcPauses.maxMs), pauses: this.gcPauses.since(since) },
      ...(timeline ? { timeline: this.timelineSince(since) } : {}),
    };
    if (reset) {
      this.walWrites.reset();
      this.kvRequests.reset();
      this.loopDelay.reset();
    }
    return out;
  }

  private timelineSince(since: number): NodeTimeline {
    return {
      walWrites: this.timeline.walWrites.since(since),
      kvRequests: this.timeline.kvRequests.since(since),
      commits: this.timeline.commits.since(since).map(([at]) => at),
    };
  }

  stop(): void {
    this.loopDelay.disable();
    this.gcObserver.disconnect();
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
