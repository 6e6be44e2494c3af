// Runs every example of docs/kernels.md (a ```js block followed by the ```text block of what it prints) as its own
// Node program importing 'quantext/kernels' (the package's own exports, i.e. dist/), and compares the output.
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(__dirname, '../..');
const md = readFileSync(join(ROOT, 'docs/kernels.md'), 'utf8');
// a temp folder whose node_modules/quantext links to this package, so that 'quantext/kernels' resolves through
// package.json's exports as it does for a user
const DIR = mkdtempSync(join(tmpdir(), 'quantext-kernels-docs-'));
mkdirSync(join(DIR, 'node_modules'));
symlinkSync(ROOT, join(DIR, 'node_modules', 'quantext'), 'dir');
const run = promisify(execFile);

interface Example { title: string; code: string; output: string }
const examples: Example[] = [];
let title = '';
const lines = md.split('\n');
for (let i = 0; i < lines.length; i++) {
  if (lines[i].startsWith('## ')) title = lines[i].slice(3);
  if (lines[i] !== '```js') continue;
  const end = lines.indexOf('```', i + 1);
  const code = lines.slice(i + 1, end).join('\n');
  let j = end + 1;
  while (lines[j] === '') j++;
  if (lines[j] !== '```text') continue; // a fragment, not a program
  const oend = lines.indexOf('```', j + 1);
  examples.push({ title, code, output: lines.slice(j + 1, oend).join('\n') });
  i = oend;
}

describe('docs/kernels.md examples print what the page says', () => {
  it('has one example per function', () => {
    const text = examples.map((e) => e.code).join('\n');
    for (const fn of ['dot', 'cosine', 'l2', 'axpy', 'scale', 'normalizeRows', 'matvec', 'topk', 'gemm', 'packB', 'quantize', 'dequantize', 'hamming', 'hammingRows', 'packBits', 'softmax', 'alloc', 'free', 'toWasm', 'useRuntime']) {
      expect(text, fn).toMatch(new RegExp(`\\b${fn}\\(`));
    }
    expect(examples.length).toBeGreaterThanOrEqual(17);
  });
  examples.forEach((ex, i) => {
    it(`${ex.title} (example ${i + 1})`, async () => {
      const file = join(DIR, `example-${i + 1}.mjs`);
      writeFileSync(file, ex.code + '\n');
      const { stdout } = await run(process.execPath, [file], { cwd: DIR, env: { ...process.env, QUANTEXT_BACKEND: '' } });
      expect(stdout.trimEnd()).toBe(ex.output);
    });
  });
});
