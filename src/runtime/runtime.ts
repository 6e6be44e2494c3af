import { QuantextError } from '../errors.js';
import { env, getEnv } from './env.js';
import { Arena } from './memory.js';
import { PROBE_EXPECTED, type Kernels } from './kernels/index.js';

/**
 * A build of the wasm core. `-mt` builds import a shared memory (for worker threads). `simd-relaxed` is the SIMD build
 * plus relaxed SIMD in the int8 × 7-bit kernels (assembly/infer/gemm_i7.ts); every other kernel is the SIMD build's.
 */
export type BuildName = 'simd' | 'scalar' | 'simd-mt' | 'scalar-mt' | 'simd-relaxed' | 'simd-relaxed-mt';
const BUILD_NAMES: readonly BuildName[] = ['simd', 'scalar', 'simd-mt', 'scalar-mt', 'simd-relaxed', 'simd-relaxed-mt'];
export type Backend = 'simd' | 'scalar' | 'relaxed';

/** Anything a wasm module can come from. Workers (workerd) accept only a precompiled Module. */
export type WasmSource =
  | WebAssembly.Module
  | ArrayBuffer
  | ArrayBufferView
  | URL
  | string
  | Response
  | PromiseLike<Response>;

export type WasmSources = Partial<Record<BuildName, WasmSource>>;

export interface InitOptions {
  /**
   * 'auto' (default): the relaxed-SIMD build where the host runs relaxed SIMD and its probe computes right, else the
   * SIMD build, else scalar. 'simd' forces standard SIMD (refuses the relaxed build), 'relaxed' forces the relaxed
   * build (E_UNSUPPORTED where it cannot run), 'scalar' the scalar build. Also QUANTEXT_BACKEND=auto|simd|relaxed|scalar.
   */
  backend?: 'auto' | 'simd' | 'scalar' | 'relaxed';
  /** Use a shared memory so that trainers can run worker threads. Default: when the host can thread. */
  shared?: boolean;
  /** Upper bound for linear memory in MiB (default 4096, the wasm32 maximum). */
  maxMemoryMB?: number;
  /** Initial linear memory in MiB (default 1). */
  initialMemoryMB?: number;
}

const PAGE = 65536;
/** Exports the loader calls before trusting a module (see assembly/util/build.ts). */
const REQUIRED_EXPORTS = ['build_kind', 'heap_base', 'probe', 'dot_f32'];
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 24, 1, 22, 0, 253, 12, ...new Array(16).fill(0), 253, 98, 11]);
const BACKENDS = ['auto', 'simd', 'scalar', 'relaxed'] as const;
type Want = (typeof BACKENDS)[number];

// The relaxed-SIMD probe: a 206-byte module exporting a() and b(), () → i32. a() computes acc + extadd_pairwise(
// i16x8.relaxed_dot_i8x16_i7x16_s(x, w)) (what the relaxed kernels run), b() the fused i32x4.relaxed_dot_i8x16_i7x16_add_s(
// x, w, acc), on operands with x ∈ [−128, 127], w ∈ [0, 127] and a non-zero acc; each returns 1 when all four lanes are
// right. Hosts without relaxed SIMD do not validate it (Node 20 without --experimental-wasm-relaxed-simd).
const V = (bytes: number[]): number[] => [253, 12, ...bytes.map((b) => b & 255)];
const I32 = (...v: number[]): number[] => v.flatMap((x) => [x & 255, (x >> 8) & 255, (x >> 16) & 255, (x >>> 24) & 255]);
const PX = [-128, 127, -1, 1, 100, -100, 0, 5, -128, -128, 127, 127, -7, 3, 64, -64];
const PW = [127, 127, 0, 1, 2, 3, 127, 0, 127, 127, 127, 127, 9, 8, 7, 6];
const PACC = [1000, -2000, 3000, -4000];
const PWANT = PACC.map((a, i) => a + [0, 1, 2, 3].reduce((s, t) => s + PX[4 * i + t] * PW[4 * i + t], 0));
function relaxedProbeModule(): Uint8Array<ArrayBuffer> {
  const eqAll = [253, 55, 253, 163, 1, 11]; // i32x4.eq, i32x4.all_true, end
  const a = [0, ...V(PX), ...V(PW), 253, 146, 2, 253, 126, ...V(I32(...PACC)), 253, 174, 1, ...V(I32(...PWANT)), ...eqAll];
  const b = [0, ...V(PX), ...V(PW), ...V(I32(...PACC)), 253, 147, 2, ...V(I32(...PWANT)), ...eqAll];
  const body = (c: number[]) => [c.length, ...c];
  const code = [2, ...body(a), ...body(b)];
  return new Uint8Array([
    0, 97, 115, 109, 1, 0, 0, 0,
    1, 5, 1, 96, 0, 1, 127, // type: () → i32
    3, 3, 2, 0, 0, // two functions of type 0
    7, 9, 2, 1, 97, 0, 0, 1, 98, 0, 1, // exports "a" = 0, "b" = 1
    10, (code.length & 127) | 128, code.length >> 7, ...code, // section size as 2-byte LEB128 (it is 172)
  ]);
}

