/**
 * What a file that is not word vectors looks like, from its first bytes: so that loading a fastText model, a
 * gensim pickle, a numpy array or a compressed file fails with a message naming it and saying what to do, rather
 * than with a header "found" dump of binary bytes. Runtime-neutral (bytes in, text out).
 *
 * Only formats with an unambiguous signature are named ({@link sniffNonVectors}); none of them can begin a
 * word2vec or GloVe file (those begin with ASCII digits or a UTF-8 word, and every signature below starts with a
 * control byte, a byte that cannot start UTF-8, or is followed by control bytes). Anything else that holds
 * control bytes is "binary data" ({@link looksBinary}).
 */

/** A recognised file type that is not a word vectors file. */
export interface SniffedFormat {
  /** Short machine-readable kind (also in the error's `details.looksLike`). */
  kind:
    | 'fasttext-model'
    | 'gensim-model'
    | 'pickle'
    | 'npy'
    | 'npz'
    | 'zip'
    | 'gzip'
    | 'bzip2'
    | 'xz'
    | 'zstd'
    | 'hdf5'
    | 'safetensors'
    | 'binary';
  /** What the file looks like and what to do instead, as one sentence (no file name). */
  message: string;
}

/** fastText's `.bin` / `.ftz` magic number (int32 little-endian at offset 0; fastText 0.9's FASTTEXT_FILEFORMAT_MAGIC_INT32). */
export const FASTTEXT_MAGIC = 793712314;

/** Bytes to look at: a signature is in the first 16 bytes; names inside a pickle or zip in the first few KiB. */
export const SNIFF_BYTES = 16;

