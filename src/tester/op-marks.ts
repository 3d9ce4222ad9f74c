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

  /** The tester's number of `clerk` (numbered when first asked, i.e. at its first operation's invocation). */
  clientOf(clerk: object): number {
    let id = this.ids.get(clerk);
    if (id === undefined) {
      id = this.next++;
      this.ids.set(clerk, id);
    }
    return id;
  }

  /**
   * Marks one operation of client `client` ({@link clientOf}) that was invoked at virtual ms `call` and returns now: `op` on
   * `key` with argument `value`, and `result` as its answer. Synchronous, so a tester calls it right
   * after its `await` and the run keeps its schedule (an extra `await` would move same-instant
   * continuations, and with them the run a seed gives).
   */
  mark(client: number, op: string, key: string, value: string | undefined, call: number, result?: string): void {
    const mark = {
      kind: "op" as const,
      client,
      op,
      key,
      call,
      ...(value === undefined ? {} : { value: shown(value) }),
      ...(result === undefined ? {} : { result: shown(result) }),
    };
    dmark("tester", "CLNT", mark, () => `C${client} ${op}(${JSON.stringify(key)}${mark.value === undefined ? "" : `, ${JSON.stringify(mark.value)}`})${mark.result === undefined ? "" : ` -> ${JSON.stringify(mark.result)}`}`);
  }

  /**
   * Marks `pending` (an operation of `clerk` invoked now) when it resolves, and returns it
   * unchanged, so the caller awaits the very same promise and the run keeps its schedule.
   */
  watch<R>(clerk: object, op: string, key: string, value: string | undefined, pending: Promise<R>, result: (r: R) => string | undefined = () => undefined): Promise<R> {
    const call = now();
    const client = this.clientOf(clerk);
    pending.then(
      (r) => this.mark(client, op, key, value, call, result(r)),
      () => {}, // a failed operation fails its test, which says why; nothing to mark
    );
    return pending;
  }
}

function shown(v: string): string {
  return v.length <= MAX_SHOWN ? v : `${v.slice(0, MAX_SHOWN)}... (${v.length} chars)`;
}

/** What a KV operation returned, for its mark: a Get's (or an Append's) value, a CAS's outcome. */
export function resultText(output: { readonly value?: string; readonly ok?: boolean }): string | undefined {
  return output.value ?? (output.ok === undefined ? undefined : String(output.ok));
}