/** What the relaxed-SIMD probe found: `dot` (the ops the relaxed kernels need) and `fused` (the fused dot-add) compute right. */
export interface RelaxedProbe {
  dot: boolean;
  fused: boolean;
  /** The host validates relaxed SIMD but refuses to compile bytes (Cloudflare Workers): only a precompiled build can tell. */
  unknown?: boolean;
}
let relaxedProbeHook: (() => RelaxedProbe) | undefined;
let relaxedProbeResult: RelaxedProbe | undefined;

/** For tests: replace the relaxed probe's outcome (undefined restores the real probe). */
export function setRelaxedProbe(fn?: () => RelaxedProbe): void {
  relaxedProbeHook = fn;
}

/** Runs (once) the relaxed-SIMD probe: validation, then the computed results of a tiny module. */
export function relaxedProbe(): RelaxedProbe {
  if (relaxedProbeHook) return relaxedProbeHook();
  if (relaxedProbeResult) return relaxedProbeResult;
  let r: RelaxedProbe = { dot: false, fused: false };
  try {
    const bytes = relaxedProbeModule();
    if (simdSupported() && WebAssembly.validate(bytes)) {
      let inst: WebAssembly.Instance | undefined;
      try {
        inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
      } catch {
        r = { dot: false, fused: false, unknown: true };
      }
      if (inst) {
        const e = inst.exports as { a(): number; b(): number };
        r = { dot: e.a() === 1, fused: e.b() === 1 };
      }
    }
  } catch {
    /* no relaxed SIMD */
  }
  return (relaxedProbeResult = r);
}

/** True when this host runs relaxed SIMD and computes the ops the relaxed int8 kernels use right. */
export function relaxedSupported(): boolean {
  return relaxedProbe().dot;
}

/**
 * One instance of the wasm core: its memory, its allocator and its kernels.
 * Most users never touch this: `await init()` makes the default one, which every quantext object uses.
 */
export class Runtime {
  readonly kernels: Kernels;
  readonly memory: WebAssembly.Memory;
  readonly arena: Arena;
  readonly module: WebAssembly.Module;
  readonly build: BuildName;
  readonly shared: boolean;
  /** simd-relaxed builds: the int8 × 7-bit kernel uses the fused relaxed dot-add (its probe and self-test passed, and the engine is not V8 ≤ 11, where the unfused ops are faster). */
  readonly fusedDotAdd: boolean = false;
  /**
   * simd-relaxed builds: `Int8Linear` runs 7-bit weights (`reduceRange`) through the int8 × 7-bit relaxed kernel.
   * False in Bun: JavaScriptCore runs that kernel slower than the int16 ones (Xeon, 768- and 256-wide layers: 0.71–0.74×
   * at batch 32–128, 0.86× at batch 4, 1.03× at batch 1, fused or not), so its layers keep the int16 kernels there
   * (the same bits). True elsewhere (V8 ≥ 12: 1.6–2.3× the int16 kernels; Node 20 behind its flag: 0.96–1.57×).
   */
  readonly int8x7: boolean = false;
  /**
   * Which entry runs the batched f32 GEMM (all three give the same bits): 'tiles4' (`gemm_f32_tiles4`, the rows
   * interleaved first) on V8 ≤ 11 (Node 20: +35 % on a Xeon, where the other two run its inner loop with the row
   * addresses recomputed); 'steps1' (`gemm_f32_packed`) in Bun (JavaScriptCore: the 2-step loop 0.87–1.04×, the
   * interleaved one 0.76–0.79×); 'steps2' (`gemm_f32_packed2`, 2 k steps per iteration) elsewhere (Node 24 +1–15 %,
   * Deno +10–22 %, measured on a Xeon and an EPYC). Builds without those entries get 'steps1'.
   */
  readonly f32Gemm: F32Gemm = 'steps1';
  private _sigTable = 0;

