// Start-up of the command line: `quantext predict` must not load the trainers, GloVe, quantization, inference or the
// classifier trainer. Each command imports its own code when it runs (dynamic import() in src/cli/main.ts), so the
// modules loaded at start-up are the static-import closure of dist/cli/main.js, plus, for predict, that of
// dist/cli/predict.js and dist/fasttext/model.js.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

const DIST = resolve(__dirname, '../../dist');

/** Files reached from `entry` through static `import … from './x.js'` / `import './x.js'` / `export … from` (not import()). */
function staticClosure(entries: string[]): Set<string> {
  const seen = new Set<string>();
  const todo = entries.map((e) => join(DIST, e));
  while (todo.length) {
    const f = todo.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    const src = readFileSync(f, 'utf8');
    for (const m of src.matchAll(/^\s*(?:import|export)\s+(?:[^'"();]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/gm)) {
      if (/^\s*import\s+type\b|^\s*export\s+type\b/.test(m[0])) continue;
      todo.push(resolve(dirname(f), m[1]));
    }
  }
  return new Set([...seen].map((f) => relative(DIST, f)));
}

describe('quantext start-up', () => {
  it('the static module graph of the CLI and of predict leaves out training, GloVe, quantization, inference, the classifier', () => {
    const startup = staticClosure(['cli/main.js']);
    const predict = staticClosure(['cli/main.js', 'cli/predict.js', 'fasttext/model.js']);
    // (predict reaches quantize/pq.js and what it uses: a .ftz model's product quantizer; nothing else of quantize/)
    for (const [set, pq] of [[startup, false], [predict, true]] as const) {
      const heavy = [...set].filter((f) => !(pq && /^quantize\/(pq|schemes|core)\.js$/.test(f))).filter((f) => /^(train\/(word2vec|fasttext|glove)|quantize\/|infer\/|classify\/|api\.js|index(\.node)?\.js|cli\/(train|glove|eval|quantize|supervised|test-cmd|brown)\.js)/.test(f));
      expect(heavy).toEqual([]);
    }
    // and start-up still reaches the host set-up and the command parser
    expect(startup.has('setup.node.js')).toBe(true);
    expect(startup.size).toBeLessThan(25);
  });

  it('--help still lists every command', () => {
    const r = spawnSync(process.execPath, [join(DIST, 'cli/main.js'), '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    for (const c of ['train', 'eval', 'similar', 'analogy', 'quantize', 'predict', 'print-word-vectors', 'demo', 'supervised', 'test', 'test-label']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    }
  });
});
