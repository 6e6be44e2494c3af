/**
 * Atomic file writes (Node, Deno, Bun): every save in quantext goes through {@link writeFileAtomic}, so a crash,
 * a full disk or an exception while encoding never leaves a half-written file where a good one was.
 *
 * Node-only (imports `node:fs`): runtime-neutral code reaches it through the registered file system host
 * (`writeFileViaHost` in ./lines.ts), which the node entry points here.
 */
import { unlinkSync } from 'node:fs';
import { open, rename, stat, unlink, realpath, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QuantextError } from '../errors.js';
import type { WriteData } from './lines.js';

/** Options of {@link writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /** Permission bits of the new file. Default: those of the file being replaced, else 0o666 less the umask. */
  mode?: number;
  /** fsync the file before the rename and the folder after it (default true). Off only for scratch files. */
  fsync?: boolean;
}

const encoder = new TextEncoder();

/** A path given as a string or `file:` URL, as a string. */
export function pathString(path: string | URL): string {
  return typeof path === 'string' ? path : fileURLToPath(path);
}

const IO_REASONS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a folder',
  ENOTDIR: 'a part of the path is not a folder',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EMFILE: 'too many open files',
};

/**
 * Wraps a Node file-system error as `E_IO` naming the file and the system error code; a `QuantextError`
 * (for example `E_NAN` raised by an encoder while writing) passes through unchanged.
 */
export function ioError(e: unknown, file: string, action: 'read' | 'write'): QuantextError {
  if (e instanceof QuantextError) return e;
  const code = (e as NodeJS.ErrnoException)?.code;
  const reason = (code && IO_REASONS[code]) || (e as Error)?.message || String(e);
  return new QuantextError('E_IO', `cannot ${action} ${file}: ${reason}${code ? ` (${code})` : ''}`, { file, syscallCode: code }, { cause: e });
}

async function writeAll(fh: FileHandle, bytes: Uint8Array): Promise<void> {
  for (let off = 0; off < bytes.length; ) {
    const { bytesWritten } = await fh.write(bytes, off, bytes.length - off);
    off += bytesWritten;
  }
}

/** n random bytes in hex (Web Crypto: importing node:crypto up front cost the command line ~10 ms of start-up). */
function randomHex(n: number): string {
  return Array.from(globalThis.crypto.getRandomValues(new Uint8Array(n)), (b) => b.toString(16).padStart(2, '0')).join('');
}

function toBytes(chunk: Uint8Array | string): Uint8Array {
  return typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
}

/** The file a write should replace: the target of a symlink (so the link survives), else the path itself. */
async function resolveTarget(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return path;
  }
}

async function syncFolder(folder: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(folder, 'r');
    await fh.sync();
  } catch {
    // Some platforms and file systems (Windows, some network mounts) cannot fsync a folder: the rename stands.
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/** Temporary files of saves in progress in this process (created, not yet renamed or removed). */
const liveTemps = new Set<string>();

/** The temporary files of the saves in progress (paths), e.g. for a signal handler to remove. */
export function liveTempFiles(): string[] {
  return [...liveTemps];
}

/**
 * Removes the temporary files of every save in progress, synchronously (so that it can run in a signal handler
 * just before the process exits): the targets are untouched, as when a save fails. Returns the paths removed.
 * The CLI calls this on SIGINT and SIGTERM; a program that exits on a signal itself can do the same.
 */
export function removeLiveTempFilesSync(): string[] {
  const removed: string[] = [];
  for (const tmp of liveTemps) {
    try {
      unlinkSync(tmp);
      removed.push(tmp);
    } catch {
      /* already gone */
    }
    liveTemps.delete(tmp);
  }
  return removed;
}

/**
 * Writes `data` to `path` atomically: into a new temporary file in the same folder (`.name.<random>.tmp`), which
 * is fsynced, then renamed over `path`, and the folder is fsynced. Readers see the old file or the new one, never a
 * mix. If anything fails (the disk, or the `data` iterable throwing midway), the temporary file is removed, the
 * old file is untouched, and the error is thrown: `E_IO` for file-system errors, any `QuantextError` from `data`
 * unchanged.
 *
 * @param data - bytes, a string (written as UTF-8), or a sync/async iterable of such chunks (streamed, so a
 *   multi-GB model is never held in one buffer).
 */
export async function writeFileAtomic(path: string | URL, data: WriteData, options: WriteFileAtomicOptions = {}): Promise<void> {
  const { fsync = true } = options;
  const target = await resolveTarget(pathString(path));
  const folder = dirname(target);
  const tmp = join(folder, `.${basename(target)}.${process.pid}.${randomHex(6)}.tmp`);
  let mode = options.mode;
  if (mode === undefined) {
    try {
      mode = (await stat(target)).mode & 0o7777;
    } catch {
      /* a new file: default permissions */
    }
  }
  let fh: FileHandle | undefined;
  try {
    liveTemps.add(tmp); // before the file exists: a signal during open() must find it too
    fh = await open(tmp, 'wx', 0o666);
    if (typeof data === 'string' || data instanceof Uint8Array) {
      await writeAll(fh, toBytes(data));
    } else {
      for await (const chunk of data) await writeAll(fh, toBytes(chunk));
    }
    if (mode !== undefined) await fh.chmod(mode);
    if (fsync) await fh.sync();
    await fh.close();
    fh = undefined;
    await rename(tmp, target);
    liveTemps.delete(tmp);
  } catch (e) {
    await fh?.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    liveTemps.delete(tmp);
    throw ioError(e, target, 'write');
  }
  if (fsync) await syncFolder(folder);
}
