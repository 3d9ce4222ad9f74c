/**
 * A Raft {@link Persister} on disk: what a node of a real cluster saves its Raft state and its
 * service's snapshot in, so that it restarts where it stopped.
 *
 * Raft hands the persister its whole state on every save, and a save must be durable before any
 * message that depends on it leaves the node. Rewriting the state file on every save would cost
 * two fsyncs and a directory fsync each time (about 13 ms on this machine kind), so the state lives
 * in two kinds of file:
 *
 * - `state`: a checkpoint, replaced atomically (write `state.tmp`, fsync, rename, fsync the
 *   directory): magic `RLSTATE1`, a CRC-protected JSON header (format, node id, peers,
 *   generation g, length and CRC of the Raft state, and the snapshot file it names), then the
 *   Raft state bytes.
 * - `wal-<g>`: the saves since checkpoint g, appended in place to a file filled with zeros in
 *   advance and opened O_DSYNC (so an append is one synchronized write, 0.2-0.4 ms here): magic
 *   `RLWAL001`, then records `[u32 length][u32 crc32][u32 keep][suffix]`, each meaning "the new state is the first `keep`
 *   bytes of the previous one followed by `suffix`" (Raft's encoding changes at its end when
 *   entries are appended, so a record is small). A length of 0 ends the log.
 * - `snapshot-<g>`: the snapshot named by checkpoint g (written via a temp file, fsync, rename).
 *
 * Crash safety (a `kill -9` or a power cut at any instant): a save is reported durable only after
 * its record's synchronized write has returned, or after the checkpoint holding it has been
 * renamed into place and the directory fsynced; the files a checkpoint names (its WAL, its snapshot) are durable before the
 * checkpoint is renamed; old files are deleted only after. So recovery finds either the old
 * checkpoint with its WAL or the new one with its WAL, and in the WAL every record up to the last
 * durable one. A record torn by a crash (a bad CRC followed by nothing but zeros within its own
 * extent) was never reported durable: it is dropped (and zeroed, so it cannot come back). Anything
 * else that does not check out (a bad checkpoint, a missing file, a bad record followed by more
 * data) is corruption: the persister refuses to open the directory, with a message, and never
 * writes to it. So does a directory made for another node id or another cluster size.
 *
 * Group commit: saves only update memory (copying in what changed) and bump a sequence number;
 * at the end of the turn, after the turn's messages have left (`end-of-turn.ts`), one flush writes
 * the latest state (one record, one synchronized write, made synchronously: see the flush loop)
 * however many saves came since the last one. The persister is the node's {@link SendGate}:
 * messages made after a save wait for that save's flush; `whenDurable` tells Raft when its saves
 * are durable.
 *
 * Checkpoints off the write path, as far as they can be: a checkpoint's snapshot and state files
 * are written side by side, and saves made meanwhile go on being appended to the next generation's
 * WAL (relative to the checkpoint's state), so they are durable the moment the checkpoint is. They
 * are not reported durable before it: the checkpoint holds the snapshot they depend on.
 */
import { constants as fsConstants } from "node:fs";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { MemoryPersister, type Persister } from "../raft/persister.js";
import { epochMs, type StorageTimings } from "./node-metrics.js";
import { nodePersisterFs, type PersisterFileHandle, type PersisterFs } from "./persister-fs.js";
import type { SendGate } from "./send-gate.js";
import { atEndOfTurn } from "./end-of-turn.js";

/** The data directory cannot be used: corrupt, another node's, or not a raftlab directory. */
export class DataDirError extends Error {
  override readonly name = "DataDirError";
}

/** Who a data directory belongs to: a node id (1..N) in a cluster of `peers`. */
export interface NodeIdentity {
  readonly id: number;
  /** The peer addresses, in id order. */
  readonly peers: readonly string[];
}

