import type { ByteSource } from '../io/lines.js';
import { openByteSource } from '../io/lines.js';
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
  let rest: Uint8Array = new Uint8Array(0);
  for await (const chunk of opened.chunks) {
    let buf = chunk;
    if (rest.length) {
      buf = new Uint8Array(rest.length + chunk.length);
      buf.set(rest);
      buf.set(chunk, rest.length);
    }
    let start = -1;
    for (let i = 0; i < buf.length; i++) {
      if (isSpace(buf[i])) {
        if (start >= 0) word(buf.subarray(start, i));
        start = -1;
      } else if (start < 0) start = i;
    }
    rest = start >= 0 ? buf.slice(start) : new Uint8Array(0);
  }
  if (rest.length > 0) word(rest);
  if (out) write(out);
  return n;
}
