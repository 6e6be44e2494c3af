// quantext/kernels pulls in no model code: the emitted modules it reaches (static imports, from each runtime entry)
// are the kernels API itself, the runtime (loader, arena, handles), errors and the quantizers' scheme tables.
import { describe, expect, it } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const DIST = resolve(__dirname, '../../dist');
const ALLOWED = /^(kernels\/[a-z]+\.js|runtime\/(runtime|env|memory|handle)\.js|runtime\/kernels\/index\.js|errors\.js|quantize\/(core|schemes|pq)\.js)$/;

function reach(entry: string): Set<string> {
  const seen = new Set<string>();
  const todo = [resolve(DIST, entry)];
  while (todo.length) {
    const file = todo.pop()!;
    const rel = relative(DIST, file).replace(/\\/g, '/');
    if (seen.has(rel)) continue;
    seen.add(rel);
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (!spec.startsWith('.')) continue; // node: builtins
      if (spec.endsWith('.wasm')) continue;
      const target = resolve(dirname(file), spec);
      if (!existsSync(target)) throw new Error(`${rel} imports ${spec}, which does not exist`);
      todo.push(target);
    }
  }
  return seen;
}

describe('quantext/kernels imports no model code', () => {
  const pkg = JSON.parse(readFileSync(join(DIST, '../package.json'), 'utf8'));
  const exp = pkg.exports['./kernels'];
  it('package.json exports ./kernels for every runtime condition', () => {
    expect(Object.keys(exp)).toEqual(['types', 'workerd', 'node', 'browser', 'default']);
  });
  for (const cond of ['workerd', 'node', 'browser', 'default']) {
    it(`the ${cond} entry reaches only the runtime, errors, the scheme tables and itself`, () => {
      const files = reach(join('..', exp[cond]));
      expect(files.size).toBeGreaterThan(5);
      const bad = [...files].filter((f) => !ALLOWED.test(f));
      expect(bad).toEqual([]);
      for (const f of files) expect(f).not.toMatch(/^(vectors|train|fasttext|infer|io|cli|api)[/.]/);
    });
  }
  it('the check sees model code when it is there (the main entry)', () => {
    const files = [...reach('index.node.js')];
    expect(files.some((f) => f.startsWith('vectors/'))).toBe(true);
    expect(files.filter((f) => !ALLOWED.test(f)).length).toBeGreaterThan(10);
  });
});
