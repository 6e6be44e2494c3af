// The command line's Node host set-up for every command: where the wasm files are, and the file system (paths are
// read and written through node:fs). Commands that train or read corpora also import ../setup.node.js (worker
// threads, the corpus line reader) when they run; `quantext predict` does not, so its start-up loads neither.
import { readFile } from 'node:fs/promises';
import { setDefaultSources, type BuildName } from '../runtime/runtime.js';
import { useNodeFileSystem } from '../io/node.js';

setDefaultSources(
  (b: BuildName) => new URL(`../../build/quantext-${b}.wasm`, import.meta.url),
  async (url: URL) => new Uint8Array(await readFile(url)),
);
useNodeFileSystem();
