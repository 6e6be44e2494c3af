// Entry for Node, Deno and Bun (the `node` export condition): the wasm files are read from disk next to the
// module, worker threads come from node:worker_threads, and corpora can be streamed from files.
import './setup.node.js';

export * from './api.js';
export { writeFileAtomic, useNodeFileSystem } from './io/node.js';
