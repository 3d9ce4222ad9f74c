/**
 * Power cuts against the real FilePersister's sequence of calls: a seeded workload of saves,
 * snapshot changes and checkpoints runs on the {@link PowerCutFs} disk model; at every call index
 * the power is cut (the harshest cut, the kindest, and seeded adversarial ones), and the persister
 * must recover from what the disk kept: it opens, holds a state saved at or after the last one
 * reported durable, with that state's snapshot, and keeps working. Planted persister bugs, put in
 * through the file-system seam, must make the same check fail.
 */
import { constants as fsConstants } from "node:fs";
import { describe, expect, it } from "vitest";
import { FilePersister, type NodeIdentity } from "./file-persister.js";
import type { PersisterFileHandle, PersisterFs } from "./persister-fs.js";
import { KEEP_ALL, LOSE_ALL, PowerCutFs, seededChooser, type CrashPoint, type DiskImage } from "./power-cut-fs.js";

const DIR = "/power-cut/node-2";
const ME: NodeIdentity = { id: 2, peers: ["127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"] };
/** Small WAL files, so that the workload rolls over to a new generation often. */
const WAL_BYTES = 400;
const SAVES = 40;
/** Seeded adversarial images per cut point, besides the harshest and the kindest. */
const DRAWS = 3;

interface Saved {
  readonly state: string;
  readonly snapshot: string;
}

/** What the workload had saved and had been told was durable when the power went. */
interface AtCut {
  readonly point: CrashPoint;
  /** saves[0] is the empty state a new directory starts with; saves[i] the i-th save. */
  readonly saves: readonly Saved[];
  readonly durable: number;
}

const text = (b: Uint8Array): string => Buffer.from(b).toString("utf8");
const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s));
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * `fs` with each asynchronous call answered a turn of the event loop later, as a real disk's are
 * (the call itself, and so the cut, still happens when it is made): a checkpoint then spans turns,
 * and the workload saves while it is written. The WAL's synchronous appends go straight through.
 */
function takesTurns(fs: PersisterFs): PersisterFs {
  const later = async <T>(result: Promise<T>): Promise<T> => {
    const value = await result;
    await nextTurn();
    return value;
  };
  return {
    ...forwardingFs(fs),
    open: async (path, flags) => {
      const handle = await later(fs.open(path, flags));
      return {
        write: (buffer, offset, length, position) => later(handle.write(buffer, offset, length, position)),
        writeSync: (buffer, offset, length, position) => handle.writeSync(buffer, offset, length, position),
        sync: () => later(handle.sync()),
        close: () => later(handle.close()),
      };
    },
    rename: (from, to) => later(fs.rename(from, to)),
    unlink: (path) => later(fs.unlink(path)),
  };
}

/**
 * A deterministic workload shaped like Raft's: entries appended, terms changing, the log compacted
 * into a new snapshot now and then, waits for durability between some saves and not others, and
 * one clean restart halfway.
 * Calls `cut` (once) at call index `cutAt` of the disk with what was saved and reported durable.
 */
async function workload(fs: PersisterFs, disk: PowerCutFs, cutAt: number, cut: (at: AtCut) => void): Promise<void> {
  const rand = seededChooser(24);
  const saves: Saved[] = [{ state: "", snapshot: "" }];
  let p: FilePersister | undefined;
  /** Saves made durable by persisters closed before `p` (a persister counts its own saves only). */
  let closedSaves = 0;
  disk.beforeCall = (index, point) => {
    if (index === cutAt) cut({ point: point(), saves: [...saves], durable: closedSaves + (p?.durable() ?? 0) });
  };
  p = await FilePersister.open(DIR, ME, { fs, walBytes: WAL_BYTES });
  let term = 1;
  let first = 0;
  const entries: string[] = [];
  let snapshot: Uint8Array = new Uint8Array(0);
  for (let i = 1; i <= SAVES; i++) {
    const r = rand(100);
    if (r < 10) term++;
    if (r >= 82 && entries.length > 2) {
      const drop = Math.floor(entries.length / 2);
      first += drop;
      entries.splice(0, drop);
      snapshot = bytes(`snapshot ${i} through ${first} `.repeat(1 + rand(20)));
    }
    for (let k = rand(3); k >= 0; k--) entries.push(`[${term},"put k${i} ${"v".repeat(rand(40))}"]`);
    const state = `[${term},${ME.id},${first},0,[${entries.join(",")}]]`;
    saves.push({ state, snapshot: text(snapshot) }); // first: a cut at any later call must count it
    p.save(bytes(state), snapshot);
    // Waits for durability now and then; else yields (microtasks, or a turn of the event loop, at
    // whose end the persister writes) and saves on, also while a checkpoint is written.
    const wait = rand(8);
    if (wait === 0) await p.sync();
    else if (wait <= 2) for (let k = rand(6); k > 0; k--) await Promise.resolve();
    else await nextTurn();
    if (i === SAVES / 2) {
      // A clean restart halfway, so that cuts also land in the recovery of a directory with state.
      await p.close();
      closedSaves = saves.length - 1;
      p = undefined;
      p = await FilePersister.open(DIR, ME, { fs, walBytes: WAL_BYTES });
      if (text(p.readRaftState()) !== state) throw new Error("the workload's restart did not recover its last save");
    }
  }
  await p.close();
  disk.beforeCall = undefined;
}

