/**
 * The Node (and Deno, Bun) file system for quantext's io: streamed file reading and atomic writes, registered as
 * the {@link FileSystemHost} that paths and `file:` URLs go through. Import this only from the node entry:
 * it pulls in `node:fs`, which browser and Workers bundles must not contain.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { QuantextError } from '../errors.js';
import { ioError, pathString, writeFileAtomic } from './atomic.js';
import { DEFAULT_CHUNK_SIZE, setFileSystemHost, type FileSystemHost, type OpenOptions, type OpenedSource, type PositionalFile } from './lines.js';

export { writeFileAtomic, liveTempFiles, removeLiveTempFilesSync, type WriteFileAtomicOptions } from './atomic.js';

/**
 * Opens a file for streamed reading: `stat` now (so a missing file fails here, with `E_IO`), then `chunkSize`
 * reads (default 1 MiB) as the chunks are iterated. The file is closed when the iteration ends, stops early or
 * throws.
 */
export async function openFile(path: string | URL, options: OpenOptions = {}): Promise<OpenedSource> {
  const name = pathString(path);
  const { chunkSize = DEFAULT_CHUNK_SIZE, signal } = options;
  if (!(Number.isSafeInteger(chunkSize) && chunkSize >= 1)) {
    throw new QuantextError('E_OPTION', `chunkSize must be a positive integer, got ${chunkSize}`, { option: 'chunkSize' });
  }
  let size: number;
  try {
    const st = await stat(name);
    if (st.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    size = st.size;
  } catch (e) {
    throw ioError(e, name, 'read');
  }
  return { name, size, chunks: fileChunks(name, chunkSize, signal) };
}

async function* fileChunks(name: string, chunkSize: number, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(name, 'r');
    for (;;) {
      if (signal?.aborted) throw new QuantextError('E_ABORTED', `reading ${name} was aborted`, { file: name }, { cause: signal.reason });
      const buf = new Uint8Array(chunkSize);
      const { bytesRead } = await fh.read(buf, 0, chunkSize, null);
      if (bytesRead === 0) return;
      yield bytesRead === chunkSize ? buf : buf.subarray(0, bytesRead);
    }
  } catch (e) {
    throw ioError(e, name, 'read');
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/** The Node file system host: {@link openFile} for reading, `writeFileAtomic` for writing. */
export const nodeFileSystem: FileSystemHost = {
  openRead: openFile,
  writeAtomic: (path, data) => writeFileAtomic(path, data),
  openPositional: (path): PositionalFile => {
    const name = pathString(path);
    let fd: number | undefined;
    try {
      fd = openSync(name, 'r');
      const st = fstatSync(fd);
      if (st.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
      const f = fd;
      return {
        name,
        size: st.size,
        read: (dst, position) => {
          try {
            return readSync(f, dst, 0, dst.length, position);
          } catch (e) {
            throw ioError(e, name, 'read');
          }
        },
        close: () => closeSync(f),
      };
    } catch (e) {
      if (fd !== undefined) closeSync(fd);
      throw ioError(e, name, 'read');
    }
  },
  readSync: (path) => {
    const name = pathString(path);
    try {
      return readFileSync(name);
    } catch (e) {
      throw ioError(e, name, 'read');
    }
  },
};

/** Registers {@link nodeFileSystem} for paths and `file:` URLs (the node entry calls this; importing this module does too). */
export function useNodeFileSystem(): void {
  setFileSystemHost(nodeFileSystem);
}

useNodeFileSystem();
