// `npm run test:runtimes` (scripts/smoke/run.mjs) must not report success for runtimes it did not test: a run that
// skips a runtime (its tool missing) lists what it skipped and exits non-zero unless skipping was asked for
// (`--allow-skip` or QUANTEXT_SMOKE_ALLOW_SKIP=1). The browser runtime is made "missing" by pointing CHROMIUM at a
// path that does not exist; nothing is launched, so this takes well under a second.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const REPO = resolve(__dirname, '..');
const RUN = join(REPO, 'scripts', 'smoke', 'run.mjs');

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [RUN, '--no-build', ...args], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, CHROMIUM: '/nonexistent/chromium', QUANTEXT_SMOKE_ALLOW_SKIP: '', ...env },
    timeout: 30_000,
  });
  return { code: r.status, out: r.stdout };
}

describe('scripts/smoke/run.mjs', () => {
  it('fails a run that skipped a runtime, and says which and why', () => {
    const { code, out } = run(['browser']);
    expect(code).toBe(1);
    // the first missing tool is named: playwright-core where scripts/smoke has no node_modules, else chromium
    expect(out).toMatch(/NOT TESTED: browser \((chromium \(\/nonexistent\/chromium\)|playwright-core \(npm\)) is not installed\)/);
    expect(out).toMatch(/This run FAILS because it skipped runtimes/);
    expect(out.trim().split('\n').at(-1)).toBe('0 passed, 0 failed, 1 skipped');
  });

  it('passes a partial run when skipping is allowed (--allow-skip or QUANTEXT_SMOKE_ALLOW_SKIP=1)', () => {
    for (const [args, env] of [[['browser', '--allow-skip'], {}], [['browser'], { QUANTEXT_SMOKE_ALLOW_SKIP: '1' }]] as const) {
      const { code, out } = run([...args], env);
      expect(code).toBe(0);
      expect(out).toMatch(/NOT TESTED: browser/);
      expect(out).toMatch(/Skipping was allowed/);
    }
  });

  it('rejects unknown flags instead of ignoring them', () => {
    expect(run(['--alow-skip', 'browser']).code).toBe(2);
  });
});
