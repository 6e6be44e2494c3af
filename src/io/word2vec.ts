/**
 * The word2vec vector formats of the original C tool and gensim (`load_word2vec_format` / `save_word2vec_format`),
 * text and binary. The layout and shared types are in ./word2vec/layout.ts, the streaming reader in
 * ./word2vec/read.ts, the writer in ./word2vec/write.ts, and float32 → decimal text in ./format-float.ts.
 */
export type { WordVectors, UnicodeErrors } from './word2vec/layout.js';
export { Word2VecParser, parseWord2Vec, readWord2Vec, type ParseWord2VecOptions, type ReadWord2VecOptions } from './word2vec/read.js';
export { encodeWord2Vec, formatWord2Vec, saveWord2Vec, type WriteWord2VecOptions } from './word2vec/write.js';
export { formatFloat32 } from './format-float.js';
