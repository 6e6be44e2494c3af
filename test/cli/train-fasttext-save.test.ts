// `quantext train --algorithm fasttext --out x.bin` (no --format) saves what FastTextKeyedVectors.save('x.bin')
// saves: a fastText model (n-gram table included), not word2vec binary; --format bin stays word2vec binary.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import '../../src/index.node.js';
import { trainCommand } from '../../src/cli/train.js';
import { FastTextModel } from '../../src/fasttext/model.js';
import { loadVectors } from '../../src/vectors/load.js';
import { FastTextKeyedVectors } from '../../src/fasttext/keyed.js';
import { QuantextError } from '../../src/errors.js';

const FASTTEXT_MAGIC = 793712314;
const dir = mkdtempSync(join(tmpdir(), 'qt-ftsave-'));
const corpus = join(dir, 'corpus.txt');
const words = ['running', 'jumping', 'walking', 'talking', 'reading', 'writing', 'singing', 'dancing', 'playing', 'cooking'];
let seedRng = 7;
const rnd = () => ((seedRng = (seedRng * 1103515245 + 12345) >>> 0) >>> 8) / (1 << 24);
writeFileSync(corpus, Array.from({ length: 300 }, () => Array.from({ length: 10 }, () => words[Math.floor(rnd() * words.length)]).join(' ')).join('\n') + '\n');
const opts = { algorithm: 'fasttext', dim: 16, minCount: 1, epochs: 1, threads: 1, bucket: 2000, quiet: true };

describe('quantext train --algorithm fasttext: the saved file', () => {
  it('--out x.bin without --format is a fastText model: unseen words get n-gram vectors', async () => {
    const out = join(dir, 'ft.bin');
    const { model } = await trainCommand(corpus, { ...opts, out });
    const expected = model.wv.get('runner');
    model.dispose();
    const bytes = readFileSync(out);
    expect(bytes.readUInt32LE(0)).toBe(FASTTEXT_MAGIC);
    const ft = await FastTextModel.load(out);
    try {
      expect(ft.words.length).toBe(words.length);
      const v = ft.getWordVector('runner'); // not in the vocabulary: from its n-grams
      expect(v.some((x) => x !== 0)).toBe(true);
      for (let i = 0; i < v.length; i++) expect(v[i]).toBeCloseTo(expected[i], 5);
    } finally {
      ft.dispose();
    }
    const kv = await loadVectors(out);
    try {
      expect(kv).toBeInstanceOf(FastTextKeyedVectors);
      expect(kv.get('runner').some((x) => x !== 0)).toBe(true);
    } finally {
      kv.dispose();
    }
    if (existsSync('/usr/bin/fasttext')) {
      const r = spawnSync('/usr/bin/fasttext', ['print-word-vectors', out], { input: 'runner\n', encoding: 'utf8' });
      expect(r.status).toBe(0);
      const got = r.stdout.trim().split(' ').slice(1).map(Number);
      expect(got.length).toBe(16);
      for (let i = 0; i < 16; i++) expect(got[i]).toBeCloseTo(expected[i], 4);
    }
  });

  it('--format bin stays word2vec binary; .vec is text', async () => {
    const bin = join(dir, 'w2v.bin');
    (await trainCommand(corpus, { ...opts, out: bin, format: 'bin' })).model.dispose();
    expect(readFileSync(bin, 'latin1').split('\n', 1)[0]).toBe(`${words.length} 16`);
    const vec = join(dir, 'ft.vec');
    (await trainCommand(corpus, { ...opts, out: vec })).model.dispose();
    const lines = readFileSync(vec, 'utf8').trim().split('\n');
    expect(lines[0]).toBe(`${words.length} 16`);
    expect(lines[1].split(' ').length).toBe(17);
  });

  it('--out x.ftz fails before training', async () => {
    await expect(trainCommand(corpus, { ...opts, out: join(dir, 'ft.ftz') })).rejects.toThrow(QuantextError);
  });
});
