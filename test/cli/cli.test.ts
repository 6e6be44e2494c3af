import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, mkdirSync, cpSync, symlinkSync, renameSync, statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rng } from '../helpers.js';
import { refParseBinary } from '../io/util.js';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'quantext-cli-'));
const corpus = join(dir, 'tiny.txt');
const ROYAL = ['queen', 'prince', 'princess', 'crown', 'throne'];

function run(args: string[], opts: { cli?: string; cwd?: string } = {}): { code: number; stdout: string; stderr: string; json: any } {
  const r = spawnSync(process.execPath, [opts.cli ?? CLI, ...args], { encoding: 'utf8', cwd: opts.cwd });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  let json: any;
  try { json = JSON.parse(last); } catch { json = undefined; }
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, json };
}

beforeAll(() => {
  // two planted topics, one sentence per line
  const r = rng(42);
  const A = ['king', 'queen', 'prince', 'princess', 'crown', 'throne'];
  const B = ['car', 'truck', 'wheel', 'engine', 'road', 'driver'];
  const lines: string[] = [];
  for (let i = 0; i < 800; i++) {
    const t = r() < 0.5 ? A : B;
    lines.push(Array.from({ length: 7 }, () => t[Math.floor(r() * t.length)]).join(' '));
  }
  writeFileSync(corpus, lines.join('\n') + '\n');
});

/** 3CosAdd as gensim's most_similar(positive=[b, c], negative=[a]): unit rows, mean of ±unit vectors, cosine, a/b/c excluded. */
function analogyRef(file: Uint8Array, a: string, b: string, c: string, topn: number): [string, number][] {
  const { words, rows } = refParseBinary(file);
  const unit = (v: number[]) => {
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  };
  const U = rows.map(unit);
  const at = (w: string) => U[words.indexOf(w)];
  const mean = unit(at(b).map((x, k) => (x + at(c)[k] - at(a)[k]) / 3));
  return words
    .map((w, i) => [w, U[i].reduce((s, x, k) => s + x * mean[k], 0)] as [string, number])
    .filter(([w]) => ![a, b, c].includes(w))
    .sort((x, y) => y[1] - x[1])
    .slice(0, topn);
}