  constructor(module: WebAssembly.Module, instance: WebAssembly.Instance, memory: WebAssembly.Memory, build: BuildName, maxPages: number) {
    this.module = module;
    this.kernels = instance.exports as unknown as Kernels;
    this.memory = memory;
    this.build = build;
    this.shared = build.endsWith('-mt');
    this.arena = new Arena(memory, this.kernels.heap_base() >>> 0, maxPages, detachMode());
  }

  /** 'simd', 'relaxed' or 'scalar': which build runs the kernels. */
  get backend(): Backend {
    const k = this.kernels.build_kind();
    return k === 2 ? 'relaxed' : k === 1 ? 'simd' : 'scalar';
  }

  /** The sigmoid table (EXP_TABLE_SIZE floats), made on first use and kept for the runtime's life. */
  sigmoidTable(): number {
    if (!this._sigTable) {
      const n = this.kernels.exp_table_size();
      this._sigTable = this.arena.alloc(n * 4);
      this.kernels.sigmoid_table_init(this._sigTable, n, this.kernels.max_exp());
    }
    return this._sigTable;
  }
}

// ---------- sources and compilation ----------

type DefaultSources = (build: BuildName) => WasmSource | undefined;
let defaultSources: DefaultSources = () => undefined;
let readFileHook: ((url: URL) => Promise<Uint8Array>) | undefined;

/** Entry points (src/index.*.ts) tell the loader where each build lives in their runtime. */
export function setDefaultSources(fn: DefaultSources, readFile?: (url: URL) => Promise<Uint8Array>): void {
  defaultSources = fn;
  if (readFile) readFileHook = readFile;
}

// Compile once per source: URLs and paths by their text, bytes and Responses by identity. Objects are
// weak keys, so a cache entry never keeps a caller's buffer alive.
const compiledByUrl = new Map<string, Promise<WebAssembly.Module>>();
const compiledByObject = new WeakMap<object, Promise<WebAssembly.Module>>();

async function toModule(src: WasmSource): Promise<WebAssembly.Module> {
  if (src instanceof WebAssembly.Module) return src;
  const byUrl = typeof src === 'string' || src instanceof URL;
  const key = byUrl ? String(src) : (src as object);
  let p = byUrl ? compiledByUrl.get(key as string) : compiledByObject.get(key as object);
  if (!p) {
    p = compileSource(src);
    if (byUrl) compiledByUrl.set(key as string, p);
    else compiledByObject.set(key as object, p);
    p.catch(() => (byUrl ? compiledByUrl.delete(key as string) : compiledByObject.delete(key as object)));
  }
  return p;
}

/**
 * A string source as a URL. In hosts without `location` (Node, Deno, Bun) a string that is not an
 * absolute URL is a file path, relative to the working directory.
 */