/** A failure of the recovery check, for the message. */
interface Failure {
  readonly callIndex: number;
  readonly call: string;
  readonly why: string;
}

/** Opens the persister on `image` and checks what it recovered; returns why it is wrong, or undefined. */
async function recoverAndCheck(image: DiskImage, at: AtCut, note: (message: string) => void): Promise<string | undefined> {
  const disk = new PowerCutFs(DIR, image);
  let p: FilePersister;
  try {
    p = await FilePersister.open(DIR, ME, { fs: disk, walBytes: WAL_BYTES, note });
  } catch (e) {
    return `refused a crash image (${[...image.keys()].join(" ")}): ${(e as Error).message}`;
  }
  const state = text(p.readRaftState());
  const snapshot = text(p.readSnapshot());
  const j = at.saves.findIndex((s, i) => i >= at.durable && s.state === state);
  if (j < 0) {
    const older = at.saves.findIndex((s) => s.state === state);
    return older >= 0
      ? `recovered save ${older}, older than save ${at.durable}, reported durable`
      : `recovered a state never saved (torn?): ${JSON.stringify(state.slice(0, 80))}`;
  }
  if (at.saves[j]!.snapshot !== snapshot) return `recovered save ${j} with another snapshot (${snapshot.length} B, expected ${at.saves[j]!.snapshot.length} B)`;
  // The directory recovery left must keep working: a new save survives the harshest cut after it.
  p.save(bytes(`${state}+after`), p.readSnapshot());
  await p.sync();
  let after: DiskImage | undefined;
  disk.beforeCall = (_, point) => (after ??= point().image(LOSE_ALL));
  await p.close();
  disk.beforeCall = undefined;
  const q = await FilePersister.open(DIR, ME, { fs: new PowerCutFs(DIR, after ?? disk.liveImage()), walBytes: WAL_BYTES }).catch((e: Error) => e);
  if (q instanceof Error) return `refused its own directory after recovering and saving once: ${q.message}`;
  const again = text(q.readRaftState());
  await q.close();
  return again === `${state}+after` ? undefined : `lost the save made after recovery (holds ${JSON.stringify(again.slice(0, 60))})`;
}

/** What {@link cutEverywhere} found. */
interface Outcome {
  /** Calls of the workload, each a cut point. */
  readonly cuts: number;
  /** Checkpoints (renames of `state`) the workload made, and snapshot files it wrote. */
  readonly checkpoints: number;
  readonly snapshots: number;
  /** WAL records written to the next generation's WAL while its checkpoint was being written. */
  readonly appendedDuringCheckpoint: number;
  /** Disk images recovered from, and how many of them held a torn WAL record that recovery dropped. */
  readonly images: number;
  readonly torn: number;
  readonly failures: Failure[];
}

/**
 * Cuts the power at every call index of the workload on `wrap(disk)`; returns every failure (or,
 * with `firstOnly`, stops at the first, enough to show a planted bug is caught).
 */
async function cutEverywhere(wrap: (disk: PowerCutFs) => PersisterFs = (d) => d, firstOnly = false): Promise<Outcome> {
  const probe = new PowerCutFs(DIR);
  await workload(takesTurns(wrap(probe)), probe, -1, () => {});
  const cuts = probe.calls;
  const checkpoints = probe.callLog.filter((c) => c.startsWith("rename ") && c.endsWith(`${DIR}/state`)).length;
  const snapshots = probe.callLog.filter((c) => /^rename \S+ \S+\/snapshot-\d+$/.test(c)).length;
  const appendedDuringCheckpoint = appendsBeforeTheirCheckpoint(probe.callLog);
  const failures: Failure[] = [];
  let images = 0;
  let torn = 0;
  const note = (m: string): void => void (m.startsWith("dropped a torn record") && torn++);
  for (let cutAt = 0; cutAt < cuts; cutAt++) {
    const disk = new PowerCutFs(DIR);
    const cutsSeen: AtCut[] = [];
    await workload(takesTurns(wrap(disk)), disk, cutAt, (a) => cutsSeen.push(a));
    const at = cutsSeen[0];
    if (at === undefined || cutsSeen.length !== 1) throw new Error(`the workload did not reach call ${cutAt} of ${cuts}: it is not deterministic`);
    const choosers = [LOSE_ALL, KEEP_ALL, ...Array.from({ length: DRAWS }, (_, k) => seededChooser(cutAt * 31 + k))];
    for (const choose of choosers) {
      images++;
      const why = await recoverAndCheck(at.point.image(choose), at, note);
      if (why !== undefined) failures.push({ callIndex: cutAt, call: at.point.call, why });
      if (firstOnly && failures.length > 0) return { cuts, checkpoints, snapshots, appendedDuringCheckpoint, images, torn, failures };
    }
  }
  return { cuts, checkpoints, snapshots, appendedDuringCheckpoint, images, torn, failures };
}

