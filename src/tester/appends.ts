/**
 * The appends checks the KV testers share (Go's `checkClntAppends` and `checkConcurrentAppends` in
 * both `kvsrv` and `kvraft`): client `cli`'s j-th append writes {@link element}(cli, j), and a value
 * read back must hold each client's appends once each and in order.
 */
import { fatal } from "./failure.js";

/** The value client `cli`'s j-th append writes: `"x <cli> <j> y"`. */
export function element(cli: number, j: number): string {
  return `x ${cli} ${j} y`;
}

/** Checks that client `clnt`'s first `count` appends are all in `v`, once each and in order. */
export function checkClntAppends(clnt: number, v: string, count: number): void {
  let lastoff = -1;
  for (let j = 0; j < count; j++) {
    const wanted = element(clnt, j);
    const off = v.indexOf(wanted);
    if (off < 0) fatal(`${clnt} missing element ${wanted} in Append result ${v}`);
    if (v.lastIndexOf(wanted) !== off) fatal(`duplicate element ${wanted} in Append result`);
    if (off <= lastoff) fatal(`wrong order for element ${wanted} in Append result`);
    lastoff = off;
  }
}

/** Checks that every client's appends (`counts[i]` for client i) are in `v`, once each and in order per client. */
export function checkConcurrentAppends(v: string, counts: readonly number[]): void {
  counts.forEach((count, i) => checkClntAppends(i, v, count));
}
