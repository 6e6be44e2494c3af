// Run by test/infer/relaxed.test.ts in a child `node --experimental-wasm-relaxed-simd` (Node 20's vitest workers cannot
// run relaxed SIMD): reads cases (JSON, argv[2]), runs each on the simd-relaxed, simd and scalar builds through the
// built package (dist/), and prints the outputs as JSON. The test compares them with plain TypeScript references.
import { readFileSync } from 'node:fs';

const q = await import(new URL('../../dist/index.node.js', import.meta.url).href);
const rt = await import(new URL('../../dist/runtime/runtime.js', import.meta.url).href);
const cases = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const out = { probe: q.relaxedSupported(), cases: [] };

const auto = await q.init();
out.defaultBuild = auto.build;
const runtimes = {
  relaxed: await q.createRuntime(undefined, { backend: 'relaxed', shared: false }),
  relaxedMt: await q.createRuntime(undefined, { backend: 'relaxed' }),
  simd: await q.createRuntime(undefined, { backend: 'simd', shared: false }),
  scalar: await q.createRuntime(undefined, { backend: 'scalar', shared: false }),
};
out.builds = Object.fromEntries(Object.entries(runtimes).map(([k, r]) => [k, { build: r.build, backend: r.backend, fused: r.fusedDotAdd }]));

for (const c of cases) {
  const res = { name: c.name, out: {}, relaxedUsed: {} };
  for (const [name, r] of Object.entries(runtimes)) {
    let layer;
    try {
      if (c.kind === 'float') {
        layer = q.Int8Linear.fromFloat(Float32Array.from(c.w), c.N, c.K, c.bias ? Float32Array.from(c.bias) : undefined, { rt: r, maxBatch: 2, ...c.options });
        const x = Float32Array.from(c.x);
        const y = c.options.output === 'int8' ? layer.forwardInt(x, c.M) : layer.forward(x, c.M);
        res.out[name] = Array.from(y);
      } else if (c.kind === 'qf') {
        layer = q.Int8Linear.fromQuantized({ rt: r, outFeatures: c.N, inFeatures: c.K, weights: Int8Array.from(c.w), layout: 'out-in', weightZeroPoint: c.wzp, input: c.input, output: { mode: 'int32' } });
        res.out[name] = Array.from(layer.forwardInt(Float32Array.from(c.x), c.M));
      } else {
        const W = c.wType === 'uint8' ? Uint8Array.from(c.w) : Int8Array.from(c.w);
        layer = q.Int8Linear.fromQuantized({ rt: r, outFeatures: c.N, inFeatures: c.K, weights: W, layout: 'out-in', weightZeroPoint: c.wzp, weightScale: 0.01, input: { mode: 'dynamic-uint8' }, output: { mode: 'int32' } });
        const X = c.xType === 'uint8' ? Uint8Array.from(c.x) : Int8Array.from(c.x);
        res.out[name] = Array.from(layer.forwardInt(X, c.M, undefined, c.xzp));
      }
      res.relaxedUsed[name] = layer.relaxed;
    } catch (e) {
      res.out[name] = `${e.code ?? e.name}: ${e.message}`;
    } finally {
      layer?.dispose();
    }
  }
  out.cases.push(res);
}

// the relaxed kernel's fused and unfused paths against its scalar twin, whatever the loader chose: 7 rows (4-row and
// 2-row tiles, a single row), 10 outputs (two panels and a partial one), 40 inputs (padded to 48), extreme values
{
  const rr = runtimes.relaxed, k = rr.kernels, a = rr.arena;
  const m = 7, kp = 48, n = 10, n4 = 12;
  const xq = a.alloc(m * kp), wp = a.alloc(n4 * kp), rx = a.alloc(m * 4), z = a.alloc(n4 * 4), t = a.alloc(n4 * 4), acc = a.alloc(m * n4 * 4), ref = a.alloc(m * n4 * 4);
  let seed = 99;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16;
  const u8 = new Uint8Array(rr.memory.buffer), i32 = new Int32Array(rr.memory.buffer);
  for (let i = 0; i < m * kp; i++) u8[xq + i] = i % kp < 40 ? (i < 20 ? 128 : next() & 255) : 0;
  for (let i = 0; i < n4 * kp; i++) u8[wp + i] = i < 30 ? 127 : next() & 127;
  for (let i = 0; i < m; i++) i32[(rx >> 2) + i] = (next() & 4095) - 2048;
  for (let i = 0; i < n4; i++) { i32[(z >> 2) + i] = (next() & 255) - 128; i32[(t >> 2) + i] = (next() & 65535) - 32768; }
  k.gemm_i8_i7_scalar(xq, m, kp, wp, n, rx, z, t, -77, ref);
  const same = (fused) => {
    k.gemm_i8_i7(xq, m, kp, wp, n, rx, z, t, -77, fused, acc);
    const A = new Int32Array(rr.memory.buffer, acc, m * n4), B = new Int32Array(rr.memory.buffer, ref, m * n4);
    return A.every((v, i) => v === B[i]);
  };
  out.kernelPaths = { fused: same(1), unfused: same(0) };
  for (const p of [xq, wp, rx, z, t, acc, ref]) a.free(p);
}

// the probe's fused result is checked by the kernel self-test: a runtime told that the fused dot-add works (where it
// does not, as on Node 20) still computes with the unfused ops
rt.setRelaxedProbe(() => ({ dot: true, fused: true }));
const forcedFused = await q.createRuntime(undefined, { backend: 'relaxed', shared: false });
out.injectedFused = { fused: forcedFused.fusedDotAdd, inBuildProbe: forcedFused.kernels.relaxed_probe(1) };
// a probe that fails: auto falls back to the SIMD build, forcing relaxed is a typed error
rt.setRelaxedProbe(() => ({ dot: false, fused: false }));
out.rejected = { auto: (await q.createRuntime(undefined, { shared: false })).build };
try {
  await q.createRuntime(undefined, { backend: 'relaxed' });
  out.rejected.forced = 'no error';
} catch (e) {
  out.rejected.forced = e.code;
}
rt.setRelaxedProbe(undefined);
process.env.QUANTEXT_BACKEND = 'simd';
out.envSimd = (await q.createRuntime(undefined, { shared: false })).build;
process.env.QUANTEXT_BACKEND = 'relaxed';
out.envRelaxed = (await q.createRuntime(undefined, { shared: false })).build;
process.stdout.write(JSON.stringify(out));
