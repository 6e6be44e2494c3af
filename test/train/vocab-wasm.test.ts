// The vocabulary pass in wasm (assembly/text/vocab.ts via TextScanner / VocabBuilder.addCorpus) against a plain
// TypeScript reference written here: decode the bytes (TextDecoder), split lines as the line reader does, split
// tokens on /\s+/, count with a Map in first-seen order.
import { describe, it, expect } from 'vitest';
import '../helpers.js';
import { rng, rtFor, BUILDS } from '../helpers.js';
import { VocabBuilder, TextScanner, SEP_LINE, SEP_STRING, MAX_TOKEN_BYTES, type TextSource, type TextChunk } from '../../src/train/vocab.js';
import { openCorpus, type Corpus } from '../../src/train/corpus.js';
import { QuantextError } from '../../src/errors.js';

const enc = new TextEncoder();

/** Pieces random text is made of: words (ASCII, non-ASCII, invalid UTF-8) and every kind of whitespace. */
const WORDS: (string | number[])[] = [
  'the', 'a', 'cat', 'Cat', 'naïve', 'café', '日本語', 'слово', '😀', 'x\u0000y', 'ﬁ', 'a\u0085b', 'e\u0301',
  [0xff], [0x61, 0xfe, 0x62], [0xc3], [0xe2, 0x80], [0xed, 0xa0, 0x80], [0xf0, 0x9f, 0x98], [0xc0, 0xaf], [0x80, 0x80],
];
const SPACES: string[] = [' ', '  ', '\t', '\r\n', '\n', '\n\n', '\r', '\u000b', '\u000c', '\u00a0', '\u1680', '\u2000', '\u200a',
  '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff', ' \n \r\n'];

function randomBytes(r: () => number, n: number, withInvalid = true): Uint8Array {
  const parts: number[] = [];
  if (r() < 0.2) parts.push(0xef, 0xbb, 0xbf); // a BOM
  for (let i = 0; i < n; i++) {
    let w = WORDS[Math.floor(r() * WORDS.length)];
    if (!withInvalid) while (Array.isArray(w)) w = WORDS[Math.floor(r() * WORDS.length)];
    parts.push(...(typeof w === 'string' ? enc.encode(w) : w));
    if (r() < 0.3) parts.push(...enc.encode(String(Math.floor(r() * 50)))); // more distinct words
    if (r() < 0.8) parts.push(...enc.encode(SPACES[Math.floor(r() * SPACES.length)]));
  }
  return Uint8Array.from(parts);
}

function randomChunks(r: () => number, bytes: Uint8Array, maxChunk: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; ) {
    const n = 1 + Math.floor(r() * maxChunk);
    out.push(bytes.slice(i, i + n));
    i += n;
  }
  return out;
}

