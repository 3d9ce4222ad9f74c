/**
 * The step debugger's local server: listens on 127.0.0.1 only (a free port unless told), and
 * answers only requests that carry the random token of the URL it prints (in the query, or in the
 * `x-raftlab-token` header the page sends) and whose Host header names that loopback address and
 * port (so a web page elsewhere cannot reach it through DNS rebinding). It serves the page, the
 * session's recordings, and branches of the same test with edits; nothing else.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { checkEdit, type Edit } from "./edits.js";
import { canKeepAsTest, editSchedule, keptBranchName, keptBranchTest } from "./exports.js";
import { renderPage } from "./page.js";
import type { DebugSession } from "./session.js";

/** Options of {@link startDebugServer}. */
export interface DebugServerOptions {
  readonly session: DebugSession;
  /** Port to listen on (default 0: a free one). */
  readonly port?: number;
  /** The token (default: 32 random hex digits). */
  readonly token?: string;
}

/** A running server. */
export interface DebugServer {
  /** The URL to open, with the token. */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/** Why a request is refused, or undefined if it may go on. */
export function refusal(req: Pick<IncomingMessage, "headers" | "url">, port: number, token: string): { status: number; why: string } | undefined {
  const host = req.headers.host;
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return { status: 403, why: `foreign Host header ${JSON.stringify(host ?? "")}` };
  const url = new URL(req.url ?? "/", `http://127.0.0.1:${port}`);
  const given = url.searchParams.get("token") ?? headerValue(req.headers["x-raftlab-token"]);
  if (given === undefined || !sameToken(given, token)) return { status: 401, why: "missing or wrong token (open the URL the debug command printed)" };
  return undefined;
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Starts the server; see the module comment. */
export async function startDebugServer(options: DebugServerOptions): Promise<DebugServer> {
  const token = options.token ?? randomBytes(16).toString("hex");
  const session = options.session;
  let port = 0;
  const server = createServer((req, res) => {
    const refused = refusal(req, port, token);
    if (refused !== undefined) {
      send(res, refused.status, "text/plain; charset=utf-8", `refused: ${refused.why}\n`);
      return;
    }
    handle(req, res, session, token).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, "text/plain; charset=utf-8", `error: ${e instanceof Error ? e.message : String(e)}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store", "x-content-type-options": "nosniff", ...extra });
  res.end(body);
}

function json(res: ServerResponse, value: unknown, status = 200): void {
  send(res, status, "application/json; charset=utf-8", JSON.stringify(value));
}

async function body(req: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > 1_000_000) throw new Error("request too large");
  }
  return text;
}

async function handle(req: IncomingMessage, res: ServerResponse, session: DebugSession, token: string): Promise<void> {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const path = url.pathname;
  if (req.method === "GET" && path === "/") {
    send(res, 200, "text/html; charset=utf-8", renderPage({ mode: "server", token, title: `${session.target.name} seed ${session.seed}` }));
    return;
  }
  if (req.method === "GET" && path === "/api/session") {
    json(res, { target: session.target, seed: session.seed, canKeep: canKeepAsTest(session.target), branches: session.tree() });
    return;
  }
  const m = /^\/api\/branch\/(\d+)(\/(recording|schedule|test|html))?$/.exec(path);
  if (req.method === "GET" && m !== null) {
    const b = session.get(Number(m[1]));
    if (b === undefined) return json(res, { error: `no branch ${m[1]}` }, 404);
    const what = m[3];
    if (what === undefined) return json(res, { ...b, recording: undefined });
    if (b.recording === undefined) return json(res, { error: `branch ${b.id} is ${b.state}` }, 409);
    const base = `${session.target.name.replace(/\W+/g, "_")}-seed${session.seed}-branch${b.id}`;
    if (what === "recording") return json(res, b.recording);
    if (what === "schedule") {
      const text = JSON.stringify(editSchedule(session.target, session.seed, b.edits), null, 1) + "\n";
      return send(res, 200, "application/json; charset=utf-8", text, { "content-disposition": `attachment; filename="${base}.edits.json"` });
    }
    if (what === "test") {
      if (!canKeepAsTest(session.target)) return json(res, { error: "a kept test file is written for explore scenarios only; export the schedule" }, 409);
      const text = keptBranchTest(session.target, session.seed, b.edits, b.outcome?.summary ?? "ran", session.exploreSchedule);
      return send(res, 200, "text/plain; charset=utf-8", text, { "content-disposition": `attachment; filename="${keptBranchName(session.target.name, session.seed)}.test.ts"` });
    }
    const html = renderPage({ mode: "static", title: `${session.target.name} seed ${session.seed}${b.edits.length > 0 ? ` (branch ${b.id})` : ""}`, recording: b.recording });
    return send(res, 200, "text/html; charset=utf-8", html, { "content-disposition": `attachment; filename="${base}.html"` });
  }
  if (req.method === "POST" && path === "/api/branch") {
    const data = JSON.parse(await body(req)) as { parent?: unknown; edits?: unknown };
    if (typeof data.parent !== "number" || !Array.isArray(data.edits)) return json(res, { error: "expected {parent: number, edits: Edit[]}" }, 400);
    let edits: Edit[];
    try {
      edits = data.edits.map((e, i) => checkEdit(e, `edit ${i}`));
    } catch (e) {
      return json(res, { error: (e as Error).message }, 400);
    }
    const id = session.branch(data.parent, edits);
    return json(res, { id });
  }
  json(res, { error: `no such route: ${req.method} ${path}` }, 404);
}
