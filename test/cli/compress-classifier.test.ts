// `quantext compress MODEL --train --test` end to end on a small planted task: a model trained here with
// `quantext supervised`, compressed under a budget; the kept candidate is the most accurate under the target (a scan
// of the reported candidates), the saved file loads with CompressedClassifier.load, and its P@1 recomputed here from
// its predictions on the test lines (plain counting) is the reported precision.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rng } from '../helpers.js';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'quantext-compress-clf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: dir, timeout: 240_000 });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  let json: any;
  try { json = JSON.parse(last); } catch { json = undefined; }
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, json };
}

// three labels, each with its own words, plus shared noise words; a few lines carry a word of another label
const LABELS = ['sport', 'food', 'tech'];
const WORDS = LABELS.map((l) => Array.from({ length: 30 }, (_, i) => `${l}${i}`));
const NOISE = Array.from({ length: 60 }, (_, i) => `w${i}`);
function lines(seed: number, n: number): string[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => {
    const y = Math.floor(r() * 3);
    const toks = Array.from({ length: 12 }, () => (r() < 0.35 ? WORDS[r() < 0.9 ? y : Math.floor(r() * 3)][Math.floor(r() * 30)] : NOISE[Math.floor(r() * 60)]));
    return `__label__${LABELS[y]} ${toks.join(' ')}`;
  });
}

beforeAll(() => {
  writeFileSync(join(dir, 'train.txt'), lines(1, 600).join('\n') + '\n');
  writeFileSync(join(dir, 'test.txt'), lines(2, 200).join('\n') + '\n');
  const t = run(['supervised', 'train.txt', '--dim', '16', '--epoch', '30', '--lr', '0.5', '--bucket', '1000', '--word-ngrams', '2', '--threads', '1', '--seed', '1', '--out', 'model.bin']);
  expect(t.code, t.stderr).toBe(0);
});

describe('quantext compress MODEL --train --test', () => {
  it('a missing --train or --test file is an E_IO error naming it, before any candidate is tried', () => {
    for (const args of [['--train', 'nope.txt', '--test', 'test.txt'], ['--train', 'train.txt', '--test', 'nope.txt']]) {
      const r = run(['compress', 'model.bin', ...args, '--out', 'never.bin', '--json']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('nope.txt: no such file');
      expect(r.stderr).not.toContain('no candidate fits');
    }
  });

  it('searches quantized, distilled and pruned candidates; keeps the most accurate under the target; the file loads and scores as reported', async () => {
    const r = run(['compress', 'model.bin', '--train', 'train.txt', '--test', 'test.txt', '--target-size', '5kB', '--budget', '40s', '--threads', '1', '--out', 'small.bin', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = r.json;
    expect(j.metric).toBe('precision');
    const c = j.candidates as any[];
    expect(c.length).toBe(j.tried);
    expect(c.length).toBeGreaterThanOrEqual(3);
    expect(new Set(c.map((x) => x.family))).toEqual(new Set(['words', 'quantize', 'student', 'prune']));
    // the words-only students (dim 4 and 2, int4 with one scale) come first
    expect(c[0]).toMatchObject({ family: 'words', words: true, dim: 4, input: 'int4', perRow: false, cutoff: 4000 });
    expect(c.some((x) => x.sparsity > 0) && c.some((x) => x.bits === 1) && c.some((x) => x.cutoff === 1000) && c.some((x) => x.retrain)).toBe(true);
    for (const x of c) {
      expect(x.size).toBeGreaterThan(0);
      expect(x.precision).toBeGreaterThanOrEqual(0);
      expect(x.precision).toBeLessThanOrEqual(1);
    }
    // the reference: the model as given, its size on disk and its P@1 as `quantext test` reports it
    const t = run(['test', 'model.bin', 'test.txt', '--json']);
    expect(j.reference).toEqual({ size: statSync(join(dir, 'model.bin')).size, quality: t.json.precision });
    const fits = c.filter((x) => x.size <= 5000);
    const q = Math.max(...fits.map((x) => x.quality));
    const want = fits.filter((x) => x.quality === q).sort((a, b) => a.size - b.size)[0];
    expect(j.kept).toBe(want.name);
    expect(j.size).toBe(want.size);
    expect(statSync(join(dir, 'small.bin')).size).toBe(j.size);
    // the saved model: loads, and its P@1 counted here from its predictions is the reported precision
    const { init } = await import('../../dist/index.node.js');
    const { CompressedClassifier } = await import('../../dist/compress/index.node.js');
    await init();
    const cc = await CompressedClassifier.load(join(dir, 'small.bin'));
    let right = 0, n = 0;
    for (const line of readFileSync(join(dir, 'test.txt'), 'utf8').trim().split('\n')) {
      const toks = line.split(' ');
      const [p] = cc.predict(toks.slice(1).join(' '), 1);
      n++;
      if (p && p[0] === toks[0]) right++; // [label, probability], the label with its prefix
    }
    expect(right / n).toBeCloseTo(j.precision, 12);
    expect(j.precision).toBeGreaterThan(0.9); // the planted task is easy (the model itself: 0.945)
    cc.dispose();
    const md = readFileSync(join(dir, 'small.md'), 'utf8');
    expect(md).toContain(`**${want.name}** (kept)`);
    expect(md).toContain('## What the bits cost');
    expect(readFileSync(join(dir, 'small.svg'), 'utf8')).toContain(`>${want.name}</text>`);
    // `quantext test` and `quantext predict` read the compressed file as they read a fastText model
    const tc = run(['test', 'small.bin', 'test.txt', '--json']);
    expect(tc.code, tc.stderr).toBe(0);
    expect(tc.json.precision).toBeCloseTo(j.precision, 12);
    expect(tc.json.n).toBe(200);
    const pr = run(['predict', 'small.bin', 'test.txt', '--prob']);
    expect(pr.code, pr.stderr).toBe(0);
    const got = pr.stdout.trim().split('\n');
    expect(got).toHaveLength(200);
    const cc2 = await CompressedClassifier.load(join(dir, 'small.bin'));
    readFileSync(join(dir, 'test.txt'), 'utf8').trim().split('\n').forEach((line, i) => {
      const [l, p] = cc2.predict(line, 1)[0];
      expect(got[i].split(' ')[0]).toBe(l);
      expect(Number(got[i].split(' ')[1])).toBeCloseTo(p, 5);
    });
    cc2.dispose();
  });
});