/** The reference: the line reader's rules (BOM dropped, '\n' ends a line, one '\r' before it removed, a last line without '\n' only when not empty), /\s+/ tokens. */
function refLines(bytes: Uint8Array): string[] {
  const text = new TextDecoder().decode(bytes); // drops a leading BOM, U+FFFD for invalid bytes
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
const refTokens = (s: string) => (s.trim() === '' ? [] : s.trim().split(/\s+/));

function refCount(sentences: string[][]) {
  const index = new Map<string, number>();
  const words: string[] = [], counts: number[] = [], ids: number[] = [], ends: number[] = [];
  let total = 0;
  for (const s of sentences) {
    for (const w of s) {
      let i = index.get(w);
      if (i === undefined) {
        index.set(w, (i = words.length));
        words.push(w);
        counts.push(0);
      }
      counts[i]++;
      ids.push(i);
      total++;
    }
    ends.push(ids.length);
  }
  return { words, counts, ids, ends, total, sentences: sentences.length };
}

function textCorpus(text: TextSource): Corpus {
  return { inMemory: false, describe: text.name, text, sentences: () => { throw new Error('the wasm path must not read sentences'); } };
}

async function wasmCount(text: TextSource, build: (typeof BUILDS)[number] = 'simd', record = true) {
  const vb = new VocabBuilder({ minCount: 1, encodeLimit: record ? 1e9 : 0, runtime: await rtFor(build) });
  await vb.addCorpus(textCorpus(text));
  const counted = vb.counted();
  const totals = { total: vb.totalWords, sentences: vb.totalSentences };
  return { counted, totals, vocab: vb.totalWords > 0 ? vb.finish() : undefined };
}

describe('vocabulary pass in wasm = the TypeScript reference', () => {
  it('random byte corpora (non-ASCII, invalid UTF-8, CRLF, tabs, Unicode spaces, BOM, empty lines), chunked anywhere, every build', async () => {
    const r = rng(101);
    for (let trial = 0; trial < 40; trial++) {
      const bytes = randomBytes(r, 5 + Math.floor(r() * 300));
      const chunks = randomChunks(r, bytes, trial % 3 === 0 ? 3 : 64);
      const ref = refCount(refLines(bytes).map(refTokens));
      const build = BUILDS[trial % BUILDS.length];
      const got = await wasmCount({ sep: SEP_LINE, lines: true, name: 't', chunks: () => chunks }, build);
      expect(got.counted.words).toEqual(ref.words);
      expect(Array.from(got.counted.counts)).toEqual(ref.counts);
      expect(got.totals).toEqual({ total: ref.total, sentences: ref.sentences });
      if (got.vocab) {
        // the recorded corpus, in the final (sorted) ids
        expect(Array.from(got.vocab.encoded!.tokens)).toEqual(ref.ids.map((i) => got.vocab!.index.get(ref.words[i])));
        expect(Array.from(got.vocab.encoded!.ends)).toEqual(ref.ends);
      }
    }
  });

  it('a file path gives what readLines + tokenize give (the JS path of a custom tokenizer)', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'qx-vocab-'));
    const r = rng(7);
    for (let trial = 0; trial < 6; trial++) {
      const path = join(dir, `c${trial}.txt`);
      writeFileSync(path, randomBytes(r, 2000));
      const wasm = new VocabBuilder({ minCount: 1, encodeLimit: 1e9, runtime: await rtFor('simd') });
      const c = openCorpus(path);
      expect(c.text).toBeDefined();
      await wasm.addCorpus(c);
      // the same corpus through the JS path (a custom tokenizer equal to the default one)
      const js = new VocabBuilder({ minCount: 1, encodeLimit: 1e9 });
      await js.addCorpus(openCorpus(path, (s) => refTokens(s)));
      expect(wasm.counted()).toEqual(js.counted());
      expect([wasm.totalWords, wasm.totalSentences]).toEqual([js.totalWords, js.totalSentences]);
      const a = wasm.finish(), b = js.finish();
      expect(a.words).toEqual(b.words);
      expect(a.encoded).toEqual(b.encoded);
    }
  });

  it('strings (each one sentence, newlines inside are whitespace) and token arrays, mixed', async () => {
    const r = rng(9);
    const dec = new TextDecoder();
    for (let trial = 0; trial < 10; trial++) {
      const items: (string | string[])[] = [];
      for (let i = 0; i < 200; i++) {
        const s = dec.decode(randomBytes(r, Math.floor(r() * 12), false)).replace(/^\ufeff/, 'x');
        items.push(trial % 2 && r() < 0.3 ? [...refTokens(s), '', 'new\nline'] : s);
      }
      const ref = refCount(items.map((s) => (typeof s === 'string' ? refTokens(s) : s)));
      const c = openCorpus(() => items);
      const got = await wasmCount(c.text!);
      expect(got.counted.words).toEqual(ref.words);
      expect(Array.from(got.counted.counts)).toEqual(ref.counts);
      expect(got.totals).toEqual({ total: ref.total, sentences: ref.sentences });
      expect(Array.from(got.vocab!.encoded!.tokens)).toEqual(ref.ids.map((i) => got.vocab!.index.get(ref.words[i])));
      expect(Array.from(got.vocab!.encoded!.ends)).toEqual(ref.ends);
    }
  });

  it('the lookup scan gives each token its id (−1 when unknown), chunked anywhere', async () => {
    const r = rng(5);
    const rt = await rtFor('scalar');
    for (let trial = 0; trial < 10; trial++) {
      const bytes = randomBytes(r, 400);
      const sents = refLines(bytes).map(refTokens);
      const known = [...new Set(sents.flat())].filter(() => r() < 0.6);
      const id = new Map(known.map((w, i) => [w, i]));
      const sc = TextScanner.lookup(rt, known);
      try {
        const chunks = randomChunks(r, bytes, 17);
        const tokens: number[] = [], ends: number[] = [];
        for await (const b of sc.ids({ sep: SEP_LINE, lines: true, name: 't', chunks: () => chunks })) {
          for (const e of b.ends) ends.push(tokens.length + e);
          tokens.push(...b.tokens);
        }
        expect(tokens).toEqual(sents.flat().map((w) => id.get(w) ?? -1));
        expect(ends).toEqual(refCount(sents).ends);
      } finally {
        sc.dispose();
      }
    }
  });

  it('grows its tables from TypeScript: 200k distinct words, and prunes as gensim (maxVocabSize)', async () => {
    const words = Array.from({ length: 200_000 }, (_, i) => `w${i.toString(36)}é`);
    const text = words.join(' ') + '\n' + words.slice(0, 1000).join('\t');
    const c = openCorpus([text]);
    const got = await wasmCount(c.text!);
    expect(got.counted.words).toEqual(words);
    expect(got.counted.counts[0]).toBe(2);
    expect(got.counted.counts[1000]).toBe(1);
    // prune: JS and wasm paths agree (the JS path is the old, Map-based one)
    const lines = Array.from({ length: 3000 }, (_, i) => `w${i % 7} u${i} w${i % 3} v${i % 50}`);
    const a = new VocabBuilder({ minCount: 1, maxVocabSize: 40, runtime: await rtFor('simd') });
    await a.addCorpus(openCorpus(lines));
    const b = new VocabBuilder({ minCount: 1, maxVocabSize: 40 });
    await b.addCorpus(openCorpus(lines, refTokens));
    expect(a.counted()).toEqual(b.counted());
  });
});