/**
 * Counts the writes to a WAL opened for appending (O_DSYNC) before the rename of the checkpoint
 * that names it: saves appended while their checkpoint was written. PowerCutFs numbers its file
 * descriptors from 3 in the order of the opens.
 */
function appendsBeforeTheirCheckpoint(calls: readonly string[]): number {
  let opens = 0;
  let current: number | undefined; // the WAL of the durable generation
  let next: number | undefined; // the WAL of the checkpoint being written
  let count = 0;
  for (const c of calls) {
    if (c.startsWith("readdir ")) {
      current = next = undefined; // a persister opens the directory (recovery)
    } else if (c.startsWith("open ")) {
      const fd = 3 + opens++;
      if (/\/wal-\d+ \d+$/.test(c)) {
        if (current === undefined) current = fd;
        else next = fd;
      }
    } else if (c.startsWith("rename ") && c.endsWith(`${DIR}/state`)) {
      if (next !== undefined) current = next; // the checkpoint is in place: its WAL is the current one
      next = undefined;
    } else if (next !== undefined && c.startsWith(`write fd ${next} `)) {
      count++;
    }
  }
  return count;
}

/** A disk wrapper that changes some calls (to plant a persister bug) and forwards the rest. */
function planted(disk: PowerCutFs, change: Partial<PersisterFs>): PersisterFs {
  return { ...forwardingFs(disk), ...change };
}

/**
 * Every call of `fs` forwarded to it: a base for wrappers that change some calls (the disk model is
 * a class, so spreading it would copy none of its methods).
 */
function forwardingFs(fs: PersisterFs): PersisterFs {
  return {
    open: (path, flags) => fs.open(path, flags),
    rename: (from, to) => fs.rename(from, to),
    unlink: (path) => fs.unlink(path),
    mkdirSync: (path, options) => fs.mkdirSync(path, options),
    readdirSync: (path) => fs.readdirSync(path),
    readFileSync: (path) => fs.readFileSync(path),
    openSync: (path, flags) => fs.openSync(path, flags),
    writeSync: (fd, buffer, offset, length, position) => fs.writeSync(fd, buffer, offset, length, position),
    fsyncSync: (fd) => fs.fsyncSync(fd),
    closeSync: (fd) => fs.closeSync(fd),
    renameSync: (from, to) => fs.renameSync(from, to),
    unlinkSync: (path) => fs.unlinkSync(path),
  };
}

const report = (failures: readonly Failure[]): string =>
  failures.slice(0, 5).map((f) => `power cut at call ${f.callIndex} (${f.call}): ${f.why}`).join("\n");

describe("FilePersister under power cuts (PowerCutFs)", () => {
  it("recovers at least the last state reported durable, whole, from a power cut at every call", async () => {
    const { cuts, checkpoints, snapshots, appendedDuringCheckpoint, images, torn, failures } = await cutEverywhere();
    // The workload really went through many generations and snapshots, appended saves while a
    // checkpoint was written, and some cuts tore a WAL write.
    expect(checkpoints).toBeGreaterThanOrEqual(8);
    expect(snapshots).toBeGreaterThanOrEqual(3);
    expect(appendedDuringCheckpoint).toBeGreaterThan(0);
    expect(images).toBe(cuts * (2 + DRAWS));
    expect(torn).toBeGreaterThan(0);
    expect(failures, report(failures)).toEqual([]);
  });

  it("catches a WAL opened without O_DSYNC (saves reported durable before they are)", async () => {
    const { failures } = await cutEverywhere((disk) =>
      planted(disk, { open: (p, f) => disk.open(p, typeof f === "number" ? f & ~fsConstants.O_DSYNC : f) }),
      true,
    );
    expect(failures, "the planted bug went unnoticed").toHaveLength(1);
    expect(failures[0]!.why).toMatch(/older than save/);
  });

  it("catches a checkpoint renamed into place before the directory holding its WAL and snapshot is fsynced", async () => {
    // The planted bug: the directory is fsynced only right after `state` is renamed, so the names of
    // the files the new checkpoint refers to may not be on disk when the checkpoint is.
    const { failures } = await cutEverywhere((disk) =>
      planted(disk, {
        open: async (p, f) => {
          const handle = await disk.open(p, f);
          if (p !== DIR) return handle;
          const last = disk.pendingDirOps().at(-1);
          const skip = !(last?.kind === "rename" && last.to === "state");
          return skip ? { ...handle, sync: async () => {} } : handle;
        },
      }),
      true,
    );
    expect(failures, "the planted bug went unnoticed").toHaveLength(1);
    expect(failures[0]!.why).toMatch(/refused a crash image.*missing/);
  });

  it("catches a file renamed into place without its data fsynced first", async () => {
    const { failures } = await cutEverywhere((disk) =>
      planted(disk, {
        open: async (p, f): Promise<PersisterFileHandle> => {
          const handle = await disk.open(p, f);
          return p.endsWith(".tmp") ? { ...handle, sync: async () => {} } : handle;
        },
      }),
      true,
    );
    expect(failures, "the planted bug went unnoticed").toHaveLength(1);
    expect(failures[0]!.why).toMatch(/refused a crash image.*corrupt|another snapshot/);
  });
});
