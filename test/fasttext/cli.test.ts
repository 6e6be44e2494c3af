// The fastText commands of the CLI, against the tool's own output (the fixtures made by make.sh).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const FIX = join(ROOT, 'test', 'fixtures', 'fasttext');
const fx = (n: string) => join(FIX, n);

function run(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', input });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('quantext predict / print-word-vectors', () => {
  it('predict prints what `fasttext predict` and `predict-prob` print, byte for byte', () => {
    for (const loss of ['softmax', 'hs', 'ns', 'ova']) {
      const m = fx(`sup_${loss}.bin`);
      expect(run(['predict', m, fx('queries.txt')]).stdout).toBe(readFileSync(fx(`sup_${loss}.pred1.txt`), 'utf8'));
      expect(run(['predict', m, fx('queries.txt'), '--k', '3', '--prob']).stdout).toBe(readFileSync(fx(`sup_${loss}.pred3.txt`), 'utf8'));
      // stdin, all labels above a threshold
      const q = readFileSync(fx('queries.txt'), 'utf8');
      expect(run(['predict', m, '-', '--k', '-1', '--prob', '--threshold', '0.1'], q).stdout).toBe(readFileSync(fx(`sup_${loss}.predall.txt`), 'utf8'));
    }
    for (const f of ['ftz_plain', 'ftz_qnorm', 'ftz_qout']) {
      expect(run(['predict', fx(`${f}.ftz`), fx('queries.txt'), '--k', '3', '--prob']).stdout).toBe(readFileSync(fx(`${f}.pred3.txt`), 'utf8'));
    }
  });

  it('predict --json writes {n, seconds, docsPerSecond} to stderr', () => {
    const r = run(['predict', fx('sup_softmax.bin'), fx('queries.txt'), '--json']);
    const s = JSON.parse(r.stderr.trim().split('\n').pop()!);
    expect(s.n).toBe(readFileSync(fx('queries.txt'), 'utf8').split('\n').length - 1);
    expect(s.seconds).toBeGreaterThan(0);
    expect(s.docsPerSecond).toBeCloseTo(s.n / s.seconds, 3);
  });

  it('print-word-vectors prints what `fasttext print-word-vectors` prints, byte for byte', () => {
    const words = readFileSync(fx('words.txt'), 'utf8');
    for (const m of ['sg.bin', 'cbow.bin', 'sg0.bin', 'sup_ova.bin', 'ftz_qnorm.ftz']) {
      expect(run(['print-word-vectors', fx(m)], words).stdout, m).toBe(readFileSync(fx(m.replace(/\.(bin|ftz)$/, '.words.txt')), 'utf8'));
    }
  });

  it('refuses an unsupervised model for predict, and k 0', () => {
    const a = run(['predict', fx('sg.bin'), fx('queries.txt')]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/unsupervised/);
    const b = run(['predict', fx('sup_hs.bin'), fx('queries.txt'), '--k', '0']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--k/);
  });

  it('similar, analogy, eval and quantize accept .bin and .ftz', () => {
    expect(run(['similar', fx('sg.bin'), 'jury', '--topn', '3']).stdout.trim().split('\n').length).toBe(3);
    expect(run(['similar', fx('ftz_qnorm.ftz'), 'unseenword', '--topn', '2']).code).toBe(0);
    expect(run(['analogy', fx('cbow.bin'), 'the', 'jury', 'said', '--topn', '2']).code).toBe(0);
    const q = run(['quantize', fx('sg.bin'), '--scheme', 'int8', '--json']);
    expect(q.code).toBe(0);
    expect(JSON.parse(q.stdout.trim().split('\n').pop()!).scheme).toBe('int8');
    expect(run(['eval', fx('ftz_plain.ftz'), '--no-analogies']).code).toBe(0);
  });
});