/** Options of {@link FilePersister.open}. */
export interface FilePersisterOptions {
  /** Size of each WAL file, filled with zeros in advance (default 2 MiB). */
  readonly walBytes?: number;
  /** Called once if a write fails: the node can no longer keep its promises and must stop. */
  readonly onError?: (error: Error) => void;
  /** Called with notes worth a log line (a torn record dropped, peers that changed address). */
  readonly note?: (message: string) => void;
  /** Told how long each WAL write and each checkpoint took (for `GET /metrics`). */
  readonly timings?: StorageTimings;
  /** The file system to use (default: node:fs); tests pass a model of a disk that loses power. */
  readonly fs?: PersisterFs;
}

const FORMAT = 1;
const STATE_MAGIC = Buffer.from("RLSTATE1");
const WAL_MAGIC = Buffer.from("RLWAL001");
const STATE_FILE = "state";
const RECORD_HEADER = 8;
const DEFAULT_WAL_BYTES = 2 * 1024 * 1024;
/**
 * The WAL is opened for synchronized data writes: each positional write returns once its bytes are
 * on disk (an fdatasync in the same system call), one trip to libuv's thread pool instead of two.
 */
const WAL_FLAGS = fsConstants.O_RDWR | fsConstants.O_DSYNC;
/** File names this persister owns; anything else in a directory without `state` means "not ours". */
const OURS = /^(state|state\.tmp|wal-\d+(\.tmp)?|snapshot-\d+(\.tmp)?)$/;

/** What the checkpoint's header says. */
interface Checkpoint {
  readonly format: number;
  readonly id: number;
  readonly peers: readonly string[];
  readonly gen: number;
  readonly raftStateBytes: number;
  readonly raftStateCrc: number;
  readonly snapshot: { readonly gen: number; readonly bytes: number; readonly crc: number } | null;
}

/** The persister of one node's data directory; see the module comment. */
export class FilePersister implements Persister, SendGate {
  /**
   * The latest saved Raft state is `current[0, currentLength)`: a buffer updated in place, since a
   * save usually changes only the end of the state (new entries), so a save copies what changed,
   * not the whole state.
   */
  private current: Uint8Array;
  private currentLength: number;
  private snapshot: Uint8Array;
  /** The snapshot array last passed to save(), to tell a new snapshot from the same one again (none yet: undefined). */
  private lastSnapshotIn: Uint8Array | null | undefined = undefined;
  private snapshotDirty = false;
  private snapshotRef: Checkpoint["snapshot"];
  /**
   * How many leading bytes of the current state equal the state the WAL (or the checkpoint) holds,
   * the base of the next record: the next record keeps that many bytes and carries the rest.
   */
  private unchangedPrefix: number;
  private gen: number;
  private wal: PersisterFileHandle | undefined;
  private walOffset: number;
  /** The next WAL file, being filled with zeros in the background. */
  private spare: Promise<void> | undefined;
  private savedSeq = 0;
  private durableSeq = 0;
  private flushing: Promise<void> | undefined;
  private failure: Error | undefined;
  private closed = false;
  private readonly listeners = new Set<() => void>();
  /** Resolves the wait of a checkpoint that appends meanwhile for the next save (see {@link checkpoint}). */
  private saveSignal: (() => void) | undefined;
  /** Callbacks of {@link whenDurable}, each waiting for the save `seq`; seqs never decrease. */
  private readonly waiters: { readonly seq: number; readonly fn: () => void }[] = [];

  private constructor(
    readonly dir: string,
    private readonly identity: NodeIdentity,
    private readonly walBytes: number,
    private readonly onError: (error: Error) => void,
    private readonly timings: StorageTimings | undefined,
    private readonly fs: PersisterFs,
    recovered: { raftState: Uint8Array; snapshot: Uint8Array; snapshotRef: Checkpoint["snapshot"]; gen: number; walOffset: number },
  ) {
    this.current = recovered.raftState.slice();
    this.currentLength = recovered.raftState.length;
    this.unchangedPrefix = this.currentLength;
    this.snapshot = recovered.snapshot;
    this.snapshotRef = recovered.snapshotRef;
    this.gen = recovered.gen;
    this.walOffset = recovered.walOffset;
  }

