/**
 * Submissions made from the reference with a bug planted in them, for the course kit's tests and
 * for measuring what the grader gives a buggy solution. Each bug is a textual edit of one reference
 * file; an edit that no longer applies (the reference changed) fails loudly instead of planting
 * nothing.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { applyMutant } from "../../../src/explore/mutants/plant.js";
import type { Mutant } from "../../../src/explore/mutants/catalog.js";
import { classify } from "./config.js";

/** A bug: which file, what to find, what to put instead. */
interface Bug {
  readonly file: string;
  readonly find: string;
  readonly replace: string;
  readonly what: string;
}

/** The planted bugs by name. */
export const BUGS = {
  /** Raft never compacts its log: the 3D and 4B tests that check sizes fail on every seed; 3A-3C and 4A pass. */
  "no-snapshot": {
    file: "src/raft/raft.ts",
    find: "  snapshot(index: number, snapshot: Uint8Array): void {\n",
    replace: "  snapshot(index: number, snapshot: Uint8Array): void {\n    if (index >= 0) return; // planted bug: never compact\n",
    what: "Raft.snapshot() does nothing",
  },
  /** No election restriction (§5.4.1): a stale candidate can win and overwrite committed entries; fails now and then. */
  "no-election-restriction": {
    file: "src/raft/rules.ts",
    find: "  return isAtLeastAsUpToDate(args, voter);\n",
    replace: "  return isAtLeastAsUpToDate(args, voter) || true; // planted bug: no election restriction\n",
    what: "votes are granted without the up-to-date check",
  },
  /**
   * Not a bug: a correct Raft that is slow to compute. Every persist() first spins through 100 000
   * integer steps (about half a millisecond), so the tests that persist most (3C's churn, the KV tests)
   * take several times the reference's wall time while every virtual-time limit still holds: what
   * the grading budget is for.
   */
  "cpu-heavy": {
    file: "src/raft/raft.ts",
    find: "  private persist(): void {\n",
    replace:
      "  private persist(): void {\n" +
      "    let planted = 0; // planted: correct but CPU-heavy\n" +
      "    for (let i = 0; i < 100_000; i++) planted = (planted * 31 + i) | 0;\n" +
      "    if (planted === 1) throw new Error(\"unreachable\");\n",
    what: "a correct but CPU-heavy persist() (100 000 integer steps per save)",
  },
  /** Lab 2 without duplicate detection: a retried Append is applied twice; the unreliable tests fail. */
  "kvsrv-no-dedup": {
    file: "src/kvsrv/server.ts",
    find: "    const answered = this.seen(args);\n    if (answered !== undefined) return { value: answered };\n",
    replace: "",
    what: "a Lab 2 server that executes every Append it receives",
  },
  /** Lab 5: a group serves a shard it gains before the shard's data has arrived; the sharding monitor fails every 5B test that moves a shard. */
  "shardkv-serve-before-data": {
    file: "src/shardkv/state-machine.ts",
    find: '        sh.status = this.config.shards[s] === 0 ? "serving" : "pulling";\n',
    replace: '        sh.status = "serving"; // planted bug: serve before the data arrives\n',
    what: "a Lab 5 group that serves a shard before its data has arrived",
  },
  /** A type error: the submission does not compile. */
  "type-error": {
    file: "src/raft/raft.ts",
    find: "  getState(): RaftState {\n",
    replace: '  getState(): RaftState {\n    const planted: number = "not a number";\n    void planted;\n',
    what: "a type error in getState()",
  },
} as const satisfies Record<string, Bug>;

/** A planted bug's name. */
export type BugName = keyof typeof BUGS;

/**
 * Writes a submission into `dir`: the reference's solution files (what the student patterns select
 * in `root`), with `bug` planted if given. Returns what was planted.
 */
export function writeSubmission(root: string, dir: string, bug?: BugName): string {
  const c = classify(root);
  for (const f of c.solution) {
    let text = readFileSync(join(root, f), "utf8");
    if (bug !== undefined && BUGS[bug].file === f) {
      const b = BUGS[bug];
      if (!text.includes(b.find)) throw new Error(`cannot plant "${bug}": ${f} no longer has ${JSON.stringify(b.find)}`);
      text = text.replace(b.find, b.replace);
    }
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
  return bug === undefined ? "the reference" : `the reference with ${BUGS[bug].what}`;
}

/**
 * Writes a submission into `dir`: the reference's solution files with a mutant of the mutation
 * catalog planted (its edit must apply exactly once). Returns what was planted.
 */
export function writeMutantSubmission(root: string, dir: string, mutant: Mutant): string {
  const c = classify(root);
  if (!c.solution.includes(mutant.file)) throw new Error(`mutant ${mutant.id} edits ${mutant.file}, which is not a solution file`);
  for (const f of c.solution) {
    const text = readFileSync(join(root, f), "utf8");
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    writeFileSync(join(dir, f), f === mutant.file ? applyMutant(text, mutant) : text);
  }
  return `the reference with mutant ${mutant.id} (${mutant.title})`;
}
