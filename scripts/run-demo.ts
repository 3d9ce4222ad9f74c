/**
 * `npm run demo`: the narrated walkthrough of `demo.ts`. In a handout whose labs are not written
 * yet, the walkthrough stops at the first piece that is missing; this says so plainly instead of
 * showing a stack trace, and where to start.
 */
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

const demo = fileURLToPath(new URL("../demo.ts", import.meta.url));

/** The "not implemented: ..." message somewhere in an error or its causes, if any. */
export function notImplemented(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 10; depth++) {
    const message = e instanceof Error ? e.message : String(e);
    const m = /not implemented: ([^\n]+)/.exec(message);
    if (m !== null) return m[1];
    e = e instanceof Error ? e.cause : undefined;
  }
  return undefined;
}

if (!existsSync(demo)) {
  console.log("The demo runs the key/value service of Lab 4 on your Raft, and this handout does not include Lab 4 yet.");
  console.log("Start with `npm run test:3A` (see README.md).");
} else {
  try {
    // A file URL, so the type-checker does not require demo.ts in handouts that leave it out.
    await import(pathToFileURL(demo).href);
  } catch (e) {
    const missing = notImplemented(e);
    if (missing === undefined) throw e;
    console.log();
    console.log(`The labs are not implemented yet, so there is no story to tell: the demo stopped at ${missing}.`);
    console.log("It runs a 3-server key/value service (Lab 4) on your Raft (Lab 3). Write them, part by part,");
    console.log("starting with `npm run test:3A`; see README.md for what each part asks.");
  }
}
