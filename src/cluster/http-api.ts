/**
 * The HTTP API of a node (JSON in and out):
 *
 * | request | answer |
 * |---|---|
 * | `GET /get?key=K` | `{"value": "...", "exists": bool}` (a missing key reads as "") |
 * | `GET /put?key=K&value=V`, `POST /put {"key","value"}` | `{"ok": true}` |
 * | `GET /append?key=K&value=V`, `POST /append` | `{"ok": true}` |
 * | `GET /cas?key=K&expected=E&value=V`, `POST /cas` | `{"ok": bool}`: whether V was written |
 * | `GET /status` | `{"id","term","role","leader","commitIndex","lastApplied",...}` |
 * | `GET /metrics[?since=T][&reset=1][&timeline=1]` | where the node's time went: CPU, checkpoints, WAL writes, KV requests, event-loop delay, GC pauses (intervals ending at or after epoch ms T; `reset` starts the percentiles over; `timeline` adds each WAL write, KV request and commit) |
 *
 * Every operation may carry `clientId` and `requestId` (positive integers, both or neither): a
 * client that retries a request with the same pair has it applied once. A client's `requestId`s
 * must grow with each new request, one request in flight per `clientId` (the rules of the lab's
 * duplicate table); without them the node picks ids itself (then a retry is a new request).
 *
 * Errors: 400 `{"error"}` for missing or malformed parameters, 413 past {@link LIMITS}, 503
 * `{"error","leader"}` when there is no leader or the request times out (its outcome is then
 * unknown: retry it, with the same ids for exactly-once), 404 for unknown paths, 405 for a
 * method a path does not take.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** Size limits, in bytes of UTF-8. */
export const LIMITS = {
  KEY_BYTES: 1024,
  VALUE_BYTES: 64 * 1024,
  /** Of a POST body. GET parameters are bounded by Node's header limit (16 KiB: a larger URL gets 431). */
  BODY_BYTES: 256 * 1024,
} as const;

/** A KV operation of the API, with its validated parameters. */
export type ApiOp =
  | { readonly op: "Get"; readonly key: string }
  | { readonly op: "Put" | "Append"; readonly key: string; readonly value: string }
  | { readonly op: "Cas"; readonly key: string; readonly expected: string; readonly value: string };

/** What the API answers with, from the node. */
export type ApiOutcome =
  | { readonly ok: true; readonly body: Record<string, unknown> }
  | { readonly ok: false; readonly status: number; readonly body: { readonly error: string } & Record<string, unknown> };

/** The node behind the API. */
export interface ApiBackend {
  execute(op: ApiOp, ids: { readonly clientId: number; readonly requestId: number } | undefined): Promise<ApiOutcome>;
  status(): Record<string, unknown>;
  /** Measurements for `GET /metrics` (see `node-metrics.ts`); intervals that ended at or after `since` (epoch ms); with `timeline`, each WAL write, KV request and commit. */
  metricsReport?(since: number, reset: boolean, timeline: boolean): Record<string, unknown>;
  /** Told how long each KV request that ran took in the node, from the handler's start until its answer was handed to the OS. */
  kvRequestTimed?(ms: number): void;
  /** Present only when the node was started with --fault-injection. */
  readonly faults?: { drop(ids: readonly number[]): number[]; heal(): number[]; readonly clusterSize: number } | undefined;
}

/** An error answer. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const OPS = { "/get": "Get", "/put": "Put", "/append": "Append", "/cas": "Cas" } as const;

/** Handles one HTTP request; never throws (a bug answers 500 and is reported to `onBug`). */
export async function handleApiRequest(backend: ApiBackend, req: IncomingMessage, res: ServerResponse, onBug: (e: unknown) => void): Promise<void> {
  const start = performance.now();
  try {
    const url = parseTarget(req.url ?? "/");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    if (path === "/status") {
      allow(req, ["GET"]);
      return send(res, 200, backend.status());
    }
    if (path === "/metrics" && backend.metricsReport !== undefined) {
      allow(req, ["GET"]);
      const since = url.searchParams.get("since");
      const t = since === null ? 0 : Number(since);
      if (!Number.isFinite(t)) throw new ApiError(400, `since=${since}: expected a time in ms since the epoch, e.g. since=${Date.now()}`);
      return send(res, 200, backend.metricsReport(t, url.searchParams.get("reset") === "1", url.searchParams.get("timeline") === "1"));
    }
    if (path.startsWith("/fault/") && backend.faults !== undefined) {
      allow(req, ["GET", "POST"]);
      return send(res, 200, { dropped: fault(backend.faults, path, url.searchParams) });
    }
    const op = OPS[path as keyof typeof OPS];
    if (op === undefined) throw new ApiError(404, `no such path: ${path} (the API has /get, /put, /append, /cas, /status and /metrics)`);
    allow(req, ["GET", "POST"]);
    const params = req.method === "POST" ? await jsonBody(req) : Object.fromEntries(url.searchParams);
    const outcome = await backend.execute(parseOp(op, params), parseIds(params));
    if (outcome.ok) send(res, 200, outcome.body);
    else send(res, outcome.status, outcome.body);
    // bench:cluster compares the node's own time per KV request with what its client sees: the
    // answer is in the kernel's hands once end() returns (a small one is written at once; the
    // "finish" event may come only after the client has read it).
    backend.kvRequestTimed?.(performance.now() - start);
    return;
  } catch (e) {
    if (e instanceof ApiError) return send(res, e.status, { error: e.message });
    onBug(e);
    return send(res, 500, { error: `internal error: ${(e as Error).message}` });
  }
}

