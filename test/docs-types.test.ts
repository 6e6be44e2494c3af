// Browser TypeScript users: a project with `lib: ["ES2022", "DOM"]` (no ESNext.Disposable, no @types/node) and
// skipLibCheck off must compile against the package's built types (dist/*.d.ts), `using` and Symbol.dispose
// included. The fixture (test/fixtures/types-consumer) is copied to a temp folder whose node_modules/quantext links
// to this repository, as an install would, and compiled with the repository's TypeScript.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(__dirname, '..');
const TSC = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
const work = mkdtempSync(join(tmpdir(), 'quantext-types-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the package types in a browser project', () => {
  it('compile with lib ["ES2022", "DOM"] (ESNext.Disposable comes with the package)', () => {
    expect(existsSync(join(REPO, 'dist', 'index.d.ts')), 'dist/ is built (npm test builds it)').toBe(true);
    cpSync(join(REPO, 'test', 'fixtures', 'types-consumer'), work, { recursive: true });
    writeFileSync(join(work, 'package.json'), '{ "private": true, "type": "module" }\n');
    mkdirSync(join(work, 'node_modules'));
    symlinkSync(REPO, join(work, 'node_modules', 'quantext'), 'dir');
    const r = spawnSync(process.execPath, [TSC, '-p', work], { cwd: work, encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
