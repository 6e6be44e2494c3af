// The loader (src/runtime/runtime.ts): every kind of source init()/createRuntime() accepts, the SIMD
// probe and its scalar fallback, forcing a backend, compile caching, and the errors for bad sources.
import { describe, it, expect, vi, afterEach, beforeEach } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join, relative } from 'node:path';
import '../../src/index.node.js';
import { createRuntime, detachMode, init, runtime, backend, resetDefaultRuntime, simdSupported, relaxedSupported, type Runtime } from '../../src/runtime/runtime.js';
import { QuantextError } from '../../src/errors.js';
import { PROBE_EXPECTED } from '../../src/runtime/kernels/index.js';

const buildUrl = (b: string) => new URL(`../../build/quantext-${b}.wasm`, import.meta.url);
const bytesOf = async (b: string) => new Uint8Array(await readFile(buildUrl(b)));

/** Runs a real kernel: Σ i·(n−i) for i < n, which a wrong build or a wrong memory would miss. */
function checkComputes(rt: Runtime): void {
  const n = 37;
  const pa = rt.arena.alloc(n * 4), pb = rt.arena.alloc(n * 4);
  const a = rt.arena.f32(pa, n), b = rt.arena.f32(pb, n);
  let want = 0;
  for (let i = 0; i < n; i++) {
    a[i] = i;
    b[i] = n - i;
    want += i * (n - i);
  }
  expect(rt.kernels.dot_f32(pa, pb, n)).toBe(want);
  expect(rt.kernels.probe()).toBe(PROBE_EXPECTED);
  rt.arena.free(pa);
  rt.arena.free(pb);
}

/** Resolves to the QuantextError a promise rejects with (fails the test if it resolves or throws anything else). */
async function quantextError(p: Promise<unknown>): Promise<QuantextError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, 'expected a rejection').toBeInstanceOf(QuantextError);
  return e as QuantextError;
}

/** A minimal wasm binary built by hand: `sections` are [id, payload bytes]. */
function wasmModule(sections: Array<[number, number[]]>): Uint8Array {
  const leb = (n: number) => {
    const out: number[] = [];
    do {
      let b = n & 0x7f;
      n >>>= 7;
      if (n) b |= 0x80;
      out.push(b);
    } while (n);
    return out;
  };
  const out = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0];
  for (const [id, payload] of sections) out.push(id, ...leb(payload.length), ...payload);
  return new Uint8Array(out);
}
const str = (s: string) => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];

/**
 * A module that links and exports what the loader calls, but computes wrongly: probe() returns 0,
 * as a host that validates SIMD but miscomputes it would (older Safari). It imports env.memory like ours.
 */
function miscomputingBuild(): Uint8Array {
  const types = [2, 0x60, 0, 1, 0x7f, 0x60, 3, 0x7f, 0x7f, 0x7f, 1, 0x7d]; // () → i32, (i32 i32 i32) → f32
  const imports = [1, ...str('env'), ...str('memory'), 0x02, 0x00, 0x01]; // memory, min 1 page
  const funcs = [4, 0, 0, 0, 1];
  const exp = (name: string, i: number) => [...str(name), 0x00, i];
  const exports = [4, ...exp('build_kind', 0), ...exp('heap_base', 1), ...exp('probe', 2), ...exp('dot_f32', 3)];
  const body = (code: number[]) => [code.length + 1, 0, ...code]; // size, no locals, code
  const code = [
    4,
    ...body([0x41, 1, 0x0b]), // build_kind: i32.const 1 (claims SIMD)
    ...body([0x41, 0x80, 0x08, 0x0b]), // heap_base: i32.const 1024
    ...body([0x41, 0, 0x0b]), // probe: i32.const 0 (wrong)
    ...body([0x43, 0, 0, 0, 0, 0x0b]), // dot_f32: f32.const 0
  ];
  return wasmModule([[1, types], [2, imports], [3, funcs], [7, exports], [10, code]]);
}

