/**
 * The file-system calls a {@link FilePersister} makes, behind a narrow interface: the real node
 * uses node:fs ({@link nodePersisterFs}); a test can put a model of the disk in its place (see
 * power-cut-fs.ts, which models what a power cut leaves).
 *
 * Only what the persister uses is here: positional writes, fsync, rename and unlink while it runs
 * (asynchronous, but for the flush loop's WAL appends), and the synchronous calls of recovery,
 * which runs once before the node starts.
 * A directory is fsynced by opening it with flags "r" and calling `sync()` (or `fsyncSync`).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { open, rename, unlink } from "node:fs/promises";

/** An open file (or directory, for its fsync): the part of node's FileHandle the persister uses. */
export interface PersisterFileHandle {
  /** Writes `length` bytes of `buffer` from `offset` at file position `position`. */
  write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<unknown>;
  /** The same write, synchronously (the WAL's appends: see FilePersister's flush loop). */
  writeSync(buffer: Uint8Array, offset: number, length: number, position: number): number;
  /** fsync: the file's data (or the directory's entries) are durable when it resolves. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** The file-system calls of {@link FilePersister}; `flags` as node:fs takes them ("w", "r", "r+", or numeric O_* flags). */
export interface PersisterFs {
  open(path: string, flags: string | number): Promise<PersisterFileHandle>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  mkdirSync(path: string, options: { recursive: true }): void;
  readdirSync(path: string): string[];
  /** Throws an error with `code: "ENOENT"` if the file is missing. */
  readFileSync(path: string): Buffer;
  openSync(path: string, flags: string | number): number;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
}

/** The real file system (node:fs): what every node of a real cluster uses. */
export const nodePersisterFs: PersisterFs = {
  open: async (path, flags) => {
    const fh = await open(path, flags);
    return {
      write: (buffer, offset, length, position) => fh.write(buffer, offset, length, position),
      writeSync: (buffer, offset, length, position) => writeSync(fh.fd, buffer, offset, length, position),
      sync: () => fh.sync(),
      close: () => fh.close(),
    };
  },
  rename,
  unlink,
  mkdirSync: (path, options) => void mkdirSync(path, options),
  readdirSync: (path) => readdirSync(path),
  readFileSync: (path) => readFileSync(path),
  openSync: (path, flags) => openSync(path, flags),
  writeSync: (fd, buffer, offset, length, position) => writeSync(fd, buffer, offset, length, position),
  fsyncSync,
  closeSync,
  renameSync,
  unlinkSync,
};
