// quantext/glove is a separate package entry: the core never reaches the GloVe trainer, the entry imports no node:*
// module (the runtime's host, registered by the core entry, reads corpora from paths); package.json maps "./glove"
// to the built files.
import { describe, expect, test } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, reachable, rel } from '../entry-graph.js';

describe('the quantext/glove entry', () => {
  test('no core entry reaches the GloVe trainer (src/train/glove)', () => {
    for (const e of ['src/index.ts', 'src/index.node.ts', 'src/index.workerd.ts', 'src/api.ts']) {
      expect(rel(reachable(e)).filter((f) => f.startsWith('src/train/glove/') || f.startsWith('src/glove/')), e).toEqual([]);
    }
  });

  test('src/glove/index.ts exports GloVe and imports no node:* module', async () => {
    const files = rel(reachable('src/glove/index.ts'));
    expect(files).toContain('src/train/glove/glove.ts');
    expect(files).toContain('src/train/glove/cooccur.ts');
    for (const f of files) expect(readFileSync(join(ROOT, f), 'utf8'), f).not.toMatch(/['"]node:/);
    const m = await import('../../src/glove/index.js');
    expect(typeof m.GloVe).toBe('function');
    const core = await import('../../src/api.js');
    expect('GloVe' in core).toBe(false);
  });

  test('package.json exports "./glove" (types, default) and tsc emitted those files', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const e = pkg.exports['./glove'];
    expect(e).toEqual({ types: './dist/glove/index.d.ts', default: './dist/glove/index.js' });
    for (const f of Object.values(e) as string[]) expect(existsSync(join(ROOT, f)), f).toBe(true);
  });
});
