#!/usr/bin/env node
// quantext's side of bench/fasttext.bench.mjs: train FastText from a file corpus with the library's API and print
// one JSON line, like gensim_ft.py does for gensim. The timed window is buildVocab(file) + train(file), as for
// Word2Vec (bench/peers/quantext_w2v.mjs); Node's start, init() and saving the vectors are outside it.
//
//   node bench/peers/quantext_ft.mjs --corpus brown.txt --out vec.txt --sg 1 --minn 3 --maxn 6 --bucket 2000000
import { parseArgs } from 'node:util';
import { init } from '../../dist/index.node.js';
import { FastText } from '../../dist/train/fasttext.js';
import { saveVectors } from '../../dist/vectors/load.js';

const { values: v } = parseArgs({
  options: {
    corpus: { type: 'string' }, out: { type: 'string' }, sg: { type: 'string', default: '1' },
    dim: { type: 'string', default: '100' }, window: { type: 'string', default: '5' },
    negative: { type: 'string', default: '5' }, sample: { type: 'string', default: '1e-3' },
    'min-count': { type: 'string', default: '5' }, epochs: { type: 'string', default: '5' },
    alpha: { type: 'string', default: '0.025' }, 'min-alpha': { type: 'string', default: '0.0001' },
    minn: { type: 'string', default: '3' }, maxn: { type: 'string', default: '6' }, bucket: { type: 'string', default: '2000000' },
    threads: { type: 'string', default: '1' }, seed: { type: 'string', default: '1' },
    'shared-negatives': { type: 'string', default: '1' },
  },
});
if (!v.corpus) {
  console.error('usage: node bench/peers/quantext_ft.mjs --corpus FILE [--out FILE.txt] [--sg 1|0] [--minn 3 --maxn 6 --bucket N] [--threads N]');
  process.exit(2);
}
await init();
const model = new FastText({
  sg: v.sg !== '0' ? 1 : 0, hs: 0, vectorSize: +v.dim, window: +v.window, negative: +v.negative, sample: +v.sample,
  minCount: +v['min-count'], epochs: +v.epochs, alpha: +v.alpha, minAlpha: +v['min-alpha'], workers: +v.threads,
  seed: +v.seed, minN: +v.minn, maxN: +v.maxn, bucket: +v.bucket, sharedNegatives: v['shared-negatives'] !== '0',
});
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const c0 = cpu(), t0 = performance.now();
await model.buildVocab(v.corpus);
const t1 = performance.now();
const r = await model.train(v.corpus);
const t2 = performance.now(), c2 = cpu();
if (v.out) await saveVectors(model.wv, v.out, { format: v.out.endsWith('.bin') ? 'bin' : 'txt' });
console.log(JSON.stringify({
  tool: 'quantext-fasttext', words: r.words, vocabSeconds: (t1 - t0) / 1000, trainSeconds: (t2 - t1) / 1000,
  seconds: (t2 - t0) / 1000, cpuSeconds: c2 - c0, vocabSize: model.wv.size, epochs: r.epochs, threads: r.threads,
  maxRssKB: Math.round(process.resourceUsage().maxRSS),
}));
model.dispose();
