/**
 * `npm run logs -- FILE [--peers N] [--just TOPICS] [--ignore TOPICS] [--no-color] [--width N]`
 *
 * Pretty-prints a simulated run's log (as written by `simTest` on failure or with `LOG=1`) in
 * columns, one per peer, coloured by topic. Reads stdin when FILE is `-` or missing.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import pc from "picocolors";
import { readLogLines } from "../src/debug/log-reader.js";
import { renderColumns, type ViewOptions } from "../src/debug/log-view.js";
import { TOPICS, type Topic } from "../src/runtime/log-types.js";

const HELP = `Usage: npm run logs -- [FILE] [options]

Shows the log of a simulated run in columns, one per peer; lines of the tester and
the network span all columns. FILE is a log written by a failing test (its path is
in the failure message) or with LOG=1; "-" or no FILE reads stdin.

Options:
  --peers N         number of peer columns (default: inferred from the log)
  --just TOPICS     show only these topics, comma-separated (e.g. VOTE,LEAD)
  --ignore TOPICS   hide these topics (e.g. TIMR,DROP)
  --width N         total width (default: the terminal's, else 120)
  --no-color        no colours (also when NO_COLOR is set or output is not a terminal)
  -h, --help        this help

Topics: ${TOPICS.join(" ")}

Example:
  npm run logs -- test-output/TestReElection3A-seed1/run.log --just VOTE,LEAD,TEST
`;

function fail(message: string): never {
  process.stderr.write(`logs: ${message}\n(npm run logs -- --help for usage)\n`);
  process.exit(2);
}

function topics(text: string | undefined, flag: string): Set<Topic> | undefined {
  if (text === undefined) return undefined;
  const known: ReadonlySet<string> = new Set(TOPICS);
  const out = new Set<Topic>();
  for (const t of text.split(",").map((s) => s.trim().toUpperCase()).filter((s) => s !== "")) {
    if (!known.has(t)) fail(`${flag}: unknown topic "${t}"; topics are ${TOPICS.join(" ")}`);
    out.add(t as Topic);
  }
  return out;
}

function positiveInt(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) fail(`${flag} needs a positive integer, got "${text}"`);
  return n;
}

function main(): void {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        peers: { type: "string" },
        just: { type: "string", short: "j" },
        ignore: { type: "string", short: "i" },
        width: { type: "string", short: "w" },
        "no-color": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    process.stdout.write(HELP);
    return;
  }
  if (positionals.length > 1) fail(`one FILE at most, got ${positionals.length}`);
  const file = positionals[0] ?? "-";
  if (file === "-" && process.stdin.isTTY) fail("no FILE given and stdin is a terminal");
  let text: string;
  try {
    text = readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (e) {
    fail(`cannot read ${file === "-" ? "stdin" : file}: ${e instanceof Error ? e.message : String(e)}`);
  }

  const color = values["no-color"] !== true && pc.isColorSupported && process.stdout.isTTY === true;
  const just = topics(values.just, "--just");
  const ignore = topics(values.ignore, "--ignore");
  const peers = positiveInt(values.peers, "--peers");
  const width = positiveInt(values.width, "--width") ?? (process.stdout.isTTY ? process.stdout.columns : undefined) ?? 120;
  const options: ViewOptions = {
    width,
    color,
    ...(peers === undefined ? {} : { peers }),
    ...(just === undefined ? {} : { just }),
    ...(ignore === undefined ? {} : { ignore }),
  };
  const lines = readLogLines(text);
  if (lines.length > 0 && lines.every((l) => l.kind === "other")) {
    const first = lines[0];
    fail(`${file === "-" ? "stdin" : file} is not a raftlab log (line ${first?.line}: ${first?.kind === "other" ? first.problem : ""})`);
  }
  // Piping into `head` or `less` closes stdout early: that is not an error.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
  process.stdout.write(renderColumns(lines, options).join("\n") + "\n");
  const link = debuggerLink(lines);
  if (link !== undefined) process.stdout.write(`${link}\n`);
}

/**
 * The step debugger at the moment the log ends (where a failing run failed), from the `debug:`
 * line of the log's header; `--at` takes any time of the left column.
 */
function debuggerLink(lines: ReturnType<typeof readLogLines>): string | undefined {
  const header = lines.find((l): l is Extract<typeof l, { kind: "comment" }> => l.kind === "comment" && l.text.startsWith("debug: "));
  if (header === undefined) return undefined;
  let last: number | undefined;
  for (const l of lines) if (l.kind === "entry") last = l.entry.time;
  const at = last === undefined ? "" : ` --at ${(last / 1000).toFixed(3)}`;
  return `step debugger at the last line: ${header.text.slice("debug: ".length)}${at}   (--at <seconds>: any moment of the left column)`;
}

main();
