// `quantext train CORPUS --quantize-bits N --out FILE` saves the quantized table (safetensors) that `eval` and
// `similar` read; --quantize-bits outside {1, 2}, or with another algorithm, is E_OPTION naming the flag.
import { describe, expect, it, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { rng } from '../helpers.js';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'qt-qat-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const corpus = join(dir, 'corpus.txt');
const A = ['king', 'queen', 'prince', 'princess', 'crown', 'throne'];
const B = ['car', 'truck', 'wheel', 'engine', 'road', 'driver'];
const r = rng(9);
writeFileSync(corpus, Array.from({ length: 800 }, () => {
  const t = r() < 0.5 ? A : B;
  return Array.from({ length: 7 }, () => t[Math.floor(r() * t.length)]).join(' ');
}).join('\n') + '\n');
const pairs = join(dir, 'pairs.tsv');
writeFileSync(pairs, 'king\tqueen\t9\ncar\ttruck\t9\nking\tcar\t1\nqueen\twheel\t1\nprince\tprincess\t8\nroad\tcrown\t1\n');

function run(args: string[]) {
  const p = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  const last = p.stdout.trim().split('\n').pop() ?? '';
  let json: any;
  try { json = JSON.parse(last); } catch { json = undefined; }
  return { code: p.status ?? -1, stdout: p.stdout, stderr: p.stderr, json };
}

describe('quantext train --quantize-bits', () => {
  for (const bits of [1, 2]) {
    it(`${bits} bit(s): saves the quantized table; eval and similar read it`, () => {
      const out = join(dir, `v${bits}.bin`); // without --format, a quantized table is saved as safetensors whatever the name
      const t = run(['train', corpus, '--quantize-bits', String(bits), '--out', out, '--dim', '32', '--min-count', '1', '--epochs', '5', '--threads', '1', '--sample', '0', '--json']);
      expect(t.code, t.stderr).toBe(0);
      const bytes = readFileSync(out);
      const headerLen = Number(bytes.readBigUInt64LE(0));
      const header = JSON.parse(bytes.subarray(8, 8 + headerLen).toString('utf8'));
      const meta = header.__metadata__;
      expect(meta.scheme).toBe(bits === 1 ? 'binary' : 'int2');
      // 12 words × 32 dims at 1 or 2 bits a value
      expect(header.vectors.data_offsets[1] - header.vectors.data_offsets[0]).toBe(12 * 32 * bits / 8);
      expect(JSON.parse(meta.vocab).length).toBe(12);
      const s = run(['similar', out, 'king', '--topn', '11', '--json']);
      expect(s.code, s.stderr).toBe(0);
      expect(s.json.similar.length).toBe(11);
      // the planted topics: king's own topic scores higher on average than the other
      const mean = (ws: string[]) => {
        const xs = s.json.similar.filter((x: any) => ws.includes(x.word)).map((x: any) => x.score);
        return xs.reduce((a: number, b: number) => a + b, 0) / xs.length;
      };
      expect(mean(A)).toBeGreaterThan(mean(B) + 0.3);
      // 1 bit: cosines of ±1/3 rows are 1 − 2·hamming/dim, multiples of 1/16 at dim 32
      if (bits === 1) for (const x of s.json.similar) expect(Math.abs(x.score * 16 - Math.round(x.score * 16))).toBeLessThan(1e-4);
      const e = run(['eval', out, '--pairs', pairs, '--no-analogies', '--json']);
      expect(e.code, e.stderr).toBe(0);
      expect(e.json.pairs[0].spearman).toBeGreaterThan(0.5);
    });
  }

  it('--quantize-level L: the table\'s values are ±L (2 bits: ±L, ±3L); 0 / x / without --quantize-bits is E_OPTION naming it', () => {
    for (const bits of [1, 2]) {
      const out = join(dir, `lv${bits}.txt`);
      const t = run(['train', corpus, '--quantize-bits', String(bits), '--quantize-level', '0.125', '--out', out, '--dim', '16', '--min-count', '1', '--epochs', '2', '--threads', '1', '--sample', '0', '--json']);
      expect(t.code, t.stderr).toBe(0);
      const vals = new Set(readFileSync(out, 'utf8').trim().split('\n').slice(1).flatMap((l) => l.split(' ').slice(1).map(Number)));
      if (bits === 1) expect([...vals].sort((a, b) => a - b)).toEqual([-0.125, 0.125]);
      else for (const v of vals) expect([0.125, 0.375]).toContain(Math.abs(v));
    }
    for (const extra of [['--quantize-bits', '1', '--quantize-level', '0'], ['--quantize-bits', '1', '--quantize-level', 'x'], ['--quantize-level', '0.1']]) {
      const t = run(['train', corpus, ...extra, '--out', join(dir, 'bad.safetensors'), '--min-count', '1', '--json']);
      expect(t.code).not.toBe(0);
      expect(t.json.error.code).toBe('E_OPTION');
      expect(t.json.error.message).toMatch(/--quantize-level/);
    }
  });

  it('--quantize-bits 3 / 0 / x, or with --algorithm fasttext, is E_OPTION naming the flag', () => {
    for (const v of ['3', '0', 'x']) {
      const t = run(['train', corpus, '--quantize-bits', v, '--out', join(dir, 'bad.safetensors'), '--min-count', '1', '--json']);
      expect(t.code).not.toBe(0);
      expect(t.json.error.code).toBe('E_OPTION');
      expect(t.json.error.message).toMatch(/--quantize-bits/);
    }
    const f = run(['train', corpus, '--algorithm', 'fasttext', '--quantize-bits', '1', '--out', join(dir, 'bad.bin'), '--min-count', '1', '--json']);
    expect(f.code).not.toBe(0);
    expect(f.json.error.code).toBe('E_OPTION');
    expect(f.json.error.message).toMatch(/--quantize-bits/);
  });
});