  /**
   * Opens (or, if it is empty or missing, initializes) the data directory of node `identity.id`,
   * recovering the state it holds. Throws {@link DataDirError} naming the problem if the directory
   * cannot be used. Recovery reads synchronously: it runs once, before the node starts.
   */
  static async open(dir: string, identity: NodeIdentity, options: FilePersisterOptions = {}): Promise<FilePersister> {
    const walBytes = options.walBytes ?? DEFAULT_WAL_BYTES;
    const note = options.note ?? (() => {});
    const fs = options.fs ?? nodePersisterFs;
    const recovered = recoverOrInit(fs, dir, identity, walBytes, note);
    const onError = options.onError ?? ((e) => {
      throw e;
    });
    const p = new FilePersister(dir, identity, walBytes, onError, options.timings, fs, recovered);
    p.wal = await fs.open(join(dir, `wal-${recovered.gen}`), WAL_FLAGS);
    p.spare = p.prepareWal(recovered.gen + 1);
    return p;
  }

  // ---------------------------------------------------------------------------------------------
  // Persister

  readRaftState(): Uint8Array {
    return this.current.slice(0, this.currentLength);
  }

  raftStateSize(): number {
    return this.currentLength;
  }

  readSnapshot(): Uint8Array {
    return this.snapshot.slice();
  }

  snapshotSize(): number {
    return this.snapshot.length;
  }

  /** Records the new state at once (reads see it) and writes it in the background (see {@link SendGate}). */
  save(raftState: Uint8Array, snapshot: Uint8Array | null): void {
    if (!(raftState instanceof Uint8Array)) throw new TypeError("FilePersister.save: raftState must be a Uint8Array");
    if (snapshot !== null && !(snapshot instanceof Uint8Array)) {
      throw new TypeError("FilePersister.save: snapshot must be a Uint8Array or null");
    }
    if (this.closed) throw new Error(`FilePersister.save: the persister of ${this.dir} is closed`);
    // Copy in only what changed since the last save (callers may reuse their array: we keep no reference).
    const keep = commonPrefix(this.current.subarray(0, this.currentLength), raftState);
    if (raftState.length > this.current.length) {
      const bigger = new Uint8Array(Math.max(2 * this.current.length, raftState.length, 1024));
      bigger.set(this.current.subarray(0, keep));
      this.current = bigger;
    }
    this.current.set(raftState.subarray(keep), keep);
    this.currentLength = raftState.length;
    this.unchangedPrefix = Math.min(this.unchangedPrefix, keep);
    if (snapshot !== this.lastSnapshotIn) {
      this.lastSnapshotIn = snapshot;
      const next = snapshot ?? new Uint8Array(0);
      if (!Buffer.from(next.buffer, next.byteOffset, next.length).equals(this.snapshot)) {
        this.snapshot = next.slice();
        this.snapshotDirty = true;
      }
    }
    this.savedSeq++;
    this.saveSignal?.();
    this.scheduleFlush();
  }

  /**
   * Starts the group commit loop at the end of this turn, after the turn's messages have left
   * (end-of-turn.ts): one WAL write then covers every save of the turn, and a leader's
   * AppendEntries are on the wire before the synchronous write blocks the thread.
   */
  private scheduleFlush(): void {
    if (this.flushing !== undefined) return;
    this.flushing = new Promise<void>((resolve) =>
      atEndOfTurn("disk", () => {
        void this.flush().finally(() => {
          this.flushing = undefined;
          resolve();
          // Saves made after the loop's last look (by a callback it called) start the next one.
          if (this.durableSeq < this.savedSeq && this.failure === undefined && !this.closed) this.scheduleFlush();
        });
      }),
    );
  }

  /** Calls `fn` once every save made so far is durable (at once if they are). */
  whenDurable(fn: () => void): void {
    if (this.durableSeq >= this.savedSeq) fn();
    else this.waiters.push({ seq: this.savedSeq, fn });
  }

