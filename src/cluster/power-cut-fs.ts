/**
 * A test model of a disk that loses power, standing in for node:fs behind {@link PersisterFs}:
 * it applies a {@link FilePersister}'s calls to an in-memory directory while tracking what of it is
 * durable, and at any call it can say what a power cut there may leave on the disk.
 *
 * The fault model ("lose unsynced writes", in the spirit of Jepsen's lazyfs), per POSIX and not per
 * the kindest file system:
 * - bytes written to a file are durable only once the file is fsynced, or when the write returns
 *   through a handle opened O_DSYNC; until then a power cut may lose them, also in a file that has
 *   since been renamed into place (data lives with the inode, not the name);
 * - a create, rename or unlink is durable only once its directory is fsynced; until then a power
 *   cut may undo it, each one independently of the others (a rename stays atomic: it is kept or
 *   undone whole);
 * - the write in flight when the power goes may be torn: a prefix of it reaches the disk.
 * A {@link CrashPoint} holds what was durable and what was pending at the cut; its
 * {@link CrashPoint.image} draws one of the states a disk may be left in from a chooser, so a test
 * can take the harshest one ({@link LOSE_ALL}), the kindest ({@link KEEP_ALL}), or seeded draws.
 * Simplifications: unsynced writes to one file reach the disk as a prefix of their sequence (a
 * real disk may keep any subset of pages), and there is one directory.
 */
import { constants as fsConstants } from "node:fs";
import { basename, dirname } from "node:path";
import type { PersisterFileHandle, PersisterFs } from "./persister-fs.js";

/** What a disk holds: file name to contents, in the model's one directory. */
export type DiskImage = ReadonlyMap<string, Buffer>;

/** Picks one of `n` options (0 ≤ result < n): 0 always means "lost", n-1 "kept" (all of it). */
export type CrashChooser = (n: number) => number;

/** The harshest power cut: everything not durable is lost. */
export const LOSE_ALL: CrashChooser = () => 0;
/** The kindest power cut: everything pending reached the disk (the in-flight write whole). */
export const KEEP_ALL: CrashChooser = (n) => n - 1;