/** The tensors of a safetensors file: name → byte size, and the total data bytes after the header. */
function safetensorsTensors(file: Uint8Array): { sizes: Record<string, number>; headerBytes: number } {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const n = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + n)));
  const sizes: Record<string, number> = {};
  for (const [k, v] of Object.entries<any>(header)) if (k !== '__metadata__') sizes[k] = v.data_offsets[1] - v.data_offsets[0];
  return { sizes, headerBytes: 8 + n };
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('quantext CLI', () => {
  it('train → similar → analogy → eval, with --json last lines', () => {
    const out = join(dir, 'v.bin');
    const t = run(['train', corpus, '--out', out, '--min-count', '1', '--dim', '16', '--epochs', '3', '--threads', '1', '--sample', '0', '--json']);
    expect(t.code).toBe(0);
    expect(t.json).toMatchObject({ words: 800 * 7 * 3, vocabSize: 12, epochs: 3, threads: 1 });
    expect(t.json.wordsPerSecond).toBeCloseTo(t.json.words / t.json.seconds, -3); // within ±500 words/s of words / seconds
    expect(Number.isFinite(t.json.loss)).toBe(true);
    expect(t.stderr).toMatch(/train +\d+%/); // progress on stderr
    expect(existsSync(out)).toBe(true);
    expect(readFileSync(out).subarray(0, 6).toString()).toBe('12 16\n');

    const s = run(['similar', out, 'king', '--topn', '3', '--json']);
    expect(s.code).toBe(0);
    expect(s.json.similar).toHaveLength(3);
    for (const { word } of s.json.similar) expect(['queen', 'prince', 'princess', 'crown', 'throne']).toContain(word);

    // car : truck :: king : ?  The answer is truck − car + king, a royal word; the scores are gensim's 3CosAdd,
    // recomputed here from the saved file with an independent reader
    const a = run(['analogy', out, 'car', 'truck', 'king', '--json']);
    expect(a.code).toBe(0);
    const ref = analogyRef(readFileSync(out), 'car', 'truck', 'king', 5);
    expect(a.json.answers.map((x: any) => x.word)).toEqual(ref.map(([w]) => w));
    for (let i = 0; i < 5; i++) expect(a.json.answers[i].score).toBeCloseTo(ref[i][1], 5);
    expect(ROYAL).toContain(a.json.answers[0].word);

    const q = join(dir, 'q.txt'), p = join(dir, 'p.tsv');
    writeFileSync(q, ': royal\nking queen prince princess\ncar truck wheel engine\nking zebra car truck\n');
    writeFileSync(p, '# comment\nking\tqueen\t9\ncar\ttruck\t8\nking\tcar\t1\nqueen\tengine\t0.5\nzebra\tcar\t3\n');
    const e = run(['eval', out, '--analogies', q, '--pairs', p, '--json']);
    expect(e.code).toBe(0);
    expect(e.json.analogy.total).toBe(2); // the zebra question is out of vocabulary
    expect(e.json.pairs[0].oovRatio).toBeCloseTo(20, 5);
    expect(e.json.pairs[0].spearman).toBeGreaterThan(0.5);
  });

  it('quantize: the report and the size in --json, the table saved as safetensors, and eval/similar read it', () => {
    const out = join(dir, 'v2.bin');
    expect(run(['train', corpus, '--out', out, '--min-count', '1', '--dim', '16', '--epochs', '3', '--threads', '1', '--sample', '0']).code).toBe(0);
    const f32 = run(['similar', out, 'king', '--topn', '5', '--json']).json.similar.map((x: any) => x.word);
    // the stored size of a 12 × 16 table, by the layout of each scheme (docs/formats.md): codes, plus per-row f32 scales
    // and the f32 column centre μ (int8/int4/binary, centred by default); PQ (dsub 2): one byte per 2-column sub-space
    // per row, plus a codebook of ksub = min(256, rows) = 12 centroids × 16 floats
    const R = 12, C = 16;
    const expected: Record<string, { bytes: number; tensors: Record<string, number> }> = {
      int8: { bytes: R * C + 4 * R + 4 * C, tensors: { vectors: R * C, 'vectors.scales': 4 * R, 'vectors.center': 4 * C } },
      int4: { bytes: (R * C) / 2 + 4 * R + 4 * C, tensors: { vectors: (R * C) / 2, 'vectors.scales': 4 * R, 'vectors.center': 4 * C } },
      binary: { bytes: (R * C) / 8 + 4 * R + 4 * C, tensors: { vectors: (R * C) / 8, 'vectors.scales': 4 * R, 'vectors.center': 4 * C } },
      fp16: { bytes: 2 * R * C, tensors: { vectors: 2 * R * C } },
      pq: { bytes: R * (C / 2) + 12 * C * 4, tensors: { vectors: R * (C / 2), 'vectors.codebook': 12 * C * 4 } },
    };
    for (const scheme of ['int8', 'int4', 'binary', 'fp16', 'pq'] as const) {
      const qf = join(dir, `v2-${scheme}.safetensors`);
      const q = run(['quantize', out, '--scheme', scheme, '--out', qf, '--json']);
      expect(q.code).toBe(0);
      expect(q.json.scheme).toBe(scheme);
      expect(q.json.bytesBefore).toBe(R * C * 4);
      expect(q.json.bytesAfter, scheme).toBe(expected[scheme].bytes);
      // the file holds exactly those tensors, and nothing but the header besides
      const file = new Uint8Array(readFileSync(qf));
      const { sizes, headerBytes } = safetensorsTensors(file);
      expect(sizes, scheme).toEqual(expected[scheme].tensors);
      expect(file.length - headerBytes, scheme).toBe(expected[scheme].bytes);
      expect(q.json.meanCosine).toBeGreaterThan(scheme === 'binary' ? 0.6 : 0.9);
      expect(q.json.meanCosine).toBeLessThanOrEqual(1);
      expect(Number.isFinite(q.json.mse)).toBe(true);
      expect(readFileSync(qf)[8]).toBe(0x7b); // safetensors: JSON header after the 8-byte length
      const s = run(['similar', qf, 'king', '--topn', '5', '--json']);
      expect(s.code).toBe(0);
      // the royal topic stays together under every scheme (the top 3 of f32 are all in the quantized top 5)
      const got = s.json.similar.map((x: any) => x.word);
      if (scheme !== 'binary' && scheme !== 'pq') for (const w of f32.slice(0, 3)) expect(got).toContain(w);
      for (const w of got.slice(0, 3)) expect(['queen', 'prince', 'princess', 'crown', 'throne']).toContain(w);
    }
    const e = run(['eval', join(dir, 'v2-int8.safetensors'), '--pairs', join(dir, 'p.tsv'), '--json']);
    expect(e.code).toBe(0);
    expect(e.json.pairs[0].spearman).toBeGreaterThan(0.5);
    expect(run(['quantize', out, '--scheme', 'int3', '--json']).json.error.code).toBe('E_OPTION');
    // --no-center: no μ stored (cols floats fewer), and the codes of the vectors as they are
    const centred = run(['quantize', out, '--scheme', 'int8', '--json']).json;
    const plain = run(['quantize', out, '--scheme', 'int8', '--no-center', '--json']).json;
    expect(centred.bytesAfter - plain.bytesAfter).toBe(16 * 4);
  });

  it('text format output loads back; bad input exits 2 with a QuantextError code', () => {
    const out = join(dir, 'v.txt');
    expect(run(['train', corpus, '--out', out, '--min-count', '1', '--dim', '8', '--epochs', '1', '--format', 'txt', '--threads', '1']).code).toBe(0);
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe('12 8');
    const bad = run(['train', corpus, '--out', out, '--dim', 'abc', '--json']);
    expect(bad.code).toBe(2);
    expect(bad.json.error.code).toBe('E_OPTION');
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe('12 8'); // the saved file is untouched
    const oov = run(['similar', out, 'zebra', '--json']);
    expect(oov.code).toBe(2);
    expect(oov.json.error.code).toBe('E_OOV');
    const missing = run(['eval', join(dir, 'nope.bin'), '--json']);
    expect(missing.code).toBe(2);
    expect(missing.json.error.code).toBe('E_IO');
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '');
    expect(run(['train', empty, '--out', join(dir, 'e.bin'), '--json']).json.error.code).toBe('E_EMPTY');
    expect(run(['frobnicate']).code).toBe(2);
    const usage = run(['train', '--json']); // a missing argument is a usage error, not an internal one
    expect(usage.code).toBe(2);
    expect(usage.json.error.code).toBe('E_OPTION');
  });
  it('train --out into missing folders creates them; an --out that cannot be written fails before training; no --out says so', () => {
    const out = join(dir, 'made', 'by', 'train', 'v.bin');
    const t = run(['train', corpus, '--out', out, '--min-count', '1', '--dim', '8', '--epochs', '1', '--threads', '1', '--json']);
    expect(t.code).toBe(0);
    expect(t.json.out).toBe(out);
    expect(readFileSync(out).subarray(0, 5).toString()).toBe('12 8\n');
    // a parent that is a file: the folder cannot be created; an existing folder as --out: not a file name
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'x');
    for (const [bad, what] of [[join(blocker, 'sub', 'v.bin'), /cannot create the folder/], [join(dir, 'made'), /is a folder; give a file name/]] as const) {
      const r = run(['train', corpus, '--out', bad, '--min-count', '1', '--dim', '8', '--epochs', '1', '--threads', '1', '--json']);
      expect(r.code).toBe(2);
      expect(r.json.error.code).toBe('E_IO');
      expect(r.json.error.message).toMatch(what);
      expect(r.stderr).not.toMatch(/train +\d+%|trained/); // failed before any training
    }
    expect(statSync(join(dir, 'made')).isDirectory()).toBe(true);
    const none = run(['train', corpus, '--min-count', '1', '--dim', '8', '--epochs', '1', '--threads', '1', '--json']);
    expect(none.code).toBe(0);
    expect(none.stderr.split('\n')[0]).toBe('quantext: no --out given: the trained vectors will not be saved');
    expect(none.json.out).toBeUndefined();
    // without --format, the extension chooses text (.txt/.vec) or binary
    const txt = join(dir, 'made', 'v.vec');
    expect(run(['train', corpus, '--out', txt, '--min-count', '1', '--dim', '8', '--epochs', '1', '--threads', '1']).code).toBe(0);
    expect(readFileSync(txt, 'utf8').split('\n')[1].split(' ')).toHaveLength(9); // word and 8 decimals
  });

  it('eval without files uses the evaluation sets shipped in the package, found from the package wherever the cwd', () => {
    const out = join(dir, 'v3.bin');
    expect(run(['train', corpus, '--out', out, '--min-count', '1', '--dim', '16', '--epochs', '3', '--threads', '1', '--sample', '0']).code).toBe(0);
    // the package as installed in another project: node_modules/quantext holds dist, build, data, package.json
    const proj = join(dir, 'project'); // removed with dir
    const pkg = join(proj, 'node_modules', 'quantext');
    mkdirSync(pkg, { recursive: true });
    cpSync(join(ROOT, 'dist'), join(pkg, 'dist'), { recursive: true });
    cpSync(join(ROOT, 'data'), join(pkg, 'data'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
    symlinkSync(join(ROOT, 'build'), join(pkg, 'build'));
    symlinkSync(join(ROOT, 'node_modules', 'cac'), join(proj, 'node_modules', 'cac'));
    const installed = join(pkg, 'dist', 'cli', 'main.js');

    const e = run(['eval', out, '--json'], { cli: installed, cwd: proj }); // no data/ in the cwd
    expect(e.code).toBe(0);
    const evalDir = join(pkg, 'data', 'eval');
    expect(e.json.pairs.map((p: any) => p.file)).toEqual([join(evalDir, 'wordsim353.tsv'), join(evalDir, 'simlex999.txt')]);
    // the OOV share of each pair set against the 12-word vocabulary, counted here from the shipped files
    const vocab = new Set(refParseBinary(readFileSync(out)).words);
    for (const [i, f] of ['wordsim353.tsv', 'simlex999.txt'].entries()) {
      const pairs = readFileSync(join(evalDir, f), 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#')).map((l) => l.split('\t'));
      const oov = pairs.filter(([x, y]) => !vocab.has(x.toLowerCase()) || !vocab.has(y.toLowerCase())).length;
      expect(e.json.pairs[i].oovRatio).toBeCloseTo((100 * oov) / pairs.length, 6);
    }
    // the questions of questions-words.txt whose four words are in the vocabulary, answered here by 3CosAdd
    const questions = readFileSync(join(evalDir, 'questions-words.txt'), 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith(':'));
    const inVocab = questions.map((l) => l.toLowerCase().split(' ')).filter((q) => q.every((w) => vocab.has(w)));
    expect(inVocab.length).toBeGreaterThan(0); // the family section's king/queen/prince/princess questions
    const correct = inVocab.filter(([qa, qb, qc, qd]) => analogyRef(readFileSync(out), qa, qb, qc, 1)[0][0] === qd).length;
    expect(e.json.analogy).toMatchObject({ total: inVocab.length, correct, accuracy: correct / inVocab.length });
    const onlyPairs = run(['eval', out, '--no-analogies', '--json'], { cli: installed, cwd: proj });
    expect(onlyPairs.json.analogy).toBeNull();
    expect(onlyPairs.json.pairs).toHaveLength(2);

    // nothing to do: both kinds disabled, or the shipped sets missing
    const off = run(['eval', out, '--no-analogies', '--no-pairs', '--json'], { cli: installed, cwd: proj });
    expect(off.code).toBe(2);
    expect(off.json.error.code).toBe('E_OPTION');
    expect(off.json.error.message).toMatch(/nothing to evaluate/);
    renameSync(join(pkg, 'data'), join(pkg, 'data-gone'));
    const gone = run(['eval', out, '--json'], { cli: installed, cwd: proj });
    expect(gone.code).toBe(2);
    expect(gone.json.error.code).toBe('E_IO');
    expect(gone.json.error.message).toMatch(/nothing to evaluate: the evaluation sets shipped with quantext are missing .*questions-words\.txt/);
    // files named explicitly still work without the shipped sets
    const named = run(['eval', out, '--pairs', join(pkg, 'data-gone', 'eval', 'wordsim353.tsv'), '--json'], { cli: installed, cwd: proj });
    expect(named.code).toBe(0);
    expect(named.json.pairs[0].oovRatio).toBeCloseTo(e.json.pairs[0].oovRatio, 9);
  });

  it('negative and other invalid numbers are option values, rejected with E_OPTION naming the flag, for every command', () => {
    const v = join(dir, 'v.bin'); // written by the first test
    const cases: [string[], RegExp][] = [
      [['train', corpus, '--dim', '-5'], /^--dim must be a positive integer ≤ 10000; got -5$/],
      [['train', corpus, '--dim', '0'], /^--dim must be a positive integer/],
      [['train', corpus, '--window', '-1'], /^--window must be a positive integer/],
      [['train', corpus, '--negative', '-2'], /^--negative must be a non-negative integer/],
      [['train', corpus, '--negative', '0'], /^--negative 0 trains nothing with --loss ns/],
      [['train', corpus, '--sample', '-0.001'], /^--sample must be a number in \[0, 1\]; got -0\.001$/],
      [['train', corpus, '--min-count', '-3'], /^--min-count must be a positive integer; got -3$/],
      [['train', corpus, '--epochs', '-1'], /^--epochs must be a positive integer/],
      [['train', corpus, '--epochs', '2.5'], /^--epochs must be a positive integer/],
      [['train', corpus, '--alpha', '-0.1'], /^--alpha must be a positive number ≤ 10; got -0\.1$/],
      [['train', corpus, '--threads', '-4'], /^--threads must be a positive integer/],
      [['train', corpus, '--seed', '-1'], /^--seed must be a non-negative integer/],
      [['train', corpus, '--dim=-5'], /^--dim must be a positive integer/],
      [['eval', v, '--restrict', '-10'], /^--restrict must be a positive integer; got -10$/],
      [['eval', v, '--limit', '-1'], /^--limit must be a positive integer; got -1$/],
      [['similar', v, 'king', '--topn', '-3'], /^--topn must be a positive integer; got -3$/],
      [['similar', v, 'king', '--topn', '0'], /^--topn must be a positive integer; got 0$/],
      [['analogy', v, 'car', 'truck', 'king', '--topn', '-1'], /^--topn must be a positive integer; got -1$/],
      [['quantize', v, '--scheme', 'pq', '--dsub', '-2'], /^--dsub must be a positive integer ≤ 16; got -2$/],
      [['quantize', v, '--scheme', 'pq', '--seed', '-7'], /^--seed must be a non-negative integer/],
      [['demo', '--epochs', '-1'], /^--epochs must be a positive integer; got -1$/],
      [['demo', '--threads', '0'], /^--threads must be a positive integer/],
      [['demo', '--seed', '-1'], /^--seed must be a non-negative integer/],
    ];
    for (const [args, message] of cases) {
      const r = run([...args, '--json']);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.json.error, args.join(' ')).toMatchObject({ code: 'E_OPTION' });
      expect(r.json.error.message, args.join(' ')).toMatch(message);
      expect(r.stderr, args.join(' ')).not.toMatch(/train +\d+%|Brown corpus/); // nothing ran
    }
  });

  it('--topn beyond the vocabulary returns every word (clamped), not an out-of-memory error', () => {
    const v = join(dir, 'v.bin'); // 12 words
    const s = run(['similar', v, 'king', '--topn', '1000000000', '--json']);
    expect(s.code).toBe(0);
    expect(s.json.similar.map((x: any) => x.word).sort()).toEqual(refParseBinary(readFileSync(v)).words.filter((w) => w !== 'king').sort());
    const a = run(['analogy', v, 'car', 'truck', 'king', '--topn', '9007199254740991', '--json']);
    expect(a.code).toBe(0);
    expect(a.json.answers.map((x: any) => x.word)).toEqual(analogyRef(readFileSync(v), 'car', 'truck', 'king', 100).map(([w]) => w));
    expect(a.json.answers).toHaveLength(9);
  });

  it('a file that is not word vectors is named in the error (gensim pickle, gzip, random bytes); a fastText model loads', () => {
    const fx = (f: string) => join(ROOT, 'test', 'fixtures', 'io', f);
    // issue 10: similar/analogy/eval/quantize read fastText .bin/.ftz (test/fasttext/cli.test.ts)
    expect(run(['similar', fx('ft0.bin'), 'the', '--json']).json?.error?.code).not.toBe('E_FORMAT');
    for (const [f, message] of [
      ['gensim-model.pkl', /Python pickle: a gensim Word2Vec model\.save\(\)/],
      ['w2v.txt.gz', /gzip-compressed; decompress it first/],
      ['random.bin', /binary data that is not word2vec binary/],
    ] as const) {
      const r = run(['similar', fx(f), 'the', '--json']);
      expect(r.code, f).toBe(2);
      expect(r.json.error.code, f).toBe('E_FORMAT');
      expect(r.json.error.message, f).toMatch(message);
      expect(r.stderr, f).not.toMatch(/\uFFFD|\\u0000/);
    }
  });
});

