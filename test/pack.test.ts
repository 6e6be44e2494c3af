// What `npm pack` puts in the package: only what a user needs (the built modules and their types, the four wasm
// builds, the evaluation sets the CLI ships, the docs, README, LICENSE), nothing from the repository's tests, benches,
// kernel sources, scripts or examples, no source maps, no stale dist/ module left behind by a renamed source, every
// module an entry point imports present in the tarball, and the size budget (scripts/size.mjs): each runtime entry,
// bundled and minified, with the largest wasm build ≤ 150 KB gzipped.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the scripts, without types
import { measure, moduleGraph, entryPoints, CORE_BUDGET_GZ } from '../scripts/size.mjs';

const REPO = join(import.meta.dirname, '..');

interface PackFile {
  path: string;
  size: number;
}

/** `npm pack --dry-run --json` of the repository (scripts ignored: npm test's pretest has built dist/ and build/). */
function packList(): { files: PackFile[]; size: number; unpackedSize: number } {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const [info] = JSON.parse(out);
  return info;
}

/** The rules a packed path must satisfy; returns why it should not be there, or null. */
export function unwanted(path: string): string | null {
  if (/\.map$/.test(path)) return 'a source map';
  if (/^(test|bench|assembly|scripts|examples|src|\.ci|\.github)\//.test(path)) return `from ${path.split('/')[0]}/`;
  if (/(^|\/)(fixtures?|__tests__|node_modules)\//.test(path)) return 'a fixture or dependency folder';
  if (/\.(test|spec|bench)\.[cm]?[jt]s$/.test(path)) return 'a test or bench';
  if (/\.ts$/.test(path) && !/\.d\.ts$/.test(path)) return 'a TypeScript source';
  if (/(^|\/)(asconfig|tsconfig|vitest\.config|vite\.config)[^/]*$/.test(path)) return 'a build config';
  const allowed = [/^package\.json$/, /^README\.md$/, /^LICENSE$/, /^dist\/.+\.(js|d\.ts)$/, /^build\/quantext-(simd|scalar|simd-relaxed)(-mt)?\.wasm$/, /^data\/eval\/[^/]+$/, /^docs\/[^/]+\.md$/];
  return allowed.some((re) => re.test(path)) ? null : 'not in the allowed list (dist/*.js|.d.ts, build/*.wasm, data/eval/*, docs/*.md, README, LICENSE)';
}

describe('npm pack', () => {
  const pack = packList();
  const paths = pack.files.map((f) => f.path);

  it('ships only what a user needs', () => {
    const bad = paths.map((p) => [p, unwanted(p)]).filter(([, why]) => why);
    expect(bad).toEqual([]);
    // and the rules do reject what they should (the test cannot pass by accepting everything)
    for (const p of ['dist/index.js.map', 'test/fixtures/vectors/a.bin', 'bench/kernels.bench.mjs', 'assembly/index.ts', 'src/api.ts', 'dist/x.test.js', 'scripts/size.mjs', 'build/quantext-simd.wat']) {
      expect(unwanted(p), p).not.toBeNull();
    }
  });

  it('has the entry points, their types, the CLI, the four wasm builds and the evaluation sets', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
    const targets = [pkg.types, pkg.bin.quantext, ...Object.values(pkg.exports['.'] as Record<string, string>), pkg.exports['./package.json']];
    for (const t of targets) expect(paths, t).toContain(t.replace(/^\.\//, ''));
    for (const b of ['simd', 'scalar', 'simd-mt', 'scalar-mt', 'simd-relaxed', 'simd-relaxed-mt']) expect(paths).toContain(`build/quantext-${b}.wasm`);
    expect(paths.filter((p) => p.startsWith('data/eval/')).length).toBeGreaterThan(0);
  });

  it('every module an entry point imports is in the tarball, and every packed module has a source (no stale dist/ files)', () => {
    const packed = new Set(paths);
    for (const e of entryPoints(REPO) as { file: string }[]) {
      const missing = (moduleGraph(e.file, REPO) as string[]).filter((m) => !packed.has(m));
      expect(missing, e.file).toEqual([]);
    }
    // the worker scripts are loaded by URL, not imported: they must be packed too
    for (const p of paths.filter((x) => x.startsWith('dist/runtime/') && /worker/.test(x))) expect(packed.has(p)).toBe(true);
    // tsc never deletes outputs: a dist/ module whose source was renamed or removed would ship as dead weight
    const stale = paths.filter((p) => /^dist\/.+\.js$/.test(p) && !existsSync(join(REPO, 'src', p.slice(5).replace(/\.js$/, '.ts'))));
    expect(stale).toEqual([]);
  });

  it(`each runtime entry, bundled and minified, with the largest wasm build is ≤ ${CORE_BUDGET_GZ / 1000} KB gzipped`, async () => {
    const m = await measure(REPO);
    const rows = m.entries.filter((e: { core: boolean }) => e.core);
    expect(rows.map((e: { name: string }) => e.name)).toEqual(['browser / default', 'node (Node, Deno, Bun)', 'workerd (Cloudflare Workers)']);
    for (const e of rows) {
      // a bundle that lost the library (an empty chunk) would pass the budget trivially
      expect(e.bundleGz, e.name).toBeGreaterThan(20_000);
      expect(e.withWasmGz, `${e.name}: ${e.bundleGz} B + wasm ${m.largestWasmGz} B`).toBeLessThanOrEqual(CORE_BUDGET_GZ);
    }
    // the wasm budget of docs/architecture.md, per build
    for (const w of m.wasm) expect(w.gz, w.file).toBeLessThanOrEqual(64 * 1024);
    console.log(`npm pack: ${paths.length} files, ${(pack.size / 1000).toFixed(1)} KB packed, ${(pack.unpackedSize / 1000).toFixed(1)} KB unpacked; ` + rows.map((e: { file: string; withWasmGz: number }) => `${e.file} + wasm ${(e.withWasmGz / 1000).toFixed(1)} KB gz`).join(', '));
  }, 60_000);
});