function startsWith(b: Uint8Array, sig: readonly number[], at = 0): boolean {
  if (b.length < at + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (b[at + i] !== sig[i]) return false;
  return true;
}

/** Latin-1 view of the first `n` bytes, for finding ASCII names inside binary headers. */
function ascii(b: Uint8Array, n = 4096): string {
  let s = '';
  const end = Math.min(b.length, n);
  for (let i = 0; i < end; i++) s += String.fromCharCode(b[i]);
  return s;
}

const W2V_EXPORT = "in gensim, model.wv.save_word2vec_format('vectors.bin', binary=True) writes one";

/**
 * Names the file type of `head` (the first bytes of a file, at least {@link SNIFF_BYTES} when the file is that long)
 * when it has the signature of a known format that is not word vectors; otherwise undefined.
 */
export function sniffNonVectors(head: Uint8Array): SniffedFormat | undefined {
  const b = head;
  if (b.length >= 4) {
    const magic = (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
    if (magic === FASTTEXT_MAGIC) {
      const version = b.length >= 8 ? (b[4] | (b[5] << 8) | (b[6] << 16) | (b[7] << 24)) >>> 0 : undefined;
      return {
        kind: 'fasttext-model',
        message:
          `this looks like a fastText model .bin (magic ${FASTTEXT_MAGIC}${version === undefined ? '' : `, version ${version}`}); ` +
          "it is not a word2vec file: read it with loadVectors(path) (format 'auto' or 'fasttext') or FastTextModel.load(path), " +
          'or use the .vec file that fastText writes beside the .bin',
      };
    }
  }
  if (b.length >= 2 && b[0] === 0x80 && b[1] >= 2 && b[1] <= 5) {
    const text = ascii(b);
    const cls = /gensim\.models\.(word2vec|keyedvectors|fasttext|doc2vec)/.exec(text)?.[1];
    if (cls) {
      const what = cls === 'keyedvectors' ? "a gensim KeyedVectors.save()" : `a gensim ${cls === 'word2vec' ? 'Word2Vec' : cls === 'fasttext' ? 'FastText' : 'Doc2Vec'} model.save()`;
      return {
        kind: 'gensim-model',
        message:
          `this looks like a Python pickle: ${what} (gensim's own format, which only Python can read); ` +
          `it is not a word vectors file: ${cls === 'keyedvectors' ? "in gensim, kv.save_word2vec_format('vectors.bin', binary=True) writes one" : W2V_EXPORT}`,
      };
    }
    return {
      kind: 'pickle',
      message: `this looks like a Python pickle (protocol ${b[1]}; gensim's full-model save?), not a word vectors file: ${W2V_EXPORT}`,
    };
  }
  if (startsWith(b, [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59])) {
    return {
      kind: 'npy',
      message:
        'this looks like a numpy .npy array (a matrix without its words; gensim writes these beside a full-model save), ' +
        `not a word vectors file: ${W2V_EXPORT} (with the words)`,
    };
  }
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04]) || startsWith(b, [0x50, 0x4b, 0x05, 0x06])) {
    // the first local file header's name: length at 26, name at 30
    const nameLen = b.length >= 30 ? b[26] | (b[27] << 8) : 0;
    const first = nameLen > 0 && b.length >= 30 + nameLen ? ascii(b.subarray(30, 30 + nameLen)) : '';
    if (first.endsWith('.npy')) {
      return { kind: 'npz', message: `this looks like a numpy .npz archive (first array ${JSON.stringify(first)}), not a word vectors file: ${W2V_EXPORT}` };
    }
    return {
      kind: 'zip',
      message: `this is a zip archive${first ? ` (first entry ${JSON.stringify(first)})` : ''}; extract the vectors file from it first (unzip)`,
    };
  }
  if (startsWith(b, [0x1f, 0x8b])) return { kind: 'gzip', message: 'this file is gzip-compressed; decompress it first (gunzip, or zcat FILE > vectors.txt)' };
  if (startsWith(b, [0x42, 0x5a, 0x68]) && b.length > 3 && b[3] >= 0x31 && b[3] <= 0x39) {
    return { kind: 'bzip2', message: 'this file is bzip2-compressed; decompress it first (bunzip2)' };
  }
  if (startsWith(b, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return { kind: 'xz', message: 'this file is xz-compressed; decompress it first (unxz)' };
  if (startsWith(b, [0x28, 0xb5, 0x2f, 0xfd])) return { kind: 'zstd', message: 'this file is zstd-compressed; decompress it first (unzstd)' };
  if (startsWith(b, [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a])) {
    return { kind: 'hdf5', message: 'this looks like an HDF5 file (Keras/h5py weights?), not a word vectors file: export the vectors in the word2vec format' };
  }
  // safetensors: 8-byte little-endian header length (high bytes zero), then a JSON object
  if (b.length >= 9 && b[8] === 0x7b && b[5] === 0 && b[6] === 0 && b[7] === 0) {
    return {
      kind: 'safetensors',
      message: "this looks like a safetensors file, not word2vec or GloVe: loadVectors(path) (format 'auto' or 'safetensors') reads quantext's tables",
    };
  }
  return undefined;
}

/**
 * True when `bytes` look like binary data rather than text: a NUL byte, or more than 1 % control bytes that text
 * vectors files do not hold (below 0x20 but tab, newline, vertical tab, form feed and carriage return; DEL). The
 * tolerance lets a text file with a stray control character in a word through; random bytes hold about 10 %.
 */
export function looksBinary(bytes: Uint8Array): boolean {
  let control = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === 0) return true;
    if ((c < 0x20 && (c < 0x09 || c > 0x0d)) || c === 0x7f) control++;
  }
  return control > 0 && control * 100 > bytes.length;
}

/** The first `n` bytes as hex ("ba 16 4f 2f …"), for a message that shows what a file starts with. */
export function hexHead(bytes: Uint8Array, n = 8): string {
  const parts: string[] = [];
  for (let i = 0; i < Math.min(n, bytes.length); i++) parts.push(bytes[i].toString(16).padStart(2, '0'));
  return parts.join(' ') + (bytes.length > n ? ' …' : '');
}

/** The message for binary data of no known format, read as word2vec or GloVe. */
export function binaryDataMessage(head: Uint8Array): SniffedFormat {
  return {
    kind: 'binary',
    message:
      `this is binary data that is not word2vec binary (it starts with bytes ${hexHead(head)}; a word2vec file, text or ` +
      'binary, starts with a text header "<count> <dim>", and GloVe text with a word and its numbers)',
  };
}