describe('issue 15: one very long corpus line', () => {
  it('a long line gives the same vocabulary and ids as the same tokens on many lines', async () => {
    const r = rng(3);
    const toks = Array.from({ length: 300_000 }, () => `t${Math.floor(Math.pow(r(), 3) * 5000)}`);
    const many: string[] = [];
    for (let i = 0; i < toks.length; i += 1000) many.push(toks.slice(i, i + 1000).join(' '));
    const one = enc.encode(toks.join(' ') + '\n');
    const src = (bytes: Uint8Array): TextSource => ({ sep: SEP_LINE, lines: true, name: 't', chunks: () => randomChunks(r, bytes, 1 << 16) });
    const a = await wasmCount(src(one));
    const b = await wasmCount(src(enc.encode(many.join('\n') + '\n')));
    expect(a.counted).toEqual(b.counted);
    expect(a.vocab!.encoded!.tokens).toEqual(b.vocab!.encoded!.tokens);
    expect(Array.from(a.vocab!.encoded!.ends)).toEqual([toks.length]);
  });

  it('a 24 MB line is read with bounded memory (no string of the line, no string per token)', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'qx-long-'));
    const path = join(dir, 'long.txt');
    const unit = enc.encode(Array.from({ length: 1000 }, (_, i) => `w${i % 700}`).join(' ') + ' ');
    const bytes = new Uint8Array(24 << 20);
    for (let i = 0; i + unit.length <= bytes.length; i += unit.length) bytes.set(unit, i);
    bytes.fill(32, Math.floor(bytes.length / unit.length) * unit.length);
    writeFileSync(path, bytes);
    const g = globalThis as { gc?: () => void };
    g.gc?.();
    const base = process.memoryUsage().rss;
    let peak = base;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 2);
    try {
      const vb = new VocabBuilder({ minCount: 1, runtime: await rtFor('simd') }); // counting only
      await vb.addCorpus(openCorpus(path));
      peak = Math.max(peak, process.memoryUsage().rss);
      expect(vb.totalSentences).toBe(1);
      expect(vb.counted().words.length).toBe(700);
      expect(vb.totalWords).toBe(Math.floor(bytes.length / unit.length) * 1000);
    } finally {
      clearInterval(timer);
      rmSync(dir, { recursive: true, force: true });
    }
    // the old path held the line as a string (24 MB) and ~4.5M token strings (> 150 MB)
    expect((peak - base) / 2 ** 20).toBeLessThan(48);
  });

  it('a stream of NUL bytes (as /dev/zero) stops with E_TOO_LARGE, not an untyped error', async () => {
    const zeros = new Uint8Array(1 << 20);
    let sent = 0;
    const src: TextSource = {
      sep: SEP_LINE, lines: true, name: '/dev/zero-like',
      chunks: function* () {
        // bounded: a little more than the longest token allowed
        for (sent = 0; sent < MAX_TOKEN_BYTES + (2 << 20); sent += zeros.length) yield zeros;
      },
    };
    const err = await wasmCount(src, 'simd', false).catch((e) => e);
    expect(err).toBeInstanceOf(QuantextError);
    expect(err.code).toBe('E_TOO_LARGE');
    expect(err.details.offset).toBe(0);
    expect(sent).toBeLessThanOrEqual(MAX_TOKEN_BYTES + (1 << 20));
  });
});

// referenced so that unused-import checks stay quiet
void SEP_STRING;
export type { TextChunk };
