// Word2Vec training: quantext against the reference tools (gensim, the original word2vec C tool, optionally
// fastText), side by side in one run, on the Brown corpus.
//
//   npm run bench -- word2vec [--quick] [--install-peers] [--repeats N] [--fasttext] [--gensim-corpus-file]
//                             [--no-peer-threads] [--keep-vectors]
//   node bench/word2vec.bench.mjs [same options]       standalone (writes the same results file)
//
// Settings (issue 3, "Targets"): ../shared/data/corpora/brown.txt, dim 100, window 5, negative 5, sample 1e-3,
// min-count 5, 5 epochs; alpha 0.025 for skip-gram and 0.05 for CBOW (word2vec.c's defaults) for every tool,
// min-alpha 0.0001. Every run is a separate process so that its peak RSS is its own.
//
// How a run goes: the runs are grouped in rounds; each round trains every (configuration, tool) pair once:
//   sg1   skip-gram, 1 thread     quantext, gensim, word2vec C (+ fastText)
//   cbow1 CBOW, 1 thread          the same tools
//   sg2   skip-gram, 2 threads    quantext (for its 2-thread / 1-thread ratio), and the peers as a check of what
//                                 the machine gives a second thread (--no-peer-threads skips them)
// The tools' order rotates from round to round, and round r trains with seed r+1 (quantext and gensim; word2vec C
// has no seed flag, so its 1-thread models are identical across rounds and count as one model for quality).
// The figures are medians over rounds. The machine is shared: every run records the load average before it and
// its CPU utilisation (CPU seconds / wall seconds), so a disturbed run shows.
//
// What is timed, per tool (the "timed window"; bench/peers/*.{mjs,py} say the same in their headers):
//   quantext   buildVocab(file) + train(file) in bench/peers/quantext_w2v.mjs (API, streaming the same file)
//   gensim     build_vocab(LineSentence(file)) + train(...) in bench/peers/gensim_w2v.py
//   word2vec C, fastText   the whole process (vocabulary pass + training + writing the vectors)
// Speed = raw corpus tokens (whitespace-separated, counted here) × epochs / timed seconds. CPU speed divides by
// the CPU seconds of the same window (all threads; for word2vec C and fastText, the process's user + system time).
// Peak memory is the training process's maximum resident set size (GNU time), interpreter included.
// Quality: every model, whoever trained it, is evaluated by the same evaluator, quantext's `eval` command (gensim's
// evaluate_word_analogies / evaluate_word_pairs semantics, restrict_vocab 30000); a cross-check evaluates the
// first round's skip-gram models with gensim itself as well.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { machineInfo, median, round } from './harness.mjs';
import { fix, fmtRatio, machineLine, renderMetrics, table } from './render.mjs';
import * as w2vC from './peers/word2vec_c.mjs';
import * as fastText from './peers/fasttext.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const PEERS_DIR = join(BENCH_DIR, 'peers');
const PYTHON = '/usr/bin/python3';
const GNU_TIME = '/usr/bin/time';
const INSTALL_HINT = 'bash bench/peers/install.sh (or npm run bench -- word2vec --install-peers)';

export const title = 'Word2Vec training vs gensim and word2vec C';
export const description = [
  'Brown corpus (1.02 M tokens), dim 100, window 5, negative 5, sample 1e-3, min-count 5, alpha 0.025 (skip-gram) / 0.05 (CBOW).',
  'Speed is raw corpus tokens × epochs per second of each tool\'s timed window: quantext and gensim time their vocabulary pass plus training',
  '(API, from the same file; interpreter start, imports and saving excluded); word2vec C and fastText are timed as a whole process',
  '(vocabulary pass, training, writing the vectors). "CPU" divides by the CPU seconds of the same window instead of wall seconds;',
  'it is the fairer single-thread figure on a busy machine, while the 2-thread ratio needs wall time.',
  '"Training only" leaves out the vocabulary pass (quantext, gensim); "epochs 2+" is quantext\'s rate once the corpus is encoded in memory.',
  'The machine check runs two independent 1-thread quantext processes at once: what the machine gives a second thread when nothing is shared.',
  'Memory is the peak RSS of the training process. Quality: every model is evaluated by the same evaluator (quantext `eval`,',
  'gensim\'s semantics, restrict_vocab 30000) and reported as mean ± sd over seeds (distinct models).',
].join(' ');

/** The configurations of a round. */
const CONFIGS = {
  sg1: { label: 'skip-gram, 1 thread', sg: true, threads: 1 },
  cbow1: { label: 'CBOW, 1 thread', sg: false, threads: 1 },
  sg2: { label: 'skip-gram, 2 threads', sg: true, threads: 2 },
  // what the machine gives a second thread when nothing is shared (information beside the 2-thread ratio)
  sg1x2: { label: 'skip-gram, two 1-thread processes at once', sg: true, threads: 1, parallel: 2 },
};
const TOOL_LABEL = { quantext: 'quantext', gensim: 'gensim', 'gensim-cf': 'gensim corpus_file', 'word2vec-c': 'word2vec C', fasttext: 'fastText' };
const TARGETS = { speedVsGensim: 2.5, threadScaling: 1.7, analogyPoints: 0.5, spearman: 0.02 };
/** A 2-thread run measures scaling only if it kept this many cores busy on average (else other work took a core). */
const MIN_CORES_2T = 1.8;
/** …and if the 1-thread run of the same round was not disturbed either. */
const MIN_CORES_1T = 0.9;

// ---------------------------------------------------------------------------------------------------------------
// options, corpus, peers

function parseOptions(args, quick) {
  const has = (f) => args.includes(f);
  const val = (f) => {
    const i = args.indexOf(f);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const repeats = val('--repeats') !== undefined ? Number(val('--repeats')) : quick ? 1 : 3;
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`--repeats must be an integer ≥ 1, got ${val('--repeats')}`);
  const epochs = val('--epochs') !== undefined ? Number(val('--epochs')) : quick ? 1 : 5;
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`--epochs must be an integer ≥ 1, got ${val('--epochs')}`);
  return {
    quick,
    repeats,
    epochs,
    installPeers: has('--install-peers'),
    fasttext: has('--fasttext'),
    gensimCorpusFile: has('--gensim-corpus-file'),
    peerThreads: !has('--no-peer-threads') && !quick,
    machineCheck: !has('--no-machine-check') && !quick,
    keepVectors: has('--keep-vectors'),
    corpus: val('--corpus'),
  };
}

