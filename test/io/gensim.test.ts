// Interoperability with gensim 4 (Debian python3-gensim): files quantext writes load in
// KeyedVectors.load_word2vec_format with identical float32 values, and files gensim writes load in quantext.
// Runs when `/usr/bin/python3 -c 'import gensim'` works; skipped otherwise.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import '../../src/io/node.js';
import { saveWord2Vec, readWord2Vec } from '../../src/io/word2vec.js';
import { saveGloVe } from '../../src/io/glove.js';
import { randomModel, tempDir, UNICODE_WORDS } from './util.js';

const PYTHON = process.env.QUANTEXT_PYTHON ?? '/usr/bin/python3'; // overridable to check the skip path
const probe = spawnSync(PYTHON, ['-c', 'import gensim'], { encoding: 'utf8' });
const hasGensim = probe.status === 0;
const SKIP_REASON = `gensim is not importable by ${PYTHON} (${probe.error?.message ?? probe.stderr?.trim().split('\n').pop() ?? 'unknown'}); install it with: apt-get install -y python3-gensim`;

/**
 * The Python side. Reads a JSON job from argv[1]:
 * - `load`: [{path, binary, noHeader, limit}] → loads each with gensim, returns its words and float32 bytes (hex, little-endian);
 * - `save`: {words, hex, dim, dir} → gensim saves that model as text and binary into dir.
 */
const SCRIPT = String.raw`
import json, sys
import numpy as np
from gensim.models import KeyedVectors
job = json.load(open(sys.argv[1], encoding='utf-8'))
out = {'loaded': [], 'saved': {}}
for f in job['load']:
    kv = KeyedVectors.load_word2vec_format(f['path'], binary=f['binary'], no_header=f.get('noHeader', False),
                                           limit=f.get('limit'), unicode_errors='strict')
    out['loaded'].append({'words': list(kv.index_to_key), 'dim': int(kv.vector_size),
                          'hex': kv.vectors.astype('<f4').tobytes().hex()})
s = job.get('save')
if s:
    kv = KeyedVectors(s['dim'])
    vecs = np.frombuffer(bytes.fromhex(s['hex']), dtype='<f4').reshape(-1, s['dim'])
    kv.add_vectors(s['words'], vecs)
    for binary in (False, True):
        p = s['dir'] + ('/gensim-out.bin' if binary else '/gensim-out.txt')
        kv.save_word2vec_format(p, binary=binary)
        out['saved']['binary' if binary else 'text'] = p
json.dump(out, sys.stdout)
`;

interface Loaded {
  words: string[];
  dim: number;
  hex: string;
}

function hexOf(v: Float32Array): string {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
}

async function runGensim(dir: string, job: unknown): Promise<{ loaded: Loaded[]; saved: Record<string, string> }> {
  const jobPath = join(dir, 'job.json');
  await writeFile(jobPath, JSON.stringify(job));
  const r = spawnSync(PYTHON, ['-c', SCRIPT, jobPath], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`gensim script failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

describe('gensim interoperability', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    tmp = await tempDir();
  });
  afterAll(async () => {
    await tmp.cleanup();
  });

  it('gensim loads what quantext saves (text, binary with and without newlines, GloVe) with identical float32 values', async (ctx) => {
    if (!hasGensim) ctx.skip(SKIP_REASON);
    const model = randomModel(200, 13, 21);
    const files = [
      { name: 'q.txt', binary: false, opts: { binary: false } },
      { name: 'q-nl.bin', binary: true, opts: { binary: true, binaryNewline: true } },
      { name: 'q-nonl.bin', binary: true, opts: { binary: true, binaryNewline: false } },
    ];
    for (const f of files) await saveWord2Vec(join(tmp.dir, f.name), model, f.opts);
    await saveGloVe(join(tmp.dir, 'q-glove.txt'), model);
    const { loaded } = await runGensim(tmp.dir, {
      load: [
        ...files.map((f) => ({ path: join(tmp.dir, f.name), binary: f.binary })),
        { path: join(tmp.dir, 'q-glove.txt'), binary: false, noHeader: true },
        { path: join(tmp.dir, 'q-nl.bin'), binary: true, limit: 7 },
      ],
    });
    const want = hexOf(model.vectors);
    for (const got of loaded.slice(0, 4)) {
      expect(got.words).toEqual(model.words);
      expect(got.dim).toBe(13);
      expect(got.hex).toBe(want); // bit-identical, -0 and denormals included
    }
    expect(loaded[4].words).toEqual(model.words.slice(0, 7));
    // and quantext's limit agrees with gensim's
    const ours = await readWord2Vec(join(tmp.dir, 'q-nl.bin'), { limit: 7 });
    expect(hexOf(ours.vectors)).toBe(loaded[4].hex);
  });

  it('quantext loads what gensim saves (text and binary) with identical float32 values', async (ctx) => {
    if (!hasGensim) ctx.skip(SKIP_REASON);
    const model = randomModel(150, 9, 22);
    const { saved } = await runGensim(tmp.dir, {
      load: [],
      save: { words: model.words, dim: model.dim, hex: hexOf(model.vectors), dir: tmp.dir },
    });
    for (const kind of ['text', 'binary'] as const) {
      const got = await readWord2Vec(saved[kind]);
      expect(got.words).toEqual(model.words);
      expect(got.words.slice(0, UNICODE_WORDS.length)).toEqual(UNICODE_WORDS);
      expect(hexOf(got.vectors)).toBe(hexOf(model.vectors));
    }
    // gensim 4 binary has no newline after vectors: header + Σ(word bytes + 1 + 4·dim)
    const bin = await readFile(saved.binary);
    const expected = Buffer.byteLength('150 9\n') + model.words.reduce((s, w) => s + Buffer.byteLength(w) + 1 + 36, 0);
    expect(bin.length).toBe(expected);
  });
});
