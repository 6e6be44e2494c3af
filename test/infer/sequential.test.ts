// Issue 11: a small MLP trained here gives the same argmax in f32, int8 and masked forms; Sequential save/load.
import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rtFor, rng } from '../helpers.js';
import { Linear, Int8Linear, BinaryLinear, SparseLinear, Sequential, ReLU, GELU, LayerNorm, Softmax, QuantextError, SEQUENTIAL_FORMAT } from '../../src/index.node.js';
import { OnnxBias, OnnxQLinearMatMul, OnnxQuantizeDequantize } from '../../src/infer/qdq.js';
import { readSafetensors, writeSafetensors, safeTensor } from '../../src/io/safetensors.js';

const dir = mkdtempSync(join(tmpdir(), 'qt-seq-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const D = 16, H = 32, C = 4;

/** Gaussian blobs: class c centred at a random point; returns inputs and labels. */
function blobs(n: number, seed: number, centres?: Float64Array[]): { x: Float32Array; y: Int32Array; centres: Float64Array[] } {
  const r = rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const cs = centres ?? Array.from({ length: C }, () => Float64Array.from({ length: D }, () => gauss() * 1.2));
  const x = new Float32Array(n * D), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(r() * C);
    y[i] = c;
    for (let j = 0; j < D; j++) x[i * D + j] = cs[c][j] + gauss();
  }
  return { x, y, centres: cs };
}

/** A 16-32-4 ReLU MLP trained by plain SGD on softmax cross-entropy (float64 in JS). */
function train(x: Float32Array, y: Int32Array, n: number) {
  const r = rng(99);
  const W1 = Float64Array.from({ length: H * D }, () => (r() * 2 - 1) * Math.sqrt(6 / D));
  const b1 = new Float64Array(H);
  const W2 = Float64Array.from({ length: C * H }, () => (r() * 2 - 1) * Math.sqrt(6 / H));
  const b2 = new Float64Array(C);
  const h = new Float64Array(H), o = new Float64Array(C), dh = new Float64Array(H);
  const lr = 0.05;
  for (let epoch = 0; epoch < 15; epoch++) {
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < H; a++) {
        let s = b1[a];
        for (let j = 0; j < D; j++) s += W1[a * D + j] * x[i * D + j];
        h[a] = Math.max(0, s);
      }
      let mx = -Infinity;
      for (let c = 0; c < C; c++) {
        let s = b2[c];
        for (let a = 0; a < H; a++) s += W2[c * H + a] * h[a];
        o[c] = s;
        mx = Math.max(mx, s);
      }
      let z = 0;
      for (let c = 0; c < C; c++) z += (o[c] = Math.exp(o[c] - mx));
      dh.fill(0);
      for (let c = 0; c < C; c++) {
        const g = o[c] / z - (c === y[i] ? 1 : 0);
        for (let a = 0; a < H; a++) {
          dh[a] += g * W2[c * H + a];
          W2[c * H + a] -= lr * g * h[a];
        }
        b2[c] -= lr * g;
      }
      for (let a = 0; a < H; a++) {
        if (h[a] <= 0) continue;
        for (let j = 0; j < D; j++) W1[a * D + j] -= lr * dh[a] * x[i * D + j];
        b1[a] -= lr * dh[a];
      }
    }
  }
  return { W1: Float32Array.from(W1), b1: Float32Array.from(b1), W2: Float32Array.from(W2), b2: Float32Array.from(b2) };
}

function argmax(y: Float32Array, n: number, c: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let b = 0;
    for (let j = 1; j < c; j++) if (y[i * c + j] > y[i * c + b]) b = j;
    out[i] = b;
  }
  return out;
}

const agree = (a: Int32Array, b: Int32Array) => a.reduce((s, v, i) => s + (v === b[i] ? 1 : 0), 0) / a.length;