function sourceUrl(src: string | URL): URL {
  if (src instanceof URL) return src;
  const base = typeof location !== 'undefined' ? location.href : undefined;
  const isDrivePath = /^[A-Za-z]:[\\/]/.test(src); // C:\x.wasm parses as a URL with scheme "c:"
  if (!isDrivePath) {
    try {
      return new URL(src, base);
    } catch {
      /* not a URL: a path */
    }
  }
  const cwd: string | undefined = (globalThis as any).process?.cwd?.() ?? (globalThis as any).Deno?.cwd?.();
  if (cwd === undefined) throw new QuantextError('E_WASM', `'${src}' is neither a URL nor a path this runtime can resolve`);
  let path = src.replace(/\\/g, '/');
  if (!path.startsWith('/') && !/^[A-Za-z]:\//.test(path)) path = `${cwd.replace(/\\/g, '/').replace(/\/$/, '')}/${path}`;
  const url = new URL('file:///');
  url.pathname = /^[A-Za-z]:\//.test(path) ? `/${path}` : path; // the setter percent-encodes '#', '?' and spaces
  return url;
}

async function compileSource(src: WasmSource): Promise<WebAssembly.Module> {
  let bytes: ArrayBuffer | ArrayBufferView;
  try {
    if (src instanceof ArrayBuffer || ArrayBuffer.isView(src)) bytes = src;
    else if (typeof src === 'string' || src instanceof URL) {
      const url = sourceUrl(src);
      if (url.protocol === 'file:' && readFileHook) bytes = await readFileHook(url);
      else return await compileResponse(fetch(url));
    } else return await compileResponse(src as PromiseLike<Response>);
  } catch (e) {
    if (e instanceof QuantextError) throw e;
    throw new QuantextError('E_WASM', `cannot load the wasm module from ${describe(src)}: ${(e as Error).message}`, undefined, { cause: e });
  }
  if (!WebAssembly.validate(bytes as BufferSource)) {
    throw new QuantextError('E_WASM', `${describe(src)} is not a valid wasm module for this runtime (wrong file, or SIMD/threads unsupported)`);
  }
  try {
    return await WebAssembly.compile(bytes as BufferSource);
  } catch (e) {
    throw new QuantextError(
      'E_WASM',
      `compiling wasm failed: ${(e as Error).message}. Hosts that forbid compiling from bytes (Cloudflare Workers) need a precompiled WebAssembly.Module: import the .wasm file and pass it to init().`,
      undefined,
      { cause: e },
    );
  }
}

async function compileResponse(r: PromiseLike<Response> | Response): Promise<WebAssembly.Module> {
  const res = await r;
  if (!res.ok) throw new QuantextError('E_WASM', `fetching wasm failed: HTTP ${res.status} ${res.url}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new QuantextError('E_WASM', `${res.url || 'the response'} is not wasm (no "\\0asm" magic: is the path serving HTML?)`);
  }
  return WebAssembly.compile(bytes);
}

function describe(src: WasmSource): string {
  if (typeof src === 'string') return src;
  if (src instanceof URL) return src.href;
  if (src instanceof ArrayBuffer || ArrayBuffer.isView(src)) return `${src.byteLength} bytes`;
  return 'a Response';
}

// ---------- instantiation ----------

function makeMemory(shared: boolean, initialPages: number, maxPages: number): WebAssembly.Memory {
  if (!shared) return new WebAssembly.Memory({ initial: initialPages });
  // shared memory needs a maximum; hosts with little address space may refuse a large one
  for (const max of [maxPages, Math.min(maxPages, 16384), Math.min(maxPages, 4096)]) {
    try {
      return new WebAssembly.Memory({ initial: initialPages, maximum: max, shared: true } as WebAssembly.MemoryDescriptor);
    } catch {
      /* try smaller */
    }
  }
  throw new QuantextError('E_OOM', 'cannot create a shared WebAssembly.Memory');
}

/** `exactName`: the module must be the build named (false for a single source of any build). */
async function instantiate(module: WebAssembly.Module, build: BuildName, opts: InitOptions, exactName = true): Promise<Runtime> {
  const shared = build.endsWith('-mt');
  const maxPages = Math.min(65536, Math.max(1, Math.floor(((opts.maxMemoryMB ?? 4096) * 1024 * 1024) / PAGE)));
  const initialPages = Math.min(maxPages, Math.max(1, Math.ceil(((opts.initialMemoryMB ?? 1) * 1024 * 1024) / PAGE)));
  const memory = makeMemory(shared, initialPages, maxPages);
  let instance: WebAssembly.Instance;
  try {
    instance = await WebAssembly.instantiate(module, { env: { memory } });
  } catch (e) {
    throw new QuantextError('E_WASM', `instantiating the ${build} build failed: ${(e as Error).message}`, { build }, { cause: e });
  }
  const missing = REQUIRED_EXPORTS.filter((name) => typeof instance.exports[name] !== 'function');
  if (missing.length) {
    throw new QuantextError('E_WASM', `the module given as the ${build} build is not a quantext build (no export ${missing.join(', ')})`, { build });
  }
  const rt = new Runtime(module, instance, memory, build, maxPages);
  // the probe: a computed result, not just validation (older Safari validates SIMD it miscomputes)
  const got = rt.kernels.probe();
  if (got !== PROBE_EXPECTED) {
    throw new QuantextError('E_WASM', `the ${build} build failed its probe (got ${got}, expected ${PROBE_EXPECTED})`, { build });
  }
  const a = rt.arena.alloc(64);
  const f = rt.arena.f32(a, 16);
  for (let i = 0; i < 16; i++) f[i] = i + 1;
  const d = rt.kernels.dot_f32(a, a, 16); // Σ i² for 1..16 = 1496
  rt.arena.free(a);
  if (d !== 1496) throw new QuantextError('E_WASM', `the ${build} build computes dot_f32 wrongly (${d} ≠ 1496)`, { build });
  const relaxed = rt.kernels.build_kind() === 2;
  if (exactName && relaxed !== build.startsWith('simd-relaxed')) {
    throw new QuantextError('E_WASM', `the module given as the ${build} build is the ${rt.backend} build`, { build });
  }
  if (relaxed) checkRelaxed(rt, build);
  const k = rt.kernels as unknown as { gemm_f32_packed2?: unknown; gemm_f32_tiles4?: unknown };
  (rt as { f32Gemm: F32Gemm }).f32Gemm = isBun() ? 'steps1'
    : v8Before12() ? (typeof k.gemm_f32_tiles4 === 'function' ? 'tiles4' : 'steps1')
    : typeof k.gemm_f32_packed2 === 'function' ? 'steps2' : 'steps1';
  return rt;
}

/**
 * A relaxed build must compute its relaxed ops right here: its own probe (bit 0: the unfused ops, required; bit 1:
 * the fused dot-add), then the real int8 × 7-bit kernel on a small problem (2-row tiles and a single row) against its
 * scalar twin, fused where both probes found the fused op right (and not on V8 ≤ 11), else (or if that differs) unfused.
 * Sets fusedDotAdd.
 */
function checkRelaxed(rt: Runtime, build: BuildName): void {
  const k = rt.kernels as unknown as RelaxedKernels;
  const bits = k.relaxed_probe(1);
  if (!(bits & 1)) throw new QuantextError('E_WASM', `the ${build} build computes relaxed SIMD wrongly in this runtime (probe ${bits})`, { build });
  const m = 3, kk = 40, kp = 48, n = 6, n4 = 8;
  const a = rt.arena;
  const xq = a.alloc(m * kp), wp = a.alloc(n4 * kp), rx = a.alloc(16), z = a.alloc(32), t = a.alloc(32), acc = a.alloc(m * n4 * 4 * 2);
  try {
    const u8 = new Uint8Array(rt.memory.buffer), i32 = new Int32Array(rt.memory.buffer);
    let seed = 12345;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16;
    for (let r = 0; r < m; r++) for (let c = 0; c < kp; c++) u8[xq + r * kp + c] = c < kk ? (r === 0 && c < 4 ? 128 : next() & 255) : 0; // includes −128
    for (let i = 0; i < n4 * kp; i++) u8[wp + i] = i < 16 ? 127 : next() & 127; // includes 127
    for (let i = 0; i < 4; i++) i32[(rx >> 2) + i] = (next() & 1023) - 512;
    for (let i = 0; i < n4; i++) { i32[(z >> 2) + i] = (next() & 255) - 128; i32[(t >> 2) + i] = (next() & 4095) - 2048; }
    const d = -77;
    k.gemm_i8_i7_scalar(xq, m, kp, wp, n, rx, z, t, d, acc + m * n4 * 4);
    const same = (fused: number): boolean => {
      k.gemm_i8_i7(xq, m, kp, wp, n, rx, z, t, d, fused, acc);
      const v = new Int32Array(rt.memory.buffer, acc, 2 * m * n4);
      for (let i = 0; i < m * n4; i++) if (v[i] !== v[m * n4 + i]) return false;
      return true;
    };
    // V8 ≤ 11 (Node 20) lowers the fused op to five instructions (it rebuilds a constant each time): the unfused three run faster there
    const fused = (bits & 2) !== 0 && relaxedProbe().fused && !v8Before12() && same(1);
    if (!fused && !same(0)) throw new QuantextError('E_WASM', `the ${build} build's relaxed int8 kernel differs from its scalar twin in this runtime`, { build });
    (rt as { fusedDotAdd: boolean }).fusedDotAdd = fused;
    (rt as { int8x7: boolean }).int8x7 = !isBun();
  } finally {
    for (const p of [xq, wp, rx, z, t, acc]) a.free(p);
  }
}

/** The batched f32 GEMM's entry: see Runtime.f32Gemm. */
export type F32Gemm = 'tiles4' | 'steps1' | 'steps2';

/** The engine is Bun's (JavaScriptCore; `process.versions.bun`: Bun also reports a V8 version of its own). */
function isBun(): boolean {
  return (globalThis as { process?: { versions?: { bun?: string } } }).process?.versions?.bun !== undefined;
}

/**
 * The engine is V8 older than 12 (Node ≤ 21: `process.versions.v8`), which compiles some loops very differently from
 * newer V8 and JavaScriptCore (the fused relaxed dot-add, the 2-step f32 tiles). Elsewhere (browsers, Bun) false.
 */
function v8Before12(): boolean {
  return parseInt((globalThis as { process?: { versions?: { v8?: string } } }).process?.versions?.v8 as string) < 12;
}

interface RelaxedKernels {
  relaxed_probe(one: number): number;
  gemm_i8_i7(xq: number, m: number, kp: number, wp: number, n: number, rx: number, z: number, t: number, d: number, fused: number, acc: number): void;
  gemm_i8_i7_scalar(xq: number, m: number, kp: number, wp: number, n: number, rx: number, z: number, t: number, d: number, acc: number): void;
}

/** True when this host validates standard wasm SIMD. */
export function simdSupported(): boolean {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

function isSourceMap(x: unknown): x is WasmSources {
  if (x === null || typeof x !== 'object') return false;
  if (x instanceof WebAssembly.Module || x instanceof URL || x instanceof ArrayBuffer || ArrayBuffer.isView(x)) return false;
  if (typeof (x as any).then === 'function' || (typeof Response !== 'undefined' && x instanceof Response)) return false;
  return BUILD_NAMES.some((k) => k in (x as object));
}

/**
 * Creates an independent runtime (its own memory and allocator).
 * `source`: nothing (the runtime's default files), one source (bytes, URL, Response or Module of any build),
 * or a map `{ simd, scalar, 'simd-mt', 'scalar-mt' }` of them.
 */
export async function createRuntime(source?: WasmSource | WasmSources, opts: InitOptions = {}): Promise<Runtime> {
  const forced = (getEnv('QUANTEXT_BACKEND') ?? '').trim().toLowerCase();
  if (forced !== '' && !(BACKENDS as readonly string[]).includes(forced)) {
    throw new QuantextError('E_OPTION', `QUANTEXT_BACKEND must be 'auto', 'simd', 'relaxed' or 'scalar', got '${forced}'`);
  }
  const want = (opts.backend && opts.backend !== 'auto' ? opts.backend : forced !== '' ? forced : 'auto') as Want;
  if (!(BACKENDS as readonly string[]).includes(want)) {
    throw new QuantextError('E_OPTION', `backend must be 'auto', 'simd', 'relaxed' or 'scalar', got '${String(opts.backend)}'`, { option: 'backend' });
  }
  // the detach test mode runs on plain memory unless a test asks for shared memory explicitly
  const shared = opts.shared ?? (detachMode() ? false : env.canThread);
  for (const k of ['maxMemoryMB', 'initialMemoryMB'] as const) {
    const v = opts[k];
    if (v !== undefined && !(typeof v === 'number' && v > 0 && v <= 4096)) {
      throw new QuantextError('E_OPTION', `${k} must be a number of MiB in (0, 4096] (wasm32 memory is at most 4 GiB), got ${typeof v === 'string' ? `'${v}'` : String(v)}`, { option: k });
    }
  }

  if (source !== undefined && !isSourceMap(source)) {
    // a single source: use it as given; the probe tells whether it runs here
    const module = await toModule(source);
    const shared1 = WebAssembly.Module.imports(module).length > 0 && isSharedImport(module);
    const rt = await instantiate(module, shared1 ? 'simd-mt' : 'simd', opts, false);
    const build = ((rt.backend === 'simd' ? 'simd' : rt.backend === 'relaxed' ? 'simd-relaxed' : 'scalar') + (shared1 ? '-mt' : '')) as BuildName;
    (rt as { build: BuildName }).build = build;
    if (want !== 'auto' && rt.backend !== want) {
      throw new QuantextError(
        'E_OPTION',
        `backend '${want}' was forced (${opts.backend ? 'option backend' : 'QUANTEXT_BACKEND'}) but the module given is the ${rt.backend} build: pass { simd, scalar } or the ${want} build`,
        { backend: want },
      );
    }
    return rt;
  }

  if ((want === 'simd' || want === 'relaxed') && !simdSupported()) {
    throw new QuantextError('E_UNSUPPORTED', `backend '${want}' was forced but this host does not support WebAssembly SIMD`);
  }
  const probe = want === 'auto' || want === 'relaxed' ? relaxedProbe() : { dot: false, fused: false };
  if (want === 'relaxed' && !probe.dot && !probe.unknown) {
    throw new QuantextError('E_UNSUPPORTED', `backend 'relaxed' was forced but this host does not run relaxed SIMD correctly (Node 20 needs --experimental-wasm-relaxed-simd)`, { backend: want });
  }
  const map: WasmSources = (source as WasmSources) ?? {};
  const order: BuildName[] = [];
  const sfx = shared ? '-mt' : '';
  // relaxed SIMD extends SIMD: a host that refuses SIMD gets no relaxed build, whatever its probe says
  const withRelaxed = simdSupported() && (probe.dot || probe.unknown);
  const push = (suffix: string) => {
    if (withRelaxed) order.push(('simd-relaxed' + suffix) as BuildName);
    if ((want === 'auto' || want === 'simd') && simdSupported()) order.push(('simd' + suffix) as BuildName);
    if (want === 'auto' || want === 'scalar') order.push(('scalar' + suffix) as BuildName);
  };
  push(sfx);
  // shared memory refused (e.g. no cross-origin isolation): plain memory still works, single-threaded
  if (shared) push('');
  // the caller's sources first (in order of preference), then the runtime's default files
  const candidates: Array<[BuildName, WasmSource]> = [];
  for (const b of order) if (map[b] !== undefined) candidates.push([b, map[b]!]);
  for (const b of order) {
    const d = map[b] === undefined ? defaultSources(b) : undefined;
    if (d !== undefined) candidates.push([b, d]);
  }
  // the first failure is the informative one (the preferred build); later ones are usually the same cause
  let firstErr: unknown;
  for (const [build, src] of candidates) {
    try {
      const module = await toModule(src);
      return await instantiate(module, build, opts);
    } catch (e) {
      firstErr ??= e;
    }
  }
  if (want === 'relaxed' && !candidates.length) {
    throw new QuantextError('E_UNSUPPORTED', `backend 'relaxed' was forced but there is no simd-relaxed build to load: pass it to init() ({ 'simd-relaxed': … })`, { backend: want });
  }
  if (firstErr) throw firstErr;
  throw new QuantextError('E_WASM', 'no wasm source for this runtime: pass bytes, a URL or a WebAssembly.Module to init()');
}


function isSharedImport(module: WebAssembly.Module): boolean {
  // Module.imports() does not expose `shared`; try a plain memory and see whether it links
  try {
    new WebAssembly.Instance(module, { env: { memory: new WebAssembly.Memory({ initial: 1 }) } });
    return false;
  } catch {
    return true;
  }
}

/** `QUANTEXT_DETACH=1`: the test mode in which every allocation detaches plain memory's buffer (see Arena). */
export function detachMode(): boolean {
  const v = (getEnv('QUANTEXT_DETACH') ?? '').trim();
  return v !== '' && v !== '0';
}

// ---------- the default runtime ----------

let current: Runtime | undefined;
let pending: Promise<Runtime> | undefined;

/**
 * Loads the wasm core once and makes it the default for every quantext object. Safe to call many times:
 * later calls return the same runtime. Call `init(source, options)` before anything else to choose the source.
 */
export function init(source?: WasmSource | WasmSources, opts?: InitOptions): Promise<Runtime> {
  if (current) return Promise.resolve(current);
  if (!pending) {
    pending = createRuntime(source, opts).then(
      (rt) => (current = rt),
      (e) => {
        pending = undefined;
        throw e;
      },
    );
  }
  return pending;
}

/** The default runtime; throws E_NOT_INITIALIZED before `await init()`. */
export function runtime(): Runtime {
  if (!current) throw new QuantextError('E_NOT_INITIALIZED', 'quantext is not initialized: call `await init()` first');
  return current;
}

/** 'simd' | 'scalar' | 'relaxed': which build the default runtime runs. */
export function backend(): Backend {
  return runtime().backend;
}

/** For tests: forget the default runtime so that the next init() loads again. */
export function resetDefaultRuntime(): void {
  current = undefined;
  pending = undefined;
}
