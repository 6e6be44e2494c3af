#!/usr/bin/env node
// npm's WebAssembly ports of fastText, for bench/predict.bench.mjs: load a model, predict every line of a file one
// document at a time (the ports' only API), print one JSON line. Installed by bench/peers/install-wasm-ports.sh.
//
//   node bench/peers/fasttext_wasm.mjs --port fasttext.wasm|fasttext.wasm.js --model M.bin --input test.txt
//        [--passes 3] [--out labels.txt]
// Timed: `loadSeconds` (the model bytes into the port's file system and its loadModel), and each pass over the
// lines (`passSeconds`); splitting the file into lines is outside both.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const { values: v } = parseArgs({ options: { port: { type: 'string' }, model: { type: 'string' }, input: { type: 'string' }, passes: { type: 'string', default: '3' }, out: { type: 'string' } } });
const require = createRequire(new URL('./wasm-ports/package.json', import.meta.url));
const lines = readFileSync(v.input, 'utf8').split('\n');
if (lines[lines.length - 1] === '') lines.pop();
const bytes = new Uint8Array(readFileSync(v.model));
let predict;
const t0 = performance.now();
if (v.port === 'fasttext.wasm') {
  const { FastText } = await import(require.resolve('fasttext.wasm'));
  const ft = await FastText.create();
  ft.loadModel(bytes);
  // a Map label → probability, best first
  predict = (t) => ft.predict(t, 1, 0).keys().next().value ?? '';
} else if (v.port === 'fasttext.wasm.js') {
  const { getFastTextClass, getFastTextModule, FastTextModel } = await import(require.resolve('fasttext.wasm.js'));
  const FastText = await getFastTextClass({ getFastTextModule });
  const ft = new FastText();
  ft.fs.writeFile('/model.bin', bytes); // its loadModel(url) fetches over HTTP; the file system takes bytes
  ft.ft.loadModel('/model.bin');
  const m = new FastTextModel(ft.ft, ft.core);
  predict = (t) => {
    const r = m.predict(t, 1, 0);
    const label = r.size() > 0 ? r.get(0)[1] : '';
    r.delete();
    return label;
  };
} else {
  console.error(`unknown port ${v.port}`);
  process.exit(2);
}
const t1 = performance.now();
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const passSeconds = [], passCpuSeconds = [];
let labels = [];
for (let p = 0; p < +v.passes; p++) {
  const out = new Array(lines.length);
  const a = performance.now(), c = cpu();
  for (let i = 0; i < lines.length; i++) out[i] = predict(lines[i]);
  passCpuSeconds.push(cpu() - c);
  passSeconds.push((performance.now() - a) / 1000);
  labels = out;
}
if (v.out) writeFileSync(v.out, labels.join('\n') + '\n');
console.log(JSON.stringify({ tool: v.port, n: lines.length, loadSeconds: (t1 - t0) / 1000, passSeconds, passCpuSeconds, maxRssKB: process.resourceUsage().maxRSS }));
