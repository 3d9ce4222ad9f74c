import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { handleApiRequest, LIMITS, type ApiBackend, type ApiOp } from "./http-api.js";
import { httpCall } from "./http-client.js";

/** A backend that records what it is asked and answers like a node with a map. */
function fakeBackend(): ApiBackend & { calls: unknown[] } {
  const data = new Map<string, string>();
  const calls: unknown[] = [];
  return {
    calls,
    execute: async (op: ApiOp, ids) => {
      calls.push({ op, ids });
      if (op.key === "unavailable") return { ok: false, status: 503, body: { error: "no leader is known", leader: null } };
      switch (op.op) {
        case "Get":
          return { ok: true, body: { value: data.get(op.key) ?? "", exists: data.has(op.key) } };
        case "Put":
          data.set(op.key, op.value);
          return { ok: true, body: { ok: true } };
        case "Append":
          data.set(op.key, (data.get(op.key) ?? "") + op.value);
          return { ok: true, body: { ok: true } };
        case "Cas": {
          const ok = (data.get(op.key) ?? "") === op.expected;
          if (ok) data.set(op.key, op.value);
          return { ok: true, body: { ok } };
        }
      }
    },
    status: () => ({ id: 1, term: 3, role: "leader", leader: 1, commitIndex: 9, lastApplied: 9 }),
    faults: undefined,
  };
}

let server: Server;
let addr: string;
let backend: ReturnType<typeof fakeBackend>;
const bugs: unknown[] = [];
beforeEach(async () => {
  backend = fakeBackend();
  server = createServer((req, res) => void handleApiRequest(backend, req, res, (e) => bugs.push(e)));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  addr = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await new Promise((r) => server.close(r));
  expect(bugs.splice(0)).toEqual([]);
});

