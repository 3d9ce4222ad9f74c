import type { SimTask } from "./context.js";

/**
 * A binary min-heap of timed events, ordered by (time, seq). `seq` is a global insertion counter, so
 * events due at the same virtual time fire in the order they were scheduled: no tie is ever broken
 * by anything but program order.
 */
export interface SimEvent {
  /** Virtual time (ms) at which the event fires. */
  readonly time: number;
  /** Insertion order; breaks ties between events with equal `time`. */
  readonly seq: number;
  /** What to run. */
  readonly fire: () => void;
  /** A short description for traces and error messages, e.g. "sleep" or "rpc-request". */
  readonly label: string;
  /** The task that scheduled it, e.g. "S1 ticker" (for the trace). */
  readonly task: string;
  /** Set by `cancel()`; a cancelled event is skipped when popped. */
  cancelled: boolean;
  /** The task that sleeps until this event, if it is a sleep (for the dump of waiting tasks). */
  readonly sleeper?: SimTask | undefined;
  /** Virtual time at which it was scheduled. */
  readonly since: number;
}

/** Min-heap of {@link SimEvent}s. */
export class EventQueue {
  private readonly heap: SimEvent[] = [];

  /** Number of events in the heap, cancelled ones included. */
  get size(): number {
    return this.heap.length;
  }

  /** Every event in the heap (cancelled ones included), in no particular order: for diagnostics. */
  pending(): readonly SimEvent[] {
    return this.heap;
  }

  /** Adds an event. */
  push(ev: SimEvent): void {
    const heap = this.heap;
    heap.push(ev);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!before(ev, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = ev;
  }

  /** The earliest live event, without removing it; drops cancelled events on the way. */
  peek(): SimEvent | undefined {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
    return this.heap[0];
  }

  /** Removes and returns the earliest event (cancelled or not). */
  pop(): SimEvent | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    // Sift `last` down from the root.
    let i = 0;
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && before(heap[r]!, heap[l]!)) c = r;
      if (!before(heap[c]!, last)) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = last;
    return top;
  }
}

function before(a: SimEvent, b: SimEvent): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
