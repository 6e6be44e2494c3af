// quantext/kernels for Node, Deno and Bun: the wasm files are read from disk next to the package.
import { readFile } from 'node:fs/promises';
import { setDefaultSources, type BuildName } from '../runtime/runtime.js';

setDefaultSources(
  (b: BuildName) => new URL(`../../build/quantext-${b}.wasm`, import.meta.url),
  async (url: URL) => new Uint8Array(await readFile(url)),
);

export * from './index.js';