/** Counts lines and whitespace-separated tokens, the "raw corpus tokens" every speed figure is based on. */
function countCorpus(path) {
  const text = readFileSync(path, 'utf8');
  let tokens = 0, lines = 0;
  for (const line of text.split('\n')) {
    const t = line.split(/\s+/).filter(Boolean).length;
    if (t) lines++;
    tokens += t;
  }
  return { tokens, lines, bytes: Buffer.byteLength(text) };
}

function sh(cmd, args, opts = {}) {
  return spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20, ...opts });
}

/** Which reference tools can run here; each entry is { available, version?, reason? }. */
function detectPeers(o) {
  const peers = {};
  const g = existsSync(PYTHON) ? sh(PYTHON, [join(PEERS_DIR, 'gensim_w2v.py'), 'info']) : undefined;
  if (g?.status === 0) {
    const info = JSON.parse(lastJsonLine(g.stdout));
    peers.gensim = info.fastVersion >= 0
      ? { available: true, version: `gensim ${info.gensim} (numpy ${info.numpy}, Python ${info.python}, Cython kernels FAST_VERSION ${info.fastVersion})`, info }
      : { available: false, reason: `gensim ${info.gensim} has no compiled kernels (FAST_VERSION −1): it would be measured on its slow path` };
  } else {
    peers.gensim = { available: false, reason: existsSync(PYTHON) ? `${PYTHON} cannot import gensim` : `no ${PYTHON}` };
  }
  peers['word2vec-c'] = w2vC.status();
  if (o.fasttext) peers.fasttext = fastText.status();
  if (o.gensimCorpusFile) peers['gensim-cf'] = peers.gensim.available ? { ...peers.gensim, version: `${peers.gensim.version}, corpus_file mode` } : peers.gensim;
  return peers;
}

function ensurePeers(ctx, o) {
  let peers = detectPeers(o);
  const missing = () => Object.entries(peers).filter(([, p]) => !p.available).map(([t]) => t);
  if ((missing().length || !existsSync(GNU_TIME)) && o.installPeers) {
    ctx.log(`installing the reference tools (${missing().join(', ') || 'GNU time'}) with bench/peers/install.sh …`);
    const r = spawnSync('bash', [join(PEERS_DIR, 'install.sh'), ...(o.fasttext ? [] : ['--no-fasttext'])], { stdio: ['ignore', 2, 2] });
    if (r.status !== 0) ctx.log(`bench/peers/install.sh failed (exit ${r.status}); running without the missing tools`);
    peers = detectPeers(o);
  }
  for (const t of missing()) ctx.log(`skipping ${TOOL_LABEL[t]}: ${peers[t].reason}. Install it with: ${INSTALL_HINT}`);
  if (!existsSync(GNU_TIME)) ctx.log(`no ${GNU_TIME}: peak RSS and CPU time of word2vec C/fastText are not measured (install.sh installs it)`);
  return peers;
}

// ---------------------------------------------------------------------------------------------------------------
// one run

function lastJsonLine(stdout) {
  const lines = String(stdout).trim().split('\n');
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i].trim().startsWith('{')) return lines[i].trim();
  throw new Error(`no JSON line in output: ${String(stdout).slice(-500)}`);
}

/**
 * Spawns cmd under GNU time (when present) and resolves with the process's wall/CPU seconds and peak RSS, and its
 * stdout. GNU time waits for the process with wait4(), so its figures cover the process and all it waited for.
 */
