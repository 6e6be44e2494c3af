// The Worker (Cloudflare Workers, workerd): a compressed spam classifier (quantext's own QTXC file: int4 input table,
// int8 output layer, 9 KB) and int8 word vectors, both bundled with it.
// `quantext` resolves to the package's `workerd` entry, which imports its wasm builds as compiled modules (Workers
// refuse to compile wasm from bytes); `quantext/compress` (CompressedClassifier) runs on the same runtime. The model
// files are Data modules (wrangler.toml's rules): ArrayBuffers. make-models.mjs makes them. The routes are in app.js.
import { TextClassifier, loadVectors } from 'quantext';
import { CompressedClassifier } from 'quantext/compress';
import classifier from '../models/spam.qtxc';
import vectors from '../models/vectors.int8.safetensors';
import { createApp } from './app.js';

export default createApp({ TextClassifier, CompressedClassifier, loadVectors }, { classifier, vectors });
