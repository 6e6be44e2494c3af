#!/usr/bin/env node
// quantext's side of bench/predict.bench.mjs, in process: load a fastText model with the library's API and predict
// every line of a file, print one JSON line.
//
//   node bench/peers/quantext_predict.mjs --model M.bin --input test.txt [--passes 3] [--out labels.txt]
//     per document: model.predict(line) for each line; batch: model.predictBatch(lines); bytes: the file's bytes
//     through model.predictBytes (what `quantext predict` does). Timed: loadSeconds (FastTextModel.load), and each
//     pass of each mode; splitting the file into lines is outside.
//   node --expose-gc bench/peers/quantext_predict.mjs --model M.ftz --memory [--warm OTHER.bin]
//     what loading costs: RSS, wasm arena and JS heap before and after FastTextModel.load (after a GC), against the
//     file's size and its vocabulary's bytes; then the same after the first prediction (the predictor's tables).
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { init } from '../../dist/index.node.js';
import { FastTextModel } from '../../dist/fasttext/model.js';

const { values: v } = parseArgs({ options: { model: { type: 'string' }, input: { type: 'string' }, passes: { type: 'string', default: '3' }, out: { type: 'string' }, memory: { type: 'boolean', default: false }, warm: { type: 'string' } } });
const rt = await init();
if (v.memory) {
  const gc = globalThis.gc ?? (() => undefined);
  const snap = () => {
    gc();
    gc();
    const m = process.memoryUsage();
    return { rss: m.rss, heap: m.heapUsed, arrayBuffers: m.arrayBuffers, arena: rt.arena.used, wasm: rt.memory.buffer.byteLength };
  };
  // a first load of another model runs the loader's code once (compiled code and heap pages are not the model's)
  if (v.warm) (await FastTextModel.load(v.warm)).dispose();
  const s0 = snap();
  const model = await FastTextModel.load(v.model);
  const s1 = snap();
  const vocabBytes = model.dict.pooled().pool.length;
  model.predict('warm up the predictor');
  const s2 = snap();
  const d = (a, b) => Object.fromEntries(Object.keys(a).map((k) => [k, b[k] - a[k]]));
  console.log(JSON.stringify({
    tool: 'quantext', model: v.model, fileBytes: statSync(v.model).size, vocabBytes, entries: model.dict.size,
    load: d(s0, s1), predictor: d(s1, s2), peakRssKB: process.resourceUsage().maxRSS, baseRss: s0.rss,
  }));
  model.dispose();
  process.exit(0);
}
const text = readFileSync(v.input);
const lines = text.toString('utf8').split('\n');
if (lines[lines.length - 1] === '') lines.pop();
const t0 = performance.now();
const model = await FastTextModel.load(v.model);
const t1 = performance.now();
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const passSeconds = { perDoc: [], batch: [], bytes: [] }, passCpuSeconds = { perDoc: [], batch: [], bytes: [] };
const timed = (mode, f) => {
  const a = performance.now(), c = cpu();
  const r = f();
  passCpuSeconds[mode].push(cpu() - c);
  passSeconds[mode].push((performance.now() - a) / 1000);
  return r;
};
let labels = [];
for (let p = 0; p < +v.passes; p++) {
  labels = timed('perDoc', () => {
    const out = new Array(lines.length);
    for (let i = 0; i < lines.length; i++) out[i] = model.predict(lines[i], 1)[0]?.[0] ?? '';
    return out;
  });
  timed('batch', () => model.predictBatch(lines, 1));
  timed('bytes', () => model.predictBytes(text, { k: 1, final: true }));
}
if (v.out) writeFileSync(v.out, labels.join('\n') + '\n');
console.log(JSON.stringify({ tool: 'quantext', n: lines.length, loadSeconds: (t1 - t0) / 1000, passSeconds, passCpuSeconds, backend: rt.backend, build: rt.build, maxRssKB: process.resourceUsage().maxRSS }));
model.dispose();
