import { describe, it, expect, beforeAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rng } from '../helpers.js';

const CLI = join(__dirname, '..', '..', 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'quantext-cli-'));
const corpus = join(dir, 'tiny.txt');

function run(args: string[]): { code: number; stdout: string; stderr: string; json: any } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
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

describe('quantext CLI', () => {
  it('train → similar → analogy → eval, with --json last lines', () => {
    const out = join(dir, 'v.bin');
    const t = run(['train', corpus, '--out', out, '--min-count', '1', '--dim', '16', '--epochs', '3', '--threads', '1', '--sample', '0', '--json']);
    expect(t.code).toBe(0);
    expect(t.json).toMatchObject({ words: 800 * 7 * 3, vocabSize: 12, epochs: 3, threads: 1 });
    expect(t.json.wordsPerSecond).toBeGreaterThan(0);
    expect(Number.isFinite(t.json.loss)).toBe(true);
    expect(t.stderr).toMatch(/train +\d+%/); // progress on stderr
    expect(existsSync(out)).toBe(true);
    expect(readFileSync(out).subarray(0, 6).toString()).toBe('12 16\n');

    const s = run(['similar', out, 'king', '--topn', '3', '--json']);
    expect(s.code).toBe(0);
    expect(s.json.similar).toHaveLength(3);
    for (const { word } of s.json.similar) expect(['queen', 'prince', 'princess', 'crown', 'throne']).toContain(word);

    const a = run(['analogy', out, 'car', 'truck', 'king', '--json']);
    expect(a.code).toBe(0);
    expect(a.json.answers.length).toBeGreaterThan(0);

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
    // tiny 12×16 table: per-row scales and the centre μ weigh more than at dim 100 (bench/ measures the real ratios);
    // PQ's codebooks outweigh 12 rows
    for (const [scheme, ratio] of [['int8', 2.5], ['int4', 3.4], ['binary', 4], ['fp16', 1.9], ['pq', 0]] as const) {
      const qf = join(dir, `v2-${scheme}.safetensors`);
      const q = run(['quantize', out, '--scheme', scheme, '--out', qf, '--json']);
      expect(q.code).toBe(0);
      expect(q.json.scheme).toBe(scheme);
      expect(q.json.bytesBefore).toBe(12 * 16 * 4);
      expect(q.json.bytesBefore / q.json.bytesAfter).toBeGreaterThan(ratio);
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
});
