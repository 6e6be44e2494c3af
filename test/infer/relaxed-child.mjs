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