function spawnMeasured(cmd, args, { env, cwd, timeoutMs = 30 * 60_000 } = {}) {
  const timeFile = join(os.tmpdir(), `quantext-w2v-time-${process.pid}-${++spawnCount}.txt`);
  const useTime = existsSync(GNU_TIME);
  const [file, argv] = useTime ? [GNU_TIME, ['-f', '%e %U %S %M', '-o', timeFile, cmd, ...args]] : [cmd, args];
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const child = spawn(file, argv, { env: { ...process.env, ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      stdout += d;
      if (stdout.length > 4 << 20) stdout = stdout.slice(-(1 << 20)); // word2vec C's progress lines
    });
    child.stderr.setEncoding('utf8').on('data', (d) => {
      stderr = (stderr + d).slice(-(1 << 20));
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`${cmd}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const wall = (performance.now() - t0) / 1000;
      if (code !== 0) {
        rmSync(timeFile, { force: true });
        reject(new Error(`${cmd} ${args.join(' ')} ${signal ? `was killed (${signal})` : `exited with ${code}`}:\n${stderr.slice(-2000)}\n${stdout.slice(-1000)}`));
        return;
      }
      const proc = { wallSeconds: round(wall, 5) };
      if (useTime) {
        const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(/\s+/).map(Number);
        rmSync(timeFile, { force: true });
        Object.assign(proc, { wallSeconds: last[0] || proc.wallSeconds, cpuSeconds: round(last[1] + last[2], 5), maxRssKB: last[3] });
      }
      resolvePromise({ stdout, stderr, proc });
    });
  });
}
let spawnCount = 0;

/**
 * Trains one model with one tool. Returns the run record (timed window, process figures) and the vectors file.
 */
async function trainOnce(ctx, o, { tool, config, seed, corpus, dir, tag = '' }) {
  const cfg = CONFIGS[config];
  const s = {
    corpus, sg: cfg.sg, dim: 100, window: 5, negative: 5, sample: 1e-3, minCount: 5, epochs: o.epochs,
    alpha: cfg.sg ? 0.025 : 0.05, minAlpha: 0.0001, threads: cfg.threads,
  };
  const base = join(dir, `${config}-${tool}-r${seed}${tag}`);
  let vectors = `${base}.bin`;
  const extra = [];
  let res, report;
  if (tool === 'quantext') {
    // node's flag as in the CLI's shebang (src/cli/main.ts): smaller semi-spaces, less peak memory, same speed
    res = await spawnMeasured(process.execPath, [
      '--max-semi-space-size=2', join(PEERS_DIR, 'quantext_w2v.mjs'), '--corpus', corpus, '--out', vectors, '--sg', s.sg ? '1' : '0',
      '--dim', String(s.dim), '--window', String(s.window), '--negative', String(s.negative), '--sample', String(s.sample),
      '--min-count', String(s.minCount), '--epochs', String(s.epochs), '--alpha', String(s.alpha), '--min-alpha', String(s.minAlpha),
      '--threads', String(s.threads), '--seed', String(seed),
    ], { cwd: ctx.repoDir });
    report = JSON.parse(lastJsonLine(res.stdout));
  } else if (tool === 'gensim' || tool === 'gensim-cf') {
    res = await spawnMeasured(PYTHON, [
      join(PEERS_DIR, 'gensim_w2v.py'), 'train', '--corpus', corpus, '--out', vectors, '--sg', s.sg ? '1' : '0',
      '--dim', String(s.dim), '--window', String(s.window), '--negative', String(s.negative), '--sample', String(s.sample),
      '--min-count', String(s.minCount), '--epochs', String(s.epochs), '--alpha', String(s.alpha), '--min-alpha', String(s.minAlpha),
      '--workers', String(s.threads), '--seed', String(seed), ...(tool === 'gensim-cf' ? ['--corpus-file'] : []),
    ], { env: { PYTHONHASHSEED: '0' } });
    report = JSON.parse(lastJsonLine(res.stdout));
  } else if (tool === 'word2vec-c') {
    const { cmd, args } = w2vC.command({ ...s, out: vectors });
    res = await spawnMeasured(cmd, args);
    const log = w2vC.parseLog(res.stdout);
    report = { seconds: res.proc.wallSeconds, cpuSeconds: res.proc.cpuSeconds, vocabSize: log.vocabSize };
  } else if (tool === 'fasttext') {
    const c = fastText.command({ ...s, out: base });
    res = await spawnMeasured(c.cmd, c.args);
    vectors = c.vectors;
    extra.push(...c.extraFiles);
    const vocab = /Number of words:\s*(\d+)/.exec(res.stdout + res.stderr);
    report = { seconds: res.proc.wallSeconds, cpuSeconds: res.proc.cpuSeconds, vocabSize: vocab ? Number(vocab[1]) : undefined };
  } else {
    throw new Error(`unknown tool ${tool}`);
  }
  return { report, proc: res.proc, vectors, extra };
}

/**
 * Peak RSS of each runtime with its library loaded and nothing trained (Node + quantext's wasm runtime; Python +
 * gensim), so that the memory table can separate the interpreter from the model. Needs GNU time.
 */
async function baselineRss(ctx, peers) {
  if (!existsSync(GNU_TIME)) return {};
  const out = {};
  const entry = pathToFileURL(join(ctx.repoDir, 'dist', 'index.node.js')).href;
  const q = await spawnMeasured(process.execPath, ['--input-type=module', '-e', `const { init } = await import(${JSON.stringify(entry)}); await init();`]);
  out.quantext = round(q.proc.maxRssKB / 1024, 4);
  if (peers.gensim?.available) {
    const g = await spawnMeasured(PYTHON, ['-c', 'import gensim.models.word2vec']);
    out.gensim = round(g.proc.maxRssKB / 1024, 4);
  }
  return out;
}

/** Evaluates a vectors file with quantext's evaluator (the `eval` command, gensim's semantics). */
function evaluateQuantext(ctx, file) {
  const ev = join(ctx.repoDir, 'data', 'eval');
  const r = sh(process.execPath, [
    join(ctx.repoDir, 'dist', 'cli', 'main.js'), 'eval', file, '--analogies', join(ev, 'questions-words.txt'),
    '--pairs', join(ev, 'wordsim353.tsv'), '--pairs', join(ev, 'simlex999.txt'), '--restrict', '30000', '--json',
  ]);
  if (r.status !== 0) throw new Error(`quantext eval ${file} failed: ${r.stderr.slice(-1500)}`);
  return summarizeEval(JSON.parse(lastJsonLine(r.stdout)));
}

/** The same evaluation by gensim itself (the cross-check). */
function evaluateGensim(ctx, file) {
  const ev = join(ctx.repoDir, 'data', 'eval');
  const r = sh(PYTHON, [
    join(PEERS_DIR, 'gensim_w2v.py'), 'eval', '--vectors', file, '--analogies', join(ev, 'questions-words.txt'),
    '--pairs', join(ev, 'wordsim353.tsv'), '--pairs', join(ev, 'simlex999.txt'), '--restrict', '30000',
  ]);
  if (r.status !== 0) throw new Error(`gensim eval ${file} failed: ${r.stderr.slice(-1500)}`);
  return summarizeEval(JSON.parse(lastJsonLine(r.stdout)));
}

function summarizeEval(e) {
  const pair = (name) => e.pairs.find((p) => p.file.endsWith(name));
  const ws = pair('wordsim353.tsv'), sl = pair('simlex999.txt');
  return {
    analogy: e.analogy.accuracy * 100, // percent
    analogyCorrect: e.analogy.correct,
    analogyTotal: e.analogy.total,
    ws353: ws?.spearman,
    ws353Pearson: ws?.pearson,
    ws353Oov: ws?.oovRatio,
    simlex: sl?.spearman,
  };
}

function fileHash(path) {
  return createHash('sha1').update(readFileSync(path)).digest('hex').slice(0, 16);
}

// ---------------------------------------------------------------------------------------------------------------
// statistics

function mean(xs) {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
/** Sample standard deviation (n − 1); NaN for one value. */
function sd(xs) {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

function summarize(runs, o, corpusTokens) {
  const keys = [...new Set(runs.map((r) => `${r.config}\u0000${r.tool}`))].map((k) => k.split('\u0000'));
  const words = corpusTokens * o.epochs;
  const speed = [], quality = [], memory = [];
  for (const [config, tool] of keys) {
    const rs = runs.filter((r) => r.config === config && r.tool === tool);
    const w = (r) => words * (r.parallel ?? 1);
    const wall = rs.map((r) => w(r) / r.seconds);
    const cpu = rs.filter((r) => r.cpuSeconds > 0).map((r) => w(r) / r.cpuSeconds);
    const trainOnly = rs.filter((r) => r.trainSeconds > 0).map((r) => w(r) / r.trainSeconds);
    // quantext: epochs after the first train from the encoded corpus in memory (no file reading or tokenizing)
    const later = rs.filter((r) => r.epochSeconds?.length > 1).map((r) => corpusTokens / median(r.epochSeconds.slice(1)));
    speed.push({
      config, tool, n: rs.length, ...(rs[0].parallel ? { parallel: rs[0].parallel } : {}),
      medianSeconds: round(median(rs.map((r) => r.seconds)), 4),
      wallTokPerSec: round(median(wall), 4),
      minWallTokPerSec: round(Math.min(...wall), 4),
      maxWallTokPerSec: round(Math.max(...wall), 4),
      cpuTokPerSec: cpu.length ? round(median(cpu), 4) : undefined,
      trainOnlyTokPerSec: trainOnly.length ? round(median(trainOnly), 4) : undefined,
      laterEpochsTokPerSec: later.length ? round(median(later), 4) : undefined,
      utilisation: cpu.length ? round(median(rs.filter((r) => r.cpuSeconds > 0).map((r) => r.cpuSeconds / r.seconds)), 3) : undefined,
    });
    // quality over distinct models (word2vec C with one thread writes the same model every round)
    const distinct = [...new Map(rs.filter((r) => r.eval).map((r) => [r.vectorsHash, r])).values()];
    if (distinct.length) {
      const col = (k) => distinct.map((r) => r.eval[k]).filter((x) => x !== undefined);
      quality.push({
        config, tool, n: distinct.length, runs: rs.length,
        analogyMean: round(mean(col('analogy')), 4), analogySd: round(sd(col('analogy')), 3),
        analogyTotal: distinct[0].eval.analogyTotal,
        ws353Mean: round(mean(col('ws353')), 4), ws353Sd: round(sd(col('ws353')), 3),
        simlexMean: round(mean(col('simlex')), 4), simlexSd: round(sd(col('simlex')), 3),
        ws353Oov: distinct[0].eval.ws353Oov,
        vocabSize: distinct[0].vocabSize,
      });
    }
    const rss = rs.filter((r) => r.maxRssKB > 0 && !r.parallel).map((r) => r.maxRssKB);
    if (rss.length) memory.push({ config, tool, n: rss.length, medianMaxRssMB: round(median(rss) / 1024, 4), maxMaxRssMB: round(Math.max(...rss) / 1024, 4) });
  }
  return { speed, quality, memory };
}

/** Targets and ratios: the metrics the harness prints and RESULTS.md leads with. */
function targetMetrics(summary, runs) {
  const sp = (config, tool) => summary.speed.find((x) => x.config === config && x.tool === tool);
  const q = (config, tool) => summary.quality.find((x) => x.config === config && x.tool === tool);
  const mem = (config, tool) => summary.memory.find((x) => x.config === config && x.tool === tool);
  const metrics = [];
  const ratios = [];
  // per-round ratios: the rounds interleave the tools, so a paired ratio cancels slow drifts in the machine's load
  const perRound = (cA, tA, cB, tB, key = 'seconds') => {
    const out = [];
    for (const r of [...new Set(runs.map((x) => x.round))]) {
      const a = runs.find((x) => x.round === r && x.config === cA && x.tool === tA);
      const b = runs.find((x) => x.round === r && x.config === cB && x.tool === tB);
      // rate ratio: (words of a / time of a) / (words of b / time of b); a machine-check run trains `parallel` models
      if (a && b && a[key] > 0 && b[key] > 0) out.push(round(((a.parallel ?? 1) / a[key]) / ((b.parallel ?? 1) / b[key]), 3));
    }
    return out;
  };
  const speedRatio = (config, peer, target) => {
    const a = sp(config, 'quantext'), b = sp(config, peer);
    if (!a || !b) return;
    const wall = a.wallTokPerSec / b.wallTokPerSec;
    const cpu = a.cpuTokPerSec && b.cpuTokPerSec ? a.cpuTokPerSec / b.cpuTokPerSec : undefined;
    ratios.push({ what: `${CONFIGS[config].label}: quantext / ${TOOL_LABEL[peer]}`, config, wall: round(wall, 3), cpu: cpu && round(cpu, 3),
      perRoundWall: perRound(config, 'quantext', config, peer), perRoundCpu: perRound(config, 'quantext', config, peer, 'cpuSeconds'), target });
    if (target !== undefined) {
      metrics.push({ name: `${CONFIGS[config].label}: quantext / ${TOOL_LABEL[peer]} speed (wall)`, value: round(wall, 3), unit: '×', target: `≥ ${target}×`, ok: wall >= target });
      if (cpu !== undefined) metrics.push({ name: `${CONFIGS[config].label}: quantext / ${TOOL_LABEL[peer]} speed (CPU)`, value: round(cpu, 3), unit: '×', target: `≥ ${target}×`, ok: cpu >= target });
    } else {
      metrics.push({ name: `${CONFIGS[config].label}: quantext / ${TOOL_LABEL[peer]} speed (wall${cpu !== undefined ? `; CPU ${fix(cpu)}×` : ''})`, value: round(wall, 3), unit: '×' });
    }
  };
  for (const config of ['sg1', 'cbow1']) {
    speedRatio(config, 'gensim', TARGETS.speedVsGensim);
    speedRatio(config, 'gensim-cf', TARGETS.speedVsGensim);
    speedRatio(config, 'word2vec-c');
    speedRatio(config, 'fasttext');
  }
  // Thread scaling. On a shared machine a 2-thread run only measures scaling when it had both cores: the target is
  // judged on the rounds whose 2-thread run kept ≥ MIN_CORES_2T cores busy on average (CPU seconds / wall seconds)
  // and whose 1-thread run was undisturbed (≥ MIN_CORES_1T), as the median of those rounds' paired ratios. Rounds
  // where other work took a core are reported but not judged; the median over all rounds is shown beside.
  const one = sp('sg1', 'quantext'), two = sp('sg2', 'quantext'), pair = sp('sg1x2', 'quantext');
  for (const tool of ['quantext', 'gensim', 'word2vec-c']) {
    const a = sp('sg1', tool), b = sp('sg2', tool);
    if (!a || !b) continue;
    const x = b.wallTokPerSec / a.wallTokPerSec;
    const rounds = [];
    for (const rr of [...new Set(runs.map((r) => r.round))]) {
      const r1 = runs.find((r) => r.round === rr && r.config === 'sg1' && r.tool === tool);
      const r2 = runs.find((r) => r.round === rr && r.config === 'sg2' && r.tool === tool);
      if (!r1 || !r2) continue;
      const cores2 = r2.cpuSeconds / r2.seconds, cores1 = r1.cpuSeconds / r1.seconds;
      rounds.push({ round: rr + 1, ratio: round(r1.seconds / r2.seconds, 3), cores1: round(cores1, 3), cores2: round(cores2, 3),
        clean: cores2 >= MIN_CORES_2T && cores1 >= MIN_CORES_1T });
    }
    const clean = rounds.filter((r) => r.clean);
    const judgedValue = clean.length ? median(clean.map((r) => r.ratio)) : undefined;
    const target = tool === 'quantext' ? TARGETS.threadScaling : undefined;
    const roundsText = rounds.map((r) => `${fix(r.ratio)}× (${r.cores2.toFixed(2)} cores)`).join(', ');
    ratios.push({
      what: `skip-gram: ${TOOL_LABEL[tool]} 2 threads / 1 thread`, config: 'sg2', wall: round(x, 3), rounds, perRoundWall: rounds.map((r) => r.ratio),
      ...(judgedValue !== undefined ? { uncontended: round(judgedValue, 3) } : {}), target,
      ...(target && judgedValue === undefined ? { notJudged: `no round had both cores free (2-thread runs used ${rounds.map((r) => r.cores2.toFixed(2)).join(', ')} cores)` } : {}),
    });
    if (judgedValue !== undefined) {
      metrics.push({
        name: `skip-gram: ${TOOL_LABEL[tool]} 2 threads / 1 thread (wall, median of the ${clean.length} round${clean.length > 1 ? 's' : ''} with both cores free; all rounds: ${roundsText}; median over rounds ${fix(x)}×)`,
        value: round(judgedValue, 3), unit: '×', ...(target ? { target: `≥ ${target}×`, ok: judgedValue >= target } : {}),
      });
    } else {
      metrics.push({ name: `skip-gram: ${TOOL_LABEL[tool]} 2 threads / 1 thread (wall, median over rounds; ${target ? `target ≥ ${target}× not judged: ` : ''}no round had both cores free: ${roundsText})`, value: round(x, 3), unit: '×' });
    }
  }
  if (one && pair) {
    const machine = pair.wallTokPerSec / one.wallTokPerSec;
    ratios.push({ what: 'machine check: two 1-thread quantext processes at once (sum) / one', config: 'sg1x2', wall: round(machine, 3), perRoundWall: perRound('sg1x2', 'quantext', 'sg1', 'quantext') });
    metrics.push({ name: 'machine check: two 1-thread quantext processes at once / one (wall)', value: round(machine, 3), unit: '×' });
  }
  if (two && pair) {
    const x = two.wallTokPerSec / pair.wallTokPerSec;
    ratios.push({ what: 'skip-gram: quantext 2 threads / two 1-thread processes at once', config: 'sg2', wall: round(x, 3),
      cpu: two.cpuTokPerSec && pair.cpuTokPerSec ? round(two.cpuTokPerSec / pair.cpuTokPerSec, 3) : undefined });
    metrics.push({ name: 'skip-gram: quantext 2 threads / two 1-thread processes at once (wall)', value: round(x, 3), unit: '×' });
  }
  if (one?.laterEpochsTokPerSec && two?.laterEpochsTokPerSec) {
    metrics.push({ name: 'skip-gram: quantext 2 threads / 1 thread, epochs 2+ only (wall; corpus already encoded)', value: round(two.laterEpochsTokPerSec / one.laterEpochsTokPerSec, 3), unit: '×' });
  }
  if (one?.cpuTokPerSec && two?.cpuTokPerSec) {
    metrics.push({ name: 'skip-gram: quantext CPU efficiency, 2 threads / 1 thread (tokens per CPU-second)', value: round(two.cpuTokPerSec / one.cpuTokPerSec, 3), unit: '×' });
  }
  // quality
  for (const config of ['sg1', 'cbow1']) {
    const a = q(config, 'quantext');
    if (!a) continue;
    for (const peer of ['gensim', 'word2vec-c']) {
      const b = q(config, peer);
      if (!b) continue;
      const dA = a.analogyMean - b.analogyMean, dS = a.ws353Mean - b.ws353Mean;
      metrics.push({ name: `${CONFIGS[config].label}: analogy, quantext − ${TOOL_LABEL[peer]}`, value: round(dA, 3), unit: 'points', target: `±${TARGETS.analogyPoints}`, ok: Math.abs(dA) <= TARGETS.analogyPoints });
      metrics.push({ name: `${CONFIGS[config].label}: WordSim-353 Spearman, quantext − ${TOOL_LABEL[peer]}`, value: round(dS, 3), target: `±${TARGETS.spearman}`, ok: Math.abs(dS) <= TARGETS.spearman });
    }
  }
  const q2 = q('sg2', 'quantext'), q1 = q('sg1', 'quantext');
  if (q1 && q2) {
    metrics.push({ name: 'skip-gram: quantext 2 threads − 1 thread, analogy', value: round(q2.analogyMean - q1.analogyMean, 3), unit: 'points' });
    metrics.push({ name: 'skip-gram: quantext 2 threads − 1 thread, WordSim-353', value: round(q2.ws353Mean - q1.ws353Mean, 3) });
  }
  // memory
  for (const config of ['sg1', 'cbow1']) {
    const a = mem(config, 'quantext'), b = mem(config, 'gensim');
    if (!a || !b) continue;
    metrics.push({ name: `${CONFIGS[config].label}: peak RSS quantext / gensim`, value: round(a.medianMaxRssMB / b.medianMaxRssMB, 3), unit: '×', target: '≤ 1×', ok: a.medianMaxRssMB <= b.medianMaxRssMB });
  }
  return { metrics, ratios };
}

// ---------------------------------------------------------------------------------------------------------------
// the suite

export async function run(ctx) {
  const o = parseOptions(ctx.args ?? [], ctx.quick);
  const distMain = join(ctx.repoDir, 'dist', 'train', 'word2vec.js');
  if (!existsSync(distMain)) throw new Error(`no ${distMain}: build first (npm run build, or npx tsc -p .)`);
  const corpus = resolve(o.corpus ?? join(ctx.repoDir, '..', 'shared', 'data', 'corpora', 'brown.txt'));
  if (!existsSync(corpus)) throw new Error(`corpus not found: ${corpus} (the benchmark data lives in shared/data beside the repository)`);
  const counts = countCorpus(corpus);
  const loadStart = os.loadavg();
  const peers = ensurePeers(ctx, o);
  const tools = ['quantext', ...Object.keys(peers).filter((t) => peers[t].available)];
  const baseline = await baselineRss(ctx, peers);

  // the plan: which tools run which configuration
  const plan = [];
  for (const config of Object.keys(CONFIGS)) {
    let ts;
    if (config === 'sg1x2') ts = o.machineCheck ? ['quantext'] : [];
    else if (o.quick) ts = config === 'sg1' ? tools : ['quantext'];
    else if (config === 'sg2') ts = tools.filter((t) => t === 'quantext' || (o.peerThreads && (t === 'gensim' || t === 'word2vec-c')));
    else ts = tools;
    if (ts.length) plan.push({ config, tools: ts });
  }
  ctx.log(`corpus ${corpus}: ${counts.tokens.toLocaleString('en-US')} tokens, ${counts.lines.toLocaleString('en-US')} lines; ` +
    `${o.epochs} epoch${o.epochs > 1 ? 's' : ''}, ${o.repeats} round${o.repeats > 1 ? 's' : ''}; tools: ${tools.map((t) => TOOL_LABEL[t]).join(', ')}; ` +
    `load average ${loadStart.map((x) => x.toFixed(2)).join(' ')}`);

  const dir = join(BENCH_DIR, 'results', 'tmp', 'word2vec-vectors');
  mkdirSync(dir, { recursive: true });
  const runs = [];
  const keep = new Map(); // first round's skip-gram models, for the cross-check
  const evalCache = new Map(); // vectors hash → evaluation (word2vec C repeats its model)
  const t0 = performance.now();
  for (let round_ = 0; round_ < o.repeats; round_++) {
    const seed = round_ + 1;
    for (const { config, tools: ts } of plan) {
      const order = ts.map((_, i) => ts[(i + round_) % ts.length]);
      for (const tool of order) {
        const load1 = os.loadavg()[0];
        if (CONFIGS[config].parallel) {
          // the machine check: independent processes at once; no model is evaluated
          const par = await Promise.all(Array.from({ length: CONFIGS[config].parallel }, (_, i) =>
            trainOnce(ctx, o, { tool, config, seed: seed + 100 * i, corpus, dir, tag: `-p${i}` })));
          for (const p of par) for (const f of [p.vectors, ...p.extra]) rmSync(f, { force: true });
          const r = {
            round: round_, seed, config, tool, threads: 1, parallel: par.length,
            seconds: Math.max(...par.map((p) => p.report.seconds)),
            cpuSeconds: par.reduce((a, p) => a + (p.report.cpuSeconds ?? p.proc.cpuSeconds), 0),
            maxRssKB: Math.max(...par.map((p) => p.proc.maxRssKB ?? p.report.maxRssKB)),
            perProcessSeconds: par.map((p) => p.report.seconds),
            loadavg1: round(load1, 3),
          };
          runs.push(r);
          const words = counts.tokens * o.epochs * par.length;
          ctx.log(`r${round_ + 1} ${config.padEnd(5)} ${TOOL_LABEL[tool]} ×${par.length} ${r.seconds.toFixed(2).padStart(7)} s  ${fix(words / r.seconds / 1e3)}k tok/s in all` +
            ` (CPU ${fix(words / r.cpuSeconds / 1e3)}k/s, util ${(r.cpuSeconds / r.seconds).toFixed(2)})  load ${load1.toFixed(1)}`);
          continue;
        }
        const { report, proc, vectors, extra } = await trainOnce(ctx, o, { tool, config, seed, corpus, dir });
        const hash = fileHash(vectors);
        let ev = evalCache.get(hash);
        if (!ev) {
          ev = evaluateQuantext(ctx, vectors);
          evalCache.set(hash, ev);
        }
        const r = {
          round: round_, seed, config, tool, threads: CONFIGS[config].threads,
          seconds: report.seconds,
          vocabSeconds: report.vocabSeconds,
          trainSeconds: report.trainSeconds,
          ...(report.epochSeconds ? { epochSeconds: report.epochSeconds.map((x) => round(x, 4)) } : {}),
          cpuSeconds: report.cpuSeconds ?? proc.cpuSeconds,
          reportedWords: report.words,
          vocabSize: report.vocabSize,
          loss: report.loss,
          ...(report.build ? { build: report.build } : {}),
          maxRssKB: proc.maxRssKB ?? report.maxRssKB,
          process: proc,
          loadavg1: round(load1, 3),
          vectorsHash: hash,
          eval: ev,
        };
        runs.push(r);
        const words = counts.tokens * o.epochs;
        ctx.log(`r${round_ + 1} ${config.padEnd(5)} ${TOOL_LABEL[tool].padEnd(10)} ${r.seconds.toFixed(2).padStart(7)} s  ` +
          `${fix(words / r.seconds / 1e3).padStart(5)}k tok/s` + (r.cpuSeconds ? ` (CPU ${fix(words / r.cpuSeconds / 1e3)}k/s, util ${(r.cpuSeconds / r.seconds).toFixed(2)})` : '') +
          `  RSS ${r.maxRssKB ? fix(r.maxRssKB / 1024) + ' MB' : '–'}  analogy ${ev.analogy.toFixed(2)} %  WS353 ${ev.ws353.toFixed(3)}  load ${load1.toFixed(1)}`);
        if (round_ === 0 && config === 'sg1' && !o.quick) keep.set(tool, { vectors, extra });
        else if (!o.keepVectors) for (const f of [vectors, ...extra]) rmSync(f, { force: true });
      }
    }
  }

  // cross-check of the evaluator: gensim's own evaluate_word_analogies / evaluate_word_pairs on the same files
  const crossCheck = [];
  if (peers.gensim?.available) {
    for (const [tool, { vectors: file }] of keep) {
      const mine = evalCache.get(fileHash(file));
      const theirs = evaluateGensim(ctx, file);
      crossCheck.push({
        tool, config: 'sg1', seed: 1,
        quantext: { analogy: mine.analogy, analogyCorrect: mine.analogyCorrect, analogyTotal: mine.analogyTotal, ws353: mine.ws353, simlex: mine.simlex },
        gensim: { analogy: theirs.analogy, analogyCorrect: theirs.analogyCorrect, analogyTotal: theirs.analogyTotal, ws353: theirs.ws353, simlex: theirs.simlex },
      });
      ctx.log(`cross-check on ${TOOL_LABEL[tool]}'s model: quantext eval ${mine.analogyCorrect}/${mine.analogyTotal}, WS353 ${mine.ws353.toFixed(4)}; ` +
        `gensim eval ${theirs.analogyCorrect}/${theirs.analogyTotal}, WS353 ${theirs.ws353.toFixed(4)}`);
    }
  }
  if (!o.keepVectors) for (const { vectors, extra } of keep.values()) for (const f of [vectors, ...extra]) rmSync(f, { force: true });

  const summary = summarize(runs, o, counts.tokens);
  const { metrics, ratios } = targetMetrics(summary, runs);
  const tokensMismatch = runs.filter((r) => r.reportedWords !== undefined && r.reportedWords !== counts.tokens * o.epochs);
  const notes = [];
  if (tokensMismatch.length) notes.push(`${tokensMismatch.length} runs reported a token count other than ${counts.tokens} × ${o.epochs} (speeds use the corpus count).`);
  const skipped = Object.entries(peers).filter(([, p]) => !p.available).map(([t, p]) => ({ tool: t, reason: p.reason, install: INSTALL_HINT }));
  for (const s of skipped) notes.push(`${TOOL_LABEL[s.tool]} was not run: ${s.reason}. Install: \`${s.install}\`.`);
  if (o.quick) notes.push('Quick run: 1 epoch, 1 round; peers only for skip-gram 1 thread. A smoke test, not a measurement.');

  return {
    title,
    description,
    settings: {
      corpus: corpus.startsWith(resolve(ctx.repoDir, '..')) ? corpus.slice(resolve(ctx.repoDir, '..').length + 1) : corpus,
      corpusTokens: counts.tokens, corpusLines: counts.lines, corpusBytes: counts.bytes,
      dim: 100, window: 5, negative: 5, sample: 1e-3, minCount: 5, epochs: o.epochs, alpha: { skipgram: 0.025, cbow: 0.05 }, minAlpha: 0.0001,
      repeats: o.repeats, seeds: Array.from({ length: o.repeats }, (_, i) => i + 1), evaluator: 'quantext eval (gensim semantics), restrict_vocab 30000',
    },
    environment: {
      loadavgStart: loadStart.map((x) => round(x, 3)),
      loadavgEnd: os.loadavg().map((x) => round(x, 3)),
      gnuTime: existsSync(GNU_TIME),
      baselineRssMB: baseline,
      tools: Object.fromEntries([['quantext', { version: readPkgVersion(ctx.repoDir), build: runs.find((r) => r.tool === 'quantext')?.build }],
        ...Object.entries(peers).map(([t, p]) => [t, p.available ? { version: p.version, ...(p.build ? { build: p.build } : {}) } : { skipped: p.reason }])]),
      measureSeconds: round((performance.now() - t0) / 1000, 4),
    },
    summary,
    ratios,
    metrics,
    crossCheck,
    runs,
    rows: speedRows(summary),
    notes,
  };
}

