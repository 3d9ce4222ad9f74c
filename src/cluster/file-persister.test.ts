import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DataDirError, FilePersister, type NodeIdentity } from "./file-persister.js";

const ME: NodeIdentity = { id: 2, peers: ["127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"] };
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "raftlab-persister-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A state shaped like Raft's encoding: `[term,vote,0,0,[entries]]`. */
function raftLike(term: number, entries: number): Uint8Array {
  return bytes(`[${term},1,0,0,[${Array.from({ length: entries }, (_, i) => `[${term},"cmd ${i}"]`).join(",")}]]`);
}

async function reopen(options = {}): Promise<FilePersister> {
  return FilePersister.open(dir, ME, options);
}

describe("FilePersister", () => {
  it("starts empty in a new directory and reads back what was saved, after a restart", async () => {
    const p = await reopen();
    expect(p.raftStateSize()).toBe(0);
    expect(p.readSnapshot()).toEqual(new Uint8Array(0));
    for (let i = 1; i <= 50; i++) p.save(raftLike(1, i), null);
    p.save(raftLike(2, 50), null); // a term change rewrites the head
    await p.close();
    const q = await reopen();
    expect(text(q.readRaftState())).toBe(text(raftLike(2, 50)));
    await q.close();
  });

  it("reports how long each WAL write and each checkpoint took", async () => {
    const wal: number[] = [];
    const checkpoints: [number, number][] = [];
    const p = await reopen({ timings: { wal: (_start: number, ms: number) => wal.push(ms), checkpoint: (start: number, ms: number) => checkpoints.push([start, ms]) } });
    const before = performance.timeOrigin + performance.now();
    p.save(raftLike(1, 1), null);
    await p.sync();
    p.save(raftLike(1, 2), bytes("a snapshot")); // a new snapshot starts a new generation
    await p.sync();
    const after = performance.timeOrigin + performance.now();
    await p.close();
    expect(wal).toHaveLength(1);
    expect(wal[0]).toBeGreaterThanOrEqual(0);
    expect(checkpoints).toHaveLength(1);
    const [start, ms] = checkpoints[0]!;
    expect(start).toBeGreaterThanOrEqual(before);
    expect(start + ms).toBeLessThanOrEqual(after);
  });

  it("groups the saves of a turn into one write at the end of the turn, and opens the gate only when durable", async () => {
    const p = await reopen();
    const seen: number[] = [];
    p.onDurable(() => seen.push(p.durable()));
    for (let i = 1; i <= 100; i++) p.save(raftLike(1, i), null);
    const ticket = p.ticket();
    expect(ticket).toBe(100);
    expect(p.durable()).toBe(0); // nothing is written before the turn ends
    await new Promise((resolve) => setImmediate(resolve));
    expect(p.durable()).toBe(ticket); // one write, at the end of the turn
    expect(seen).toEqual([100]);
    p.save(raftLike(1, 101), null);
    await p.sync();
    expect(seen).toEqual([100, 101]);
    await p.close();
    const again = await reopen();
    expect(again.readRaftState()).toEqual(raftLike(1, 101));
    await again.close();
  });

  it("calls whenDurable's callbacks once the saves made before them are durable, in order, and at once when nothing is pending", async () => {
    const p = await reopen();
    const calls: string[] = [];
    p.whenDurable(() => calls.push("idle"));
    expect(calls).toEqual(["idle"]); // nothing was pending
    p.save(raftLike(1, 1), null);
    p.whenDurable(() => calls.push(`after 1 (durable ${p.durable()})`));
    await new Promise((resolve) => setImmediate(resolve)); // save 1 is written at the end of the turn
    p.save(raftLike(1, 2), null);
    p.whenDurable(() => calls.push(`after 2 (durable ${p.durable()})`));
    expect(calls).toEqual(["idle", "after 1 (durable 1)"]);
    await p.sync();
    expect(calls).toEqual(["idle", "after 1 (durable 1)", "after 2 (durable 2)"]);
    await p.close();
  });

  it("keeps snapshots and rotates generations, deleting the files no checkpoint names", async () => {
    const p = await reopen({ walBytes: 4096 });
    const snap = bytes("snapshot-A".repeat(50));
    for (let i = 1; i <= 200; i++) {
      p.save(raftLike(3, i % 40), i >= 100 ? snap : null);
      if (i % 10 === 0) await p.sync(); // so that many records (and so several WAL files) are written
    }
    await p.close();
    const files = readdirSync(dir).sort();
    expect(files.filter((f) => f.startsWith("snapshot-"))).toHaveLength(1);
    expect(files.filter((f) => f.startsWith("wal-"))).toHaveLength(2); // the current one and the spare
    const q = await reopen({ walBytes: 4096 });
    expect(text(q.readRaftState())).toBe(text(raftLike(3, 0)));
    expect(text(q.readSnapshot())).toBe(text(snap));
    // An empty snapshot again removes it.
    q.save(raftLike(4, 1), null);
    await q.close();
    const r = await reopen();
    expect(r.snapshotSize()).toBe(0);
    expect(readdirSync(dir).filter((f) => f.startsWith("snapshot-"))).toEqual([]);
    await r.close();
  });

  it("drops a torn last record (never reported durable) and can go on writing after it", async () => {
    const p = await reopen();
    p.save(raftLike(1, 1), null);
    p.save(raftLike(1, 2), null);
    await p.close();
    const wal = walFile();
    const buf = readFileSync(wal);
    const end = endOfRecords(buf);
    // The first 11 bytes of a 40-byte record: a write cut short.
    buf.writeUInt32BE(40, end);
    buf.writeUInt32BE(0xdeadbeef, end + 4);
    buf.write("abc", end + 8);
    writeFileSync(wal, buf);
    const notes: string[] = [];
    const q = await reopen({ note: (m: string) => notes.push(m) });
    expect(text(q.readRaftState())).toBe(text(raftLike(1, 2)));
    expect(notes.join("\n")).toMatch(/dropped a torn record/);
    q.save(raftLike(1, 3), null);
    await q.close();
    const r = await reopen();
    expect(text(r.readRaftState())).toBe(text(raftLike(1, 3)));
    await r.close();
  });

  it("refuses a WAL damaged before its end, a corrupt checkpoint, a missing snapshot, and never writes to them", async () => {
    const p = await reopen();
    for (let i = 1; i <= 5; i++) {
      p.save(raftLike(1, i), null);
      await p.sync();
    }
    await p.close();
    const wal = walFile();
    const good = readFileSync(wal);
    const damaged = Buffer.from(good);
    damaged[8 + 8 + 6]! ^= 0xff; // inside the first record's payload
    writeFileSync(wal, damaged);
    await expect(reopen()).rejects.toThrow(/damaged record at byte 8 followed by more data/);
    expect(readFileSync(wal).equals(damaged)).toBe(true);
    writeFileSync(wal, good);

    const state = join(dir, "state");
    const checkpoint = readFileSync(state);
    const bad = Buffer.from(checkpoint);
    bad[12]! ^= 0x01;
    writeFileSync(state, bad);
    await expect(reopen()).rejects.toThrow(DataDirError);
    await expect(reopen()).rejects.toThrow(/state is corrupt .*Refusing to start, and leaving the directory untouched/);
    expect(readFileSync(state).equals(bad)).toBe(true);
    writeFileSync(state, checkpoint);

    const q = await reopen();
    q.save(raftLike(1, 5), bytes("snap"));
    await q.close();
    const snapshot = readdirSync(dir).find((f) => f.startsWith("snapshot-"))!;
    rmSync(join(dir, snapshot));
    await expect(reopen()).rejects.toThrow(new RegExp(`names ${snapshot}, which is missing`));
  });

  it("refuses a directory of another node or another cluster size, or one with foreign files", async () => {
    await (await reopen()).close();
    await expect(FilePersister.open(dir, { ...ME, id: 3 })).rejects.toThrow(/belongs to node 2, not to node 3; start node 3 with its own directory/);
    await expect(FilePersister.open(dir, { id: 2, peers: ME.peers.slice(0, 2) })).rejects.toThrow(/cluster of 3 nodes .* started with 2/);
    const notes: string[] = [];
    await (await FilePersister.open(dir, { id: 2, peers: ["h:1", "h:2", "h:3"] }, { note: (m) => notes.push(m) })).close();
    expect(notes.join("\n")).toMatch(/peer addresses differ/);

    const other = mkdtempSync(join(tmpdir(), "raftlab-foreign-"));
    try {
      writeFileSync(join(other, "notes.txt"), "mine");
      await expect(FilePersister.open(other, ME)).rejects.toThrow(/is not empty and holds no raftlab state \(it has notes.txt\)/);
      expect(readdirSync(other)).toEqual(["notes.txt"]);
      await expect(FilePersister.open(join(other, "notes.txt", "sub"), ME)).rejects.toThrow(/cannot use data directory/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it("copies in and out, so callers cannot change what was saved", async () => {
    const p = await reopen();
    const s = raftLike(1, 1);
    p.save(s, null);
    s[0] = 0;
    const out = p.readRaftState();
    out[1] = 0;
    expect(text(p.readRaftState())).toBe(text(raftLike(1, 1)));
    expect(text(p.copy().readRaftState())).toBe(text(raftLike(1, 1)));
    await p.close();
  });
});

function walFile(): string {
  const name = readdirSync(dir)
    .filter((f) => /^wal-\d+$/.test(f))
    .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)))[0]!;
  return join(dir, name);
}

/** Offset just past the last record of a WAL file. */
function endOfRecords(buf: Buffer): number {
  let at = 8;
  while (buf.readUInt32BE(at) !== 0) at += 8 + buf.readUInt32BE(at);
  return at;
}
