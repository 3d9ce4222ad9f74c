/**
 * The Porcupine test histories in `testdata/porcupine/` (see its README.md: what each file is,
 * where it comes from, its license), for the tests and the benchmark.
 */

import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Event } from "porcupine";

/** `testdata/porcupine` of this repository. */
export const PORCUPINE_DATA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../testdata/porcupine");

/** One entry of `expected.json`. */
export interface ExpectedVerdict {
  /** Path relative to {@link PORCUPINE_DATA_DIR}, e.g. `jepsen/etcd_000.log`. */
  file: string;
  /** Model name used by Go's tests. */
  model: "etcd" | "kv";
  /** Go's verdict. */
  linearizable: boolean;
}

/** All entries of `expected.json`, in file order. */
export function expectedVerdicts(): ExpectedVerdict[] {
  const raw = JSON.parse(readFileSync(path.join(PORCUPINE_DATA_DIR, "expected.json"), "utf8")) as Record<
    string,
    { model: "etcd" | "kv"; linearizable: boolean }
  >;
  return Object.entries(raw).map(([file, v]) => ({ file, model: v.model, linearizable: v.linearizable }));
}

/** One partition's Go results in a conformance file. */
export interface ConformancePartition {
  /** Partition key (kv only). */
  key?: string;
  /** Number of operations. */
  ops: number;
  /** Go's `step` calls when the partition is searched alone. */
  stepCalls: number;
  /** Legal `step` calls. */
  stepOk: number;
  /** Go's verdict for the partition ("Unknown" = cut off by a timeout). */
  partitionResult: "Ok" | "Illegal" | "Unknown";
  /** Search-order independent for illegal partitions: longest partial length. */
  maxPartialLen: number;
}

/** A conformance dump of the Go checker. */
export interface ConformanceFile {
  /** Source file name, e.g. `etcd_000.log`. */
  file: string;
  /** "etcd" or "kv" (no-partition dumps are named `nopartition-*`). */
  model: string;
  /** Go's overall result. */
  result: "Ok" | "Illegal" | "Unknown";
  /** The events Go checked (null for an empty file). */
  events: Event<unknown>[] | null;
  /** Per-partition results. */
  partitions: ConformancePartition[];
}

/** Names of the conformance dumps, sorted. */
export function conformanceFiles(): string[] {
  return readdirSync(path.join(PORCUPINE_DATA_DIR, "conformance")).filter((f) => f.endsWith(".json")).sort();
}

/** Reads one conformance dump. */
export function readConformance(name: string): ConformanceFile {
  return JSON.parse(readFileSync(path.join(PORCUPINE_DATA_DIR, "conformance", name), "utf8")) as ConformanceFile;
}

/** Reads a data file as text. */
export function readDataFile(relative: string): string {
  return readFileSync(path.join(PORCUPINE_DATA_DIR, relative), "utf8");
}
