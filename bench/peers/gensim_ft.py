#!/usr/bin/python3
"""gensim's side of the `fasttext` bench case: train gensim FastText from a file corpus (LineSentence).

Run with Debian's /usr/bin/python3 (python3-gensim). Prints one JSON object as its last stdout line.

  gensim_ft.py train --corpus brown.txt --out vec.txt --sg 1 --minn 3 --maxn 6 --bucket 2000000 --workers 1

The timed window is gensim_w2v.py's: build_vocab(LineSentence) + train(); interpreter start, imports and saving the
(word) vectors are outside it. Evaluate the saved vectors with `gensim_w2v.py eval`.
"""
import argparse
import json
import resource
import sys
import time


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main():
    p = argparse.ArgumentParser()
    p.add_argument("cmd", choices=["train"])
    p.add_argument("--corpus", required=True)
    p.add_argument("--out")
    p.add_argument("--sg", type=int, default=1)
    p.add_argument("--dim", type=int, default=100)
    p.add_argument("--window", type=int, default=5)
    p.add_argument("--negative", type=int, default=5)
    p.add_argument("--sample", type=float, default=1e-3)
    p.add_argument("--min-count", type=int, default=5)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--alpha", type=float, default=0.025)
    p.add_argument("--min-alpha", type=float, default=0.0001)
    p.add_argument("--minn", type=int, default=3)
    p.add_argument("--maxn", type=int, default=6)
    p.add_argument("--bucket", type=int, default=2000000)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    import gensim
    from gensim.models import FastText
    from gensim.models.word2vec import LineSentence

    model = FastText(
        vector_size=a.dim, window=a.window, min_count=a.min_count, sample=a.sample, negative=a.negative, hs=0,
        sg=a.sg, alpha=a.alpha, min_alpha=a.min_alpha, workers=a.workers, seed=a.seed, epochs=a.epochs,
        min_n=a.minn, max_n=a.maxn, bucket=a.bucket,
    )
    c0, t0 = cpu_seconds(), time.perf_counter()
    model.build_vocab(LineSentence(a.corpus))
    t1 = time.perf_counter()
    model.train(LineSentence(a.corpus), total_examples=model.corpus_count, epochs=a.epochs)
    t2, c2 = time.perf_counter(), cpu_seconds()
    if a.out:
        model.wv.save_word2vec_format(a.out, binary=a.out.endswith(".bin"))
    out = {
        "tool": "gensim-fasttext",
        "words": int(model.corpus_total_words) * a.epochs,
        "vocabSeconds": t1 - t0,
        "trainSeconds": t2 - t1,
        "seconds": t2 - t0,
        "cpuSeconds": c2 - c0,
        "vocabSize": len(model.wv),
        "epochs": a.epochs,
        "threads": a.workers,
        "maxRssKB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "gensim": gensim.__version__,
    }
    sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
