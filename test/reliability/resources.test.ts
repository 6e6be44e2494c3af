// Issue 15: rejected calls leave nothing open; evaluation scores out of range are typed errors with the line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import '../../src/index.node.js';
import { init } from '../../src/runtime/runtime.js';
import { loadVectors } from '../../src/vectors/load.js';
import { readWord2Vec } from '../../src/io/word2vec.js';
import { KeyedVectors } from '../../src/vectors/keyed.js';
import { expectError, tempDir } from '../io/util.js';

const openFds = () => readdirSync('/proc/self/fd').length;
const linux = process.platform === 'linux';

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  await init();
  tmp = await tempDir();
});
afterAll(() => tmp.cleanup());

describe('a rejected call leaks no file handle', () => {
  it.runIf(linux)('loadVectors with a bad limit, any format: options are checked before the file is opened', async () => {
    const path = join(tmp.dir, 'v.txt');
    writeFileSync(path, '2 2\na 1 2\nb 3 4\n');
    const before = openFds();
    for (let i = 0; i < 20; i++) {
      for (const limit of [-1, 1.5, 2 ** 60, NaN]) {
        for (const format of ['auto', 'word2vec', 'glove'] as const) await expectError(() => loadVectors(path, { limit, format }), 'E_OPTION');
      }
      await expectError(() => readWord2Vec(path, { limit: -1 }), 'E_OPTION');
      await expectError(() => readWord2Vec(path, { duplicates: 'x' as 'error' }), 'E_OPTION');
    }
    expect(openFds()).toBe(before);
  });

  it.runIf(linux)('a file that fails to parse is closed too (auto and explicit formats)', async () => {
    const path = join(tmp.dir, 'bad.txt');
    writeFileSync(path, '2 2\na 1 2\nb 3 x\n');
    const before = openFds();
    for (let i = 0; i < 20; i++) {
      for (const format of ['auto', 'word2vec', 'word2vec-text'] as const) await expectError(() => loadVectors(path, { format }), 'E_FORMAT');
    }
    expect(openFds()).toBe(before);
  });
});

describe('evaluation files: out-of-range numbers are E_FORMAT with the line', () => {
  it('a word-pair score 1e999 (Infinity) is E_FORMAT naming line 3, not a NaN Pearson', async () => {
    const kv = KeyedVectors.fromArrays(['a', 'b', 'c'], [1, 0, 0, 1, 1, 1], 2);
    const ok = kv.evaluateWordPairs('a\tb\t1\na\tc\t2\nb\tc\t3\n');
    expect(Number.isFinite(ok.pearson)).toBe(true);
    const e = await expectError(() => kv.evaluateWordPairs('a\tb\t1\na\tc\t2\nb\tc\t1e999\n'), 'E_FORMAT');
    expect(e.details).toMatchObject({ line: 3 });
    expect(e.message).toContain('line 3');
    await expectError(() => kv.evaluateWordPairs('# c\na\tb\t-1e400\na\tc\t2\n'), 'E_FORMAT');
    // hexadecimal and other non-decimal scores are skipped as invalid lines, as gensim's float() would reject them
    expect(kv.evaluateWordPairs('a\tb\t0x10\na\tc\t1\nb\tc\t2\n').pairs).toBe(2);
    kv.dispose();
  });
});
