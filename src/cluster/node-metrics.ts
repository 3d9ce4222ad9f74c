/**
 * Where a node's time goes, for `GET /metrics` and `npm run bench:cluster`: checkpoints and WAL
 * writes (from the file persister), the node's own time per KV request of the HTTP API, event-loop
 * delay, garbage-collection pauses and CPU time.
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
  /** KV requests of the HTTP API, from the handler's start to the response's last byte handed to the OS. */
  private readonly kvRequests = new Durations();
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

  wal(_start: number, ms: number): void {
    this.walWrites.add(ms);
  }

  /** A KV request (get, put, append, cas) of the HTTP API took `ms` in this node, answer sent. */
  kvRequest(ms: number): void {
    this.kvRequests.add(ms);
  }

  checkpoint(start: number, ms: number): void {
    this.checkpoints.add(start, ms);
  }

  /**
   * Everything measured so far, with the checkpoints and GC pauses that ended at or after `since`
   * (epoch ms). With `reset`, the percentiles (WAL writes, KV requests, event-loop delay) start over afterwards,
   * so that the next report describes only what happened in between.
   */
  report(since: number, reset = false): Record<string, unknown> {
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
    };
    if (reset) {
      this.walWrites.reset();
      this.kvRequests.reset();
      this.loopDelay.reset();
    }
    return out;
  }

  stop(): void {
    this.loopDelay.disable();
    this.gcObserver.disconnect();
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
