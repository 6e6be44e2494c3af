#!/usr/bin/env bash
# Installs the reference tools that bench/word2vec.bench.mjs compares quantext with. Idempotent: a tool that is
# already installed is left alone, so running it again costs a few seconds.
#
#   bash bench/peers/install.sh            gensim, word2vec C, GNU time, and fastText
#   bash bench/peers/install.sh --no-fasttext
#
# What it installs and where:
#   - Debian python3-gensim (gensim 4.2 with its Cython kernels; run with /usr/bin/python3, not a pyenv/venv python)
#   - Debian time (/usr/bin/time -v: peak RSS and CPU seconds of each training process)
#   - Debian fasttext 0.9.2 (optional: a word-level CBOW/skip-gram point of comparison)
#   - the original word2vec C tool, from npm `word2vec` into bench/peers/node_modules (never into the project's own
#     package.json). npm 11 does not run the package's install script by default, and the tarball ships prebuilt
#     binaries of unknown origin, so this script compiles word2vec.c itself, with the package's flags
#     (gcc -O3 -march=native -funroll-loops), and records the compiler and flags in src/BUILD_INFO.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WITH_FASTTEXT=1
for a in "$@"; do
  case "$a" in
    --no-fasttext) WITH_FASTTEXT=0 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $a" >&2; exit 2 ;;
  esac
done

log() { printf '[peers] %s\n' "$*" >&2; }

# ---- onnxruntime-web 1.30 and onnx-proto (bench/inference.bench.mjs): npm only, no install scripts ----
if [ ! -f "$HERE/node_modules/onnxruntime-web/package.json" ] || [ ! -f "$HERE/node_modules/onnx-proto/package.json" ]; then
  log "npm ci onnxruntime-web and onnx-proto into bench/peers/node_modules"
  (cd "$HERE" && npm ci --ignore-scripts --no-audit --no-fund >&2)
fi

# ---- Debian packages ----
apt_missing=()
/usr/bin/python3 -c 'import gensim' >/dev/null 2>&1 || apt_missing+=(python3-gensim)
[ -x /usr/bin/time ] || apt_missing+=(time)
command -v gcc >/dev/null 2>&1 || apt_missing+=(gcc)
command -v make >/dev/null 2>&1 || apt_missing+=(make)
if [ "$WITH_FASTTEXT" = 1 ] && ! command -v fasttext >/dev/null 2>&1; then apt_missing+=(fasttext); fi
if [ ${#apt_missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || { log "need root (or sudo) to apt-get install ${apt_missing[*]}"; exit 1; }
    SUDO="sudo"
  fi
  log "apt-get install ${apt_missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${apt_missing[@]}" >&2
else
  log "Debian packages present (python3-gensim, time$([ "$WITH_FASTTEXT" = 1 ] && echo ', fasttext'))"
fi

# ---- word2vec C (npm `word2vec`, compiled here) ----
SRC="$HERE/node_modules/word2vec/src"
if [ ! -f "$SRC/word2vec.c" ]; then
  log "npm install word2vec into bench/peers/node_modules"
  cd "$HERE"
  if [ -f package-lock.json ]; then npm ci --ignore-scripts --no-audit --no-fund >&2; else npm install --ignore-scripts --no-audit --no-fund >&2; fi
fi
FLAGS="-lm -pthread -O3 -march=native -Wall -funroll-loops -Wno-unused-result -fno-stack-protector"
INFO="$SRC/BUILD_INFO"
WANT="gcc $(gcc -dumpfullversion 2>/dev/null || gcc -dumpversion) $FLAGS $(sha256sum "$SRC/word2vec.c" | cut -c1-16)"
if [ ! -x "$SRC/word2vec" ] || [ ! -f "$INFO" ] || [ "$(cat "$INFO")" != "$WANT" ]; then
  log "compiling word2vec.c ($FLAGS)"
  # same command as the package's makefile, forced: the tarball's prebuilt binary is replaced
  (cd "$SRC" && rm -f word2vec && gcc word2vec.c -o word2vec $FLAGS)
  echo "$WANT" > "$INFO"
else
  log "word2vec C already compiled ($WANT)"
fi

log "done: gensim $(/usr/bin/python3 -c 'import gensim; print(gensim.__version__)'), word2vec C at ${SRC#"$HERE/"}/word2vec$(command -v fasttext >/dev/null 2>&1 && echo ', fasttext' || true)"