/** A seeded chooser (mulberry32): the same seed draws the same power cuts. */
export function seededChooser(seed: number): CrashChooser {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

type DataOp = { readonly kind: "write"; readonly at: number; readonly bytes: Buffer } | { readonly kind: "truncate" };
type DirOp =
  | { readonly kind: "link"; readonly name: string; readonly inode: number }
  | { readonly kind: "unlink"; readonly name: string; readonly inode: number }
  | { readonly kind: "rename"; readonly from: string; readonly to: string; readonly inode: number };

interface Inode {
  /** What reads see. */
  live: Buffer;
  /** What survives any power cut. */
  durable: Buffer;
  /** Applied to `live`, not yet durable, in order. */
  pending: DataOp[];
}

interface OpenFile {
  readonly inode: number | "dir";
  readonly dsync: boolean;
}

/** The state of the disk at one call: what is durable, what is pending, and the write in flight. */
export class CrashPoint {
  /** @internal */
  constructor(
    /** The index of the call the power was cut at (that call did not happen, but for a torn write). */
    readonly callIndex: number,
    /** What that call was, for messages. */
    readonly call: string,
    private readonly inodes: ReadonlyMap<number, { readonly durable: Buffer; readonly pending: readonly DataOp[] }>,
    private readonly durableEntries: ReadonlyMap<string, number>,
    private readonly dirOps: readonly DirOp[],
  ) {}

  /** One state the disk may be left in, each adversarial choice made by `choose`. */
  image(choose: CrashChooser): DiskImage {
    const entries = new Map(this.durableEntries);
    for (const op of this.dirOps) {
      if (choose(2) === 0) continue; // this directory change never reached the disk
      if (op.kind === "link") entries.set(op.name, op.inode);
      else if (op.kind === "unlink") {
        if (entries.get(op.name) === op.inode) entries.delete(op.name);
      } else {
        if (entries.get(op.from) === op.inode) entries.delete(op.from);
        entries.set(op.to, op.inode);
      }
    }
    const contents = new Map<number, Buffer>();
    for (const [id, inode] of this.inodes) {
      let data: Buffer = Buffer.from(inode.durable);
      const kept = choose(inode.pending.length + 1);
      for (let i = 0; i < inode.pending.length && i <= kept; i++) {
        const op = inode.pending[i]!;
        if (i < kept) data = applyOp(data, op);
        else if (op.kind === "write" && i === kept && kept < inode.pending.length) {
          // The first write not kept whole may still be torn: a prefix of it reached the disk.
          const torn = choose(op.bytes.length + 1);
          if (torn > 0) data = applyOp(data, { kind: "write", at: op.at, bytes: op.bytes.subarray(0, torn) });
        }
      }
      contents.set(id, data);
    }
    const image = new Map<string, Buffer>();
    for (const [name, id] of [...entries].sort(([a], [b]) => a.localeCompare(b))) image.set(name, contents.get(id)!);
    return image;
  }
}

function applyOp(data: Buffer, op: DataOp): Buffer {
  if (op.kind === "truncate") return Buffer.alloc(0);
  const end = op.at + op.bytes.length;
  const out = end > data.length ? Buffer.concat([data, Buffer.alloc(end - data.length)]) : Buffer.from(data);
  op.bytes.copy(out, op.at);
  return out;
}

function enoent(call: string, path: string): Error {
  return Object.assign(new Error(`ENOENT: no such file or directory, ${call} '${path}'`), { code: "ENOENT" });
}

/**
 * The disk model: a {@link PersisterFs} over one in-memory directory `dir`. Every call gets an
 * index; `beforeCall` is told of each call before it applies, with the {@link CrashPoint} a power
 * cut there would leave (built lazily: call `crashPoint()` in the hook if the cut is here).
 */
export class PowerCutFs implements PersisterFs {
  private readonly inodes = new Map<number, Inode>();
  private readonly entries = new Map<string, number>();
  private durableEntries = new Map<string, number>();
  private dirOps: DirOp[] = [];
  private readonly fds = new Map<number, OpenFile>();
  private nextInode = 1;
  private nextFd = 3;
  /** How many calls have been made. */
  calls = 0;
  /** What each call was, in order (for tests that check what a workload did). */
  readonly callLog: string[] = [];
  /** Told before each call applies; `crashPoint()` returns what a power cut at this call leaves. */
  beforeCall: ((index: number, crashPoint: () => CrashPoint) => void) | undefined;

  /** A directory `dir` holding `image` (durable, as after a restart), or empty. */
  constructor(readonly dir: string, image: DiskImage = new Map()) {
    for (const [name, bytes] of image) {
      const id = this.nextInode++;
      this.inodes.set(id, { live: Buffer.from(bytes), durable: Buffer.from(bytes), pending: [] });
      this.entries.set(name, id);
    }
    this.durableEntries = new Map(this.entries);
  }

  /** The directory changes made since its last fsync, oldest first. */
  pendingDirOps(): readonly DirOp[] {
    return this.dirOps;
  }

  /** What the directory holds now, as reads see it. */
  liveImage(): DiskImage {
    return new Map([...this.entries].map(([n, id]) => [n, Buffer.from(this.inodes.get(id)!.live)]));
  }

  // ---------------------------------------------------------------------------------------------
  // PersisterFs

  open(path: string, flags: string | number): Promise<PersisterFileHandle> {
    return this.settle(() => {
      const fd = this.openSync(path, flags);
      return {
        write: (buffer, offset, length, position) => this.settle(() => this.writeSync(fd, buffer, offset, length, position)),
        writeSync: (buffer, offset, length, position) => this.writeSync(fd, buffer, offset, length, position),
        sync: () => this.settle(() => this.fsyncSync(fd)),
        close: () => this.settle(() => this.closeSync(fd)),
      };
    });
  }

  rename(from: string, to: string): Promise<void> {
    return this.settle(() => this.renameSync(from, to));
  }

  unlink(path: string): Promise<void> {
    return this.settle(() => this.unlinkSync(path));
  }

  mkdirSync(path: string): void {
    this.enter(`mkdir ${path}`);
    if (path !== this.dir) throw new Error(`PowerCutFs models the one directory ${this.dir}, not ${path}`);
  }

  readdirSync(path: string): string[] {
    this.enter(`readdir ${path}`);
    if (path !== this.dir) throw enoent("scandir", path);
    return [...this.entries.keys()].sort();
  }

  readFileSync(path: string): Buffer {
    this.enter(`read ${path}`);
    const id = this.entries.get(this.name(path));
    if (id === undefined) throw enoent("open", path);
    return Buffer.from(this.inodes.get(id)!.live);
  }

  openSync(path: string, flags: string | number): number {
    this.enter(`open ${path} ${String(flags)}`);
    const fd = this.nextFd++;
    if (path === this.dir) {
      if (flags !== "r") throw new Error(`PowerCutFs: a directory opens with "r" only, not ${String(flags)}`);
      this.fds.set(fd, { inode: "dir", dsync: false });
      return fd;
    }
    const name = this.name(path);
    let id = this.entries.get(name);
    if (flags === "w") {
      if (id === undefined) {
        id = this.nextInode++;
        this.inodes.set(id, { live: Buffer.alloc(0), durable: Buffer.alloc(0), pending: [] });
        this.entries.set(name, id);
        this.dirOps.push({ kind: "link", name, inode: id });
      } else {
        const inode = this.inodes.get(id)!;
        inode.live = Buffer.alloc(0);
        inode.pending.push({ kind: "truncate" });
      }
    } else if (id === undefined) {
      throw enoent("open", path);
    } else if (flags !== "r" && flags !== "r+" && typeof flags !== "number") {
      throw new Error(`PowerCutFs: unmodelled open flags ${flags}`);
    }
    this.fds.set(fd, { inode: id, dsync: typeof flags === "number" && (flags & fsConstants.O_DSYNC) !== 0 });
    return fd;
  }

  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number {
    this.enter(`write fd ${fd} ${length} B at ${position}`, () => ({ fd, bytes: Buffer.from(buffer.subarray(offset, offset + length)), at: position }));
    const file = this.file(fd);
    if (file.inode === "dir") throw new Error("PowerCutFs: cannot write a directory");
    const inode = this.inodes.get(file.inode)!;
    const op: DataOp = { kind: "write", at: position, bytes: Buffer.from(buffer.subarray(offset, offset + length)) };
    inode.live = applyOp(inode.live, op);
    if (file.dsync) {
      inode.durable = Buffer.from(inode.live); // O_DSYNC: the data (all of it) is on disk when the write returns
      inode.pending = [];
    } else inode.pending.push(op);
    return length;
  }

  fsyncSync(fd: number): void {
    this.enter(`fsync fd ${fd}`);
    const file = this.file(fd);
    if (file.inode === "dir") {
      this.durableEntries = new Map(this.entries);
      this.dirOps = [];
    } else {
      const inode = this.inodes.get(file.inode)!;
      inode.durable = Buffer.from(inode.live);
      inode.pending = [];
    }
  }

  closeSync(fd: number): void {
    this.enter(`close fd ${fd}`);
    this.file(fd);
    this.fds.delete(fd);
  }

  renameSync(from: string, to: string): void {
    this.enter(`rename ${from} ${to}`);
    const [f, t] = [this.name(from), this.name(to)];
    const id = this.entries.get(f);
    if (id === undefined) throw enoent("rename", from);
    this.entries.delete(f);
    this.entries.set(t, id);
    this.dirOps.push({ kind: "rename", from: f, to: t, inode: id });
  }

  unlinkSync(path: string): void {
    this.enter(`unlink ${path}`);
    const name = this.name(path);
    const id = this.entries.get(name);
    if (id === undefined) throw enoent("unlink", path);
    this.entries.delete(name);
    this.dirOps.push({ kind: "unlink", name, inode: id });
  }

  // ---------------------------------------------------------------------------------------------

  /** An asynchronous call: applied at once (deterministically), its result delivered as a promise. */
  private settle<T>(apply: () => T): Promise<T> {
    try {
      return Promise.resolve(apply());
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }

  /** Counts a call and lets `beforeCall` see the crash point before it (with the write in flight, if it is one). */
  private enter(call: string, inFlight?: () => { fd: number; bytes: Buffer; at: number }): void {
    const index = this.calls++;
    this.callLog.push(call);
    this.beforeCall?.(index, () => {
      const inodes = new Map<number, { durable: Buffer; pending: DataOp[] }>();
      for (const [id, inode] of this.inodes) inodes.set(id, { durable: inode.durable, pending: [...inode.pending] });
      const write = inFlight?.();
      const target = write === undefined ? undefined : this.fds.get(write.fd)?.inode;
      if (write !== undefined && typeof target === "number") inodes.get(target)!.pending.push({ kind: "write", at: write.at, bytes: write.bytes });
      return new CrashPoint(index, call, inodes, new Map(this.durableEntries), [...this.dirOps]);
    });
  }

  private name(path: string): string {
    if (dirname(path) !== this.dir) throw new Error(`PowerCutFs models the one directory ${this.dir}; ${path} is outside it`);
    return basename(path);
  }

  private file(fd: number): OpenFile {
    const file = this.fds.get(fd);
    if (file === undefined) throw Object.assign(new Error(`EBADF: bad file descriptor ${fd}`), { code: "EBADF" });
    return file;
  }
}
