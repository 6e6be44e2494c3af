// quantext/compress is a separate package entry: the core never reaches it, and its runtime-neutral entry (browsers,
// Workers) has no node:* import; package.json maps "./compress" to the built files.
import { describe, expect, test } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, reachable, rel } from '../entry-graph.js';

describe('the quantext/compress entry', () => {
  test('no core entry reaches src/compress', () => {
    for (const e of ['src/index.ts', 'src/index.node.ts', 'src/index.workerd.ts', 'src/api.ts']) {
      expect(rel(reachable(e)).filter((f) => f.startsWith('src/compress/')), e).toEqual([]);
    }
  });

  test('src/compress/index.ts (browsers, Workers) imports no node:* module; index.node.ts adds the file system', () => {
    const files = rel(reachable('src/compress/index.ts'));
    expect(files).toContain('src/compress/classifier.ts');
    expect(files).toContain('src/compress/distill.ts');
    expect(files).not.toContain('src/io/node.ts');
    for (const f of files) expect(readFileSync(join(ROOT, f), 'utf8'), f).not.toMatch(/['"]node:/);
    expect(rel(reachable('src/compress/index.node.ts'))).toContain('src/io/node.ts');
  });

  test('package.json exports "./compress" (types, node, default) and tsc emitted those files', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const e = pkg.exports['./compress'];
    expect(e).toEqual({ types: './dist/compress/index.d.ts', node: './dist/compress/index.node.js', default: './dist/compress/index.js' });
    for (const f of Object.values(e) as string[]) expect(existsSync(join(ROOT, f)), f).toBe(true);
    // index.node.js registers the Node file system when imported: a bundler must not drop it
    expect(pkg.sideEffects).toContain('./dist/compress/index.node.js');
  });
});
