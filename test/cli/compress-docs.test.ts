// docs/compression.md: every ```js example followed by a ```text block runs as its own Node program importing
// 'quantext' (the package's exports, i.e. dist/) and prints exactly that text; the word-vector `quantext compress`
// command of the page runs on the test fixtures (its file names mapped to them) and writes what the page says.
import { afterAll, describe, expect, it } from 'vitest';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(__dirname, '../..');
const md = readFileSync(join(ROOT, 'docs/compression.md'), 'utf8');
const DIR = mkdtempSync(join(tmpdir(), 'quantext-compress-docs-'));
mkdirSync(join(DIR, 'node_modules'));
symlinkSync(ROOT, join(DIR, 'node_modules', 'quantext'), 'dir');
afterAll(() => rmSync(DIR, { recursive: true, force: true }));
const run = promisify(execFile);

const lines = md.split('\n');
const examples: { code: string; output: string }[] = [];
const shells: string[] = [];
for (let i = 0; i < lines.length; i++) {
  if (lines[i] === '```sh') {
    const end = lines.indexOf('```', i + 1);
    shells.push(lines.slice(i + 1, end).join('\n').replace(/\\\n\s*/g, ''));
    i = end;
    continue;
  }
  if (lines[i] !== '```js') continue;
  const end = lines.indexOf('```', i + 1);
  let j = end + 1;
  while (lines[j] === '') j++;
  if (lines[j] !== '```text') continue;
  const oend = lines.indexOf('```', j + 1);
  examples.push({ code: lines.slice(i + 1, end).join('\n'), output: lines.slice(j + 1, oend).join('\n') });
  i = oend;
}

describe('docs/compression.md', () => {
  it('has its examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(1);
    expect(shells.some((s) => s.startsWith('quantext compress vectors.bin'))).toBe(true);
  });
  examples.forEach((ex, i) => {
    it(`example ${i + 1} prints what the page says`, async () => {
      const file = join(DIR, `example-${i + 1}.mjs`);
      writeFileSync(file, ex.code + '\n');
      const { stdout } = await run(process.execPath, [file], { cwd: DIR, env: { ...process.env, QUANTEXT_BACKEND: '' } });
      expect(stdout.trimEnd()).toBe(ex.output);
    });
  });
  it('the word-vector command runs (on the fixtures) and writes the kept vectors, the report and the plot', () => {
    const fix = join(ROOT, 'test', 'fixtures', 'vectors');
    const cmd = shells.find((s) => s.startsWith('quantext compress vectors.bin'))!;
    const args = cmd.split(/\s+/).slice(1).map((a) =>
      ({ 'vectors.bin': join(fix, 'synth.txt'), 'wordsim353.tsv': join(fix, 'synth-pairs.tsv'), 'questions-words.txt': join(fix, 'synth-questions.txt') })[a] ?? a);
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), ...args], { cwd: DIR, encoding: 'utf8' });
    expect(r.stderr).toMatch(/^(\s*\d+ .*\n)+$/); // progress lines only
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^tried \d+ candidates in [\d.]+ s\nkept .*\nsaved small\.safetensors\nreport small\.md, plot small\.svg\n$/);
    for (const f of ['small.safetensors', 'small.md', 'small.svg']) expect(existsSync(join(DIR, f)), f).toBe(true);
  });
});
