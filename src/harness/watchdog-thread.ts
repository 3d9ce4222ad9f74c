/**
 * The source of the watchdog's thread (see `watchdog.ts`), as plain JavaScript: a worker thread
 * runs it with `eval`, so it needs no TypeScript loader in vitest, tsx or a student's handout.
 *
 * Why a thread: a test whose code never yields (a `while` loop that never awaits, a promise chain
 * that never waits on virtual time) blocks the JavaScript thread of its process for good, so no
 * timer, signal handler or vitest timeout in that thread can ever run. The watchdog thread keeps
 * running. When a run outlives its wall-clock limit it pauses the stuck thread through the
 * inspector (`connectToMainThread`), which interrupts even a tight loop, reads the stack of the
 * spinning code (mapped through inline source maps to the TypeScript lines), prints the failure,
 * appends the stress runner's record, and kills the process: a stuck V8 thread cannot be resumed
 * safely (terminating its execution corrupts Node's async bookkeeping), as Go's test binary
 * exits at its `-timeout`.
 *
 * Protocol: `workerData.state` is an Int32Array over a SharedArrayBuffer whose slot 0 holds the
 * generation of the run in progress (0: none), `workerData.clock` a Float64Array whose slot 0 holds
 * the run's virtual time at its last step. A `start` message carries the run's description.
 */
export const WATCHDOG_THREAD_SOURCE = String.raw`
"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const fs = require("node:fs");
const { fileURLToPath } = require("node:url");
let inspector;
try { inspector = require("node:inspector"); } catch { inspector = undefined; }
let SourceMap;
try { SourceMap = require("node:module").SourceMap; } catch { SourceMap = undefined; }

const state = workerData.state;
const clock = workerData.clock;
let run;
let firing = false;

parentPort.on("message", (m) => {
  if (m.type === "start") run = { ...m, startedAt: performance.now() };
});

setInterval(() => {
  if (firing || run === undefined) return;
  if (Atomics.load(state, 0) !== run.gen) return; // that run is over
  if (performance.now() - run.startedAt < run.limitMs) return;
  firing = true;
  fire(run);
}, 200);

function say(text) {
  try { fs.writeSync(2, text); } catch {}
}

function formatTime(ms) {
  return (ms / 1000).toFixed(3) + "s";
}

function fire(r) {
  const virtualMs = clock[0];
  const head =
    "hung: " + r.test + ": the run passed its wall-clock limit of " + (r.limitMs / 1000).toFixed(0) +
    " s without the simulation getting control back, so its code never yields (a loop that never awaits, or that awaits only promises " +
    "that are already settled). The test process was stopped, as Go's test binary stops at its -timeout." +
    " [seed " + r.seed + ", virtual time " + formatTime(virtualMs) + "]";
  let done = false;
  const finish = (stack) => {
    if (done) return;
    done = true;
    const lines = [head];
    lines.push(stack === undefined ? "  (no stack: the inspector could not pause the stuck code)" : "  the code that keeps running (innermost first):");
    if (stack !== undefined) for (const f of stack) lines.push("    at " + f);
    lines.push("  seed:   " + r.seed);
    lines.push("  replay: " + r.replay);
    lines.push("  limit:  " + (r.limitMs / 1000).toFixed(0) + " s of wall time per run (" + r.limitSource + ")");
    const message = lines.join("\n");
    say("\n" + message + "\n");
    if (r.stressOut !== undefined) {
      const record = {
        test: r.test, fullName: r.fullName, file: r.file, seed: r.seed, ok: false,
        virtualMs, wallMs: performance.now() - r.startedAt, error: message, replay: r.replay, hung: true,
      };
      try { fs.appendFileSync(r.stressOut, JSON.stringify(record) + "\n"); } catch {}
    }
    process.kill(process.pid, "SIGKILL");
  };
  setTimeout(() => finish(undefined), 3000);
  if (inspector === undefined) return finish(undefined);
  try {
    const session = new inspector.Session();
    session.connectToMainThread();
    const scripts = new Map();
    session.on("Debugger.scriptParsed", (m) => scripts.set(m.params.scriptId, m.params));
    let steps = 0;
    session.on("Debugger.paused", (m) => {
      try {
        const frames = m.params.callFrames;
        const url = (f) => f.url !== "" ? f.url : (scripts.get(f.location.scriptId) || { url: "" }).url;
        // Paused inside Node's own code (a promise loop is caught between two microtasks): step
        // on, with Node's internals skipped, to the first line of the code that keeps running.
        const own = frames.filter((f) => !url(f).startsWith("node:"));
        if (own.length === 0 && steps++ < 1000) {
          session.post("Debugger.stepInto");
          return;
        }
        finish((own.length > 0 ? own : frames).slice(0, 12).map((f) => describeFrame(f, scripts.get(f.location.scriptId))));
      } catch {
        finish(undefined);
      }
    });
    session.post("Debugger.enable", () =>
      session.post("Debugger.setBlackboxPatterns", { patterns: ["^node:"] }, () => session.post("Debugger.pause")),
    );
  } catch {
    finish(undefined);
  }
}

const maps = new Map();

function describeFrame(frame, script) {
  const name = frame.functionName === "" ? "<anonymous>" : frame.functionName;
  let url = frame.url !== "" ? frame.url : script !== undefined ? script.url : "";
  let line = frame.location.lineNumber;
  let column = frame.location.columnNumber ?? 0;
  const mapped = script !== undefined ? original(script, line, column) : undefined;
  if (mapped !== undefined) ({ url, line, column } = mapped);
  if (url.startsWith("file://")) {
    try { url = fileURLToPath(url); } catch {}
  }
  return name + " (" + (url === "" ? "<unknown>" : url) + ":" + (line + 1) + ":" + (column + 1) + ")";
}

function original(script, line, column) {
  if (SourceMap === undefined || typeof script.sourceMapURL !== "string") return undefined;
  const ref = script.sourceMapURL;
  if (!ref.startsWith("data:")) return undefined;
  let map = maps.get(script.scriptId);
  if (map === undefined) {
    try {
      const comma = ref.indexOf(",");
      const meta = ref.slice(0, comma);
      const body = ref.slice(comma + 1);
      const json = meta.endsWith(";base64") ? Buffer.from(body, "base64").toString("utf8") : decodeURIComponent(body);
      map = new SourceMap(JSON.parse(json));
    } catch {
      map = null;
    }
    maps.set(script.scriptId, map);
  }
  if (map === null) return undefined;
  const e = map.findEntry(line, column);
  if (e === undefined || e.originalSource === undefined) return undefined;
  let url = e.originalSource;
  try { url = new URL(url, script.url.startsWith("/") ? "file://" + script.url : script.url).href; } catch {}
  return { url, line: e.originalLine, column: e.originalColumn };
}
`;
