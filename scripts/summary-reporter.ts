import type { Reporter, TestModule } from "vitest/node";

/**
 * Prints the plain closing line `N passed, N failed` that CI reads, and fails the run when no test
 * executed at all (vitest exits 0 when a `-t` filter matches nothing, which would hide a typo).
 * A test file or suite that fails outside its tests (it does not import, or a hook throws) counts
 * as one failure, so the line never reads "0 failed" for a broken run.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const m of testModules) {
      if (m.errors().length > 0) {
        failed++;
        console.log(`error: ${m.moduleId} failed outside its tests: ${m.errors()[0]?.message ?? "unknown error"}`);
      }
      // A hook that throws (a failing beforeAll) fails its suite, and its tests are left unrun.
      for (const s of m.children.allSuites()) {
        if (s.errors().length > 0) {
          failed++;
          console.log(`error: ${s.fullName} in ${m.moduleId} failed outside its tests: ${s.errors()[0]?.message ?? "unknown error"}`);
        }
      }
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else skipped++;
      }
    }
    if (passed + failed === 0) {
      console.log("error: no test ran. Check the test name pattern or the file filter.");
      process.exitCode = 1;
    }
    console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
  }
}
