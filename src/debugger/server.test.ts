/**
 * The debugger's local server lets no one else in: a request without the token, with a wrong one,
 * or with a foreign Host header (DNS rebinding) is refused; with both it serves the page, the
 * recordings and branches, and nothing else. The runs here are stand-ins (the server does not care
 * how a run is recorded; `run-child.ts` records real ones).
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Edit } from "./edits.js";
import { INITIAL_PEER, type Recording } from "./recording.js";
import { startDebugServer, type DebugServer } from "./server.js";
import { DebugSession } from "./session.js";

/** A tiny recording: one peer that becomes leader; a branch with edits "fails" at a later event. */
function fakeRecording(edits: readonly Edit[]): Recording {
  const failed = edits.length > 0;
  return {
    version: 1,
    test: "ExploreRaftElection3A",
    fullName: "ExploreRaftElection3A",
    file: "src/explore/raft-scenarios.explore.test.ts",
    seed: 7,
    edits,
    peers: 1,
    steps: [{ time: 0, firstEvent: 0 }, { time: 10, firstEvent: 1 }],
    events: [
      { step: 0, time: 0, kind: "start", peer: 0, text: "S0 started" },
      { step: 1, time: 10, kind: "log", peer: 0, text: failed ? "a different thing" : "leader", topic: "LEAD" },
    ],
    messages: [],
    changes: [
      { step: 0, peer: 0, set: { ...INITIAL_PEER, up: true } },
      { step: 1, peer: 0, set: { role: "leader", term: 1 } },
    ],
    inspectable: true,
    eventsDropped: 0,
    traceHash: "00000000",
    outcome: failed ? { ok: false, error: "boom", endStep: 1, virtualMs: 10 } : { ok: true, endStep: 1, virtualMs: 10 },
    wallMs: 1,
  };
}

let server: DebugServer;
let session: DebugSession;

beforeAll(async () => {
  session = new DebugSession(
    { name: "ExploreRaftElection3A", fullName: "ExploreRaftElection3A", file: "src/explore/raft-scenarios.explore.test.ts", explore: true },
    7,
    async (edits, progress) => {
      progress(5);
      return fakeRecording(edits);
    },
  );
  await session.start();
  server = await startDebugServer({ session });
});

afterAll(async () => {
  await server.close();
});

/** A raw request, so that the Host header can be anything. */
function get(path: string, headers: Record<string, string> = {}, method = "GET", body?: string): Promise<{ status: number; text: string; type: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: server.port, path, method, headers: { host: `127.0.0.1:${server.port}`, ...headers } }, (res) => {
      let text = "";
      res.on("data", (d: Buffer) => (text += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text, type: String(res.headers["content-type"]) }));
    });
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

describe("the debugger's server", () => {
  it("listens on 127.0.0.1 at a free port and prints a URL with a long random token", () => {
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=[0-9a-f]{32}$`));
    expect(server.port).toBeGreaterThan(0);
  });

  it("refuses a request without the token, and one with a wrong token", async () => {
    const none = await get("/");
    expect(none.status).toBe(401);
    expect(none.text).toContain("missing or wrong token");
    const wrong = await get("/api/session?token=" + "0".repeat(32));
    expect(wrong.status).toBe(401);
    const header = await get("/api/session", { "x-raftlab-token": "nope" });
    expect(header.status).toBe(401);
  });

  it("refuses a request with a foreign Host header even with the token (DNS rebinding)", async () => {
    const r = await get(`/?token=${server.token}`, { host: `attacker.example:${server.port}` });
    expect(r.status).toBe(403);
    expect(r.text).toContain("foreign Host");
    const other = await get(`/api/session?token=${server.token}`, { host: `127.0.0.1:1` });
    expect(other.status).toBe(403);
  });

  it("with the token and its own Host, serves the page and the session", async () => {
    const page = await get(`/?token=${server.token}`);
    expect(page.status).toBe(200);
    expect(page.type).toContain("text/html");
    expect(page.text).toContain('id="boot"');
    const s = await get("/api/session", { "x-raftlab-token": server.token, host: `localhost:${server.port}` });
    expect(s.status).toBe(200);
    expect(JSON.parse(s.text)).toMatchObject({ seed: 7, canKeep: true, branches: [{ id: 0, state: "done", outcome: { ok: true, summary: "passed" } }] });
  });

  it("runs a branch with edits, reports where it diverged, and exports it", async () => {
    const edit: Edit = { kind: "drop", point: "request", method: "Raft.RequestVote", from: "S1", to: 0, at: 3, nth: 0 };
    const auth = { "x-raftlab-token": server.token, "content-type": "application/json" };
    const posted = await get("/api/branch", auth, "POST", JSON.stringify({ parent: 0, edits: [edit] }));
    expect(posted.status).toBe(200);
    const { id } = JSON.parse(posted.text) as { id: number };
    await session.idle();
    const b = JSON.parse((await get(`/api/branch/${id}`, auth)).text) as { state: string; outcome: { ok: boolean; summary: string; divergedStep: number } };
    expect(b).toMatchObject({ state: "done", outcome: { ok: false, summary: "boom", divergedStep: 1 } });
    const schedule = await get(`/api/branch/${id}/schedule?token=${server.token}`);
    expect(JSON.parse(schedule.text)).toMatchObject({ kind: "raftlab debugger edits", seed: 7, test: "ExploreRaftElection3A", edits: [edit] });
    const kept = await get(`/api/branch/${id}/test?token=${server.token}`);
    expect(kept.text).toContain('it("ExploreRaftElection3A_seed7_branch"');
    expect(kept.text).toContain("applyEdits(sim, run, EDITS)");
    const html = await get(`/api/branch/${id}/html?token=${server.token}`);
    expect(html.text).toContain('"mode":"static"');
    const bad = await get("/api/branch", auth, "POST", JSON.stringify({ parent: 0, edits: [{ kind: "explode" }] }));
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("not an edit");
  });

  it("serves nothing else", async () => {
    const r = await get(`/etc/passwd?token=${server.token}`);
    expect(r.status).toBe(404);
    const up = await get(`/../package.json?token=${server.token}`);
    expect(up.status).toBe(404);
  });
});
