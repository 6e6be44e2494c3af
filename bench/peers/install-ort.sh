#!/usr/bin/env bash
# Installs onnxruntime-web 1.30.0 and onnx-proto 8.0.1 into bench/peers/node_modules (from bench/peers/package.json
# and its lock; never the project's own package.json). Used by bench/peers/ort.mjs (the inference bench's
# onnxruntime-web peer) and by test/onnx (comparisons with onnxruntime-web and onnx-proto, skipped when absent).
# Idempotent; `npm install` (not `npm ci`) so that the word2vec tool compiled by install.sh is left in place.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ -f "$HERE/node_modules/onnxruntime-web/package.json" ] && [ -f "$HERE/node_modules/onnx-proto/package.json" ]; then
  echo "[peers] onnxruntime-web $(node -p "require('$HERE/node_modules/onnxruntime-web/package.json').version") and onnx-proto present" >&2
  exit 0
fi
echo "[peers] npm install onnxruntime-web and onnx-proto into bench/peers/node_modules" >&2
cd "$HERE" && npm install --ignore-scripts --no-audit --no-fund >&2
