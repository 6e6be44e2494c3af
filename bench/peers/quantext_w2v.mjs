#!/usr/bin/env node
// quantext's side of bench/word2vec.bench.mjs: train Word2Vec from a file corpus with the library's API and print
// one JSON line, like gensim_w2v.py does for gensim. It sits with the peers' runners so that all of them
// measure the same thing the same way.
//
//   node bench/peers/quantext_w2v.mjs --corpus brown.txt --out vec.bin --sg 1 --threads 1 --seed 1 [--epochs 5]
//
// What is timed (the "timed window", as for gensim):
//   vocabulary pass  model.buildVocab(corpusPath)    streams the file once
//   training         model.train(corpusPath)         epoch 1 streams and encodes the file; later epochs reuse the
//                                                    encoded corpus (cacheCorpus 'auto': corpora ≤ 20M tokens)
// Node's start, loading the wasm (init()) and saving the vectors are outside the window. CPU seconds are
// process.cpuUsage() over the window: every thread of the process, worker threads included.
import { parseArgs } from 'node:util';
import { init } from '../../dist/index.node.js';
import { Word2Vec } from '../../dist/train/word2vec.js';
import { saveVectors } from '../../dist/vectors/load.js';

const { values: v } = parseArgs({
  options: {
    corpus: { type: 'string' }, out: { type: 'string' }, sg: { type: 'string', default: '1' },
    dim: { type: 'string', default: '100' }, window: { type: 'string', default: '5' },
    negative: { type: 'string', default: '5' }, sample: { type: 'string', default: '1e-3' },
    'min-count': { type: 'string', default: '5' }, epochs: { type: 'string', default: '5' },
    alpha: { type: 'string' }, 'min-alpha': { type: 'string', default: '0.0001' },
    threads: { type: 'string', default: '1' }, seed: { type: 'string', default: '1' },
  },
});
if (!v.corpus) {
  console.error('usage: node bench/peers/quantext_w2v.mjs --corpus FILE [--out FILE.bin] [--sg 1|0] [--threads N] [--seed S] [--epochs 5]');
  process.exit(2);
}
const sg = v.sg !== '0';
const rt = await init();
const model = new Word2Vec({
  sg: sg ? 1 : 0, hs: 0, vectorSize: +v.dim, window: +v.window, negative: +v.negative, sample: +v.sample,
  minCount: +v['min-count'], epochs: +v.epochs, alpha: v.alpha !== undefined ? +v.alpha : sg ? 0.025 : 0.05,
  minAlpha: +v['min-alpha'], workers: +v.threads, seed: +v.seed,
});
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const c0 = cpu(), t0 = performance.now();
await model.buildVocab(v.corpus);
const t1 = performance.now();
// wall time at the end of each epoch (epoch 1 streams and encodes the file; later ones reuse the encoded corpus)
const epochSeconds = [];
let epochStart = performance.now();
const r = await model.train(v.corpus, {
  onProgress: (p) => {
    if (!p.epochEnd) return;
    const now = performance.now();
    epochSeconds.push((now - epochStart) / 1000);
    epochStart = now;
  },
});
const t2 = performance.now(), c2 = cpu();
if (v.out) await saveVectors(model.wv, v.out, { format: v.out.endsWith('.bin') ? 'bin' : 'txt' });
const out = {
  tool: 'quantext',
  words: r.words, // raw corpus tokens × epochs
  vocabSeconds: (t1 - t0) / 1000,
  trainSeconds: (t2 - t1) / 1000,
  epochSeconds,
  seconds: (t2 - t0) / 1000,
  cpuSeconds: c2 - c0,
  vocabSize: model.wv.size,
  epochs: r.epochs,
  threads: r.threads,
  loss: r.loss,
  build: rt.build,
  // process.resourceUsage().maxRSS is in KiB
  maxRssKB: process.resourceUsage().maxRSS,
};
model.dispose();
process.stdout.write(JSON.stringify(out) + '\n');
