// Runtime-neutral io: parsers and writers over bytes and streams. The Node file system (node.ts, atomic.ts)
// is exported by the node entry only, so browser and Workers bundles contain no `node:*` import.
export {
  Word2VecParser,
  parseWord2Vec,
  readWord2Vec,
  encodeWord2Vec,
  formatWord2Vec,
  saveWord2Vec,
  formatFloat32,
  type WordVectors,
  type UnicodeErrors,
  type ParseWord2VecOptions,
  type ReadWord2VecOptions,
  type WriteWord2VecOptions,
} from './word2vec.js';
export {
  parseGloVe,
  readGloVe,
  encodeGloVe,
  formatGloVe,
  saveGloVe,
  type ParseGloVeOptions,
  type ReadGloVeOptions,
  type WriteGloVeOptions,
} from './glove.js';
export {
  readLines,
  tokenize,
  openByteSource,
  setFileSystemHost,
  fileSystemHost,
  writeFileViaHost,
  DEFAULT_CHUNK_SIZE,
  type ByteSource,
  type OpenOptions,
  type OpenedSource,
  type ReadLinesOptions,
  type FileSystemHost,
  type WriteData,
} from './lines.js';
