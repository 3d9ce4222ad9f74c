/**
 * The warning for lab code that calls `Math.random`, `Date.now`, `performance.now` or
 * `setTimeout`: while a simulation runs these are routed to virtual time and the node's seeded
 * stream (so third-party code stays deterministic), which would hide the mistake; the runtime's
 * `random`, `now()` and `sleep()` are what lab code should call.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import picomatch from "picomatch";

/** This checkout's root (two levels above this file). */
const ROOT = resolve(import.meta.dirname, "..", "..");

/**
 * Whether a path (relative to the root) is a student's file: the manifest's student patterns
 * (`handout.json` in a handout, the labs registry `course/labs.json` here; both list each lab's
 * `student` patterns), read once. No manifest: nothing is.
 */
let studentFile: ((path: string) => boolean) | undefined;

function isStudentFile(path: string): boolean {
  if (studentFile === undefined) {
    studentFile = () => false;
    for (const name of ["handout.json", join("course", "labs.json")]) {
      const file = join(ROOT, name);
      if (!existsSync(file)) continue;
      try {
        const labs = (JSON.parse(readFileSync(file, "utf8")) as { labs?: { student?: { include?: string[]; exclude?: string[] } }[] }).labs ?? [];
        const matchers = labs.map((l) => ({ include: picomatch(l.student?.include ?? []), exclude: picomatch(l.student?.exclude ?? []) }));
        studentFile = (p) => matchers.some((m) => m.include(p) && !m.exclude(p));
      } catch {
        // an unreadable manifest: no warnings rather than wrong ones
      }
      break;
    }
  }
  return studentFile(path);
}

/** What the runtime offers instead of each routed global. */
const INSTEAD: Readonly<Record<string, string>> = {
  "Math.random": "random (src/runtime)",
  "Date.now": "now() (src/runtime)",
  "performance.now": "now() (src/runtime)",
  setTimeout: "sleep() or after() (src/runtime)",
};

/** The place in a student's file (the manifest's student patterns, not a test) that made the call in `stack`, if any. */
export function labCaller(stack: string, isLab: (path: string) => boolean = isStudentFile): string | undefined {
  for (const line of stack.split("\n").slice(1)) {
    const m = /\(?((?:file:\/\/)?[^\s()]+\.ts):(\d+):(\d+)\)?$/.exec(line.trim());
    if (m === null) continue;
    const file = relative(ROOT, m[1]!.replace(/^file:\/\//, "")).split("\\").join("/");
    if (file.startsWith("..") || /\.test\.ts$|\.fixture\.ts$/.test(file) || !isLab(file)) continue;
    return `${file}:${m[2]}:${m[3]}`;
  }
  return undefined;
}

/** The warning for lab code at `where` calling `global`. */
export function reroutedWarning(global: string, where: string): string {
  return `lab code called ${global} at ${where}: inside a simulation it is routed to virtual time and the node's seeded stream, but call ${INSTEAD[global] ?? "the runtime's functions"} instead`;
}
