import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import '../../src/io/node.js';
import { readLines, tokenize, openByteSource, setFileSystemHost, fileSystemHost } from '../../src/io/lines.js';
import { nodeFileSystem } from '../../src/io/node.js';
import { readWord2Vec } from '../../src/io/word2vec.js';
import { rng } from '../helpers.js';
import { chunked, expectError, tempDir } from './util.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => {
  await tmp.cleanup();
});

const enc = (s: string) => new TextEncoder().encode(s);

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const l of it) out.push(l);
  return out;
}

/** A web ReadableStream over `bytes` in chunks of the given sizes. */
function webStream(bytes: Uint8Array, sizes: number[]): ReadableStream<Uint8Array> {
  const it = chunked(bytes, sizes);
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const { done, value } = it.next();
      if (done) controller.close();
      else controller.enqueue(value);
    },
  });
}

// Mixed line endings, empty lines, multi-byte UTF-8 (2, 3, 4 bytes), a BOM and no final newline.
const TEXT = '\ufeffthe quick\r\nbrown 🦊 jumps\n\nover the\tlazy dög\r\n\r\n日本語 テキスト\nlast line';
const LINES = ['the quick', 'brown 🦊 jumps', '', 'over the\tlazy dög', '', '日本語 テキスト', 'last line'];

describe('readLines', () => {
  it('splits {text} on \\n, drops \\r before it and the BOM, keeps empty lines and a last line without newline', async () => {
    expect(await collect(readLines({ text: TEXT }))).toEqual(LINES);
    expect(await collect(readLines({ text: 'a\nb\n' }))).toEqual(['a', 'b']);
    expect(await collect(readLines({ text: '' }))).toEqual([]);
  });

  it('gives the same lines for a ReadableStream in 1-byte chunks (UTF-8 and \\r\\n split across chunks)', async () => {
    const bytes = enc(TEXT);
    expect(await collect(readLines(webStream(bytes, [1])))).toEqual(LINES);
    expect(await collect(readLines(webStream(bytes, [2, 3])))).toEqual(LINES);
  });

  it('gives the same lines at every split point of the input', async () => {
    const bytes = enc(TEXT);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const parts = [bytes.slice(0, cut), bytes.slice(cut)];
      expect(await collect(readLines(parts))).toEqual(LINES);
    }
  });

  it('streams a file path in small reads, and is re-iterable (vocabulary pass, then training passes)', async () => {
    const r = rng(3);
    const lines = Array.from({ length: 500 }, (_, i) => `line ${i} ${'wörd '.repeat(Math.floor(r() * 20))}ǂ`.trim());
    const path = join(tmp.dir, 'corpus.txt');
    await writeFile(path, lines.join('\r\n') + '\r\n');
    const source = readLines(path, { chunkSize: 7 });
    expect(await collect(source)).toEqual(lines);
    expect(await collect(source)).toEqual(lines); // opened again
    expect(await collect(readLines(new URL(`file://${path}`)))).toEqual(lines);
  });

  it('stopping early closes the source', async () => {
    let closed = false;
    async function* src() {
      try {
        for (let i = 0; i < 1000; i++) yield enc(`l${i}\n`);
      } finally {
        closed = true;
      }
    }
    for await (const l of readLines(src)) if (l === 'l3') break;
    expect(closed).toBe(true);
  });

  it('a ReadableStream can be read once; a factory makes it re-readable', async () => {
    const bytes = enc('a\nb\n');
    const once = readLines(webStream(bytes, [1]));
    expect(await collect(once)).toEqual(['a', 'b']);
    const e = await expectError(() => collect(once), 'E_UNSUPPORTED');
    expect(e.message).toContain('function that returns a new stream');
    const again = readLines(() => webStream(bytes, [1]));
    expect(await collect(again)).toEqual(['a', 'b']);
    expect(await collect(again)).toEqual(['a', 'b']);
  });

  it('reads Blobs and bytes; a missing file is E_IO; an aborted signal is E_ABORTED', async () => {
    expect(await collect(readLines(new Blob([enc('x\ny')])))).toEqual(['x', 'y']);
    expect(await collect(readLines(enc('x\r\ny\r\n')))).toEqual(['x', 'y']);
    const e = await expectError(() => collect(readLines(join(tmp.dir, 'missing.txt'))), 'E_IO');
    expect(e.message).toContain('missing.txt');
    const ac = new AbortController();
    ac.abort();
    const path = join(tmp.dir, 'abort.txt');
    await writeFile(path, 'a\nb\n');
    await expectError(() => collect(readLines(path, { signal: ac.signal })), 'E_ABORTED');
  });

  it('without a registered file system, a path is E_UNSUPPORTED (as in browsers and Workers)', async () => {
    setFileSystemHost(undefined);
    try {
      await expectError(() => collect(readLines('/etc/hostname')), 'E_UNSUPPORTED');
      await expectError(() => readWord2Vec('/tmp/x.bin'), 'E_UNSUPPORTED');
      expect(await collect(readLines({ text: 'still\nworks' }))).toEqual(['still', 'works']);
    } finally {
      setFileSystemHost(nodeFileSystem);
    }
    expect(fileSystemHost()).toBe(nodeFileSystem);
  });

  it('openByteSource reports the size of files and in-memory data', async () => {
    const path = join(tmp.dir, 'sized.txt');
    await writeFile(path, '12345');
    expect((await openByteSource(path)).size).toBe(5);
    expect((await openByteSource(enc('abc'))).size).toBe(3);
    expect((await openByteSource({ text: 'é' })).size).toBe(2);
    expect((await openByteSource(webStream(enc('abc'), [1]))).size).toBeUndefined();
  });
});

describe('tokenize', () => {
  it('splits on runs of whitespace and drops empty tokens, like str.split()', () => {
    expect(tokenize('  the quick\tbrown\u00a0fox \r')).toEqual(['the', 'quick', 'brown', 'fox']);
    expect(tokenize('')).toEqual([]);
    expect(tokenize(' \t ')).toEqual([]);
    expect(tokenize("don't stop-me now!")).toEqual(["don't", 'stop-me', 'now!']);
    expect(tokenize('日本語 テキスト')).toEqual(['日本語', 'テキスト']);
  });
});

describe('URLs', () => {
  it('fetches http URLs as streams (loopback server): vectors and lines; HTTP errors are E_IO', async () => {
    const { createServer } = await import('node:http');
    const { readFileSync } = await import('node:fs');
    const { fixture } = await import('./util.js');
    const { parseWord2Vec } = await import('../../src/io/word2vec.js');
    const bin = readFileSync(fixture('w2v.bin'));
    const server = createServer((req, res) => {
      if (req.url === '/w2v.bin') res.end(bin);
      else if (req.url === '/corpus.txt') res.end('one two\r\nthree\n');
      else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    try {
      const { port } = server.address() as { port: number };
      const base = `http://127.0.0.1:${port}`;
      const got = await readWord2Vec(new URL(`${base}/w2v.bin`));
      const want = parseWord2Vec(new Uint8Array(bin));
      expect(got.words).toEqual(want.words);
      expect(got.vectors).toEqual(want.vectors);
      expect(await collect(readLines(new URL(`${base}/corpus.txt`)))).toEqual(['one two', 'three']);
      const e = await expectError(() => readWord2Vec(new URL(`${base}/missing.bin`)), 'E_IO');
      expect(e.message).toContain('404');
    } finally {
      server.close();
    }
  });
});
