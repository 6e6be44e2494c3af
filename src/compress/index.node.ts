/**
 * `quantext/compress` for Node, Deno and Bun: the same API as ./index.ts, with the Node file system registered so that
 * models and data are read from paths. Browsers and Workers get ./index.ts (bytes, URLs, Blobs, streams).
 */
import { useNodeFileSystem } from '../io/node.js';

useNodeFileSystem();

export * from './index.js';
