import { dlog } from "../runtime/index.js";
import { currentSimulation } from "../sim/index.js";

/**
 * A failed check of a tester. Thrown from the task that found the problem, and also recorded as the
 * simulation's failure, so the run stops at once with this message even when the check ran in a
 * task other than the test's own (an applier, a client): the message reads like Go's `t.Fatalf`,
 * without a "task ... failed" prefix.
 */
export class TestFailure extends Error {
  override readonly name = "TestFailure";
}

/**
 * Fails the test with `message` at once, from any task (Go's `t.Fatalf`, and `log.Fatalf` in the
 * appliers): `if (n > 0) fatal(\`${n} committed but no majority\`)`.
 */
export function fatal(message: string): never {
  const error = new TestFailure(message);
  Error.captureStackTrace(error, fatal); // the stack starts at the failed check, like Go's config.go:<line>
  dlog("tester", "ERRO", `FAIL: ${message}`);
  currentSimulation()?.fail(error);
  throw error;
}
