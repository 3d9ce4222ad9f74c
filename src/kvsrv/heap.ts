/**
 * The memory tests' measurement, as Go's `runtime.GC()` + `runtime.ReadMemStats(&st).HeapAlloc`:
 * the bytes in use on the heap of the whole test process (server, Clerks, network, simulation and
 * test) right after a full, forced garbage collection. Node exposes no `gc()` unless started with
 * `--expose-gc`, so this module turns the flag on at run time and takes the collector from a fresh
 * context: the tests need no special command line, in this repository, a handout or the grader.
 *
 * @module
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** 1 MiB (Go's `MiB = 1 << 20`). */
export const MiB = 1 << 20;

let collect: (() => void) | undefined;

/** A full, synchronous garbage collection of the whole heap (Go's `runtime.GC()`). */
export function forceGC(): void {
  if (collect === undefined) {
    setFlagsFromString("--expose-gc");
    // V8 frees the bytecode of functions not run for a while, during collections: between two
    // measurements that would hide megabytes the server keeps.
    setFlagsFromString("--no-flush-bytecode");
    const gc: unknown = runInNewContext("gc");
    if (typeof gc !== "function") throw new Error("heap: V8 did not expose gc() after --expose-gc; the memory tests cannot measure the heap");
    collect = gc as () => void;
  }
  // V8 keeps the subject of the last successful regular-expression match (`RegExp.input`): it
  // may be a megabyte value the network's codec scanned, long gone from the server.
  /^$/.test("");
  collect();
}

/**
 * Bytes in use now (Go's `HeapAlloc`): V8's heap plus the memory V8 objects hold outside it
 * (`external`: buffers, and strings Node keeps outside the heap). Call {@link forceGC} first to
 * count live objects only.
 */
export function heapAlloc(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}

/** {@link forceGC}, then {@link heapAlloc}. */
export function liveHeap(): number {
  forceGC();
  return heapAlloc();
}
