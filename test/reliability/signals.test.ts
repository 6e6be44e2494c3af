// Issue 15: Ctrl-C or SIGTERM during a save leaves no temporary file beside the target, and the target intact;
// the CLI exits 130 / 143.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { liveTempFiles, removeLiveTempFilesSync, writeFileAtomic } from '../../src/io/atomic.js';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'quantext-signals-'));
const corpus = join(dir, 'wide.txt');

beforeAll(() => {
  // 20k distinct words seen twice each: a 20k × 200 vocabulary whose text save is ~40 MB (about a second)
  const words = Array.from({ length: 20_000 }, (_, i) => `w${i.toString(36)}`);
  const lines: string[] = [];
  for (let pass = 0; pass < 2; pass++) for (let i = 0; i < words.length; i += 20) lines.push(words.slice(i, i + 20).join(' '));
  writeFileSync(corpus, lines.join('\n') + '\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const temps = (name: string) => readdirSync(dir).filter((f) => f.startsWith(`.${name}.`) && f.endsWith('.tmp'));

/** Runs `quantext train` saving to `out`, sends `signal` once its temp file appears; returns the exit code and stderr. */
function interruptSave(out: string, signal: NodeJS.Signals): Promise<{ code: number | null; stderr: string; sawTemp: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'train', corpus, '--out', join(dir, out), '--dim', '200', '--min-count', '1', '--epochs', '1', '--threads', '1', '--sample', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let sawTemp = false;
    child.stderr.on('data', (d) => (stderr += d));
    const poll = setInterval(() => {
      if (!sawTemp && temps(out).length > 0) {
        sawTemp = true;
        setTimeout(() => child.kill(signal), 30); // mid-save: some MB written
      }
    }, 10);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      resolve({ code, stderr, sawTemp });
    });
  });
}

describe('signals during a save', () => {
  it('SIGTERM mid-save: the temp file is removed, the old target is intact, exit 143', async () => {
    const out = 'vectors.txt';
    writeFileSync(join(dir, out), 'the previous file\n');
    const r = await interruptSave(out, 'SIGTERM');
    expect(r.sawTemp, r.stderr).toBe(true);
    expect(r.code, r.stderr).toBe(143);
    expect(r.stderr).toMatch(/interrupted \(SIGTERM\); removed the unfinished .*\.vectors\.txt\..*\.tmp/);
    expect(temps(out)).toEqual([]);
    expect(readFileSync(join(dir, out), 'utf8')).toBe('the previous file\n');
  }, 60_000);

  it('SIGINT (Ctrl-C) mid-save of a new file: no temp file and no target, exit 130', async () => {
    const out = 'fresh.txt';
    const r = await interruptSave(out, 'SIGINT');
    expect(r.sawTemp, r.stderr).toBe(true);
    expect(r.code, r.stderr).toBe(130);
    expect(temps(out)).toEqual([]);
    expect(existsSync(join(dir, out))).toBe(false);
  }, 60_000);

  it('writeFileAtomic registers its temp file while the save runs, and forgets it after', async () => {
    const target = join(dir, 'api.bin');
    let seen: string[] = [];
    await writeFileAtomic(target, (async function* () {
      yield new Uint8Array(10);
      seen = liveTempFiles();
      yield new Uint8Array(10);
    })());
    expect(seen.length).toBe(1);
    expect(seen[0]).toMatch(/\.api\.bin\..*\.tmp$/);
    expect(liveTempFiles()).toEqual([]);
    // removeLiveTempFilesSync removes what is in progress (as the CLI's signal handler does)
    let removed: string[] = [];
    const p = writeFileAtomic(join(dir, 'api2.bin'), (async function* () {
      yield new Uint8Array(10);
      removed = removeLiveTempFilesSync();
      yield new Uint8Array(10);
    })());
    await p.catch(() => undefined);
    expect(removed.length).toBe(1);
    expect(existsSync(removed[0])).toBe(false);
  });
});
