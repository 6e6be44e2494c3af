import '../src/index.node.js';
import { createRuntime, type Runtime, type BuildName } from '../src/runtime/runtime.js';
import { QuantextError } from '../src/errors.js';

/** Every build the tests cover: SIMD and scalar, each with plain and shared memory. */
export const BUILDS: BuildName[] = ['simd', 'scalar', 'simd-mt', 'scalar-mt'];

const cache = new Map<BuildName, Promise<Runtime>>();
/** A runtime of the given build (cached per test file). */
export function rtFor(build: BuildName): Promise<Runtime> {
  let p = cache.get(build);
  if (!p) {
    p = createRuntime(undefined, { backend: build.startsWith('simd') ? 'simd' : 'scalar', shared: build.endsWith('-mt') });
    cache.set(build, p);
  }
  return p;
}

/** Seeded PRNG (mulberry32) so failures reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomF32(n: number, r: () => number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (r() * 2 - 1) * scale;
  return a;
}

/** Relative closeness for float sums whose order differs between SIMD and scalar. */
export function close(a: number, b: number, rel = 1e-5, abs = 1e-5): boolean {
  return Math.abs(a - b) <= abs + rel * Math.max(Math.abs(a), Math.abs(b));
}

/** The code of the QuantextError `fn` throws, or undefined when it returns (any other error is rethrown). */
export function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof QuantextError) return e.code;
    throw e;
  }
  return undefined;
}
