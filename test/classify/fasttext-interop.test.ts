// Our classifier's .bin in Debian's fastText 0.9.2 (skipped where /usr/bin/fasttext is absent): it loads and
// predicts exactly as we do (`predict-prob` text, every label), `test` prints our figures; a model fastText trained
// loads here, predicts as fastText does and keeps training. And the CLI: `quantext supervised`, `test`, `test-label`.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../src/index.node.js';
import { TextClassifier } from '../../src/classify/classifier.js';
import { FastTextModel } from '../../src/fasttext/model.js';
import { predictCommand } from '../../src/cli/predict.js';
import { formatGeneral, formatTestLabel } from '../../src/cli/test-cmd.js';
import { synthetic } from './data.js';

const FT = '/usr/bin/fasttext';
const hasFt = existsSync(FT);
const CLI = join(__dirname, '..', '..', 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'quantext-classify-'));
const trainFile = join(dir, 'train.txt');
const testFile = join(dir, 'test.txt');

function ft(args: string[]): string {
  const r = spawnSync(FT, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`fasttext ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function ourPredictions(model: FastTextModel, file: string, k: number): Promise<string> {
  let out = '';
  await predictCommand(model, file, { k, prob: true }, (s) => (out += s));
  return out;
}

beforeAll(() => {
  const fmt = (docs: { text: string; label: string }[]) => docs.map((d) => `__label__${d.label} ${d.text}`).join('\n') + '\n';
  writeFileSync(trainFile, fmt(synthetic(500, 11, 4)));
  writeFileSync(testFile, fmt(synthetic(200, 12, 4)));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!hasFt)('fastText 0.9.2 and our classifier', () => {
  const configs = [
    { loss: 'softmax', dim: 10 },
    { loss: 'hs', dim: 10, wordNgrams: 2, bucket: 3000 },
    { loss: 'ns', dim: 9, neg: 3, minn: 2, maxn: 4, bucket: 2000 },
    { loss: 'ova', dim: 10, wordNgrams: 3, bucket: 1000 },
  ] as const;
  for (const cfg of configs) {
    it(`${cfg.loss}: fastText loads our .bin and predicts exactly as we do; test prints our figures`, async () => {
      const c = new TextClassifier({ ...cfg, epochs: 4, lr: 0.3, seed: 2 });
      try {
        await c.train(trainFile);
        const bin = join(dir, `ours-${cfg.loss}.bin`);
        await c.save(bin);
        const theirs = ft(['predict-prob', bin, testFile, '-1']);
        expect(await ourPredictions(c.model, testFile, -1)).toBe(theirs);
        const t = await c.test(testFile, 2);
        expect(formatGeneral(t, 2)).toBe(ft(['test', bin, testFile, '2']));
        // test-label: labels, F1 and precision as fastText prints them (0.9.2 never counts a label's gold examples, so
        // its per-label recall is "--------" and its F1 2·pg/predicted; ours are the figures of fastText's main branch)
        const want = ft(['test-label', bin, testFile, '2']).split('\n');
        const got = formatTestLabel(t, 2).split('\n');
        expect(got.length).toBe(want.length);
        for (let i = 0; i < t.labels.length; i++) {
          expect(got[i].split('  ')[1]).toBe(want[i].split('  ')[1]); // "Precision : 0.xxxxxx"
          expect(got[i].endsWith(' ' + t.labels[i].label)).toBe(true);
          expect(want[i].endsWith(' ' + t.labels[i].label)).toBe(true);
        }
        expect(got.slice(t.labels.length)).toEqual(want.slice(t.labels.length));
      } finally {
        c.dispose();
      }
    });
  }

  it('a model fastText trained loads, predicts as fastText does, and keeps training here', async () => {
    const out = join(dir, 'theirs');
    ft(['supervised', '-input', trainFile, '-output', out, '-dim', '8', '-epoch', '1', '-lr', '0.05', '-wordNgrams', '2', '-bucket', '5000', '-thread', '1', '-verbose', '0']);
    const c = await TextClassifier.load(out + '.bin', { epochs: 10, lr: 0.5 });
    try {
      expect(await ourPredictions(c.model, testFile, 2)).toBe(ft(['predict-prob', out + '.bin', testFile, '2']));
      const before = (await c.test(testFile)).precision;
      await c.train(trainFile);
      const after = (await c.test(testFile)).precision;
      expect(after).toBeGreaterThan(0.95);
      expect(after).toBeGreaterThan(before);
      // and the model trained further still loads in fastText, which agrees with it
      const bin = join(dir, 'theirs-more.bin');
      await c.save(bin);
      expect(await ourPredictions(c.model, testFile, 2)).toBe(ft(['predict-prob', bin, testFile, '2']));
    } finally {
      c.dispose();
    }
  });
});

describe('CLI: supervised, test, test-label', () => {
  const run = (args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    const last = r.stdout.trim().split('\n').pop() ?? '';
    let json: any;
    try {
      json = JSON.parse(last);
    } catch {
      json = undefined;
    }
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, json };
  };

  it('trains, saves, tests (JSON {n, precision, recall}) and prints per-label figures', () => {
    const bin = join(dir, 'cli.bin');
    const r = run(['supervised', trainFile, '--out', bin, '--dim', '10', '--epoch', '8', '--lr', '0.5', '--threads', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.labels).toBe(4);
    expect(r.json.out).toBe(bin);
    const t = run(['test', bin, testFile, '--json']);
    expect(t.code, t.stderr).toBe(0);
    expect(Object.keys(t.json).sort()).toEqual(['n', 'precision', 'recall']);
    expect(t.json.n).toBe(200);
    expect(t.json.precision).toBeGreaterThan(0.9);
    const l = run(['test-label', bin, testFile]);
    expect(l.code, l.stderr).toBe(0);
    expect(l.stdout).toMatch(/^F1-Score : \d\.\d{6} {2}Precision : \d\.\d{6} {2}Recall : \d\.\d{6} {3}__label__c\d$/m);
    expect(l.stdout).toMatch(/^N\t200$/m);
    if (hasFt) expect(run(['test', bin, testFile]).stdout).toBe(ft(['test', bin, testFile]));
  });

  it('test-label prints an undefined figure as fastText does ("--------"), general figures after it with 3 decimals', () => {
    const r = { n: 2, precision: 0.5, recall: 1, labels: [
      { label: '__label__a', predicted: 2, gold: 1, predictedGold: 1, precision: 0.5, recall: 1, f1: 2 / 3 },
      { label: '__label__b', predicted: 0, gold: 0, predictedGold: 0, precision: NaN, recall: NaN, f1: NaN },
    ] };
    expect(formatTestLabel(r, 1)).toBe(
      'F1-Score : 0.666667  Precision : 0.500000  Recall : 1.000000   __label__a\n' +
      'F1-Score : --------  Precision : --------  Recall : --------   __label__b\n' +
      'N\t2\nP@1\t0.500\nR@1\t1.000\n');
    expect(formatGeneral(r, 1)).toBe('N\t2\nP@1\t0.5\nR@1\t1\n');
  });

  it('bad flags name the flag: unknown flag, NaN --lr, bad --loss; a bad line names the line', () => {
    const u = run(['supervised', trainFile, '--bogus', '3']);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/--bogus/);
    const n = run(['supervised', trainFile, '--lr', 'nan']);
    expect(n.code).toBe(2);
    expect(n.stderr).toMatch(/--lr/);
    const l = run(['supervised', trainFile, '--loss', 'hinge']);
    expect(l.code).toBe(2);
    expect(l.stderr).toMatch(/--loss/);
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, '__label__a x y\nno label here\n');
    const b = run(['supervised', bad, '--json']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/line 2 has no label/);
    expect(run(['supervised', bad, '--skip-invalid', '--dim', '4']).code).toBe(0);
  });
});
