/**
 * The trace of a simulated run: a running 32-bit FNV-1a hash over every step that can tell two
 * runs apart, plus, when asked, the steps' text. It records:
 *
 * - every timer that fires, with the task that set it (`S1 ticker: sleep`);
 * - every random draw, with its stream (`#node S1#1 0.4123`);
 * - when the trace is {@link recording} (what `CHECK_DETERMINISM=1` asks for): every RPC message
 *   the network delivers, loses or cannot deliver (`rpc request delivered Raft.AppendEntries
 *   end-abc -> 2`, from `src/labrpc`), and every debug log line that is kept. These steps cost a
 *   string each, so an ordinary run leaves them out of its hash.
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

  /** Whether the steps' text is kept (and the detailed steps are recorded; see the class comment). */
  get recording(): boolean {
    return this.lines !== undefined;
  }

  /** Number of steps recorded so far. */
  get length(): number {
    return this.n;
  }

  /** The hash of all steps so far, as 8 hex digits. */
  get hash(): string {
    return (this.h >>> 0).toString(16).padStart(8, "0");
  }

  /** Records one step at virtual time `time` (ms), described by `what`, e.g. "rpc drop ...". */
  add(time: number, what: string): void {
    this.h = mixString(mixNumber(this.h, time), what);
    this.n++;
    if (this.lines !== undefined) this.lines.push(`${formatTime(time)} ${what}`);
  }

  /** Records a step made by a named actor, e.g. (`"S1 ticker"`, `"sleep"`), without joining the strings. */
  addBy(time: number, who: string, what: string): void {
    this.h = mixString(mixString(mixNumber(this.h, time), who), what);
    this.n++;
    if (this.lines !== undefined) this.lines.push(`${formatTime(time)} ${who}: ${what}`);
  }

  /** Records a random draw of `value` from the stream named `stream`. */
  addDraw(time: number, stream: string, value: number): void {
    this.h = mixNumber(mixString(mixNumber(this.h, time), stream), value);
    this.n++;
    if (this.lines !== undefined) this.lines.push(`${formatTime(time)} #${stream} ${value}`);
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

function mixString(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // A separator, so ("ab", "c") and ("a", "bc") hash differently.
  return Math.imul(h ^ 0xff, 0x01000193);
}

/** Formats virtual ms as seconds with millisecond precision, e.g. `12.345s`. */
export function formatTime(ms: number): string {
  return `${(ms / 1000).toFixed(3)}s`;
}