/** The speed summary as harness rows (bench/README.md's row schema: time per token and a rate). */
function speedRows(summary) {
  return summary.speed.map((x) => ({
    group: 'speed', case: CONFIGS[x.config].label, variant: TOOL_LABEL[x.tool], nsPerOp: round(1e9 / x.wallTokPerSec, 4), rate: round(x.wallTokPerSec / 1e3, 4), rateUnit: 'ktok/s',
  }));
}

/**
 * Recomputes the summary, ratios and targets of a results file from its recorded runs (`--reanalyze`): the
 * analysis can change without training everything again.
 */
export function reanalyze(results) {
  const summary = summarize(results.runs, { epochs: results.settings.epochs }, results.settings.corpusTokens);
  const { metrics, ratios } = targetMetrics(summary, results.runs);
  return { ...results, summary, ratios, metrics, rows: speedRows(summary) };
}

function readPkgVersion(repoDir) {
  try {
    return `quantext ${JSON.parse(readFileSync(join(repoDir, 'package.json'), 'utf8')).version}`;
  } catch {
    return 'quantext';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// rendering (bench/RESULTS.md)

const pm = (m, s, digits) => (Number.isFinite(m) ? `${m.toFixed(digits)}${Number.isFinite(s) ? ` ± ${s.toFixed(digits)}` : ''}` : '–');
const k = (x) => (Number.isFinite(x) ? `${fix(x / 1e3)}k` : '–');
const plural = (n, w) => `${n} ${w}${n === 1 ? '' : 's'}`;
const mark = (ok) => (ok === undefined ? '' : ok ? 'met' : '**not met**');

export function render(results) {
  const out = [];
  const s = results.settings ?? {};
  const sum = results.summary ?? { speed: [], quality: [], memory: [] };
  const label = (t) => TOOL_LABEL[t] ?? t;
  out.push(`## ${results.title ?? title}`);
  out.push(`Suite \`${results.suite}\` · \`npm run bench -- ${results.suite}\`${results.quick ? ' · **quick smoke run, not a measurement**' : ''}`);
  out.push(results.description ?? description);
  out.push(machineLine(results.machine, results));
  const env = results.environment ?? {};
  const toolLines = Object.entries(env.tools ?? {}).map(([t, v]) => `${label(t)}: ${v.version ?? `not run (${v.skipped})`}${v.build ? ` — built ${v.build.replace(/ [0-9a-f]{16}$/, '')}` : ''}`);
  out.push([
    `**Run:** ${s.corpus} (${(s.corpusTokens ?? 0).toLocaleString('en-US')} tokens), ${plural(s.epochs, 'epoch')}, ${plural(s.repeats, 'round')} (seed${s.repeats > 1 ? 's' : ''} ${(s.seeds ?? []).join(', ')}), ` +
      `load average at start ${(env.loadavgStart ?? []).join(' ')} (end ${(env.loadavgEnd ?? []).join(' ')}).`,
    `**Tools:** ${toolLines.join(' · ')}`,
  ].join('  \n'));

  if (results.metrics?.length) {
    out.push('### Targets and ratios');
    out.push(renderMetrics(results.metrics));
  }

  out.push('### Speed (raw corpus tokens × epochs per second, median over rounds)');
  out.push(table(
    ['configuration', 'tool', 'runs', 'median time', 'tok/s (wall)', 'range (wall)', 'tok/s (CPU)', 'CPU / wall', 'training only (wall)', 'epochs 2+ (wall)'],
    sum.speed.map((x) => [
      CONFIGS[x.config]?.label ?? x.config, label(x.tool), String(x.n), `${fix(x.medianSeconds)} s`, k(x.wallTokPerSec),
      `${k(x.minWallTokPerSec)}–${k(x.maxWallTokPerSec)}`, k(x.cpuTokPerSec), x.utilisation !== undefined ? x.utilisation.toFixed(2) : '–', k(x.trainOnlyTokPerSec),
      k(x.laterEpochsTokPerSec),
    ]),
    ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  ));
  if (results.ratios?.length) {
    out.push(table(
      ['ratio', 'wall', 'CPU', 'per round (wall)', 'target'],
      results.ratios.map((r) => [
        r.what, fmtRatio(r.wall), r.cpu !== undefined ? fmtRatio(r.cpu) : '–',
        r.rounds ? r.rounds.map((x) => `${fmtRatio(x.ratio)} (${x.cores2.toFixed(2)} cores)`).join(', ') : (r.perRoundWall ?? []).map((x) => fmtRatio(x)).join(', '),
        r.target === undefined ? (r.uncontended !== undefined ? `(rounds with both cores free: ${fmtRatio(r.uncontended)})` : '')
          : r.notJudged ? `≥ ${r.target}× (not judged: ${r.notJudged})`
          : r.uncontended !== undefined ? `≥ ${r.target}×: ${fmtRatio(r.uncontended)} in the rounds with both cores free (${mark(r.uncontended >= r.target)})`
          : `≥ ${r.target}× (${mark(r.wall >= r.target)})`,
      ]),
      ['l', 'r', 'r', 'l', 'l'],
    ));
  }

  out.push('### Quality after training (mean ± sd over distinct models)');
  const qRef = (config) => ({ g: sum.quality.find((x) => x.config === config && x.tool === 'gensim'), c: sum.quality.find((x) => x.config === config && x.tool === 'word2vec-c') });
  out.push(table(
    ['configuration', 'tool', 'models', 'analogy %', 'WordSim-353 ρ', 'SimLex-999 ρ', 'vocabulary', 'Δ analogy vs gensim / word2vec C', 'Δ WS353 vs gensim / word2vec C'],
    sum.quality.map((x) => {
      const { g, c } = qRef(x.config);
      const d = (ref, key, digits) => (ref && ref !== x ? `${(x[key] - ref[key] >= 0 ? '+' : '')}${(x[key] - ref[key]).toFixed(digits)}` : '–');
      return [
        CONFIGS[x.config]?.label ?? x.config, label(x.tool), String(x.n), pm(x.analogyMean, x.analogySd, 2), pm(x.ws353Mean, x.ws353Sd, 3),
        pm(x.simlexMean, x.simlexSd, 3), (x.vocabSize ?? '–').toLocaleString('en-US'),
        x.tool === 'quantext' ? `${d(g, 'analogyMean', 2)} / ${d(c, 'analogyMean', 2)}` : '',
        x.tool === 'quantext' ? `${d(g, 'ws353Mean', 3)} / ${d(c, 'ws353Mean', 3)}` : '',
      ];
    }),
    ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  ));
  const totals = sum.quality.map((x) => x.analogyTotal).filter(Boolean);
  if (totals.length) out.push(`Analogy questions in vocabulary (of 19,544): ${[...new Set(totals)].map((t) => t.toLocaleString('en-US')).join(', ')}. Targets: |Δ analogy| ≤ ${TARGETS.analogyPoints} points, |Δ Spearman| ≤ ${TARGETS.spearman}.`);

  if (sum.memory?.length) {
    out.push('### Peak memory of the training process (max RSS, median over rounds)');
    const g = (config) => sum.memory.find((x) => x.config === config && x.tool === 'gensim');
    const base = env.baselineRssMB ?? {};
    out.push(table(
      ['configuration', 'tool', 'peak RSS', 'vs gensim', 'runtime alone', 'peak − runtime alone'],
      sum.memory.map((x) => [
        CONFIGS[x.config]?.label ?? x.config, label(x.tool), `${fix(x.medianMaxRssMB)} MB`, g(x.config) ? fmtRatio(x.medianMaxRssMB / g(x.config).medianMaxRssMB) : '–',
        base[x.tool] ? `${fix(base[x.tool])} MB` : '–', base[x.tool] ? `${fix(x.medianMaxRssMB - base[x.tool])} MB` : '–',
      ]),
      ['l', 'l', 'r', 'r', 'r', 'r'],
    ));
    if (base.quantext || base.gensim) {
      out.push('"Runtime alone" is the peak RSS of the interpreter with the library loaded and nothing trained: Node with quantext\'s ' +
        'wasm runtime initialised, or Python with gensim imported. word2vec C allocates a 30 M-entry vocabulary hash and a 1e8-entry ' +
        'unigram table up front (≈ 500 MB whatever the corpus).');
    }
  }

  if (results.crossCheck?.length) {
    out.push('### Evaluator cross-check (first round\'s skip-gram models, quantext `eval` vs gensim)');
    out.push(table(
      ['model', 'analogy, quantext eval', 'analogy, gensim', 'WS353, quantext eval', 'WS353, gensim', 'SimLex, quantext eval', 'SimLex, gensim'],
      results.crossCheck.map((c) => [
        label(c.tool), `${c.quantext.analogyCorrect}/${c.quantext.analogyTotal}`, `${c.gensim.analogyCorrect}/${c.gensim.analogyTotal}`,
        c.quantext.ws353.toFixed(4), c.gensim.ws353.toFixed(4), c.quantext.simlex.toFixed(4), c.gensim.simlex.toFixed(4),
      ]),
    ));
  }
  if (results.notes?.length) out.push(results.notes.map((n) => `- ${n}`).join('\n'));
  return out.filter(Boolean).join('\n\n');
}

// ---------------------------------------------------------------------------------------------------------------
// standalone: node bench/word2vec.bench.mjs [--quick] [options]
//             node bench/word2vec.bench.mjs --reanalyze [--quick]   recompute targets from the recorded runs

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const repoDir = resolve(BENCH_DIR, '..');
  if (argv.includes('--reanalyze')) {
    const file = join(BENCH_DIR, 'results', ...(quick ? ['tmp'] : []), 'word2vec.json');
    const results = reanalyze(JSON.parse(readFileSync(file, 'utf8')));
    writeFileSync(file, JSON.stringify(results, null, 1) + '\n');
    console.log(`re-analysed ${file}`);
    for (const m of results.metrics) console.log(`  ${m.name}: ${m.value}${m.unit ? ' ' + m.unit : ''}${m.target ? `  (target ${m.target}: ${m.ok ? 'met' : 'MISSED'})` : ''}`);
    if (!quick) spawnSync(process.execPath, [join(BENCH_DIR, 'run.mjs'), '--render'], { stdio: 'inherit' });
    process.exit(0);
  }
  const ctx = { quick, args: argv.filter((a) => a !== '--quick'), repoDir, log: (m) => process.stderr.write(`[word2vec] ${m}\n`) };
  const t0 = performance.now();
  const out = await run(ctx);
  const results = { schema: 1, suite: 'word2vec', title, description, quick, machine: machineInfo(repoDir), durationSec: round((performance.now() - t0) / 1000, 3), ...out };
  const file = join(BENCH_DIR, 'results', ...(quick ? ['tmp'] : []), 'word2vec.json');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(results, null, 1) + '\n');
  console.log(`wrote ${file}`);
  for (const m of results.metrics) console.log(`  ${m.name}: ${m.value}${m.unit ? ' ' + m.unit : ''}${m.target ? `  (target ${m.target}: ${m.ok ? 'met' : 'MISSED'})` : ''}`);
  if (!quick) {
    const r = spawnSync(process.execPath, [join(BENCH_DIR, 'run.mjs'), '--render'], { stdio: 'inherit' });
    if (r.status !== 0) console.error('regenerating bench/RESULTS.md failed');
  }
}
