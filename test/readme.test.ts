// The README's code examples run exactly as printed. Every ```ts, ```js and ```cjs block of README.md is written to
// a temp project whose node_modules/quantext links to this repository (as an install would; `import 'quantext'`
// resolves package.json's exports, so Node takes dist/index.node.js): ```ts is stripped of its types by TypeScript's
// transpileModule and nothing else, ```js runs as it is, ```cjs through require(). Each block is run in its own Node
// process (a block that exports a handler, like the Worker's, is imported by a small runner that calls it) and what
// it prints is checked against what the README's comments say, with the values from independent references: the
// neighbours of 'king' in a planted vectors.bin (written byte by byte here, word2vec binary format) computed with
// plain float64 cosines. The ```ts blocks are also type-checked against the built types (dist/*.d.ts).
// ```sh and ```toml blocks are not run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { rng } from './helpers.js';

const REPO = resolve(__dirname, '..');
const README = readFileSync(join(REPO, 'README.md'), 'utf8');

interface Block {
  lang: 'ts' | 'js' | 'cjs';
  code: string;
  line: number;
}

/** The runnable fenced blocks of a markdown text, in order. */
function codeBlocks(md: string): Block[] {
  const out: Block[] = [];
  const re = /^```(\w*)[^\n]*\n([\s\S]*?)^```\s*$/gm;
  for (const m of md.matchAll(re)) {
    const lang = m[1];
    if (lang === 'ts' || lang === 'js' || lang === 'cjs') out.push({ lang, code: m[2], line: md.slice(0, m.index).split('\n').length });
  }
  return out;
}

/** The top-level bracketed groups of printed output (`console.log` of arrays), quotes respected. */
function printedArrays(text: string): string[] {
  const groups: string[] = [];
  let depth = 0, start = -1, quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '[') {
      if (depth++ === 0) start = i;
    } else if (c === ']' && --depth === 0) groups.push(text.slice(start, i + 1));
  }
  return groups;
}

/** The `[ 'word', cosine ]` pairs inside a printed array. */
function pairs(printed: string): [string, number][] {
  return [...printed.matchAll(/\[\s*'((?:[^'\\]|\\.)*)',\s*(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)\s*\]/g)].map((m) => [m[1], Number(m[2])]);
}

// ---- the planted vectors.bin: 'king' with 12 neighbours at cosines 0.95, 0.90, … 0.40, among 2000 random words ----
const DIM = 100;
const ROWS = 2000;
const words: string[] = [];
const vecs: Float32Array[] = [];
function plant() {
  const r = rng(9);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const unit = (v: Float64Array) => {
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  };
  const king = unit(Float64Array.from({ length: DIM }, gauss));
  const royal = ['queen', 'prince', 'princess', 'monarch', 'throne', 'crown', 'duke', 'emperor', 'kingdom', 'royal', 'reign', 'palace'];
  words.push('king');
  vecs.push(Float32Array.from(king));
  royal.forEach((w, i) => {
    const c = 0.95 - 0.05 * i;
    // c·king + √(1−c²)·e with e a random unit vector orthogonal to king: cosine exactly c (up to f32 rounding)
    const e = Float64Array.from({ length: DIM }, gauss);
    const d = e.reduce((s, x, j) => s + x * king[j], 0);
    const eo = unit(e.map((x, j) => x - d * king[j]));
    words.push(w);
    vecs.push(Float32Array.from(king, (k, j) => (c * k + Math.sqrt(1 - c * c) * eo[j]) * (1 + i))); // norms differ
  });
  while (words.length < ROWS) {
    words.push(`w${words.length}`);
    vecs.push(Float32Array.from({ length: DIM }, gauss));
  }
}

/** word2vec binary, as word2vec.c writes it: "rows dim\n", then per word "word " + dim little-endian f32 + "\n". */
function word2vecBinary(): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [enc.encode(`${ROWS} ${DIM}\n`)];
  words.forEach((w, i) => {
    parts.push(enc.encode(`${w} `), new Uint8Array(vecs[i].buffer.slice(0)), enc.encode('\n'));
  });
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The exact neighbours of `word` (float64 cosines over the f32 values), the word itself excluded. */
function exactNeighbours(word: string, k: number): [string, number][] {
  const q = vecs[words.indexOf(word)];
  const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  const qn = norm(q);
  return words
    .map((w, i): [string, number] => [w, vecs[i].reduce((s, x, j) => s + x * q[j], 0) / (qn * norm(vecs[i]))])
    .filter(([w]) => w !== word)
    .sort((a, b) => b[1] - a[1])
    .slice(0, k);
}

// ---- what each block must print; `is` recognises the block, so a reordered or new README block fails loudly ----
interface Expectation {
  name: string;
  is: RegExp;
  /** a runner script (ESM) around the block's module `./block.mjs`, for blocks that only export something */
  runner?: string;
  check: (stdout: string) => void;
}

