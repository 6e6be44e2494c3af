// quantext/onnx is a separate package entry: the core never reaches it, and its runtime-neutral entry (browsers,
// Workers) has no node:* import; package.json maps "./onnx" to the built files.
import { describe, expect, test } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, reachable, rel } from '../entry-graph.js';

describe('the quantext/onnx entry', () => {
  test('no core entry reaches src/onnx', () => {
    for (const e of ['src/index.ts', 'src/index.node.ts', 'src/index.workerd.ts', 'src/api.ts']) {
      expect(rel(reachable(e)).filter((f) => f.startsWith('src/onnx/')), e).toEqual([]);
    }
  });

  test('src/onnx/index.ts (browsers, Workers) imports no node:* module; index.node.ts adds the file system', () => {
    const files = rel(reachable('src/onnx/index.ts'));
    expect(files).toContain('src/onnx/proto.ts');
    expect(files).toContain('src/onnx/plan.ts');
    expect(files).not.toContain('src/io/node.ts');
    for (const f of files) expect(readFileSync(join(ROOT, f), 'utf8'), f).not.toMatch(/['"]node:/);
    expect(rel(reachable('src/onnx/index.node.ts'))).toContain('src/io/node.ts');
  });

  test('package.json exports "./onnx" (types, node, default) and tsc emitted those files', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const e = pkg.exports['./onnx'];
    expect(e).toEqual({ types: './dist/onnx/index.d.ts', node: './dist/onnx/index.node.js', default: './dist/onnx/index.js' });
    for (const f of Object.values(e) as string[]) expect(existsSync(join(ROOT, f)), f).toBe(true);
  });
});
