#!/usr/bin/python3
"""gensim's side of bench/word2vec.bench.mjs: train Word2Vec from a file corpus, or evaluate vectors.

Run with Debian's /usr/bin/python3 (python3-gensim; see install.sh). Prints one JSON object as its last stdout line.

  gensim_w2v.py train --corpus brown.txt --out vec.bin --sg 1 --alpha 0.025 --workers 1 --seed 1 [--epochs 5 ...]
  gensim_w2v.py eval --vectors vec.bin --analogies questions-words.txt --pairs wordsim353.tsv [--restrict 30000]
  gensim_w2v.py info

What `train` times (the "timed window", comparable with the other tools' runners):
  vocabulary pass  model.build_vocab(LineSentence(corpus))        (or corpus_file=... with --corpus-file)
  training         model.train(..., epochs=E)                     every epoch streams the file again
The interpreter's start, the imports and saving the vectors are outside the window. CPU seconds are
getrusage(RUSAGE_SELF) over the window: every thread of the process (gensim's worker threads and the thread that
reads the corpus and fills their job queue).
"""
import argparse
import json
import logging
import os
import resource
import sys
import time


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def info():
    import gensim
    import numpy
    from gensim.models import word2vec_inner

    return {
        "gensim": gensim.__version__,
        "numpy": numpy.__version__,
        "python": sys.version.split()[0],
        # >= 0: the Cython kernels are in use (-1 would mean gensim's slow pure-Python path)
        "fastVersion": getattr(word2vec_inner, "FAST_VERSION", -1),
        "maxWordsInBatch": getattr(word2vec_inner, "MAX_WORDS_IN_BATCH", None),
    }


def train(a):
    from gensim.models import Word2Vec
    from gensim.models.word2vec import LineSentence

    model = Word2Vec(
        vector_size=a.dim, window=a.window, min_count=a.min_count, sample=a.sample, negative=a.negative, hs=0,
        sg=a.sg, alpha=a.alpha, min_alpha=a.min_alpha, workers=a.workers, seed=a.seed, epochs=a.epochs,
    )
    c0, t0 = cpu_seconds(), time.perf_counter()
    if a.corpus_file:
        model.build_vocab(corpus_file=a.corpus)
    else:
        model.build_vocab(LineSentence(a.corpus))
    t1 = time.perf_counter()
    if a.corpus_file:
        model.train(corpus_file=a.corpus, total_examples=model.corpus_count, total_words=model.corpus_total_words,
                    epochs=a.epochs)
    else:
        model.train(LineSentence(a.corpus), total_examples=model.corpus_count, epochs=a.epochs)
    t2, c2 = time.perf_counter(), cpu_seconds()
    if a.out:
        model.wv.save_word2vec_format(a.out, binary=a.out.endswith(".bin"))
    return {
        "tool": "gensim",
        "mode": "corpus_file" if a.corpus_file else "LineSentence",
        "words": int(model.corpus_total_words) * a.epochs,  # raw corpus tokens x epochs
        "vocabSeconds": t1 - t0,
        "trainSeconds": t2 - t1,
        "seconds": t2 - t0,
        "cpuSeconds": c2 - c0,
        "vocabSize": len(model.wv),
        "epochs": a.epochs,
        "threads": a.workers,
        # ru_maxrss is in KiB on Linux
        "maxRssKB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        **info(),
    }


def evaluate(a):
    from gensim.models import KeyedVectors

    kv = KeyedVectors.load_word2vec_format(a.vectors, binary=a.vectors.endswith(".bin"))
    out = {"tool": "gensim-eval", "vectors": a.vectors, "vocabSize": len(kv), "gensim": info()["gensim"]}
    if a.analogies:
        score, sections = kv.evaluate_word_analogies(a.analogies, restrict_vocab=a.restrict, case_insensitive=True)
        total = next(s for s in sections if s["section"] == "Total accuracy")
        out["analogy"] = {
            "accuracy": score,
            "correct": len(total["correct"]),
            "total": len(total["correct"]) + len(total["incorrect"]),
            "sections": [{"section": s["section"], "correct": len(s["correct"]), "incorrect": len(s["incorrect"])}
                         for s in sections],
        }
    out["pairs"] = []
    for f in a.pairs:
        (pearson, _), (spearman, _), oov = kv.evaluate_word_pairs(f, restrict_vocab=a.restrict, case_insensitive=True)
        out["pairs"].append({"file": f, "pearson": float(pearson), "spearman": float(spearman), "oovRatio": float(oov)})
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train")
    t.add_argument("--corpus", required=True)
    t.add_argument("--out")
    t.add_argument("--sg", type=int, default=1)
    t.add_argument("--dim", type=int, default=100)
    t.add_argument("--window", type=int, default=5)
    t.add_argument("--negative", type=int, default=5)
    t.add_argument("--sample", type=float, default=1e-3)
    t.add_argument("--min-count", type=int, default=5)
    t.add_argument("--epochs", type=int, default=5)
    t.add_argument("--alpha", type=float, default=0.025)
    t.add_argument("--min-alpha", type=float, default=0.0001)
    t.add_argument("--workers", type=int, default=1)
    t.add_argument("--seed", type=int, default=1)
    t.add_argument("--corpus-file", action="store_true", help="gensim's corpus_file mode instead of LineSentence")
    e = sub.add_parser("eval")
    e.add_argument("--vectors", required=True)
    e.add_argument("--analogies")
    e.add_argument("--pairs", action="append", default=[])
    e.add_argument("--restrict", type=int, default=30000)
    sub.add_parser("info")
    a = p.parse_args()
    if os.environ.get("GENSIM_BENCH_LOG"):
        logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    out = train(a) if a.cmd == "train" else evaluate(a) if a.cmd == "eval" else info()
    sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
