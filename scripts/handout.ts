/**
 * `npm run handout`: the student handout of chosen labs, or the Gradescope autograder archive.
 *
 *   npm run handout -- --out <dir> [--labs 3,4] [--git]
 *   npm run handout -- --autograder <file.zip> [--labs 3,4]
 *   npm run handout -- --check [--labs 3,4]
 *
 * Both are built from this repository and checked before anything is written: no solution file and
 * no line of the solution in the handout (see scripts/lib/course/leak-check.ts).
 */
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pc from "picocolors";
import { UsageError, isMain, runCli } from "./lib/cli.js";
import { autograderParts, buildAutograder } from "./lib/course/autograder.js";
import { HandoutError, assembleHandout, writeHandout } from "./lib/course/build-handout.js";
import { CourseConfigError } from "./lib/course/config.js";
import { ManifestError } from "./lib/handout-manifest.js";
import { loadManifest, loadRegistry } from "./lib/labs-registry.js";

const USAGE = `Usage:
  npm run handout -- --out <dir> [--labs 3,4] [--git]   write the student handout into <dir> (new or empty)
  npm run handout -- --autograder <file.zip> [--labs 3,4] [--grade 4]
                                                          write the Gradescope autograder archive
  npm run handout -- --check [--labs 3,4]                build and check the handout, write nothing

  --labs <list>   labs to hand out (default: all; a lab needs the labs it builds on, e.g. 4 needs 3)
  --grade <list>  with --autograder: the labs whose parts it grades (default: every lab in it), e.g.
                  --labs 3,4 --grade 4 for a Lab 4 assignment (the 540 s deadline fits one lab)
  --git           make the handout a git repository with one commit
  -h, --help      show this help`;

/** Parsed command line. */
export interface HandoutCli {
  readonly out: string | undefined;
  readonly autograder: string | undefined;
  readonly check: boolean;
  readonly labs: readonly number[] | undefined;
  /** With `autograder`: the labs whose default parts the archive grades (undefined: every lab in it). */
  readonly grade: readonly number[] | undefined;
  readonly git: boolean;
}

export { UsageError } from "./lib/cli.js";

/** Parses the arguments; undefined means --help. */
export function parseCli(argv: readonly string[]): HandoutCli | undefined {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      out: { type: "string" },
      autograder: { type: "string" },
      check: { type: "boolean" },
      labs: { type: "string" },
      grade: { type: "string" },
      git: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) return undefined;
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const modes = [values.out !== undefined, values.autograder !== undefined, values.check === true].filter(Boolean).length;
  if (modes !== 1) throw new UsageError("give exactly one of --out <dir>, --autograder <file.zip> or --check");
  if (values.autograder !== undefined && !values.autograder.endsWith(".zip")) throw new UsageError(`--autograder takes a .zip file name, got "${values.autograder}"`);
  if (values.git === true && values.out === undefined) throw new UsageError("--git goes with --out");
  if (values.grade !== undefined && values.autograder === undefined) throw new UsageError("--grade goes with --autograder");
  const labs = labList("--labs", values.labs);
  const grade = labList("--grade", values.grade);
  const missing = grade?.filter((n) => labs !== undefined && !labs.includes(n)) ?? [];
  if (missing.length > 0) throw new UsageError(`--grade ${grade!.join(",")} names lab ${missing.join(",")}, which --labs ${labs!.join(",")} leaves out of the archive`);
  return { out: values.out, autograder: values.autograder, check: values.check === true, labs, grade, git: values.git === true };
}

/** A comma-separated list of lab numbers (undefined when the option is absent). */
function labList(option: string, text: string | undefined): number[] | undefined {
  return text?.split(",").map((s) => {
    const n = Number(s.trim());
    if (s.trim() === "" || !Number.isInteger(n)) throw new UsageError(`${option} takes lab numbers such as 3,4, got "${text}"`);
    return n;
  });
}

/** The course repository: the folder above scripts/. */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Does what the command line asks; resolves to the exit status. */
export async function handout(cli: HandoutCli, root = ROOT): Promise<number> {
  const c = pc.createColors(pc.isColorSupported && process.stdout.isTTY === true);
  const labs = cli.labs ?? loadManifest(root).manifest.labs.map((l) => l.lab);
  const h = assembleHandout({ root, labs });
  const kept = h.manifest.labs.map((l) => l.lab).join(",");
  const bytes = [...h.files.values()].reduce((n, b) => n + b.length, 0);
  const summary =
    `labs ${kept}: ${h.files.size} files, ${(bytes / 1024).toFixed(0)} KiB; ` +
    `${h.classification.skeletons.size} skeletons, ${h.classification.solution.length - h.classification.skeletons.size} solution files left out; ` +
    `leak check: ${h.leakCheck.checkedLines} code lines of the solution, none in the handout`;
  if (cli.check) {
    console.log(`${c.green("ok")} handout of ${summary}`);
    return 0;
  }
  if (cli.out !== undefined) {
    const out = resolve(cli.out);
    writeHandout(h, out, { git: cli.git });
    console.log(`${c.green("wrote")} ${out}: ${summary}${cli.git ? "; git repository with one commit" : ""}`);
    const first = h.manifest.labs[0]?.parts[0] ?? "";
    console.log(c.dim(`next: cd ${cli.out} && npm ci && npm run typecheck && npm run test:${first} (fails until part ${first} is written)`));
    return 0;
  }
  const zip = resolve(cli.autograder!);
  if (existsSync(zip)) console.log(c.yellow(`replacing ${zip}`));
  const parts = autograderParts(loadRegistry(root).parts, cli.grade);
  const { entries, bytes: zipBytes } = buildAutograder(h, root, zip, parts);
  console.log(`${c.green("wrote")} ${zip}: ${entries} entries, ${(zipBytes / 1024).toFixed(0)} KiB (${summary})`);
  console.log(
    parts.length > 0
      ? `it grades parts ${parts.join(",")} (--grade ${cli.grade!.join(",")})`
      : `it grades every default part of labs ${kept} (--grade N: lab N's alone)`,
  );
  console.log(c.dim("upload it as the assignment's autograder (Configure Autograder > Zip file upload)."));
  return 0;
}

/** Builds, turning a handout or configuration problem into exit code 1 with its message. */
async function handoutOrExplain(cli: HandoutCli): Promise<number> {
  try {
    return await handout(cli);
  } catch (e) {
    if (e instanceof HandoutError || e instanceof CourseConfigError || e instanceof ManifestError) {
      console.error(`error: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

if (isMain(import.meta.url)) await runCli(USAGE, () => parseCli(process.argv.slice(2)), handoutOrExplain);
