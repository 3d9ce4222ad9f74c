import { relative } from "node:path";
import type { Reporter, TestModule } from "vitest/node";

/**
 * Prints the plain closing line `N passed, N failed` that CI reads, and fails the run when no test
 * executed at all (vitest exits 0 when a `-t` filter matches nothing, which would hide a typo).
 * A test file or suite that fails outside its tests (it does not import, or a hook throws) counts
 * as one failure, so the line never reads "0 failed" for a broken run.
 *
 * Each failure also gets a line `failed: <file> > <test>: <first line of its error>` just above the
 * closing line, so that the last lines of a long log (all a CI summary may keep) name what failed;
 * `.ci/run` gathers these lines from every step and repeats them at its end.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const failures: string[] = [];
    for (const m of testModules) {
      const file = relative(process.cwd(), m.moduleId);
      if (m.errors().length > 0) {
        failed++;
        failures.push(`failed: ${file} (outside its tests): ${firstLine(m.errors()[0]?.message)}`);
      }
      // A hook that throws (a failing beforeAll) fails its suite, and its tests are left unrun.
      for (const s of m.children.allSuites()) {
        if (s.errors().length > 0) {
          failed++;
          failures.push(`failed: ${file} > ${s.fullName} (outside its tests): ${firstLine(s.errors()[0]?.message)}`);
        }
      }
      for (const t of m.children.allTests()) {
        const result = t.result();
        if (result.state === "passed") passed++;
        else if (result.state === "failed") {
          failed++;
          failures.push(`failed: ${file} > ${t.fullName}: ${firstLine(result.errors?.[0]?.message)}`);
        } else skipped++;
      }
    }
    for (const line of failures) console.log(line);
    if (passed + failed === 0) {
      console.log("error: no test ran. Check the test name pattern or the file filter.");
      process.exitCode = 1;
    }
    console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
  }
}

/** The first line of an error message, at most 300 characters: one line per failure. */
function firstLine(message: string | undefined): string {
  const line = (message ?? "unknown error").split("\n", 1)[0] ?? "";
  return line.length > 300 ? `${line.slice(0, 300)}...` : line;
}