describe("HTTP API", () => {
  it("serves get, put, append, cas and status, by GET and by POST", async () => {
    expect(await httpCall(addr, "/put?key=k&value=v")).toEqual({ status: 200, body: { ok: true } });
    expect(await httpCall(addr, "/append", { method: "POST", body: { key: "k", value: "w" } })).toEqual({ status: 200, body: { ok: true } });
    expect(await httpCall(addr, "/get?key=k")).toEqual({ status: 200, body: { value: "vw", exists: true } });
    expect(await httpCall(addr, "/get?key=none")).toEqual({ status: 200, body: { value: "", exists: false } });
    expect(await httpCall(addr, "/cas?key=k&expected=vw&value=z")).toEqual({ status: 200, body: { ok: true } });
    expect(await httpCall(addr, "/cas?key=k&expected=vw&value=q")).toEqual({ status: 200, body: { ok: false } });
    expect((await httpCall(addr, "/status")).body).toEqual({ id: 1, term: 3, role: "leader", leader: 1, commitIndex: 9, lastApplied: 9 });
  });

  it("tells the backend how long each KV request took in it, and nothing for /status", async () => {
    const times: number[] = [];
    const timed: ApiBackend = { ...backend, kvRequestTimed: (ms) => times.push(ms) };
    server.removeAllListeners("request");
    server.on("request", (req, res) => void handleApiRequest(timed, req, res, (e) => bugs.push(e)));
    await httpCall(addr, "/put?key=k&value=v");
    await httpCall(addr, "/get/?key=k");
    await httpCall(addr, "/status");
    expect(times).toHaveLength(2);
    for (const ms of times) expect(ms).toBeGreaterThanOrEqual(0);
  });

  it("passes clientId and requestId through, given as numbers or numeric strings", async () => {
    await httpCall(addr, "/put?key=k&value=v&clientId=7&requestId=3");
    await httpCall(addr, "/put", { method: "POST", body: { key: "k", value: "v", clientId: 7, requestId: 4 } });
    await httpCall(addr, "/get?key=k");
    expect(backend.calls.map((c) => (c as { ids: unknown }).ids)).toEqual([{ clientId: 7, requestId: 3 }, { clientId: 7, requestId: 4 }, undefined]);
  });

  it.each([
    ["/get", 400, "missing parameter key"],
    ["/put?key=k", 400, "missing parameter value"],
    ["/cas?key=k&value=v", 400, "missing parameter expected"],
    ["/put?key=k&value=v&clientId=1", 400, "clientId and requestId go together"],
    ["/put?key=k&value=v&clientId=0&requestId=1", 400, "clientId must be a positive integer"],
    ["/put?key=k&value=v&clientId=1&requestId=1.5", 400, "requestId must be a positive integer"],
    [`/get?key=${"k".repeat(LIMITS.KEY_BYTES + 1)}`, 413, `parameter key is ${LIMITS.KEY_BYTES + 1} bytes, above the limit of ${LIMITS.KEY_BYTES}`],
    ["/nope", 404, "no such path: /nope"],
    ["/fault/drop?peers=2", 404, "no such path: /fault/drop"],
    ["/get?key=unavailable", 503, "no leader is known"],
  ])("GET %s answers %i: %s", async (path, status, message) => {
    const r = await httpCall(addr, path);
    expect(r.status).toBe(status);
    expect(String(r.body["error"])).toContain(message);
  });

  it("refuses bad bodies and methods", async () => {
    const notJson = await httpCall(addr, "/put", { method: "POST", body: undefined });
    expect(notJson.status).toBe(400);
    expect(String(notJson.body["error"])).toMatch(/the body is not JSON/);
    const array = await httpCall(addr, "/put", { method: "POST", body: [1] });
    expect(array).toEqual({ status: 400, body: { error: 'the body must be a JSON object such as {"key":"k","value":"v"}' } });
    const notString = await httpCall(addr, "/put", { method: "POST", body: { key: "k", value: 5 } });
    expect(notString).toEqual({ status: 400, body: { error: "parameter value must be a string" } });
    const big = await httpCall(addr, "/put", { method: "POST", body: { key: "k", value: "v".repeat(LIMITS.VALUE_BYTES + 1) } });
    expect(big.status).toBe(413);
    const huge = await httpCall(addr, "/put", { method: "POST", body: { key: "k", value: "v".repeat(LIMITS.BODY_BYTES) } });
    expect(huge.status).toBe(413);
    expect(String(huge.body["error"])).toMatch(/request body of \d+ bytes is above the limit/);
    const status = await httpCall(addr, "/status", { method: "POST", body: {} });
    expect(status).toEqual({ status: 405, body: { error: "POST is not allowed here; use GET" } });
  });

  it("serves /metrics with the since parameter, and refuses a bad one", async () => {
    const asked: [number, boolean, boolean][] = [];
    backend = Object.assign(fakeBackend(), { metricsReport: (since: number, reset: boolean, timeline: boolean) => (asked.push([since, reset, timeline]), { cpuMs: 1 }) });
    expect(await httpCall(addr, "/metrics")).toEqual({ status: 200, body: { cpuMs: 1 } });
    expect(await httpCall(addr, "/metrics?since=1700000000000.5&reset=1")).toEqual({ status: 200, body: { cpuMs: 1 } });
    expect(await httpCall(addr, "/metrics?timeline=1")).toEqual({ status: 200, body: { cpuMs: 1 } });
    const bad = await httpCall(addr, "/metrics?since=yesterday");
    expect(bad.status).toBe(400);
    expect(String(bad.body["error"])).toContain("since=yesterday: expected a time in ms since the epoch");
    expect(asked).toEqual([[0, false, false], [1700000000000.5, true, false], [0, false, true]]);
  });

  it("has fault injection only when the node was started with the flag", async () => {
    const drops: number[][] = [];
    backend = Object.assign(fakeBackend(), {
      faults: { clusterSize: 3, drop: (ids: readonly number[]) => (drops.push([...ids]), [...ids]), heal: () => [] },
    });
    expect(await httpCall(addr, "/fault/drop?peers=2,3")).toEqual({ status: 200, body: { dropped: [2, 3] } });
    expect(await httpCall(addr, "/fault/heal")).toEqual({ status: 200, body: { dropped: [] } });
    expect((await httpCall(addr, "/fault/drop?peers=4")).status).toBe(400);
    expect(drops).toEqual([[2, 3]]);
  });
});
