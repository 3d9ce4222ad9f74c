/** What the scripts' command lines share: one usage error, and one shape for `main`. */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

/** A command-line mistake: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/**
 * Runs a script's command line: `parse` reads the arguments (undefined means `--help`: the usage
 * is printed); a {@link UsageError}, or the TypeError with which `node:util`'s parseArgs reports an
 * unknown option, prints the message and the usage and exits with 2; else `run`'s result is the
 * exit code. Errors `run` throws are `run`'s to handle.
 */
export async function runCli<T>(usage: string, parse: () => T | undefined, run: (opts: T) => Promise<number>): Promise<void> {
  let opts: T | undefined;
  try {
    opts = parse();
  } catch (e) {
    if (!(e instanceof UsageError) && !(e instanceof TypeError)) throw e;
    console.error(`error: ${e.message}\n\n${usage}`);
    process.exitCode = 2;
    return;
  }
  if (opts === undefined) {
    console.log(usage);
    return;
  }
  process.exitCode = await run(opts);
}

/** Whether the module at `url` is the script node was started with (not imported by a test). */
export function isMain(url: string): boolean {
  return process.argv[1] !== undefined && url === pathToFileURL(resolve(process.argv[1])).href;
}
