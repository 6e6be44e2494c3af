// The Worker (Cloudflare Workers, workerd): a compressed spam classifier (a fastText .ftz: product-quantized, 8-bit
// codes) and int8 word vectors, both bundled with it.
// `quantext` resolves to the package's `workerd` entry, which imports its wasm builds as compiled modules (Workers
// refuse to compile wasm from bytes); the model files are Data modules (wrangler.toml's rules): ArrayBuffers.
// make-models.mjs makes them. The routes are in app.js.
import { TextClassifier, loadVectors } from 'quantext';
import classifier from '../models/spam.ftz';
import vectors from '../models/vectors.int8.safetensors';
import { createApp } from './app.js';

export default createApp({ TextClassifier, loadVectors }, { classifier, vectors });
