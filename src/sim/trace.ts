/**
 * The trace of a simulated run: a running 32-bit FNV-1a hash over every recorded step (timer
 * firings, random draws, RPC deliveries, log lines), plus, when asked, the steps' text.
 *
 * Two runs of the same code with the same seed must produce the same trace; `CHECK_DETERMINISM=1`
 * records the text of both runs and reports the first step at which they differ.
 */
export class Trace {
  private h = 0x811c9dc5;
  private n = 0;
  /** The recorded steps, when `record` was requested; otherwise undefined. */
  readonly lines: string[] | undefined;

  constructor(record = false) {
    this.lines = record ? [] : undefined;
  }

  /** Number of steps recorded so far. */
  get length(): number {
    return this.n;
  }

  /** The hash of all steps so far, as 8 hex digits. */
  get hash(): string {
    return (this.h >>> 0).toString(16).padStart(8, "0");
  }

  /**
   * Records one step. `time` is virtual ms; `what` describes the step ("timer sleep 100",
   * "rand 0.1234", "rpc Raft.AppendEntries 0->1"...).
   */
  add(time: number, what: string): void {
    let h = mixNumber(this.h, time);
    for (let i = 0; i < what.length; i++) {
      h ^= what.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    this.h = h;
    this.n++;
    if (this.lines !== undefined) this.lines.push(`${formatTime(time)} ${what}`);
  }

  /** Records a step that is a single number (cheaper than building a string). */
  addNumber(time: number, tag: number, value: number): void {
    this.h = mixNumber(mixNumber(mixNumber(this.h, time), tag), value);
    this.n++;
    if (this.lines !== undefined) this.lines.push(`${formatTime(time)} #${tag} ${value}`);
  }
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function mixNumber(h: number, x: number): number {
  f64[0] = x;
  for (let k = 0; k < 2; k++) {
    const w = u32[k]!;
    for (let s = 0; s < 32; s += 8) {
      h ^= (w >>> s) & 0xff;
      h = Math.imul(h, 0x01000193);
    }
  }
  return h;
}

/** Formats virtual ms as seconds with millisecond precision, e.g. `12.345s`. */
export function formatTime(ms: number): string {
  return `${(ms / 1000).toFixed(3)}s`;
}
