import type { ByteSource } from '../io/lines.js';
import { openByteSource, forEachCarried } from '../io/lines.js';
import { formatVectorLine } from '../fasttext/format.js';
import type { FastTextModel } from '../fasttext/model.js';

/**
 * `quantext print-word-vectors MODEL < words`: for every whitespace-separated word of the input, `word v1 … vD `
 * as `fasttext print-word-vectors` prints it (5 significant digits, a space after every value); unseen words get
 * the mean of their n-gram vectors. Returns the number of words printed.
 */
export async function printWordVectorsCommand(model: FastTextModel, input: ByteSource, write: (s: string) => void): Promise<number> {
  const vec = new Float32Array(model.dim);
  const decoder = new TextDecoder();
  let out = '';
  let n = 0;
  const word = (b: Uint8Array) => {
    const w = decoder.decode(b);
    out += formatVectorLine(w, model.getWordVector(w, vec)) + '\n';
    n++;
    if (out.length > 1 << 16) {
      write(out);
      out = '';
    }
  };
  // std::cin >> word: words are separated by isspace() bytes (space, \t, \n, \v, \f, \r)
  const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);
  const opened = await openByteSource(input);
  const rest = await forEachCarried(opened.chunks, (buf) => {
    let start = -1;
    for (let i = 0; i < buf.length; i++) {
      if (isSpace(buf[i])) {
        if (start >= 0) word(buf.subarray(start, i));
        start = -1;
      } else if (start < 0) start = i;
    }
    return start >= 0 ? start : buf.length;
  });
  if (rest.length > 0) word(rest);
  if (out) write(out);
  return n;
}