const WORKER_RUNNER = `
import { readFileSync } from 'node:fs';
const { default: worker } = await import('./block.mjs');
const env = { ASSETS: { fetch: async (url) => new Response(new URL(url).pathname === '/vectors.bin' ? readFileSync('vectors.bin') : null, { status: new URL(url).pathname === '/vectors.bin' ? 200 : 404 }) } };
for (const q of ['?word=king', '']) {
  const res = await worker.fetch(new Request('https://neighbours.example/' + q), env);
  console.log(res.status, res.headers.get('content-type'), JSON.stringify(await res.json()));
}
`;
const CONFIG_RUNNER = `
const { default: config } = await import('./block.mjs');
console.log(JSON.stringify(config));
`;

const EXPECT: Expectation[] = [
  {
    name: 'require() from CommonJS',
    is: /require\('quantext'\)/,
    check: (out) => expect(out).toBe('function\n'),
  },
  {
    name: 'Word2Vec: train, get, mostSimilar',
    is: /new Word2Vec\(\{ vectorSize: 100/,
    check: (out) => {
      expect(out).toMatch(/^Float32Array\(100\) \[/);
      const lists = printedArrays(out);
      // mostSimilar('fox', 3), then the options form with positive and negative words (those left out)
      const nn = pairs(lists.at(-2)!), analogy = pairs(lists.at(-1)!);
      expect(nn).toHaveLength(3);
      expect(analogy).toHaveLength(2);
      const vocab = ['the', 'quick', 'brown', 'fox', 'jumps', 'over', 'lazy', 'dog', 'sleeps'];
      for (const [w, c] of [...nn, ...analogy]) {
        expect(vocab).toContain(w);
        expect(Math.abs(c)).toBeLessThanOrEqual(1);
      }
      expect(nn.map(([w]) => w)).not.toContain('fox');
      for (const q of ['fox', 'dog', 'lazy']) expect(analogy.map(([w]) => w)).not.toContain(q);
      for (const l of [nn, analogy]) expect(l.map(([, c]) => c)).toEqual([...l.map(([, c]) => c)].sort((a, b) => b - a));
    },
  },
  {
    name: 'loadVectors, quantize, QuantizedIndexer',
    is: /loadVectors\('vectors\.bin'\)/,
    check: (out) => {
      const [top5, top10, ...rest] = printedArrays(out).map(pairs);
      expect(rest).toHaveLength(0);
      // the planted neighbours are 0.05 apart in cosine: far more than int8's error, so the order is exact
      expect(top5.map(([w]) => w)).toEqual(exactNeighbours('king', 5).map(([w]) => w));
      top5.forEach(([, c], i) => expect(c).toBeCloseTo(exactNeighbours('king', 5)[i][1], 2));
      // the cascade ends with exact f32 cosines; an indexer searches by vector, so the query word comes first (cosine
      // 1), as with gensim's indexers
      const exact: [string, number][] = [['king', 1], ...exactNeighbours('king', 9)];
      expect(top10.map(([w]) => w)).toEqual(exact.map(([w]) => w));
      top10.forEach(([, c], i) => expect(Math.abs(c - exact[i][1])).toBeLessThan(1e-5));
    },
  },
  {
    name: 'TextClassifier, Linear, Int8Linear',
    is: /new TextClassifier\(\{ dim: 16, epochs: 10, seed: 1 \}\)/,
    check: (out) => {
      const [pred, f32, q8, ...rest] = printedArrays(out);
      expect(rest).toHaveLength(0);
      // the task: 'free' and 'money' occur only in spam lines, so a trained model says spam with high probability
      const m = /^\[\s*\[\s*'(__label__\w+)',\s*([\d.e-]+)\s*\]\s*\]$/.exec(pred.replace(/\s+/g, ' '));
      expect(m?.[1]).toBe('__label__spam');
      expect(Number(m![2])).toBeGreaterThan(0.9);
      // y = W x by hand: rows [-2,-1,0], [1,2,-2], [-1,0,1], [2,-2,-1] times [1,2,3]
      const want = [-4, -1, 2, -5];
      const nums = (t: string) => [...t.matchAll(/-?\d+(?:\.\d+)?(?:e[-+]?\d+)?/g)].map((x) => Number(x[0])).slice(-4);
      expect(nums(f32)).toEqual(want);
      nums(q8).forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(0.1));
    },
  },
  {
    name: 'compressClassifier, distill (quantext/compress)',
    is: /compressClassifier\(clf/,
    check: (out) => {
      const lines = out.trim().split('\n');
      expect(lines).toHaveLength(2);
      // "<float .bin bytes> → <compressed bytes> bytes [ [ '__label__spam', p ] ]"
      const m = /^(\d+) → (\d+) bytes \[\s*\[\s*'(__label__\w+)',\s*([\d.e-]+)\s*\]\s*\]$/.exec(lines[0].replace(/\s+/g, ' '));
      expect(m, lines[0]).not.toBeNull();
      const [big, small] = [Number(m![1]), Number(m![2])];
      expect(small).toBeGreaterThan(0);
      expect(small * 50).toBeLessThan(big); // 60 rows × 16 int4 values + hashes against 10,000+ f32 rows
      expect(m![3]).toBe('__label__spam');
      expect(Number(m![4])).toBeGreaterThan(0.9);
      // the student's precision on its training lines, computed by test(): the task separates perfectly
      expect(Number(lines[1])).toBeGreaterThan(0.95);
    },
  },
  {
    name: 'browser: Word2Vec with workers',
    is: /main\.ts of a Vite app/,
    check: (out) => expect(out).toMatch(/^trained on [12] thread\(s\)\n$/),
  },
  {
    name: 'browser: vite.config.js headers',
    is: /vite\.config\.js/,
    runner: CONFIG_RUNNER,
    check: (out) => {
      const cfg = JSON.parse(out);
      const isolated = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
      expect(cfg).toEqual({ server: { headers: isolated }, preview: { headers: isolated } });
    },
  },
  {
    name: 'Cloudflare Worker: fetch handler',
    is: /export default \{\s*async fetch\(request/,
    runner: WORKER_RUNNER,
    check: (out) => {
      const lines = out.trim().split('\n');
      expect(lines).toHaveLength(2);
      const want = exactNeighbours('king', 5).map(([w]) => w);
      for (const line of lines) {
        const [, status, type, json] = /^(\d+) (\S+) (.*)$/.exec(line)!;
        expect(status).toBe('200');
        expect(type).toMatch(/^application\/json/);
        const got = JSON.parse(json) as [string, number][];
        expect(got.map(([w]) => w)).toEqual(want);
      }
    },
  },
];

const blocks = codeBlocks(README);
const work = mkdtempSync(join(tmpdir(), 'quantext-readme-'));

beforeAll(() => {
  plant();
  writeFileSync(join(work, 'package.json'), '{ "private": true, "type": "module" }\n');
  mkdirSync(join(work, 'node_modules'));
  symlinkSync(REPO, join(work, 'node_modules', 'quantext'), 'dir');
  writeFileSync(join(work, 'vectors.bin'), word2vecBinary());
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('README.md code examples', () => {
  it('are the ones this test knows, in order', () => {
    expect(blocks.map((b) => EXPECT.findIndex((e) => e.is.test(b.code)))).toEqual(EXPECT.map((_, i) => i));
  });

  EXPECT.forEach((e, i) => {
    it(`run as printed: ${e.name}`, () => {
      const block = blocks[i];
      expect(block && e.is.test(block.code), `README block ${i + 1} is "${e.name}"`).toBe(true);
      const dir = join(work, `block${i + 1}`);
      mkdirSync(dir);
      symlinkSync(join(work, 'node_modules'), join(dir, 'node_modules'), 'dir');
      symlinkSync(join(work, 'vectors.bin'), join(dir, 'vectors.bin'));
      writeFileSync(join(dir, 'package.json'), '{ "private": true, "type": "module" }\n');
      const js =
        block.lang === 'ts'
          ? ts.transpileModule(block.code, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText
          : block.code;
      const file = block.lang === 'cjs' ? 'block.cjs' : 'block.mjs';
      writeFileSync(join(dir, file), js);
      let main = file;
      if (e.runner) writeFileSync(join(dir, (main = 'runner.mjs')), e.runner);
      const r = spawnSync(process.execPath, [main], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
      expect(r.status, `README.md line ${block.line} (${e.name}) exited ${r.status}:\n${r.stderr}`).toBe(0);
      e.check(r.stdout);
    });
  });

  it('type-check against the built types (lib ES2022 + DOM, no @types/node)', () => {
    const dir = join(work, 'typecheck');
    mkdirSync(dir);
    symlinkSync(join(work, 'node_modules'), join(dir, 'node_modules'), 'dir');
    writeFileSync(join(dir, 'package.json'), '{ "private": true, "type": "module" }\n');
    const files: string[] = [];
    blocks.forEach((b, i) => {
      if (b.lang !== 'ts') return;
      files.push(`block${i + 1}.ts`);
      writeFileSync(join(dir, files.at(-1)!), b.code);
    });
    // what `wrangler types` would generate for the Worker's binding
    writeFileSync(join(dir, 'env.d.ts'), 'interface Env { ASSETS: { fetch(input: URL | Request | string): Promise<Response> } }\n');
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022', 'DOM'], types: [], strict: true, noEmit: true, skipLibCheck: true },
        files: ['env.d.ts', ...files],
      }),
    );
    const r = spawnSync(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
