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
    // and start-up still reaches the wasm files and the file system, and the command parser
    expect(startup.has('cli/host.js')).toBe(true);
    expect(startup.size).toBeLessThan(25);
  });

  it('predict loads only what prediction needs: no worker threads, corpus reader, vectors layer, formats or node:crypto', () => {
    // what `quantext predict MODEL` imports: the CLI, its command, the compressed-classifier check and the lean loader
    const predict = staticClosure(['cli/main.js', 'cli/predict.js', 'cli/compressed.js', 'fasttext/predict-model.js']);
    const reached = [...predict].filter((f) => /^(setup\.node|runtime\/pool|train\/|vectors\/(keyed|load|evaluate|vocab)|io\/(word2vec|safetensors|glove|sniff)|fasttext\/(model|keyed|vectors))/.test(f));
    expect(reached).toEqual([]);
    expect(predict.size).toBeLessThanOrEqual(30); // 54 modules when predict loaded FastTextModel and the full host set-up
    const src = [...predict].map((f) => readFileSync(join(DIST, f), 'utf8')).join('\n');
    expect(src).not.toMatch(/from ['"]node:(crypto|worker_threads)['"]/);
  });

  it('predict prints fastText\'s labels for a .ftz, and a missing model or input is the same E_IO message', () => {
    const model = resolve(__dirname, '../fixtures/fasttext/ftz_qnorm.ftz');
    const input = resolve(__dirname, '../fixtures/fasttext/queries.txt');
    const want = readFileSync(resolve(__dirname, '../fixtures/fasttext/ftz_qnorm.pred3.txt'), 'utf8');
    const r = spawnSync(process.execPath, [join(DIST, 'cli/main.js'), 'predict', model, input, '--k', '3', '--prob'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(want);
    const missing = spawnSync(process.execPath, [join(DIST, 'cli/main.js'), 'predict', '/nonexistent/m.bin', input], { encoding: 'utf8' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^quantext: cannot read \/nonexistent\/m\.bin: .*\(ENOENT\)\n$/);
    const noInput = spawnSync(process.execPath, [join(DIST, 'cli/main.js'), 'predict', model, '/nonexistent/in.txt'], { encoding: 'utf8' });
    expect(noInput.status).toBe(2);
    expect(noInput.stderr).toMatch(/^quantext: cannot read \/nonexistent\/in\.txt: .*\(ENOENT\)\n$/);
  });

  it('--help still lists every command', () => {
    const r = spawnSync(process.execPath, [join(DIST, 'cli/main.js'), '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    for (const c of ['train', 'eval', 'similar', 'analogy', 'quantize', 'predict', 'print-word-vectors', 'demo', 'supervised', 'test', 'test-label']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    }
  });
});
