// `quantext train --algorithm fasttext --minn --maxn --bucket` (dist/cli/main.js, as a user runs it).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rng } from '../helpers.js';

const CLI = join(__dirname, '..', '..', 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'quantext-ft-cli-'));
const corpus = join(dir, 'walk.txt');

function run(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  let json: any;
  try { json = JSON.parse(last); } catch { json = undefined; }
  return { code: r.status ?? -1, stderr: r.stderr, json };
}

beforeAll(() => {
  const r = rng(5);
  const A = ['walking', 'walked', 'walker', 'street', 'road'], B = ['swimming', 'swimmer', 'swims', 'pool', 'lake'];
  const lines: string[] = [];
  for (let i = 0; i < 600; i++) {
    const t = i % 2 ? A : B;
    lines.push(Array.from({ length: 7 }, () => t[Math.floor(r() * t.length)]).join(' '));
  }
  writeFileSync(corpus, lines.join('\n') + '\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('quantext train --algorithm fasttext', () => {
  it('trains FastText with --minn --maxn --bucket and saves the word vectors', () => {
    const out = join(dir, 'ft.vec');
    const r = run(['train', corpus, '--algorithm', 'fasttext', '--minn', '2', '--maxn', '4', '--bucket', '5000', '--dim', '16',
      '--min-count', '1', '--epochs', '3', '--threads', '1', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.vocabSize).toBe(10);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('10 16');
    expect(lines.length).toBe(11);
  });

  it('refuses n-gram flags without --algorithm fasttext, bad values and unknown algorithms (E_OPTION, exit 2)', () => {
    for (const args of [['--bucket', '100'], ['--algorithm', 'fasttext', '--minn', '0'], ['--algorithm', 'fasttext', '--minn', '5', '--maxn', '3'],
      ['--algorithm', 'fasttext', '--bucket', '-1'], ['--algorithm', 'nope']]) {
      const r = run(['train', corpus, '--min-count', '1', ...args]);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr, args.join(' ')).toMatch(/--bucket|--minn|maxN|--algorithm|bucket/);
    }
  });
});
