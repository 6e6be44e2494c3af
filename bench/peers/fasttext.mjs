// Debian's fastText 0.9.2 (`apt-get install fasttext`, done by install.sh) as a word-level Word2Vec: subwords off
// (-minn 0 -maxn 0), so it trains the same model as word2vec skip-gram/CBOW with negative sampling.
// Optional in bench/word2vec.bench.mjs (`--fasttext`). Like word2vec C, the whole process is timed (vocabulary
// pass, training and writing `.bin` + `.vec`); fastText's `.vec` output is word2vec text and is what gets evaluated.
import { execFileSync } from 'node:child_process';

export const BINARY = 'fasttext';

export function status() {
  try {
    execFileSync('sh', ['-c', 'command -v fasttext'], { stdio: 'ignore' });
  } catch {
    return { available: false, reason: 'fasttext is not on PATH' };
  }
  let version = 'fastText';
  try {
    version = `fastText ${execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'fasttext'], { encoding: 'utf8' }).trim()} (Debian)`;
  } catch {
    /* not Debian */
  }
  return { available: true, version };
}

/**
 * The command line for one run: `s` as in word2vec_c.mjs, with `out` a prefix (fastText writes out.bin and out.vec).
 * `-t` is fastText's name for the subsampling threshold (its default is 1e-4, word2vec's 1e-3).
 */
export function command(s) {
  const args = [
    s.sg ? 'skipgram' : 'cbow', '-input', s.corpus, '-output', s.out,
    '-dim', String(s.dim), '-ws', String(s.window), '-neg', String(s.negative), '-loss', 'ns', '-t', String(s.sample),
    '-minCount', String(s.minCount), '-epoch', String(s.epochs), '-lr', String(s.alpha), '-thread', String(s.threads),
    '-minn', '0', '-maxn', '0', '-wordNgrams', '1', '-verbose', '1',
  ];
  return { cmd: BINARY, args, vectors: `${s.out}.vec`, extraFiles: [`${s.out}.bin`] };
}