  /** An in-memory persister holding the same saved state. */
  copy(): Persister {
    return new MemoryPersister(this.readRaftState(), this.snapshot.slice());
  }

  // ---------------------------------------------------------------------------------------------
  // SendGate

  ticket(): number {
    return this.savedSeq;
  }

  durable(): number {
    return this.durableSeq;
  }

  onDurable(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Waits until everything saved so far is durable; rejects if a write failed. */
  async sync(): Promise<void> {
    while (this.flushing !== undefined) await this.flushing;
    if (this.failure !== undefined) throw this.failure;
  }

  /** Writes what is pending, then closes the files; later saves throw. */
  async close(): Promise<void> {
    try {
      await this.sync();
    } finally {
      this.closed = true;
      await this.spare?.catch(() => {});
      await this.wal?.close();
      this.wal = undefined;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Writing

  /**
   * The group commit loop, run at the end of a turn ({@link scheduleFlush}): writes the latest state
   * until nothing saved is left unwritten, or until a checkpoint was written (then the next turn goes on).
   */
  private async flush(): Promise<void> {
    try {
      while (this.durableSeq < this.savedSeq && this.failure === undefined) {
        const seq = this.savedSeq;
        const snapshotChanged = this.snapshotDirty;
        this.snapshotDirty = false;
        // The record turning the written state into the current one; saves made while it is written
        // are measured against the current state, which it makes the written one.
        const keep = this.unchangedPrefix;
        const record = deltaRecord(keep, this.current.subarray(keep, this.currentLength));
        this.unchangedPrefix = this.currentLength;
        const start = epochMs();
        let durable = seq;
        const checkpointed = snapshotChanged || this.walOffset + record.length > this.walBytes;
        if (checkpointed) {
          durable = await this.checkpoint(seq, this.readRaftState(), this.snapshot, snapshotChanged);
          this.timings?.checkpoint(start, epochMs() - start);
        } else {
          // Synchronous on purpose: what depends on this save waits for it anyway, and the
          // messages that need not wait are already on their sockets (end-of-turn.ts). One system
          // call (O_DSYNC: durable on return) costs less, and waits less for a core when both are
          // busy, than a trip to libuv's thread pool and back (two thread wake-ups).
          this.wal!.writeSync(record, 0, record.length, this.walOffset);
          this.walOffset += record.length;
          this.timings?.wal(start, epochMs() - start);
        }
        this.durableSeq = durable;
        this.callWaiters();
        for (const fn of this.listeners) fn();
        // After the awaits of a checkpoint, the next write waits for the end of a turn again.
        if (checkpointed) break;
      }
    } catch (e) {
      this.failure = new Error(`cannot write the Raft state in ${this.dir}: ${(e as Error).message}`, { cause: e });
      this.onError(this.failure);
    }
  }

  /** Calls the {@link whenDurable} callbacks whose saves are now durable, in order. */
  private callWaiters(): void {
    let n = 0;
    while (n < this.waiters.length && this.waiters[n]!.seq <= this.durableSeq) n++;
    for (const { fn } of this.waiters.splice(0, n)) {
      try {
        fn();
      } catch (e) {
        // Not a write failure: the caller's bug, reported as one, once.
        this.onError(new Error(`a callback waiting for a durable save failed: ${(e as Error).message}`, { cause: e }));
      }
    }
  }

  /** Starts generation gen+1: the snapshot (if new), then the checkpoint naming it and a fresh WAL. */
  /**
   * Starts generation gen+1 from `state`, the state of save `seq`: the snapshot (if new), the
   * checkpoint naming it, and the next WAL. Saves made while the checkpoint is written go on being
   * appended, to the next WAL (records relative to `state`, so they count only once the checkpoint
   * is in place: a crash before leaves the old generation, which never names that WAL), until the
   * checkpoint is durable, another snapshot comes, or the WAL is full. Returns the last save that
   * is durable when the new generation is.
   */
  private async checkpoint(seq: number, state: Uint8Array, snapshot: Uint8Array, snapshotChanged: boolean): Promise<number> {
    const gen = this.gen + 1;
    let done = false;
    const written = this.writeCheckpoint(gen, state, snapshot, snapshotChanged).finally(() => {
      done = true;
    });
    written.catch(() => {}); // awaited below, after the appends
    await this.spare; // wal-<gen>, renamed into place
    const next = await this.fs.open(join(this.dir, `wal-${gen}`), WAL_FLAGS);
    let offset = WAL_MAGIC.length;
    let durable = seq;
    for (;;) {
      if (done || this.snapshotDirty || this.failure !== undefined) break;
      if (this.savedSeq === durable) {
        await Promise.race([written, new Promise<void>((resolve) => (this.saveSignal = resolve))]);
        this.saveSignal = undefined;
        continue;
      }
      const upTo = this.savedSeq;
      const keep = this.unchangedPrefix;
      const record = deltaRecord(keep, this.current.subarray(keep, this.currentLength));
      if (offset + record.length > this.walBytes) break; // the flush loop starts another generation
      this.unchangedPrefix = this.currentLength;
      const start = epochMs();
      await next.write(record, 0, record.length, offset); // O_DSYNC; durable once the checkpoint is
      this.timings?.wal(start, epochMs() - start);
      offset += record.length;
      durable = upTo;
    }
    const ref = await written;
    // Generation `gen` is now the durable one, with what was appended to its WAL; the old files are garbage.
    const oldGen = this.gen;
    const oldSnapshot = this.snapshotRef;
    await this.wal?.close();
    this.wal = next;
    this.gen = gen;
    this.walOffset = offset;
    this.snapshotRef = ref;
    await this.fs.unlink(join(this.dir, `wal-${oldGen}`)).catch(() => {});
    if (oldSnapshot !== null && oldSnapshot.gen !== ref?.gen) await this.fs.unlink(join(this.dir, `snapshot-${oldSnapshot.gen}`)).catch(() => {});
    this.spare = this.prepareWal(gen + 1);
    return durable;
  }

  /** Writes checkpoint `gen` (and its snapshot, if new) and makes it the durable one; returns its snapshot reference. */
  private async writeCheckpoint(gen: number, state: Uint8Array, snapshot: Uint8Array, snapshotChanged: boolean): Promise<Checkpoint["snapshot"]> {
    let ref = this.snapshotRef;
    if (snapshotChanged) ref = snapshot.length === 0 ? null : { gen, bytes: snapshot.length, crc: crc32(snapshot) };
    const header: Checkpoint = { format: FORMAT, id: this.identity.id, peers: this.identity.peers, gen, raftStateBytes: state.length, raftStateCrc: crc32(state), snapshot: ref };
    // The data of the new snapshot and of the new checkpoint are written and fsynced side by side
    // (syncs to different files overlap), while the next WAL is ready (wal-<gen>, renamed into place).
    const newSnapshot = snapshotChanged && ref !== null;
    await Promise.all([
      newSnapshot ? writeTempFile(this.fs, this.dir, `snapshot-${gen}`, snapshot) : undefined,
      writeTempFile(this.fs, this.dir, STATE_FILE, encodeCheckpoint(header, state)),
      this.spare,
    ]);
    if (newSnapshot) await this.fs.rename(join(this.dir, `snapshot-${gen}.tmp`), join(this.dir, `snapshot-${gen}`));
    await fsyncDirAsync(this.fs, this.dir); // the snapshot's and the WAL's names are durable before the checkpoint naming them
    await this.fs.rename(join(this.dir, `${STATE_FILE}.tmp`), join(this.dir, STATE_FILE));
    await fsyncDirAsync(this.fs, this.dir);
    return ref;
  }

  /** Writes `wal-<gen>` full of zeros (via a temp file, fsynced), ready for the next checkpoint. */
  private prepareWal(gen: number): Promise<void> {
    const body = Buffer.alloc(this.walBytes);
    WAL_MAGIC.copy(body, 0);
    const done = writeFileAtomically(this.fs, this.dir, `wal-${gen}`, body);
    // A failure surfaces where the next checkpoint awaits it, not as an unhandled rejection.
    done.catch(() => {});
    return done;
  }
}

// -----------------------------------------------------------------------------------------------
// Encoding

/** The record "keep the first `keep` bytes of the previous state, then append `suffix`". */
function deltaRecord(keep: number, suffix: Uint8Array): Buffer {
  const payload = 4 + suffix.length;
  const record = Buffer.allocUnsafe(RECORD_HEADER + payload);
  record.writeUInt32BE(payload, 0);
  record.writeUInt32BE(keep, RECORD_HEADER);
  record.set(suffix, RECORD_HEADER + 4);
  record.writeUInt32BE(crc32(record.subarray(RECORD_HEADER)), 4);
  return record;
}

/** Length of the common prefix of `a` and `b`, compared natively in blocks. */
function commonPrefix(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  const A = Buffer.from(a.buffer, a.byteOffset, a.length);
  const B = Buffer.from(b.buffer, b.byteOffset, b.length);
  // The usual case: `b` extends `a` but for its last two bytes (Raft's encoding closes with "]]").
  let i = 0;
  if (n >= 2 && A.compare(B, 0, n - 2, 0, n - 2) === 0) i = n - 2;
  const BLOCK = 4096;
  while (i + BLOCK <= n && A.compare(B, i, i + BLOCK, i, i + BLOCK) === 0) i += BLOCK;
  while (i < n && A[i] === B[i]) i++;
  return i;
}

function encodeCheckpoint(header: Checkpoint, state: Uint8Array): Buffer {
  const meta = Buffer.from(JSON.stringify(header));
  const out = Buffer.alloc(STATE_MAGIC.length + 8 + meta.length + state.length);
  let at = STATE_MAGIC.copy(out, 0);
  at = out.writeUInt32BE(meta.length, at);
  at += meta.copy(out, at);
  at = out.writeUInt32BE(crc32(meta), at);
  out.set(state, at);
  return out;
}

function decodeCheckpoint(bytes: Buffer, where: string): { header: Checkpoint; state: Uint8Array } {
  const corrupt = (why: string): DataDirError => new DataDirError(`${where} is corrupt (${why})`);
  if (bytes.length < STATE_MAGIC.length + 8 || !bytes.subarray(0, STATE_MAGIC.length).equals(STATE_MAGIC)) {
    throw corrupt("it does not start with the raftlab state magic");
  }
  const metaLength = bytes.readUInt32BE(STATE_MAGIC.length);
  const metaStart = STATE_MAGIC.length + 4;
  if (metaStart + metaLength + 4 > bytes.length) throw corrupt("its header is cut short");
  const meta = bytes.subarray(metaStart, metaStart + metaLength);
  if (crc32(meta) !== bytes.readUInt32BE(metaStart + metaLength)) throw corrupt("its header's checksum does not match");
  const header = JSON.parse(meta.toString("utf8")) as Checkpoint;
  if (header.format !== FORMAT) throw corrupt(`format ${String(header.format)}, expected ${FORMAT}`);
  const state = bytes.subarray(metaStart + metaLength + 4);
  if (state.length !== header.raftStateBytes || crc32(state) !== header.raftStateCrc) {
    throw corrupt("the Raft state's length or checksum does not match its header");
  }
  return { header, state: new Uint8Array(state) };
}

// -----------------------------------------------------------------------------------------------
// Recovery (synchronous: it runs before the node starts)

function recoverOrInit(
  fs: PersisterFs,
  dir: string,
  identity: NodeIdentity,
  walBytes: number,
  note: (message: string) => void,
): { raftState: Uint8Array; snapshot: Uint8Array; snapshotRef: Checkpoint["snapshot"]; gen: number; walOffset: number } {
  let names: string[];
  try {
    fs.mkdirSync(dir, { recursive: true });
    names = fs.readdirSync(dir);
  } catch (e) {
    throw new DataDirError(`cannot use data directory ${dir}: ${(e as Error).message}`, { cause: e });
  }
  const refuse = (why: string): DataDirError =>
    new DataDirError(
      `data directory ${dir}: ${why}. Refusing to start, and leaving the directory untouched. ` +
        `If this node's state is lost, move the directory aside and start the node with an empty one: it will catch up from its peers.`,
    );
  if (!names.includes(STATE_FILE)) {
    const foreign = names.filter((n) => !OURS.test(n));
    if (foreign.length > 0) {
      throw new DataDirError(
        `data directory ${dir} is not empty and holds no raftlab state (it has ${foreign.slice(0, 5).join(", ")}${foreign.length > 5 ? ", ..." : ""}): ` +
          `refusing to write into it. Pass an empty or new directory to --data.`,
      );
    }
    // Empty, or what a crash during initialization left: start generation 1 with no state.
    for (const n of names) fs.unlinkSync(join(dir, n));
    const wal = Buffer.alloc(walBytes);
    WAL_MAGIC.copy(wal, 0);
    writeFileAtomicallySync(fs, dir, "wal-1", wal);
    fsyncDirSync(fs, dir);
    const header: Checkpoint = { format: FORMAT, id: identity.id, peers: identity.peers, gen: 1, raftStateBytes: 0, raftStateCrc: crc32(new Uint8Array(0)), snapshot: null };
    writeFileAtomicallySync(fs, dir, STATE_FILE, encodeCheckpoint(header, new Uint8Array(0)));
    fsyncDirSync(fs, dir);
    return { raftState: new Uint8Array(0), snapshot: new Uint8Array(0), snapshotRef: null, gen: 1, walOffset: WAL_MAGIC.length };
  }

  const read = (name: string): Buffer => {
    try {
      return fs.readFileSync(join(dir, name));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw code === "ENOENT" ? refuse(`the checkpoint names ${name}, which is missing`) : refuse(`cannot read ${name}: ${(e as Error).message}`);
    }
  };
  let checkpoint: { header: Checkpoint; state: Uint8Array };
  try {
    checkpoint = decodeCheckpoint(read(STATE_FILE), `${join(dir, STATE_FILE)}`);
  } catch (e) {
    if (e instanceof DataDirError) throw refuse(e.message.replace(`data directory ${dir}: `, ""));
    throw refuse(`${STATE_FILE} is corrupt (${(e as Error).message})`);
  }
  const { header } = checkpoint;
  if (header.id !== identity.id) {
    throw refuse(`it belongs to node ${header.id}, not to node ${identity.id}; start node ${identity.id} with its own directory`);
  }
  if (header.peers.length !== identity.peers.length) {
    throw refuse(`it belongs to a cluster of ${header.peers.length} nodes (${header.peers.join(",")}), and this node was started with ${identity.peers.length}`);
  }
  const moved = header.peers.filter((a, i) => a !== identity.peers[i]);
  if (moved.length > 0) note(`peer addresses differ from the ones this directory was made with (${header.peers.join(",")}); using the new ones`);

  let snapshot = new Uint8Array(0);
  if (header.snapshot !== null) {
    const bytes = read(`snapshot-${header.snapshot.gen}`);
    if (bytes.length !== header.snapshot.bytes || crc32(bytes) !== header.snapshot.crc) {
      throw refuse(`snapshot-${header.snapshot.gen} does not match the length and checksum its checkpoint records`);
    }
    snapshot = new Uint8Array(bytes);
  }

  const walName = `wal-${header.gen}`;
  const wal = read(walName);
  if (wal.length < WAL_MAGIC.length || !wal.subarray(0, WAL_MAGIC.length).equals(WAL_MAGIC)) {
    throw refuse(`${walName} does not start with the raftlab WAL magic`);
  }
  let state = checkpoint.state;
  let at = WAL_MAGIC.length;
  let records = 0;
  for (;;) {
    if (at + RECORD_HEADER > wal.length) break;
    const length = wal.readUInt32BE(at);
    if (length === 0) break;
    const end = at + RECORD_HEADER + length;
    const payload = end <= wal.length ? wal.subarray(at + RECORD_HEADER, end) : undefined;
    if (payload === undefined || length < 4 || crc32(payload) !== wal.readUInt32BE(at + 4)) {
      // A torn append leaves a prefix of one record and zeros after it; anything else is damage.
      const lastNonZero = lastNonZeroByte(wal, at);
      if (end > wal.length || lastNonZero >= end) {
        throw refuse(`${walName} has a damaged record at byte ${at} followed by more data (not a torn last write)`);
      }
      note(`dropped a torn record at byte ${at} of ${walName} (a write cut short by a crash, never reported durable)`);
      const fd = fs.openSync(join(dir, walName), "r+");
      try {
        fs.writeSync(fd, Buffer.alloc(lastNonZero + 1 - at), 0, lastNonZero + 1 - at, at);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      break;
    }
    const keep = payload.readUInt32BE(0);
    if (keep > state.length) throw refuse(`${walName} has a record at byte ${at} that keeps ${keep} bytes of a ${state.length}-byte state`);
    const next = new Uint8Array(keep + payload.length - 4);
    next.set(state.subarray(0, keep), 0);
    next.set(payload.subarray(4), keep);
    state = next;
    at = end;
    records++;
  }
  // Left over from an interrupted checkpoint or an old generation: never named by the checkpoint.
  for (const n of names) {
    const stale = n.endsWith(".tmp") || (n.startsWith("wal-") && n !== walName) || (n.startsWith("snapshot-") && n !== `snapshot-${header.snapshot?.gen}`);
    if (stale && OURS.test(n)) fs.unlinkSync(join(dir, n));
  }
  note(`recovered generation ${header.gen}: ${state.length} B of Raft state (${records} WAL records), ${snapshot.length} B snapshot`);
  return { raftState: state, snapshot, snapshotRef: header.snapshot, gen: header.gen, walOffset: at };
}

/** Index of the last non-zero byte of `buf` at or after `from`, or `from - 1` if there is none. */
function lastNonZeroByte(buf: Buffer, from: number): number {
  for (let i = buf.length - 1; i >= from; i--) if (buf[i] !== 0) return i;
  return from - 1;
}

// -----------------------------------------------------------------------------------------------
// Atomic file replacement

/** Writes `name` in `dir` atomically: a temp file, fsync, rename (the caller fsyncs the directory). */
async function writeFileAtomically(fs: PersisterFs, dir: string, name: string, data: Uint8Array): Promise<void> {
  await writeTempFile(fs, dir, name, data);
  await fs.rename(join(dir, `${name}.tmp`), join(dir, name));
}

/** Writes `<name>.tmp` in `dir` and fsyncs it: ready to be renamed to `name`. */
async function writeTempFile(fs: PersisterFs, dir: string, name: string, data: Uint8Array): Promise<void> {
  const fh = await fs.open(join(dir, `${name}.tmp`), "w");
  try {
    await fh.write(data, 0, data.length, 0);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function writeFileAtomicallySync(fs: PersisterFs, dir: string, name: string, data: Uint8Array): void {
  const tmp = join(dir, `${name}.tmp`);
  const fd = fs.openSync(tmp, "w");
  try {
    fs.writeSync(fd, data, 0, data.length, 0);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, join(dir, name));
}

async function fsyncDirAsync(fs: PersisterFs, dir: string): Promise<void> {
  const fh = await fs.open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function fsyncDirSync(fs: PersisterFs, dir: string): void {
  const fd = fs.openSync(dir, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