const HTML = new TextEncoder().encode('<!doctype html><html><body>Not found</body></html>');

// these tests set QUANTEXT_BACKEND themselves: a value from the caller's shell (QUANTEXT_BACKEND=scalar npm test) must not leak in
beforeEach(() => {
  vi.stubEnv('QUANTEXT_BACKEND', '');
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  resetDefaultRuntime();
});

describe('loader: sources', () => {
  it('nothing: the default files next to the module (shared-memory build where Node can thread)', async () => {
    const rt = await createRuntime();
    // the SIMD build, or the relaxed one where the host runs relaxed SIMD (Node ≥ 22, Deno, Chromium; Node 20 not)
    const [be, b] = relaxedSupported() ? ['relaxed', 'simd-relaxed'] : ['simd', 'simd'];
    expect(rt.backend).toBe(be);
    // the detach test mode (QUANTEXT_DETACH=1) defaults to plain memory, on purpose
    expect(rt.build).toBe(detachMode() ? b : `${b}-mt`);
    expect(rt.shared).toBe(!detachMode());
    expect(rt.memory.buffer instanceof SharedArrayBuffer).toBe(!detachMode());
    expect(rt.arena.detachOnAlloc).toBe(detachMode());
    checkComputes(rt);
    const plain = await createRuntime(undefined, { shared: false });
    expect(plain.build).toBe(b);
    expect(plain.memory.buffer).toBeInstanceOf(ArrayBuffer);
    checkComputes(plain);
  });

  it('bytes: Uint8Array, ArrayBuffer and a view at an offset inside a larger buffer', async () => {
    const simd = await bytesOf('simd'), scalar = await bytesOf('scalar');
    const a = await createRuntime(simd);
    expect([a.backend, a.build]).toEqual(['simd', 'simd']);
    checkComputes(a);
    const b = await createRuntime(scalar.slice().buffer);
    expect([b.backend, b.build]).toEqual(['scalar', 'scalar']);
    checkComputes(b);
    const big = new Uint8Array(scalar.length + 24);
    big.set(scalar, 24);
    const c = await createRuntime(big.subarray(24));
    expect(c.backend).toBe('scalar');
    checkComputes(c);
  });

  it('bytes of a shared-memory build give a runtime over a SharedArrayBuffer', async () => {
    const rt = await createRuntime(await bytesOf('scalar-mt'));
    expect([rt.backend, rt.build, rt.shared]).toEqual(['scalar', 'scalar-mt', true]);
    expect(rt.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    checkComputes(rt);
  });

  it('a file: URL, a file: URL string, an absolute path and a path relative to the working directory', async () => {
    const url = buildUrl('scalar');
    const path = fileURLToPath(url);
    for (const src of [url, url.href, path, relative(process.cwd(), path)]) {
      const rt = await createRuntime(src);
      expect(rt.backend, String(src)).toBe('scalar');
      checkComputes(rt);
    }
  });

  it('a missing file names the path in an E_WASM error', async () => {
    const e = await quantextError(createRuntime('build/no-such-build.wasm'));
    expect(e.code).toBe('E_WASM');
    expect(e.message).toContain('no-such-build.wasm');
  });

  it('a Response and a Promise<Response>', async () => {
    const bytes = await bytesOf('simd');
    const headers = { 'content-type': 'application/wasm' };
    const a = await createRuntime(new Response(bytes, { headers }));
    expect(a.backend).toBe('simd');
    checkComputes(a);
    const b = await createRuntime(Promise.resolve(new Response(await bytesOf('scalar'), { headers })));
    expect(b.backend).toBe('scalar');
    checkComputes(b);
  });

  it('a precompiled WebAssembly.Module is used as given (what Cloudflare Workers need)', async () => {
    const mod = new WebAssembly.Module(await bytesOf('scalar'));
    const rt = await createRuntime(mod);
    expect(rt.module).toBe(mod);
    expect([rt.backend, rt.build]).toEqual(['scalar', 'scalar']);
    checkComputes(rt);
    const mt = new WebAssembly.Module(await bytesOf('simd-mt'));
    const rt2 = await createRuntime(mt);
    expect([rt2.module === mt, rt2.build]).toEqual([true, 'simd-mt']);
  });

  it('a { simd, scalar } map: its SIMD entry where SIMD runs, its scalar entry when scalar is forced', async () => {
    const simd = new WebAssembly.Module(await bytesOf('simd'));
    const scalar = new WebAssembly.Module(await bytesOf('scalar'));
    const a = await createRuntime({ simd, scalar });
    expect(a.module).toBe(simd); // the caller's sources win over the default (shared) files
    expect(a.backend).toBe('simd');
    const b = await createRuntime({ simd, scalar }, { backend: 'scalar' });
    expect(b.module).toBe(scalar);
    expect(b.backend).toBe('scalar');
    checkComputes(b);
  });

  it('runtimes are independent: one module, separate memories and allocators', async () => {
    const mod = new WebAssembly.Module(await bytesOf('simd'));
    const a = await createRuntime(mod), b = await createRuntime(mod);
    expect(a.memory).not.toBe(b.memory);
    const p = a.arena.alloc(16);
    a.arena.f32(p, 4).set([7, -7, 0.5, 99]);
    expect(a.arena.liveBlocks).toBe(1);
    expect(b.arena.liveBlocks).toBe(0);
    expect(Array.from(b.arena.f32(p, 4))).not.toEqual([7, -7, 0.5, 99]);
  });
});

describe('loader: the detach test mode', () => {
  it('QUANTEXT_DETACH=1 makes plain memory the default and every allocation detach its buffer', async () => {
    vi.stubEnv('QUANTEXT_DETACH', '1');
    const rt = await createRuntime();
    expect(rt.shared).toBe(false);
    const p = rt.arena.alloc(16);
    const view = rt.arena.f32(p, 4);
    rt.arena.alloc(16);
    expect(() => view.fill(1)).toThrow(TypeError); // the old view is detached, as after a real growth
    rt.arena.f32(p, 4).fill(1); // a view derived after the allocation works
    vi.stubEnv('QUANTEXT_DETACH', '0');
    const plain = await createRuntime(undefined, { shared: false });
    const q = plain.arena.alloc(16);
    const kept = plain.arena.f32(q, 4);
    plain.arena.alloc(16);
    expect(() => kept.fill(1)).not.toThrow();
  });
});

describe('loader: forcing a backend', () => {
  it('option backend: "scalar" and "simd"', async () => {
    const s = await createRuntime(undefined, { backend: 'scalar' });
    expect([s.backend, s.build]).toEqual(['scalar', detachMode() ? 'scalar' : 'scalar-mt']);
    checkComputes(s);
    const v = await createRuntime(undefined, { backend: 'simd', shared: false });
    expect([v.backend, v.build]).toEqual(['simd', 'simd']);
  });

  it('environment variable QUANTEXT_BACKEND=scalar (any case, surrounding spaces ignored)', async () => {
    vi.stubEnv('QUANTEXT_BACKEND', ' Scalar ');
    const rt = await createRuntime(undefined, { shared: false });
    expect([rt.backend, rt.build]).toEqual(['scalar', 'scalar']);
    // the option wins over the environment
    expect((await createRuntime(undefined, { backend: 'simd', shared: false })).backend).toBe('simd');
    vi.stubEnv('QUANTEXT_BACKEND', 'auto');
    expect((await createRuntime(undefined, { shared: false })).backend).toBe(relaxedSupported() ? 'relaxed' : 'simd');
  });

  it('an unknown backend, in the option or the variable, is E_OPTION (not silently ignored)', async () => {
    expect((await quantextError(createRuntime(undefined, { backend: 'fast' as never }))).code).toBe('E_OPTION');
    vi.stubEnv('QUANTEXT_BACKEND', 'scaler');
    const e = await quantextError(createRuntime());
    expect(e.code).toBe('E_OPTION');
    expect(e.message).toContain('QUANTEXT_BACKEND');
  });

  it('forcing scalar while passing only a SIMD module is E_OPTION, not a silent SIMD runtime', async () => {
    const e = await quantextError(createRuntime(await bytesOf('simd'), { backend: 'scalar' }));
    expect(e.code).toBe('E_OPTION');
    vi.stubEnv('QUANTEXT_BACKEND', 'scalar');
    expect((await quantextError(createRuntime(await bytesOf('simd')))).code).toBe('E_OPTION');
    expect((await createRuntime(await bytesOf('scalar'))).backend).toBe('scalar');
  });
});

describe('loader: compile caching', () => {
  it('the same source compiles once: the default files, a URL string, a URL object, the same bytes', async () => {
    const [a, b] = await Promise.all([createRuntime(), createRuntime()]);
    expect(a.module).toBe(b.module);
    expect((await createRuntime()).module).toBe(a.module);
    const href = buildUrl('scalar').href;
    const c = await createRuntime(href), d = await createRuntime(new URL(href));
    expect(c.module).toBe(d.module);
    const bytes = await bytesOf('simd');
    const e = await createRuntime(bytes), f = await createRuntime(bytes);
    expect(e.module).toBe(f.module);
  });

  it('different byte arrays are different sources (keyed by identity, not content)', async () => {
    const bytes = await bytesOf('simd');
    const a = await createRuntime(bytes), b = await createRuntime(bytes.slice());
    expect(a.module).not.toBe(b.module);
  });

  it('a failed load is not cached: the same path loads once the file is there', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'quantext-loader-'));
    const path = join(dir, 'late.wasm');
    try {
      expect((await quantextError(createRuntime(path))).code).toBe('E_WASM');
      await writeFile(path, await bytesOf('scalar'));
      const rt = await createRuntime(path);
      expect(rt.backend).toBe('scalar');
      expect((await createRuntime(path)).module).toBe(rt.module); // and now it is cached
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('loader: bad sources give E_WASM, never a raw CompileError or TypeError', () => {
  it('HTML served where wasm was expected: as bytes, as a Response, as a Promise<Response>', async () => {
    for (const src of [HTML, new Response(HTML, { headers: { 'content-type': 'text/html' } }), Promise.resolve(new Response(HTML))]) {
      const e = await quantextError(createRuntime(src));
      expect(e.code).toBe('E_WASM');
      expect(e).not.toBeInstanceOf(WebAssembly.CompileError);
    }
    const e = await quantextError(createRuntime(new Response(HTML)));
    expect(e.message).toMatch(/HTML|magic/);
  });

  it('an HTTP error status, a rejected fetch, truncated and empty bytes', async () => {
    const notFound = await quantextError(createRuntime(new Response('nope', { status: 404 })));
    expect([notFound.code, notFound.message.includes('404')]).toEqual(['E_WASM', true]);
    const rejected = await quantextError(createRuntime(Promise.reject(new TypeError('fetch failed')) as Promise<Response>));
    expect(rejected.code).toBe('E_WASM');
    expect(rejected.cause).toBeInstanceOf(TypeError);
    const bytes = await bytesOf('simd');
    expect((await quantextError(createRuntime(bytes.slice(0, bytes.length >> 1)))).code).toBe('E_WASM');
    expect((await quantextError(createRuntime(new Uint8Array(0)))).code).toBe('E_WASM');
    // a truncated body behind a correct magic number, as a Response (compiled without validate())
    expect((await quantextError(createRuntime(new Response(bytes.slice(0, 100))))).code).toBe('E_WASM');
  });

  it('a valid wasm module that is not a quantext build', async () => {
    const empty = wasmModule([]);
    expect(WebAssembly.validate(empty)).toBe(true);
    const e = await quantextError(createRuntime(empty));
    expect(e.code).toBe('E_WASM');
    expect(e.message).toContain('not a quantext build');
  });

  it('a build that links but miscomputes is rejected by the probe', async () => {
    const e = await quantextError(createRuntime(miscomputingBuild()));
    expect(e.code).toBe('E_WASM');
    expect(e.message).toContain('probe');
  });
});

describe('loader: the default runtime', () => {
  it('runtime() and backend() before init() throw E_NOT_INITIALIZED', () => {
    for (const f of [runtime, backend]) {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(QuantextError);
      expect((err as QuantextError).code).toBe('E_NOT_INITIALIZED');
    }
  });

  it('init() loads once; later and concurrent calls return the same runtime; backend() reports it', async () => {
    const [a, b] = await Promise.all([init(), init()]);
    expect(a).toBe(b);
    expect(await init({ scalar: await bytesOf('scalar') })).toBe(a); // later sources are ignored once loaded
    expect(runtime()).toBe(a);
    expect(backend()).toBe(relaxedSupported() ? 'relaxed' : 'simd');
    resetDefaultRuntime();
    await init(undefined, { backend: 'scalar' });
    expect(backend()).toBe('scalar');
  });

  it('a failed init() can be retried', async () => {
    expect((await quantextError(init(HTML))).code).toBe('E_WASM');
    expect(() => runtime()).toThrow(QuantextError);
    const rt = await init(await bytesOf('scalar'));
    expect(runtime()).toBe(rt);
    expect(backend()).toBe('scalar');
  });
});

describe('loader: SIMD probe and fallback', () => {
  it('a host without SIMD (validate() refuses the probe module) gets the scalar build', async () => {
    const realValidate = WebAssembly.validate.bind(WebAssembly);
    const probes: number[] = [];
    // refuse every module that uses a SIMD opcode on a v128 type: the probe module is 40 bytes
    const spy = vi.spyOn(WebAssembly, 'validate').mockImplementation((b: BufferSource) => {
      const u8 = ArrayBuffer.isView(b) ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : new Uint8Array(b);
      if (u8.length < 64) {
        probes.push(u8.length);
        if (u8.includes(0x7b)) return false; // 0x7b = v128 value type
      }
      return realValidate(b);
    });
    expect(simdSupported()).toBe(false);
    const rt = await createRuntime(undefined, { shared: false });
    expect(spy).toHaveBeenCalled();
    expect(probes.length).toBeGreaterThan(0);
    expect([rt.backend, rt.build]).toEqual(['scalar', 'scalar']);
    checkComputes(rt);
    // forcing SIMD on such a host is an explicit error
    expect((await quantextError(createRuntime(undefined, { backend: 'simd' }))).code).toBe('E_UNSUPPORTED');
    spy.mockRestore();
    expect(simdSupported()).toBe(true);
  });

  it('a map whose SIMD entry is broken (HTML) falls back to its scalar entry', async () => {
    const scalar = new WebAssembly.Module(await bytesOf('scalar'));
    const rt = await createRuntime({ simd: HTML, scalar });
    expect(rt.module).toBe(scalar);
    expect(rt.backend).toBe('scalar');
  });

  it('a map whose SIMD entry validates and links but fails the computed probe falls back to scalar', async () => {
    const scalar = new WebAssembly.Module(await bytesOf('scalar'));
    const rt = await createRuntime({ simd: miscomputingBuild(), scalar });
    expect(rt.module).toBe(scalar);
    expect(rt.backend).toBe('scalar');
    checkComputes(rt);
  });

  it('when every candidate fails, the last error is thrown as E_WASM', async () => {
    const e = await quantextError(createRuntime({ simd: HTML, scalar: HTML, 'simd-mt': HTML, 'scalar-mt': HTML, 'simd-relaxed': HTML, 'simd-relaxed-mt': HTML }, { shared: false }));
    expect(e.code).toBe('E_WASM');
  });
});
