#!/usr/bin/env node
// The original word2vec C tool (Mikolov et al., word2vec.c v0.1c from npm `word2vec`, compiled by install.sh):
// where its binary is, how it was built, and the command line for the benchmark's settings.
//
// bench/word2vec.bench.mjs spawns the binary directly (under /usr/bin/time, for its peak RSS and CPU seconds).
// Run as a script, this file trains once and prints one JSON line, like the other runners:
//
//   node bench/peers/word2vec_c.mjs --corpus brown.txt --out vec.bin --sg 1 --threads 1 [--epochs 5 --alpha 0.025]
//
// What is timed: the whole process. word2vec.c has no separate vocabulary step to time from outside: it reads the
// file once to count words, then trains (each thread re-reads its slice of the file every epoch), then writes the
// vectors. Process start (~1 ms) and writing the binary vectors (~6 MB) are inside the window, unlike for the
// other tools; both are well under 1 % of a training run on Brown.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = dirname(fileURLToPath(import.meta.url));
export const SRC_DIR = join(HERE, 'node_modules', 'word2vec', 'src');
export const BINARY = join(SRC_DIR, 'word2vec');
const BUILD_INFO = join(SRC_DIR, 'BUILD_INFO');

/** The npm package's version (word2vec.c itself is "v 0.1c"). */
export function packageVersion() {
  try {
    return JSON.parse(readFileSync(join(HERE, 'node_modules', 'word2vec', 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

/**
 * Whether the tool can run, and why not. A binary without BUILD_INFO is the prebuilt one from the npm tarball
 * (npm 11 skips the package's install script), which install.sh replaces by a native build.
 */
export function status() {
  if (!existsSync(BINARY)) return { available: false, reason: `no binary at ${BINARY}` };
  if (!existsSync(BUILD_INFO)) return { available: false, reason: 'the binary was not compiled by bench/peers/install.sh (prebuilt from the npm tarball)' };
  return { available: true, version: `word2vec.c 0.1c (npm word2vec ${packageVersion()})`, build: readFileSync(BUILD_INFO, 'utf8').trim() };
}

/**
 * The command line for one training run. `s`: { corpus, out, sg, dim, window, negative, sample, minCount, epochs,
 * alpha, threads }. Writes binary vectors (`-binary 1`) when `out` ends in .bin, else text.
 */
export function command(s) {
  const args = [
    '-train', s.corpus, '-output', s.out,
    '-cbow', s.sg ? '0' : '1',
    '-size', String(s.dim), '-window', String(s.window), '-negative', String(s.negative), '-hs', '0',
    '-sample', String(s.sample), '-min-count', String(s.minCount), '-iter', String(s.epochs),
    '-alpha', String(s.alpha), '-threads', String(s.threads),
    '-binary', s.out.endsWith('.bin') ? '1' : '0',
  ];
  return { cmd: BINARY, args };
}

/** Parses word2vec.c's log: "Vocab size: N" and "Words in train file: N" (which counts one </s> per line). */
export function parseLog(stdout) {
  const vocab = /Vocab size:\s*(\d+)/.exec(stdout);
  const words = /Words in train file:\s*(\d+)/.exec(stdout);
  return { vocabSize: vocab ? Number(vocab[1]) : undefined, trainWordsWithEos: words ? Number(words[1]) : undefined };
}

function main() {
  const { values: v } = parseArgs({
    options: {
      corpus: { type: 'string' }, out: { type: 'string' }, sg: { type: 'string', default: '1' },
      dim: { type: 'string', default: '100' }, window: { type: 'string', default: '5' },
      negative: { type: 'string', default: '5' }, sample: { type: 'string', default: '1e-3' },
      'min-count': { type: 'string', default: '5' }, epochs: { type: 'string', default: '5' },
      alpha: { type: 'string' }, threads: { type: 'string', default: '1' },
    },
  });
  if (!v.corpus || !v.out) {
    console.error('usage: node bench/peers/word2vec_c.mjs --corpus FILE --out FILE.bin [--sg 1|0] [--threads N] [--epochs 5] [--alpha A]');
    process.exit(2);
  }
  const st = status();
  if (!st.available) {
    console.error(`word2vec C is not installed (${st.reason}): run bash bench/peers/install.sh`);
    process.exit(1);
  }
  const sg = v.sg !== '0';
  const s = {
    corpus: v.corpus, out: v.out, sg, dim: +v.dim, window: +v.window, negative: +v.negative, sample: +v.sample,
    minCount: +v['min-count'], epochs: +v.epochs, alpha: v.alpha !== undefined ? +v.alpha : sg ? 0.025 : 0.05, threads: +v.threads,
  };
  const { cmd, args } = command(s);
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) {
    console.error(r.stdout?.slice(-2000), r.stderr);
    process.exit(1);
  }
  const log = parseLog(r.stdout);
  console.log(JSON.stringify({ tool: 'word2vec-c', seconds, vocabSize: log.vocabSize, epochs: s.epochs, threads: s.threads, ...st }));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
