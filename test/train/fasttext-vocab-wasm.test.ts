// FastText's vocabulary pass runs in wasm (VocabBuilder with the runtime: TextScanner), as Word2Vec's does, and the
// seeded single-thread vectors are bit-identical to those of the JavaScript pass (hashes recorded from it).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../src/index.node.js';
import { FastText } from '../../src/train/fasttext.js';
import { TextScanner } from '../../src/train/vocab.js';

const words = ['running', 'jumping', 'walking', 'talking', 'reading', 'writing', 'singing', 'dancing', 'playing', 'cooking', 'the', 'a', 'fast', 'slow'];
let s = 11;
const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 8) / (1 << 24);
const sentences = Array.from({ length: 400 }, () => Array.from({ length: 3 + Math.floor(rnd() * 12) }, () => words[Math.floor(rnd() * words.length)]).join(' '));
const file = join(mkdtempSync(join(tmpdir(), 'qt-ftvocab-')), 'corpus.txt');
writeFileSync(file, sentences.join('\n') + '\n');

async function hashOf(corpus: string | string[], cbow: boolean): Promise<string> {
  const ft = new FastText({ vectorSize: 12, minCount: 2, epochs: 2, workers: 1, seed: 3, bucket: 5000, sg: cbow ? 0 : 1, sample: 1e-2 });
  try {
    await ft.train(corpus);
    const h = createHash('sha256');
    h.update(ft.wv.keys.join('\n'));
    const v = ft.wv.vectors;
    h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    h.update(new Uint8Array(ft.wv.get('runner').slice().buffer)); // an unseen word: the n-gram table
    return h.digest('hex').slice(0, 16);
  } finally {
    ft.dispose();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('FastText vocabulary pass in wasm', () => {
  it('strings and a file: the wasm scanner counts them, and the vectors are the JS pass\'s, bit for bit', async () => {
    const scan = vi.spyOn(TextScanner.prototype, 'scan');
    const got = {
      strings: await hashOf(sentences, false),
      file: await hashOf(file, false),
      fileCbow: await hashOf(file, true),
    };
    expect(scan).toHaveBeenCalledTimes(3);
    expect(got).toEqual(EXPECTED);
  });
});

// recorded from the JavaScript vocabulary pass (before FastText used the wasm one)
const EXPECTED = { strings: '53f79a6d8275a255', file: '53f79a6d8275a255', fileCbow: '3632554d0be4048b' };
