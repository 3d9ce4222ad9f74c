/**
 * A client of a cluster's HTTP API, with leader discovery and retries: what `npm run kv`, the
 * integration tests and the benchmark use. Each operation gets a (clientId, requestId) pair and
 * keeps it across retries, so a write is applied once however often it is retried.
 */
import { Agent, request as httpRequest } from "node:http";
import { randomInt } from "node:crypto";
import { parseHostPort } from "./transport.js";

/** An HTTP answer: status 0 means no answer (refused, reset, timed out). */
export interface HttpAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** Options of {@link KvHttpClient}. */
export interface KvHttpClientOptions {
  /** Give up on an operation after this long (default 30 s). */
  readonly deadlineMs?: number;
  /** One HTTP attempt waits this long (default 10 s: above a node's own 503 timeout). */
  readonly attemptTimeoutMs?: number;
  /** Which node to try first (default: a random one). */
  readonly prefer?: number;
}

/** One call to `/path` of `addr` (`host:port`); never rejects. */
export function httpCall(addr: string, path: string, options: { method?: "GET" | "POST"; body?: unknown; timeoutMs?: number; agent?: Agent } = {}): Promise<HttpAnswer> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  let host: string;
  let port: number;
  try {
    ({ host, port } = parseHostPort(addr, "HTTP address"));
  } catch (e) {
    return Promise.resolve({ status: 0, body: { error: (e as Error).message } });
  }
  return new Promise<HttpAnswer>((resolve) => {
    const req = httpRequest(
      {
        host,
        port,
        path,
        method: options.method ?? "GET",
        agent: options.agent ?? false,
        timeout: options.timeoutMs ?? 10_000,
        headers: payload === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          let body: Record<string, unknown>;
          try {
            body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
          } catch {
            body = { error: Buffer.concat(chunks).toString("utf8") };
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
        res.on("error", (e) => resolve({ status: 0, body: { error: e.message } }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", (e) => resolve({ status: 0, body: { error: e.message } }));
    req.end(payload);
  });
}

/** A thrown error of {@link KvHttpClient}: the operation did not succeed before its deadline. */
export class KvUnavailableError extends Error {
  override readonly name = "KvUnavailableError";
}

/** See the module comment. */
export class KvHttpClient {
  /** Random: that it meets another client's (or a node's own) is as unlikely as two 48-bit draws meeting. */
  readonly clientId = randomInt(1, 2 ** 48);
  private requestId = 0;
  private target: number;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 4 });
  private readonly deadlineMs: number;
  private readonly attemptTimeoutMs: number;
  private closed = false;

  /** `addrs`: the HTTP `host:port` of every node, in id order (so a leader hint, an id, maps to one). */
  constructor(
    readonly addrs: readonly string[],
    options: KvHttpClientOptions = {},
  ) {
    if (addrs.length === 0) throw new Error("KvHttpClient: no node addresses");
    this.target = options.prefer ?? randomInt(addrs.length);
    this.deadlineMs = options.deadlineMs ?? 30_000;
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 10_000;
  }

  async get(key: string): Promise<string> {
    return String((await this.op("/get", { key })).body["value"]);
  }

  async put(key: string, value: string): Promise<void> {
    await this.op("/put", { key, value });
  }

  async append(key: string, value: string): Promise<void> {
    await this.op("/append", { key, value });
  }

  async cas(key: string, expected: string, value: string): Promise<boolean> {
    return (await this.op("/cas", { key, expected, value })).body["ok"] === true;
  }

  /** Closes its connections; an operation in progress then gives up at its next attempt, and later ones at once. */
  close(): void {
    this.closed = true;
    this.agent.destroy();
  }

  /**
   * POSTs `params` with the next request id to `path`, to the node that answered last, following
   * leader hints on 503 and moving on when a node does not answer, until the deadline.
   * Throws {@link KvUnavailableError} with the last answer, or an Error on a 4xx (a bad request).
   */
  async op(path: string, params: Record<string, string>): Promise<HttpAnswer> {
    const body = { ...params, clientId: this.clientId, requestId: ++this.requestId };
    const end = Date.now() + this.deadlineMs;
    let last: HttpAnswer = { status: 0, body: { error: "no attempt" } };
    while (Date.now() < end) {
      if (this.closed) throw new KvUnavailableError(`${path} ${JSON.stringify(params)}: the client was closed (last answer: ${last.status} ${String(last.body["error"])})`);
      const addr = this.addrs[this.target]!;
      last = await httpCall(addr, path, { method: "POST", body, agent: this.agent, timeoutMs: Math.min(this.attemptTimeoutMs, Math.max(1, end - Date.now())) });
      if (last.status === 200) return last;
      if (last.status >= 400 && last.status < 500) throw new Error(`${path} at ${addr}: ${last.status} ${String(last.body["error"])}`);
      const hint = last.body["leader"];
      if (typeof hint === "number" && hint >= 1 && hint <= this.addrs.length && hint - 1 !== this.target) this.target = hint - 1;
      else this.target = (this.target + 1) % this.addrs.length;
      if (last.status === 0) await new Promise((r) => setTimeout(r, 50));
    }
    throw new KvUnavailableError(`${path} ${JSON.stringify(params)}: no node could do it within ${this.deadlineMs} ms (last answer: ${last.status} ${String(last.body["error"])})`);
  }
}
