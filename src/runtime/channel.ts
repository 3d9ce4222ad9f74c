import { currentRuntime } from "./current.js";

/** Thrown by {@link Channel.send} on a closed channel, and by {@link Channel.recv} on a closed, empty one. */
export class ChannelClosedError extends Error {
  override readonly name = "ChannelClosedError";
}

interface Waiter<T> {
  resolve: (value: T) => void;
  reject: (error: Error) => void;
}

interface BlockedSender<T> extends Waiter<void> {
  value: T;
}

/**
 * A Go-style channel for simulated tasks.
 *
 * - `new Channel<T>()` is unbuffered: `send` resolves only when a receiver has taken the value
 *   (a rendezvous), exactly like `make(chan T)`; this is what the 6.5840 `applyCh` is.
 * - `new Channel<T>(n)` buffers up to `n` values; `send` resolves at once while there is room.
 *
 * Waiters are served first-come first-served, so a run stays deterministic. A task blocked on a
 * channel schedules no event: if every task is blocked this way, the simulator reports a deadlock.
 */
export class Channel<T> {
  private readonly buffer: T[] = [];
  private readonly senders: BlockedSender<T>[] = [];
  private readonly receivers: Waiter<T>[] = [];
  private isClosed = false;

  constructor(readonly capacity = 0) {
    if (!Number.isSafeInteger(capacity) || capacity < 0) {
      throw new RangeError(`Channel capacity must be a non-negative integer, got ${capacity}`);
    }
  }

  /** Number of values waiting in the buffer. */
  get length(): number {
    return this.buffer.length;
  }

  /** Whether a sender is waiting for a receiver (a receive would not wait). */
  get hasBlockedSender(): boolean {
    return this.senders.length > 0;
  }

  /** Whether {@link close} was called. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Sends `value`, waiting for a receiver (unbuffered) or for buffer room. */
  send(value: T): Promise<void> {
    if (this.isClosed) return Promise.reject(new ChannelClosedError("send on closed channel"));
    const receiver = this.receivers.shift();
    if (receiver !== undefined) {
      receiver.resolve(value);
      return Promise.resolve();
    }
    if (this.buffer.length < this.capacity) {
      this.buffer.push(value);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const done = trackWait(this.capacity === 0 ? "channel send (unbuffered: no receiver yet)" : `channel send (buffer of ${this.capacity} full)`);
      this.senders.push({ value, resolve: settle(done, resolve), reject: settle(done, reject) });
    });
  }

  /** Sends without waiting; returns false if that would block. */
  trySend(value: T): boolean {
    if (this.isClosed) throw new ChannelClosedError("send on closed channel");
    const receiver = this.receivers.shift();
    if (receiver !== undefined) {
      receiver.resolve(value);
      return true;
    }
    if (this.buffer.length < this.capacity) {
      this.buffer.push(value);
      return true;
    }
    return false;
  }

  /** Receives the next value, waiting for one. Rejects with {@link ChannelClosedError} once closed and drained. */
  recv(): Promise<T> {
    const got = this.take();
    if (got !== NOTHING) return Promise.resolve(got);
    if (this.isClosed) return Promise.reject(new ChannelClosedError("receive from closed channel"));
    return new Promise<T>((resolve, reject) => {
      const done = trackWait("channel receive (nothing sent yet)");
      this.receivers.push({ resolve: settle(done, resolve), reject: settle(done, reject) });
    });
  }

  /**
   * @internal For {@link select}: receives now if a value is ready (or the channel is closed and
   * drained), else registers `onValue` as a waiting receiver and returns the function that
   * withdraws it, so that a select that took another case leaves nothing behind on this channel.
   */
  receiveOrWait(onValue: (value: T) => void, onClosed: () => void): { ready: true; value: T } | { ready: true; closed: true } | { ready: false; cancel: () => void } {
    const got = this.take();
    if (got !== NOTHING) return { ready: true, value: got };
    if (this.isClosed) return { ready: true, closed: true };
    const waiter: Waiter<T> = { resolve: onValue, reject: onClosed };
    this.receivers.push(waiter);
    return {
      ready: false,
      cancel: () => {
        const i = this.receivers.indexOf(waiter);
        if (i >= 0) this.receivers.splice(i, 1);
      },
    };
  }

  /** Receives without waiting: the value, or `undefined` wrapped as `{ ok: false }` when none is ready. */
  tryRecv(): { ok: true; value: T } | { ok: false } {
    const got = this.take();
    return got === NOTHING ? { ok: false } : { ok: true, value: got };
  }

  /**
   * Closes the channel: blocked receivers are rejected, blocked senders are rejected, buffered values
   * can still be received.
   */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const r of this.receivers.splice(0)) r.reject(new ChannelClosedError("receive from closed channel"));
    for (const s of this.senders.splice(0)) s.reject(new ChannelClosedError("send on closed channel"));
  }

  /** Iterates over received values until the channel is closed and drained (`for await (const m of ch)`). */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      try {
        yield await this.recv();
      } catch (e) {
        if (e instanceof ChannelClosedError) return;
        throw e;
      }
    }
  }

  private take(): T | typeof NOTHING {
    if (this.buffer.length > 0) {
      const value = this.buffer.shift() as T;
      // A blocked sender can now move its value into the buffer.
      const sender = this.senders.shift();
      if (sender !== undefined) {
        this.buffer.push(sender.value);
        sender.resolve();
      }
      return value;
    }
    const sender = this.senders.shift();
    if (sender !== undefined) {
      sender.resolve();
      return sender.value;
    }
    return NOTHING;
  }
}

const NOTHING: unique symbol = Symbol("nothing");

/** Notes a blocked send or receive for the dump of waiting tasks (a no-op where the runtime keeps none). */
function trackWait(what: string): () => void {
  return currentRuntime()?.trackWait?.(what) ?? noop;
}

function noop(): void {}

/** `fn`, after calling `done`. */
function settle<A extends unknown[]>(done: () => void, fn: (...args: A) => void): (...args: A) => void {
  return (...args) => {
    done();
    fn(...args);
  };
}
