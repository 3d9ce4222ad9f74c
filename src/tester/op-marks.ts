/**
 * Clerk operations as marks of the run's log (`{ kind: "op" }`), so that the timeline of a KV test
 * shows each operation from its invocation to its response, with its key and result, beside the
 * servers' rows. The KV testers call {@link OpMarks.record} around each Clerk call; the marks cost
 * nothing when the run does not log.
 */
import { dmark, now } from "../runtime/index.js";

/** Longest value or result kept in a mark (the timeline shows a prefix; Lab 2's memory tests pass megabytes). */
const MAX_SHOWN = 60;

/** One test's Clerks, numbered in the order they first operate (C0, C1, ...), and their operations' marks. */
export class OpMarks {
  private readonly ids = new WeakMap<object, number>();
  private next = 0;

  /** The tester's number of `clerk`. */
  clientOf(clerk: object): number {
    let id = this.ids.get(clerk);
    if (id === undefined) {
      id = this.next++;
      this.ids.set(clerk, id);
    }
    return id;
  }

  /**
   * Runs `call` (one operation of `clerk`) and marks it on the tester's row once it returns:
   * `op` on `key` with argument `value`, and `result(r)` as its answer.
   */
  async record<R>(clerk: object, op: string, key: string, value: string | undefined, call: () => Promise<R>, result: (r: R) => string | undefined = () => undefined): Promise<R> {
    const client = this.clientOf(clerk);
    const start = now();
    const r = await call();
    const out = result(r);
    const mark = {
      kind: "op" as const,
      client,
      op,
      key,
      call: start,
      ...(value === undefined ? {} : { value: shown(value) }),
      ...(out === undefined ? {} : { result: shown(out) }),
    };
    dmark("tester", "CLNT", mark, () => `C${client} ${op}(${JSON.stringify(key)}${value === undefined ? "" : `, ${JSON.stringify(mark.value)}`})${out === undefined ? "" : ` -> ${JSON.stringify(mark.result)}`}`);
    return r;
  }
}

function shown(v: string): string {
  return v.length <= MAX_SHOWN ? v : `${v.slice(0, MAX_SHOWN)}... (${v.length} chars)`;
}

/** What a KV operation returned, for its mark: a Get's (or an Append's) value, a CAS's outcome. */
export function resultText(output: { readonly value?: string; readonly ok?: boolean }): string | undefined {
  return output.value ?? (output.ok === undefined ? undefined : String(output.ok));
}