describe('quantext eval on a vocabulary that the shipped pair sets do not cover', () => {
  it('reports the pair sets as out of vocabulary and still gives the analogies (a named file still fails)', () => {
    // athens/greece/baghdad/iraq are in the analogy set; no pair of WordSim-353 or SimLex-999 is complete here
    const words = ['athens', 'greece', 'baghdad', 'iraq', 'zzqa', 'zzqb'];
    const r = rng(3);
    const file = join(dir, 'tiny-eval.txt');
    writeFileSync(file, `${words.length} 4\n` + words.map((w) => `${w} ${Array.from({ length: 4 }, () => (r() * 2 - 1).toFixed(4)).join(' ')}`).join('\n') + '\n');
    const res = run(['eval', file, '--json']);
    expect(res.code, res.stderr).toBe(0);
    const text = run(['eval', file]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout + text.stderr).toMatch(/wordsim353\.tsv: no pair in the vocabulary \(OOV 100 %\)/);
    expect(res.json.analogy.total).toBeGreaterThan(0);
    expect(res.json.pairs.map((p: { oovRatio: number }) => p.oovRatio)).toEqual([100, 100]);
    const named = run(['eval', file, '--pairs', join(ROOT, 'data', 'eval', 'wordsim353.tsv')]);
    expect(named.code).toBe(2);
    expect(named.stderr).toMatch(/no word pair could be scored/);
  });
});
