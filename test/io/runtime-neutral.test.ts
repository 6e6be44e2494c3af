// Browser and Workers bundles must not contain `node:*` imports (miniflare rejects even a dynamic
// `import('node:…')`): check every module reachable from src/io/index.ts, the runtime-neutral io entry.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ROOT } from './util.js';

/** Relative imports of a TypeScript module, resolved to .ts paths (static, dynamic and re-exports). */
function localImports(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  const specs = [...src.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]);
  return specs.filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

describe('runtime-neutral io', () => {
  it('nothing reachable from src/io/index.ts imports node:* (node.ts and atomic.ts stay out)', () => {
    const seen = new Set<string>();
    const stack = [join(ROOT, 'src/io/index.ts')];
    while (stack.length) {
      const f = stack.pop()!;
      if (seen.has(f)) continue;
      seen.add(f);
      const src = readFileSync(f, 'utf8');
      expect(src, f).not.toMatch(/['"]node:/);
      expect(src, f).not.toMatch(/\brequire\s*\(/);
      stack.push(...localImports(f));
    }
    const names = [...seen].map((f) => f.slice(ROOT.length + 1)).sort();
    for (const f of ['word2vec.ts', 'word2vec/read.ts', 'word2vec/write.ts', 'word2vec/layout.ts', 'format-float.ts']) expect(names).toContain(`src/io/${f}`);
    expect(names).toContain('src/io/lines.ts');
    expect(names).not.toContain('src/io/node.ts');
    expect(names).not.toContain('src/io/atomic.ts');
  });
});