function allow(req: IncomingMessage, methods: readonly string[]): void {
  if (!methods.includes(req.method ?? "")) throw new ApiError(405, `${req.method} is not allowed here; use ${methods.join(" or ")}`);
}

function fault(faults: NonNullable<ApiBackend["faults"]>, path: string, params: URLSearchParams): number[] {
  if (path === "/fault/heal") return faults.heal();
  if (path !== "/fault/drop") throw new ApiError(404, `no such path: ${path} (fault injection has /fault/drop?peers=2,3 and /fault/heal)`);
  const list = params.get("peers");
  if (list === null || list === "") throw new ApiError(400, "missing parameter peers: the ids to drop traffic with, e.g. peers=2,3");
  const ids = list.split(",").map((s) => (/^\d+$/.test(s.trim()) ? Number(s.trim()) : NaN));
  const bad = ids.find((n) => !(n >= 1 && n <= faults.clusterSize));
  if (bad !== undefined) throw new ApiError(400, `peers=${list}: ids must be 1..${faults.clusterSize}`);
  return faults.drop(ids);
}

/** The path and query of a request target. */
interface Target {
  readonly pathname: string;
  readonly searchParams: URLSearchParams;
}

/** A plain path (letters and slashes) with an optional query: the API's requests. */
const PLAIN_TARGET = /^\/[A-Za-z/]*(?:\?|$)/;

/**
 * Splits a request target into its path and query. The API's own requests take a fast path (a
 * `URL` per request was a noticeable share of a node's CPU); anything else (dot segments, escapes,
 * an absolute URL) goes through `URL`, which normalizes it as before.
 */
function parseTarget(raw: string): Target {
  if (!PLAIN_TARGET.test(raw)) return new URL(raw, "http://node");
  const q = raw.indexOf("?");
  return q < 0 ? { pathname: raw, searchParams: new URLSearchParams() } : { pathname: raw.slice(0, q), searchParams: new URLSearchParams(raw.slice(q + 1)) };
}

/** The request's body, at most {@link LIMITS.BODY_BYTES} (read with events: cheaper than an async iterator per request). */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > LIMITS.BODY_BYTES) {
        failed = true;
        reject(new ApiError(413, `request body is above the limit of ${LIMITS.BODY_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.on("error", reject);
  });
}

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > LIMITS.BODY_BYTES) throw new ApiError(413, `request body of ${declared} bytes is above the limit of ${LIMITS.BODY_BYTES}`);
  const body = await readBody(req);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch (e) {
    throw new ApiError(400, `the body is not JSON (${(e as Error).message}): send an object such as {"key":"k","value":"v"}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new ApiError(400, 'the body must be a JSON object such as {"key":"k","value":"v"}');
  return parsed as Record<string, unknown>;
}

function parseOp(op: ApiOp["op"], params: Record<string, unknown>): ApiOp {
  const key = text(params, "key", LIMITS.KEY_BYTES);
  switch (op) {
    case "Get":
      return { op, key };
    case "Put":
    case "Append":
      return { op, key, value: text(params, "value", LIMITS.VALUE_BYTES) };
    case "Cas":
      return { op, key, expected: text(params, "expected", LIMITS.VALUE_BYTES), value: text(params, "value", LIMITS.VALUE_BYTES) };
  }
}

function text(params: Record<string, unknown>, name: string, limit: number): string {
  const v = params[name];
  if (v === undefined) throw new ApiError(400, `missing parameter ${name}`);
  if (typeof v !== "string") throw new ApiError(400, `parameter ${name} must be a string`);
  const bytes = Buffer.byteLength(v);
  if (bytes > limit) throw new ApiError(413, `parameter ${name} is ${bytes} bytes, above the limit of ${limit}`);
  return v;
}

function parseIds(params: Record<string, unknown>): { clientId: number; requestId: number } | undefined {
  const c = params["clientId"];
  const r = params["requestId"];
  if (c === undefined && r === undefined) return undefined;
  if (c === undefined || r === undefined) throw new ApiError(400, "clientId and requestId go together: give both, or neither");
  return { clientId: positive(c, "clientId"), requestId: positive(r, "requestId") };
}

function positive(v: unknown, name: string): number {
  const n = typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : NaN;
  if (!(Number.isSafeInteger(n) && n > 0)) throw new ApiError(400, `${name} must be a positive integer below 2^53, got ${JSON.stringify(v)}`);
  return n;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, ["content-type", "application/json", "content-length", String(Buffer.byteLength(json))]);
  res.end(json);
}
