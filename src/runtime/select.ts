/**
 * Go's `select` over channel receives, with an optional timeout: what the labs use it for (wait
 * for the applied result or give up after a while; wait on one of several channels).
 *
 * ```ts
 * // Go: select { case r := <-ch: ...; case <-time.After(100 * time.Millisecond): ... }
 * const r = await select([ch], { timeoutMs: 100 });
 * if (r.timedOut) return { err: ErrTimeout };
 * const value = r.value;
 *
 * // Receive with a timeout, in one call:
 * const got = await recvTimeout(ch, 100);   // { ok: true, value } or { ok: false }
 * ```
 *
 * Why not `Promise.race([ch.recv(), sleep(t)])`: when the sleep wins, the receive is still
 * registered on the channel, and it takes the next value someone sends, which then goes nowhere
 * (and the sender goes on as if it had been received). `select` withdraws every case it did not
 * take, and cancels its timer, so nothing is left behind.
 */
import type { Channel } from "./channel.js";
import { runtimeFor } from "./current.js";

/**
 * A channel of any element type: `Channel` is invariant in its type (it both gives and takes
 * values), so channels of different types only meet in a list typed this loosely.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type AnyChannel = Channel<any>;

/** The type of the values of a channel. */
type ValueOf<C> = C extends Channel<infer T> ? T : never;

/** What {@link select} returns: which channel gave a value (or was closed), or that the timeout passed. */
export type SelectResult<T> =
  | { readonly timedOut: false; readonly index: number; readonly closed: false; readonly value: T }
  | { readonly timedOut: false; readonly index: number; readonly closed: true; readonly value: undefined }
  | { readonly timedOut: true; readonly index: -1; readonly closed: false; readonly value: undefined };

/** Options of {@link select}. */
export interface SelectOptions {
  /**
   * Give up after this many ms (Go's `case <-time.After(d)`); 0 means do not wait at all (Go's
   * `default:` case). Without it, `select` waits until a channel gives a value or is closed.
   */
  readonly timeoutMs?: number;
}

/**
 * Waits for the first of `channels` to give a value, like Go's `select` with one receive case
 * per channel. When several are ready at once, one is picked at random (as Go does; from the
 * calling task's seeded stream, so a run stays deterministic). A closed, drained channel is ready
 * too: its result has `closed: true` (Go's `v, ok := <-ch` with `ok == false`).
 */
export function select<C extends readonly AnyChannel[]>(channelList: C, options: SelectOptions = {}): Promise<SelectResult<ValueOf<C[number]>>> {
  type T = ValueOf<C[number]>;
  const channels = channelList as unknown as readonly Channel<T>[];
  const rt = runtimeFor("select()");
  const { timeoutMs } = options;
  if (timeoutMs !== undefined && (Number.isNaN(timeoutMs) || timeoutMs === Infinity)) {
    return Promise.reject(new RangeError(`select(): timeoutMs must be a finite number of ms, got ${timeoutMs}`));
  }
  if (channels.length === 0 && timeoutMs === undefined) {
    return Promise.reject(new RangeError("select(): no channel and no timeout would wait forever"));
  }
  // Ready now: pick among the ready ones at random, as Go does, taking from only that one.
  const ready = channels.map((ch, index) => ({ ch, index })).filter(({ ch }) => ch.length > 0 || ch.closed || hasSender(ch));
  if (ready.length > 0) {
    const { ch, index } = ready.length === 1 ? ready[0]! : ready[rt.random.int(ready.length)]!;
    const got = ch.receiveOrWait(noop, noop);
    if (got.ready) return Promise.resolve("closed" in got ? closedResult<T>(index) : valueResult(index, got.value));
    got.cancel(); // not reached: a ready channel gives a value or says it is closed
  }
  if (timeoutMs !== undefined && timeoutMs <= 0) return Promise.resolve(TIMED_OUT as SelectResult<T>);

  return new Promise<SelectResult<T>>((resolve) => {
    const cancels: (() => void)[] = [];
    let settled = false;
    const untrack = rt.trackWait?.(
      `select on ${channels.length} channel${channels.length === 1 ? "" : "s"}${timeoutMs === undefined ? "" : ` (timeout ${timeoutMs} ms)`}`,
    );
    // Runs synchronously in the sender's send() or the channel's close(): every other case is
    // withdrawn before any other task can see it.
    const finish = (result: SelectResult<T>): void => {
      if (settled) return;
      settled = true;
      for (const cancel of cancels) cancel();
      untrack?.();
      resolve(result);
    };
    channels.forEach((ch, index) => {
      const got = ch.receiveOrWait(
        (value) => finish(valueResult(index, value)),
        () => finish(closedResult<T>(index)),
      );
      // Nothing was ready above and no task ran since, so every channel makes us wait.
      if (got.ready) throw new Error("select(): a channel became ready while select was registering (invariant broken)");
      cancels.push(got.cancel);
    });
    if (timeoutMs !== undefined) {
      const timer = rt.after(timeoutMs, () => finish(TIMED_OUT as SelectResult<T>), "select timeout");
      cancels.push(() => timer.cancel());
    }
  });
}

/** Receives from `ch`, giving up after `timeoutMs`: `{ ok: true, value }`, or `{ ok: false }` on timeout or a closed channel. */
export async function recvTimeout<T>(ch: Channel<T>, timeoutMs: number): Promise<{ ok: true; value: T } | { ok: false; closed: boolean }> {
  const r = await select([ch], { timeoutMs });
  if (r.timedOut) return { ok: false, closed: false };
  if (r.closed) return { ok: false, closed: true };
  return { ok: true, value: r.value };
}

const TIMED_OUT = { timedOut: true, index: -1, closed: false, value: undefined } as const;

function valueResult<T>(index: number, value: T): SelectResult<T> {
  return { timedOut: false, index, closed: false, value };
}

function closedResult<T>(index: number): SelectResult<T> {
  return { timedOut: false, index, closed: true, value: undefined };
}

function hasSender<T>(ch: Channel<T>): boolean {
  return ch.hasBlockedSender;
}

function noop(): void {}
