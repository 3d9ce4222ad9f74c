/**
 * Test files that must run in a process of their own. The lab project shares its worker processes
 * between test files (vitest's `isolate: false`, see vitest.config.ts): a new process per file
 * cost the suite about a fifth of its CPU time. A file whose tests measure the whole process (the
 * Lab 2 memory tests read the heap after a forced collection, as Go's do) or depend on what it has
 * loaded (src/sim/outside.test.ts: code outside any simulation gets the real-time runtime once a
 * file has loaded it) asks for a process of its own with a docblock vitest reads before it
 * schedules the file:
 *
 * ```ts
 * // @vitest-environment-options {"ownProcess": "<the file's name>"}
 * ```
 *
 * vitest reuses a worker only for files of the same environment and environment options, so a
 * file with options of its own gets a fresh process, which ends after it. {@link assertOwnProcess}
 * checks that it did: `own-process.setup.ts` counts the test files each process has loaded.
 *
 * @module
 */

/** The counter that `own-process.setup.ts` increments once per test file of this process. */
export const FILES_IN_PROCESS = Symbol.for("raftlab.testFilesInProcess");

/** How many test files this process has loaded so far (undefined: the counting setup file is not configured). */
export function testFilesInProcess(): number | undefined {
  const n: unknown = (globalThis as Record<symbol, unknown>)[FILES_IN_PROCESS];
  return typeof n === "number" ? n : undefined;
}

/** Throws when a test file ran in this process before the calling one (see the module comment). */
export function assertOwnProcess(file: string, why: string): void {
  const n = testFilesInProcess();
  if (n !== undefined && n > 1)
    throw new Error(
      `${file} must run in a process of its own (${why}), but ${n - 1} other test file(s) ran in this one first. ` +
        `Its first line must be the docblock \`// @vitest-environment-options {"ownProcess": "<name>"}\` (see src/harness/own-process.ts).`,
    );
}
