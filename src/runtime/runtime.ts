import { QuantextError } from '../errors.js';
import { env, getEnv } from './env.js';
import { Arena } from './memory.js';
import { PROBE_EXPECTED, type Kernels } from './kernels/index.js';

/** A build of the wasm core. `-mt` builds import a shared memory (for worker threads). */
export type BuildName = 'simd' | 'scalar' | 'simd-mt' | 'scalar-mt';
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
  /** 'auto' (default) probes SIMD and falls back to scalar; 'scalar' forces the scalar build (also QUANTEXT_BACKEND=scalar). */
  backend?: 'auto' | 'simd' | 'scalar';
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
  private _sigTable = 0;

  constructor(module: WebAssembly.Module, instance: WebAssembly.Instance, memory: WebAssembly.Memory, build: BuildName, maxPages: number) {
    this.module = module;
    this.kernels = instance.exports as unknown as Kernels;
    this.memory = memory;
    this.build = build;
    this.shared = build.endsWith('-mt');
    this.arena = new Arena(memory, this.kernels.heap_base() >>> 0, maxPages, detachMode());
  }

  /** 'simd' or 'scalar': which build runs the kernels. */
  get backend(): Backend {
    return this.kernels.build_kind() === 1 ? 'simd' : 'scalar';
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

async function instantiate(module: WebAssembly.Module, build: BuildName, opts: InitOptions): Promise<Runtime> {
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
  return rt;
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
  return ['simd', 'scalar', 'simd-mt', 'scalar-mt'].some((k) => k in (x as object));
}

/**
 * Creates an independent runtime (its own memory and allocator).
 * `source`: nothing (the runtime's default files), one source (bytes, URL, Response or Module of any build),
 * or a map `{ simd, scalar, 'simd-mt', 'scalar-mt' }` of them.
 */
export async function createRuntime(source?: WasmSource | WasmSources, opts: InitOptions = {}): Promise<Runtime> {
  const forced = (getEnv('QUANTEXT_BACKEND') ?? '').trim().toLowerCase();
  if (forced !== '' && forced !== 'auto' && forced !== 'simd' && forced !== 'scalar') {
    throw new QuantextError('E_OPTION', `QUANTEXT_BACKEND must be 'auto', 'simd' or 'scalar', got '${forced}'`);
  }
  const want = opts.backend && opts.backend !== 'auto' ? opts.backend : forced === 'scalar' || forced === 'simd' ? forced : 'auto';
  if (want !== 'auto' && want !== 'simd' && want !== 'scalar') {
    throw new QuantextError('E_OPTION', `backend must be 'auto', 'simd' or 'scalar', got '${String(opts.backend)}'`);
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
    const rt = await instantiate(module, shared1 ? 'simd-mt' : 'simd', opts);
    const build = ((rt.backend === 'simd' ? 'simd' : 'scalar') + (shared1 ? '-mt' : '')) as BuildName;
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

  if (want === 'simd' && !simdSupported()) {
    throw new QuantextError('E_UNSUPPORTED', `backend 'simd' was forced but this host does not support WebAssembly SIMD`);
  }
  const map: WasmSources = (source as WasmSources) ?? {};
  const order: BuildName[] = [];
  const sfx = shared ? '-mt' : '';
  if (want !== 'scalar' && simdSupported()) order.push(('simd' + sfx) as BuildName);
  if (want !== 'simd') order.push(('scalar' + sfx) as BuildName);
  if (shared) {
    // shared memory refused (e.g. no cross-origin isolation): plain memory still works, single-threaded
    if (want !== 'scalar' && simdSupported()) order.push('simd');
    if (want !== 'simd') order.push('scalar');
  }
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
