// `quantext compress VECTORS` end to end on the tiny fixture (test/fixtures/vectors/synth.txt, 200 words × 16): the
// --json shape, the kept candidate (the most accurate under --target-size, by a scan of the reported candidates),
// the saved file (its size on disk, and its pair Spearman recomputed here from the file with a plain reference),
// the report and the plot, the time budget, and bad options (E_OPTION naming the option).
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const FIX = join(ROOT, 'test', 'fixtures', 'vectors');
const VECS = join(FIX, 'synth.txt');
const PAIRS = join(FIX, 'synth-pairs.tsv');
const QUESTIONS = join(FIX, 'synth-questions.txt');
const dir = mkdtempSync(join(tmpdir(), 'quantext-compress-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): { code: number; stdout: string; stderr: string; json: any } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: dir, timeout: 120_000 });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  let json: any;
  try { json = JSON.parse(last); } catch { json = undefined; }
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, json };
}

/** Average ranks (ties share their mean rank), as scipy.stats.rankdata. */
function ranks(x: number[]): number[] {
  const idx = x.map((_, i) => i).sort((a, b) => x[a] - x[b]);
  const r = new Array<number>(x.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && x[idx[j + 1]] === x[idx[i]]) j++;
    for (let k = i; k <= j; k++) r[idx[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}
function pearson(a: number[], b: number[]): number {
  const ma = a.reduce((s, v) => s + v, 0) / a.length, mb = b.reduce((s, v) => s + v, 0) / b.length;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

/**
 * The pair Spearman of vectors `rows` (word → vector) against the PAIRS whose words are all in `source` (the
 * uncompressed vocabulary), a pair with a word the candidate lacks scoring 0 (gensim's dummy4unknown); words matched
 * case-insensitively, the first (most frequent) variant winning.
 */
function refSpearman(words: string[], rows: Float32Array, dim: number, source: string[]): number {
  const inSource = new Set(source.map((w) => w.toUpperCase()));
  const at = new Map<string, number>();
  words.forEach((w, i) => { if (!at.has(w.toUpperCase())) at.set(w.toUpperCase(), i); });
  const human: number[] = [], model: number[] = [];
  for (const line of readFileSync(PAIRS, 'utf8').split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const f = line.split('\t');
    if (f.length !== 3 || !Number.isFinite(Number(f[2])) || f[2].trim() === '') continue; // malformed lines are skipped
    const [a, b, s] = f;
    if (!inSource.has(a.toUpperCase()) || !inSource.has(b.toUpperCase())) continue;
    human.push(Number(s));
    const i = at.get(a.toUpperCase()), j = at.get(b.toUpperCase());
    if (i === undefined || j === undefined) { model.push(0); continue; }
    let d = 0, na = 0, nb = 0;
    for (let c = 0; c < dim; c++) {
      const x = rows[i * dim + c], y = rows[j * dim + c];
      d += x * y; na += x * x; nb += y * y;
    }
    model.push(d / Math.sqrt(na * nb));
  }
  return pearson(ranks(human), ranks(model));
}

describe('quantext compress VECTORS', () => {
  it('keeps the most accurate candidate under --target-size, saves it, writes the report and the plot; --json {size, precision, candidates}', async () => {
    const out = join(dir, 'small.safetensors');
    const r = run(['compress', VECS, '--eval-pairs', PAIRS, '--eval-analogies', QUESTIONS, '--target-size', '3kB', '--out', out, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = r.json;
    expect(Object.keys(j)).toEqual(expect.arrayContaining(['size', 'precision', 'candidates', 'metric', 'kept', 'tried', 'outOfTime']));
    expect(j.metric).toBe('spearman');
    expect(j.targetSize).toBe(3000);
    expect(j.budgetMs).toBe(300_000);
    expect(j.outOfTime).toBe(false);
    expect(j.candidates.length).toBe(j.tried);
    // schemes × bits, PCA dims and vocabulary cuts were all searched
    const c = j.candidates as any[];
    for (const s of ['f32', 'fp16', 'int8', 'int4', 'binary', 'pq2', 'pq4', 'pq8']) expect(c.some((x) => x.scheme === s && x.dims === 16 && x.vocab === 200), s).toBe(true);
    expect(new Set(c.map((x) => x.dims))).toEqual(new Set([16, 8, 4, 2]));
    expect(new Set(c.map((x) => x.vocab))).toEqual(new Set([200, 100, 50, 25, 12]));
    expect(new Set(c.map((x) => x.family))).toEqual(new Set(['scheme', 'pca', 'vocab']));
    for (const x of c) {
      expect(x.size).toBeGreaterThan(0);
      expect(x.latencyMs).toBeGreaterThan(0);
      expect(x.quality === null || Math.abs(x.quality) <= 1).toBe(true);
    }
    // the kept one: the best quality at or under 3 kB (ties: smaller), by a scan of what was reported
    const fits = c.filter((x) => x.size <= 3000 && x.quality !== null);
    const q = Math.max(...fits.map((x) => x.quality));
    const want = fits.filter((x) => x.quality === q).sort((a, b) => a.size - b.size)[0];
    expect(j.kept).toBe(want.name);
    expect(j.size).toBe(want.size);
    expect(j.precision).toBe(want.quality);
    // the front, brute force
    const dominated = (a: any) => c.some((b) => b !== a && b.quality !== null && b.size <= a.size && b.quality >= a.quality && (b.size < a.size || b.quality > a.quality));
    expect(c.filter((x) => x.pareto).map((x) => x.name).sort()).toEqual(c.filter((x) => x.quality !== null && !dominated(x)).map((x) => x.name).sort());
    // the saved file: its size on disk is the reported one, and its Spearman recomputed from the file agrees
    expect(statSync(out).size).toBe(j.size);
    const { loadVectors } = await import('../../dist/index.node.js');
    const src = await loadVectors(VECS);
    const kv = await loadVectors(out);
    expect(kv.dim).toBe(want.dims);
    expect(kv.size).toBe(want.vocab);
    expect(kv.size).toBeLessThan(src.size); // a vocabulary cut: pairs it lost count 0
    expect(refSpearman([...kv.keys], kv.vectors, kv.dim, [...src.keys])).toBeCloseTo(j.precision, 6);
    kv.dispose();
    // the f32 reference is the source itself, scored on the pairs it knows (as quantext eval scores it)
    const f32 = c.find((x) => x.name === 'f32 d16 v200');
    expect(refSpearman([...src.keys], src.vectors, src.dim, [...src.keys])).toBeCloseTo(f32.quality, 6);
    expect(f32.quality).toBeCloseTo(src.evaluateWordPairs(PAIRS).spearman, 12);
    expect(j.reference.quality).toBe(f32.quality);
    src.dispose();
    // report and plot
    const md = readFileSync(join(dir, 'small.md'), 'utf8');
    expect(md).toContain('## Pareto front');
    expect(md).toContain('## What the bits cost');
    expect(md).toContain(`**${want.name}** (kept)`);
    for (const x of c.filter((x) => x.pareto)) expect(md).toContain(`| ${x.name === want.name ? `**${x.name}** (kept)` : x.name} |`);
    const svg = readFileSync(join(dir, 'small.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    for (const x of c.filter((x) => x.pareto)) expect(svg).toContain(`>${x.name}</text>`);
  });

  it('stops at the --budget and reports what it tried', () => {
    const r = run(['compress', VECS, '--eval-pairs', PAIRS, '--budget', '1ms', '--out', join(dir, 'b.safetensors'), '--json']);
    expect(r.code === 0 || r.code === 3).toBe(true);
    expect(r.json.outOfTime).toBe(true);
    expect(r.json.tried).toBeGreaterThanOrEqual(1);
    expect(r.json.skipped).toBeGreaterThan(0);
    expect(r.json.tried).toBe(r.json.candidates.length);
    expect(readFileSync(join(dir, 'b.md'), 'utf8')).toMatch(/the budget stopped the search, \d+ not tried/);
  });

  it('without --eval-pairs ranks by analogy accuracy; --schemes/--dims/--vocab narrow the search', () => {
    const r = run(['compress', VECS, '--eval-analogies', QUESTIONS, '--schemes', 'int8,binary', '--dims', '16,8', '--vocab', '200', '--target-size', '1MB', '--out', join(dir, 'a.safetensors'), '--json']);
    expect(r.code).toBe(0);
    expect(r.json.metric).toBe('analogy');
    expect(r.json.candidates.map((x: any) => x.name).sort()).toEqual(['binary d16 v200', 'binary d8 v200', 'int8 d16 v200', 'int8 d8 v200']);
    for (const x of r.json.candidates) expect(x.quality).toBe(x.analogy);
  });

  it('no candidate under the target: exit code 3, nothing saved, the report says so', () => {
    const out = join(dir, 'none.safetensors');
    const r = run(['compress', VECS, '--eval-pairs', PAIRS, '--target-size', '10', '--schemes', 'int8', '--dims', '16', '--vocab', '200', '--out', out, '--json']);
    expect(r.code).toBe(3);
    expect(r.json.size).toBe(null);
    expect(r.json.kept).toBe(null);
    expect(existsSync(out)).toBe(false);
    expect(readFileSync(join(dir, 'none.md'), 'utf8')).toContain('No candidate fits the target');
  });

  it.each([
    [['--eval-pairs', PAIRS, '--target-size', 'big', '--out', 'x.safetensors'], '--target-size'],
    [['--eval-pairs', PAIRS, '--target-size', '-5kB', '--out', 'x.safetensors'], '--target-size'],
    [['--eval-pairs', PAIRS, '--budget', '0', '--out', 'x.safetensors'], '--budget'],
    [['--eval-pairs', PAIRS, '--budget', 'soon', '--out', 'x.safetensors'], '--budget'],
    [['--out', 'x.safetensors'], '--eval-pairs'],
    [['--eval-pairs', PAIRS], '--out'],
    [['--eval-pairs', PAIRS, '--schemes', 'int3', '--out', 'x.safetensors'], '--schemes'],
    [['--eval-pairs', PAIRS, '--dims', '8,0', '--out', 'x.safetensors'], '--dims'],
    [['--eval-pairs', PAIRS, '--vocab', 'all', '--out', 'x.safetensors'], '--vocab'],
    [['--eval-pairs', PAIRS, '--restrict', '0', '--out', 'x.safetensors'], '--restrict'],
  ])('bad option %j → E_OPTION naming %s', (args, flag) => {
    const r = run(['compress', VECS, ...args, '--json']);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('E_OPTION');
    expect(r.json.error.message).toContain(flag);
    expect(existsSync(join(dir, 'x.safetensors'))).toBe(false);
  });

  it('a missing evaluation file is E_IO naming it', () => {
    const r = run(['compress', VECS, '--eval-pairs', join(dir, 'nope.tsv'), '--out', join(dir, 'y.safetensors'), '--json']);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('E_IO');
    expect(r.json.error.message).toContain('nope.tsv');
  });
});

describe('quantext compress MODEL --train --test (options)', () => {
  it.each([
    [['--train', PAIRS, '--out', 'x.bin'], '--test'],
    [['--test', PAIRS, '--out', 'x.bin'], '--train'],
    [['--train', PAIRS, '--test', PAIRS], '--out'],
    [['--train', PAIRS, '--test', PAIRS, '--eval-pairs', PAIRS, '--out', 'x.bin'], '--eval-pairs'],
    [['--train', PAIRS, '--test', PAIRS, '--target-size', '1 ton', '--out', 'x.bin'], '--target-size'],
    [['--train', PAIRS, '--test', PAIRS, '--budget', '-1', '--out', 'x.bin'], '--budget'],
    [['--train', PAIRS, '--test', PAIRS, '--threads', '0', '--out', 'x.bin'], '--threads'],
  ])('bad option %j → E_OPTION naming %s, before the model is read', (args, flag) => {
    // the model path does not exist: an option error must come first
    const r = run(['compress', join(dir, 'no-model.bin'), ...args, '--json']);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('E_OPTION');
    expect(r.json.error.message).toContain(flag);
  });
  it('word vectors passed with --train/--test are not a classifier: E_OPTION', () => {
    // a fastText model that is not supervised: the shared fixture ft0.bin (skip-gram), when present
    const ft = join(ROOT, '..', 'shared', 'data', 'formats', 'ft0.bin');
    if (!existsSync(ft)) return;
    const r = run(['compress', ft, '--train', PAIRS, '--test', PAIRS, '--out', join(dir, 'z.bin'), '--json']);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('E_OPTION');
    expect(r.json.error.message).toMatch(/not a classifier/);
  });
});