for (const build of ['simd', 'scalar'] as const) {
  describe(`Sequential (${build})`, () => {
    const tr = blobs(2000, 1);
    const te = blobs(1000, 2, tr.centres);
    const p = train(tr.x, tr.y, 2000);

    it('f32, int8 (dynamic, static) and masked forms of a trained MLP agree on ≥ 99 % of argmaxes', async () => {
      const rt = await rtFor(build);
      using f32 = new Sequential([Linear.fromFloat(p.W1, H, D, p.b1, { rt, activation: 'relu' }), Linear.fromFloat(p.W2, C, H, p.b2, { rt })]);
      const ref = argmax(f32.forward(te.x, 1000), 1000, C);
      expect(agree(ref, te.y)).toBeGreaterThan(0.9); // the model learned something
      using i8 = f32.quantize({ weights: 'int8' });
      expect(i8.layers[0]).toBeInstanceOf(Int8Linear);
      expect(agree(argmax(i8.forward(te.x, 1000), 1000, C), ref)).toBeGreaterThanOrEqual(0.99);
      using st = f32.quantize({ weights: 'int8', activations: 'static', calibration: tr.x.subarray(0, 200 * D), calibrationBatch: 200 });
      expect(agree(argmax(st.forward(te.x, 1000), 1000, C), ref)).toBeGreaterThanOrEqual(0.99);
      // masked: prune the 20 % smallest-magnitude weights of each layer
      const prune = (w: Float32Array) => {
        const t = Array.from(w, Math.abs).sort((a, b) => a - b)[Math.floor(w.length * 0.2)];
        return Uint8Array.from(w, (v) => (Math.abs(v) >= t ? 1 : 0));
      };
      using sp = new Sequential([
        SparseLinear.fromFloat(p.W1, H, D, p.b1, { rt, activation: 'relu', mask: prune(p.W1) }),
        SparseLinear.fromFloat(p.W2, C, H, p.b2, { rt, mask: prune(p.W2) }),
      ]);
      expect(agree(argmax(sp.forward(te.x, 1000), 1000, C), ref)).toBeGreaterThanOrEqual(0.99);
      // batch 1 equals the batched forward row by row
      const one = i8.forward(te.x.subarray(0, D), 1);
      expect(one).toEqual(i8.forward(te.x.subarray(0, 8 * D), 8).subarray(0, C));
      // a binary copy runs (its accuracy is not the int8 one's; just shapes and finiteness)
      using bn = f32.quantize({ weights: 'binary', skipLast: true });
      expect(bn.layers[0]).toBeInstanceOf(BinaryLinear);
      expect(bn.layers[1]).toBeInstanceOf(Linear);
      expect(bn.forward(te.x.subarray(0, 10 * D), 10).every(Number.isFinite)).toBe(true);
    });

    it('save/load and toBytes/fromBytes round-trip every layer kind exactly', async () => {
      const rt = await rtFor(build);
      const r = rng(3);
      const w = (n: number) => Float32Array.from({ length: n }, () => r() * 2 - 1);
      using m = new Sequential([
        LayerNorm.fromFloat(w(D), w(D), { rt, eps: 1e-3 }),
        Linear.fromFloat(p.W1, H, D, p.b1, { rt, activation: 'relu' }),
        Int8Linear.fromFloat(w(H * H), H, H, w(H), { rt, activations: 'static', inputScale: 0.05 }),
        new GELU(0, { rt }),
        BinaryLinear.fromFloat(w(H * H), H, H, w(H), { rt }),
        new ReLU(H, { rt }),
        SparseLinear.fromFloat(w(H * H), H, H, undefined, { rt, mask: Uint8Array.from({ length: H * H }, (_, i) => i % 3 ? 0 : 1), format: 'csr' }),
        Int8Linear.fromQuantized({ rt, outFeatures: C, inFeatures: H, weights: Uint8Array.from({ length: C * H }, (_, i) => (i * 37) % 256), weightZeroPoint: 128, weightScale: 0.01, input: { mode: 'dynamic-uint8' }, output: { mode: 'f32', bias: w(C) } }),
        new Softmax(0, { rt }),
      ]);
      const x = te.x.subarray(0, 5 * D);
      const y = m.forward(x, 5);
      using b = Sequential.fromBytes(m.toBytes(), { rt });
      expect(b.forward(x, 5)).toEqual(y);
      expect(b.config()).toEqual(m.config());
      const path = join(dir, 'mlp.safetensors');
      await m.save(path);
      expect(existsSync(path)).toBe(true);
      using l = await Sequential.load(path, { rt });
      expect(l.forward(x, 5)).toEqual(y);
      expect(l.layers.map((x) => x.kind)).toEqual(m.layers.map((x) => x.kind));
      // a file that is not a model
      let err: unknown;
      try { Sequential.fromBytes(new Uint8Array([1, 2, 3]), { rt }); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(QuantextError);
    });

    it('a Sequential quantized with static activations (calibration) saves and loads bit-identically', async () => {
      const rt = await rtFor(build);
      using f32 = new Sequential([Linear.fromFloat(p.W1, H, D, p.b1, { rt, activation: 'relu' }), Linear.fromFloat(p.W2, C, H, p.b2, { rt })]);
      using st = f32.quantize({ weights: 'int8', activations: 'static', calibration: tr.x.subarray(0, 200 * D), calibrationBatch: 200 });
      const inputs = st.layers.map((l) => (l as Int8Linear).input);
      expect(inputs.every((i) => i.mode === 'static')).toBe(true);
      const x = te.x.subarray(0, 33 * D);
      const y = st.forward(x, 33);
      const path = join(dir, 'static.safetensors');
      await st.save(path);
      using back = await Sequential.load(path, { rt });
      expect(back.layers.map((l) => (l as Int8Linear).input)).toEqual(inputs);
      expect(back.forward(x, 33)).toEqual(y);
      expect(back.forward(x.subarray(0, D), 1)).toEqual(y.subarray(0, C));
    });

    it('a malformed or inconsistent saved config is E_FORMAT naming the layer (never a trap), and frees what it built', async () => {
      const rt = await rtFor(build);
      const r = rng(9);
      const w = (n: number) => Float32Array.from({ length: n }, () => r() * 2 - 1);
      using m = new Sequential([
        new OnnxQuantizeDequantize({ rt, scale: 0.05, zeroPoint: 128, type: 'uint8' }),
        LayerNorm.fromFloat(w(D), w(D), { rt }),
        Linear.fromFloat(p.W1, H, D, p.b1, { rt, activation: 'relu' }),
        Int8Linear.fromFloat(w(H * H), H, H, w(H), { rt, activations: 'static', inputScale: 0.05 }),
        new OnnxBias(w(H), { rt }),
        BinaryLinear.fromFloat(w(H * 70), 70, H, w(70), { rt }),
        new OnnxQLinearMatMul({ rt, outFeatures: H, inFeatures: 70, weights: Int8Array.from({ length: 70 * H }, (_, i) => ((i * 29) % 255) - 127), weightScale: 0.02, input: { mode: 'static', type: 'uint8', scale: 0.04, zeroPoint: 120 }, output: { mode: 'uint8', scale: 0.1, zeroPoint: 128 } }),
        new GELU(0, { rt }),
        Linear.fromFloat(p.W2, C, H, p.b2, { rt }),
      ]);
      const bytes = m.toBytes();
      const x = te.x.subarray(0, 3 * D);
      using ok = Sequential.fromBytes(bytes, { rt });
      expect(ok.forward(x, 3)).toEqual(m.forward(x, 3));
      const file = readSafetensors(bytes);
      const cfg = JSON.parse(file.metadata[SEQUENTIAL_FORMAT]);
      const edit = (f: (c: any) => void, tensors = file.tensors) => {
        const c = structuredClone(cfg);
        f(c);
        return writeSafetensors(tensors, { [SEQUENTIAL_FORMAT]: JSON.stringify(c) });
      };
      const cases: [string, Uint8Array][] = [
        ['no layers', edit((c) => { c.layers = []; })],
        ['a layer that is not an object', edit((c) => { c.layers[2] = 5; })],
        ['a null layer', edit((c) => { c.layers[2] = null; })],
        ['an unknown kind', edit((c) => { c.layers[2].kind = 'conv2d'; })],
        ['negative outFeatures', edit((c) => { c.layers[2].outFeatures = -1; })],
        ['fractional inFeatures', edit((c) => { c.layers[2].inFeatures = 1.5; })],
        ['a width the weights do not have', edit((c) => { c.layers[2].outFeatures = 1e9; })],
        ['a string width', edit((c) => { c.layers[2].outFeatures = String(H); })],
        ['an unknown fused activation', edit((c) => { c.layers[2].activation = 'swish'; })],
        ['a bias flag without a bias tensor', edit((c) => { c.layers[8].bias = true; }, Object.fromEntries(Object.entries(file.tensors).filter(([k]) => k !== 'layers.8.bias')))],
        ['a tensor of the wrong dtype', edit(() => {}, { ...file.tensors, 'layers.2.weight': safeTensor('I32', [D * H], new Int32Array(D * H)) })],
        ['a static input scale of 0', edit((c) => { c.layers[3].input.scale = 0; })],
        ['a static input zero point out of range', edit((c) => { c.layers[3].input.zeroPoint = 300; })],
        ['no input spec', edit((c) => { delete c.layers[3].input; })],
        ['an unknown input mode', edit((c) => { c.layers[3].input = { mode: 'fp8' }; })],
        ['an unknown weight type', edit((c) => { c.layers[3].weightType = 'int4'; })],
        ['an unknown layout', edit((c) => { c.layers[3].layout = 'diagonal'; })],
        ['bias features that disagree with the tensor', edit((c) => { c.layers[4].features = H + 1; })],
        ['binary bits of another width', edit((c) => { c.layers[5].inFeatures = 100; })],
        ['qlinearmatmul with f32 output', edit((c) => { c.layers[6].output = { mode: 'f32' }; })],
        ['qlinearmatmul output scale NaN (null in JSON)', edit((c) => { c.layers[6].output.scale = null; })],
        ['qlinearmatmul output zero point out of range', edit((c) => { c.layers[6].output.zeroPoint = -1; })],
        ['quantize-dequantize scale 0', edit((c) => { c.layers[0].scale = 0; })],
        ['quantize-dequantize zero point 256', edit((c) => { c.layers[0].zeroPoint = 256; })],
        ['quantize-dequantize range [0, 1]', edit((c) => { c.layers[0].range = [0, 1]; })],
        ['layernorm features that disagree with gamma', edit((c) => { c.layers[1].features = D + 2; })],
        ['layernorm eps as text', edit((c) => { c.layers[1].eps = 'small'; })],
        ['gelu approximation unknown', edit((c) => { c.layers[7].approximate = 'cubic'; })],
        ['layers in an order whose widths do not chain', edit((c) => { [c.layers[2], c.layers[8]] = [c.layers[8], c.layers[2]]; }, Object.fromEntries(Object.entries(file.tensors).map(([k, v]) => [k.replace(/^layers\.2\./, 'layers.X.').replace(/^layers\.8\./, 'layers.2.').replace(/^layers\.X\./, 'layers.8.'), v])))],
      ];
      const blocks = rt.arena.liveBlocks;
      for (const [what, b] of cases) {
        let err: unknown;
        try {
          Sequential.fromBytes(b, { rt }).dispose();
        } catch (e) {
          err = e;
        }
        expect(err, what).toBeInstanceOf(QuantextError);
        expect((err as QuantextError).code, `${what}: ${(err as Error).message}`).toBe('E_FORMAT');
        expect(rt.arena.liveBlocks, what).toBe(blocks);
      }
    });

    it('300 randomly edited configs each load (and run) or fail with E_FORMAT; nothing leaks', async () => {
      const rt = await rtFor(build);
      const r = rng(21);
      const w = (n: number) => Float32Array.from({ length: n }, () => r() * 2 - 1);
      using m = new Sequential([
        new OnnxQuantizeDequantize({ rt, scale: 0.05, zeroPoint: 3, type: 'int8' }),
        Linear.fromFloat(p.W1, H, D, p.b1, { rt, activation: 'relu' }),
        Int8Linear.fromFloat(w(H * H), H, H, w(H), { rt, activations: 'static', inputScale: 0.05 }),
        new OnnxBias(w(H), { rt }),
        BinaryLinear.fromFloat(w(H * H), H, H, w(H), { rt }),
        new OnnxQLinearMatMul({ rt, outFeatures: C, inFeatures: H, weights: Uint8Array.from({ length: C * H }, (_, i) => (i * 31) % 256), weightZeroPoint: 128, weightScale: 0.02, input: { mode: 'static', type: 'int8', scale: 0.04, zeroPoint: -2 }, output: { mode: 'int8', scale: 0.1, zeroPoint: 5 } }),
        new Softmax(0, { rt }),
      ]);
      const file = readSafetensors(m.toBytes());
      const base = file.metadata[SEQUENTIAL_FORMAT];
      const values = ['-1', '0', '1e9', '0.5', 'null', '"x"', 'true', '[]', '{}', '255', '-129', '3'];
      const x = te.x.subarray(0, 2 * D);
      const blocks = rt.arena.liveBlocks;
      let loaded = 0;
      for (let i = 0; i < 300; i++) {
        // replace one JSON value (a number, string, true/false/null) with another, or drop one key
        const tokens = [...base.matchAll(/"([A-Za-z]+)":("[^"]*"|-?[\d.e+-]+|true|false|null)/g)];
        const t = tokens[Math.floor(r() * tokens.length)];
        const start = t.index! + t[0].length - t[2].length;
        const edited = r() < 0.15
          ? base.slice(0, t.index!) + base.slice(t.index! + t[0].length).replace(/^,/, '')
          : base.slice(0, start) + values[Math.floor(r() * values.length)] + base.slice(start + t[2].length);
        let model: Sequential | undefined;
        try {
          model = Sequential.fromBytes(writeSafetensors(file.tensors, { [SEQUENTIAL_FORMAT]: edited }), { rt });
          model.forward(x, 2);
          loaded++;
        } catch (e) {
          expect(e, edited).toBeInstanceOf(QuantextError);
          if (!model) expect((e as QuantextError).code, `${edited}: ${(e as Error).message}`).toBe('E_FORMAT');
        } finally {
          model?.dispose();
        }
        expect(rt.arena.liveBlocks, edited).toBe(blocks);
      }
      expect(loaded).toBeGreaterThan(0); // some edits are harmless (e.g. a scale changed to 0.5)
    });

    it('forwardInto allocates no wasm memory per call (steady state)', async () => {
      const rt = await rtFor(build);
      using m = new Sequential([Linear.fromFloat(p.W1, H, D, p.b1, { rt, activation: 'relu' }), Int8Linear.fromFloat(p.W2, C, H, p.b2, { rt })]);
      const out = new Float32Array(4 * C);
      m.forwardInto(te.x.subarray(0, 4 * D), out, 4);
      const top = rt.arena.heapTop, blocks = rt.arena.liveBlocks;
      for (let i = 0; i < 50; i++) m.forwardInto(te.x.subarray(0, 4 * D), out, 4);
      expect(rt.arena.heapTop).toBe(top);
      expect(rt.arena.liveBlocks).toBe(blocks);
    });
  });
}
