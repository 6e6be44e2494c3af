#!/usr/bin/env node
// Renames the wasm kernels to one naming convention (issue 9 §4), across the source tree:
//   _scalar    the same code with the SIMD path off (was `_ref`); independent references live in the tests
//   _per_row   per-row parameters (scales, zero points, α, bounds) or per-row results (min/max, norms, …)
//   _gather    reads a list of row indices and writes one result per listed row
//   layouts    named by their words: b1_bytes_to_bits / b1_bits_to_bytes (byte-aligned rows ↔ contiguous bits)
// Whole-word replacements (identifier boundaries: letters, digits, _ and $ other than a template's `${`) from the explicit table below, all in one
// pass, so a longer name is never half-rewritten by a shorter one. Idempotent: no new name is an old name, so a second
// run changes nothing. Run from the repository root:
//   node scripts/dev/rename-kernels.mjs            rewrite the files in place and list them
//   node scripts/dev/rename-kernels.mjs --check    list what would change; exit 1 if anything would
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** old → new. Kernels not listed keep their names. */
export const RENAMES = {
  // ---- _ref (the same code with the SIMD path off) → _scalar; also the bare suffix in prose and tests
  _ref: '_scalar',
  dot_f32_ref: 'dot_f32_scalar',
  axpy_f32_ref: 'axpy_f32_scalar',
  scale_f32_ref: 'scale_f32_scalar',
  mul_f32_ref: 'mul_f32_scalar',
  norm_l2_f32_ref: 'norm_l2_f32_scalar',
  matvec_f32_ref: 'matvec_f32_scalar',
  topk_f32_ref: 'topk_f32_scalar',
  argmax_f32_ref: 'argmax_f32_scalar',
  quantize_affine_i8_ref: 'quantize_affine_i8_scalar',
  quantize_affine_u8_ref: 'quantize_affine_u8_scalar',
  quantize_affine_i8_stochastic_ref: 'quantize_affine_i8_stochastic_scalar',
  quantize_affine_u8_stochastic_ref: 'quantize_affine_u8_stochastic_scalar',
  dequantize_affine_i8_ref: 'dequantize_affine_i8_scalar',
  dequantize_affine_u8_ref: 'dequantize_affine_u8_scalar',
  uniform_quantize_f32_ref: 'uniform_quantize_f32_scalar',
  find_nonfinite_f32_ref: 'find_nonfinite_f32_scalar',
  error_stats_f32_ref: 'error_stats_f32_scalar',
  pack_i4_ref: 'pack_i4_scalar',
  unpack_i4_ref: 'unpack_i4_scalar',
  pack_i2_ref: 'pack_i2_scalar',
  unpack_i2_ref: 'unpack_i2_scalar',
  f32_to_f16_ref: 'f32_to_f16_scalar',
  f16_to_f32_ref: 'f16_to_f32_scalar',
  f32_to_bf16_ref: 'f32_to_bf16_scalar',
  bf16_to_f32_ref: 'bf16_to_f32_scalar',
  dot_i8_ref: 'dot_i8_scalar',
  matvec_i8_ref: 'matvec_i8_scalar',
  matvec_i8_scaled_ref: 'matvec_i8_scaled_scalar',
  matvec_i4_ref: 'matvec_i4_scalar',
  matvec_i4_scaled_ref: 'matvec_i4_scaled_scalar',
  hamming_b1_ref: 'hamming_b1_scalar',
  sign_dot_b1_ref: 'sign_dot_b1_scalar',
  hamming_topk_b1_ref: 'hamming_topk_b1_scalar',
  hamming_topk_b1_blocked_ref: 'hamming_topk_b1_blocked_scalar',
  matvec_f16_ref: 'matvec_f16_scalar',
  matvec_bf16_ref: 'matvec_bf16_scalar',
  pq_kmeans_f32_ref: 'pq_kmeans_f32_scalar',
  pq_encode_f32_ref: 'pq_encode_f32_scalar',
  w2v_train_batch_ref: 'w2v_train_batch_scalar',

  // ---- per-row parameters → _per_row
  quantize_affine_i8_rows: 'quantize_affine_i8_per_row',
  quantize_affine_i8_rows_ref: 'quantize_affine_i8_per_row_scalar',
  quantize_affine_u8_rows: 'quantize_affine_u8_per_row',
  quantize_affine_u8_rows_ref: 'quantize_affine_u8_per_row_scalar',
  quantize_affine_i8_stochastic_rows: 'quantize_affine_i8_stochastic_per_row',
  quantize_affine_i8_stochastic_rows_ref: 'quantize_affine_i8_stochastic_per_row_scalar',
  quantize_affine_u8_stochastic_rows: 'quantize_affine_u8_stochastic_per_row',
  quantize_affine_u8_stochastic_rows_ref: 'quantize_affine_u8_stochastic_per_row_scalar',
  dequantize_affine_i8_rows: 'dequantize_affine_i8_per_row',
  dequantize_affine_i8_rows_ref: 'dequantize_affine_i8_per_row_scalar',
  dequantize_affine_u8_rows: 'dequantize_affine_u8_per_row',
  dequantize_affine_u8_rows_ref: 'dequantize_affine_u8_per_row_scalar',
  dequantize_b1_rows: 'dequantize_b1_per_row',
  quantize_ternary_rows: 'quantize_ternary_per_row',
  count_outside_rows: 'count_outside_per_row',
  quant_error_rows_i8: 'quant_error_i8_per_row',
  quant_error_rows_i8_ref: 'quant_error_i8_per_row_scalar',

  // ---- per-row reductions → _per_row (row norms: norm_l2_<type>_per_row, beside norm_l2_f32 of one vector)
  minmax_f32_rows: 'minmax_f32_per_row',
  minmax_f32_rows_ref: 'minmax_f32_per_row_scalar',
  absmax_f32_rows: 'absmax_f32_per_row',
  absmax_f32_rows_ref: 'absmax_f32_per_row_scalar',
  absmean_f32_rows: 'absmean_f32_per_row',
  twn_rows: 'twn_per_row',
  row_norms_f32: 'norm_l2_f32_per_row',
  row_norms_f32_ref: 'norm_l2_f32_per_row_scalar',
  row_norms_i8: 'norm_l2_i8_per_row',
  row_norms_i8_ref: 'norm_l2_i8_per_row_scalar',
  row_norms_i4: 'norm_l2_i4_per_row',
  row_norms_half: 'norm_l2_half_per_row',
  pq_row_norms: 'pq_norm_l2_per_row',
  normalize_rows_f32: 'normalize_f32_per_row',
  normalize_rows_f32_ref: 'normalize_f32_per_row_scalar',
  // every row minus one vector (the column mean): not per-row data
  center_rows_f32: 'center_f32',
  center_rows_f32_ref: 'center_f32_scalar',

  // ---- a list of row indices → _gather
  matvec_f32_rows: 'matvec_f32_gather',
  matvec_f32_rows_ref: 'matvec_f32_gather_scalar',
  mul_gather_f32: 'mul_f32_gather',

  // ---- layouts named by their words
  pack_b1_rows: 'pack_b1_f32', // sign bits of f32 rows into byte-aligned rows, as pack_i4 / pack_i2 pack codes
  pack_b1_rows_ref: 'pack_b1_f32_scalar',
  b1_rows_to_bits: 'b1_bytes_to_bits', // byte-aligned rows → one contiguous bit string
  b1_bits_to_rows: 'b1_bits_to_bytes',
  pq_decode_rows: 'pq_decode_f32', // the inverse of pq_encode_f32
};

/** Where identifiers are rewritten (relative to the repository root), and which files. */
export const ROOTS = ['assembly', 'src', 'test', 'bench', 'scripts', 'docs', 'examples', 'README.md'];
const EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json', '.md'];
const SKIP_DIRS = new Set(['node_modules', 'dist', 'build', '.git']);

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// longest first (the boundaries already make the match exact; this keeps the alternation unambiguous)
const names = Object.keys(RENAMES).sort((a, b) => b.length - a.length);
// a `$` ends a name when it opens a template substitution: `quantize_affine_i8_rows${sfx}`
const PATTERN = new RegExp(`(?<![A-Za-z0-9_$])(?:${names.map(escape).join('|')})(?![A-Za-z0-9_]|\\$(?!\\{))`, 'g');

/** The text with every listed identifier renamed, and how many were. */
export function renameText(text) {
  let n = 0;
  const out = text.replace(PATTERN, (m) => { n++; return RENAMES[m]; });
  return { text: out, count: n };
}

function* files(root, self) {
  let st;
  try { st = statSync(root); } catch { return; }
  if (st.isFile()) {
    if (resolve(root) !== self && EXTENSIONS.some((e) => root.endsWith(e))) yield root;
    return;
  }
  for (const e of readdirSync(root, { withFileTypes: true })) {
    if (e.isDirectory() && SKIP_DIRS.has(e.name)) continue;
    yield* files(join(root, e.name), self);
  }
}

function main() {
  const check = process.argv.includes('--check');
  const self = fileURLToPath(import.meta.url);
  // sanity: the table is a renaming, not a chain (idempotence)
  for (const [o, n] of Object.entries(RENAMES)) {
    if (n in RENAMES) throw new Error(`${o} → ${n}: ${n} is itself renamed; a second run would change it`);
    if (renameText(n).count) throw new Error(`${o} → ${n}: the new name contains an old one`);
  }
  let changed = 0, total = 0;
  for (const r of ROOTS) {
    for (const f of files(r, self)) {
      const before = readFileSync(f, 'utf8');
      const { text, count } = renameText(before);
      if (!count || text === before) continue;
      changed++;
      total += count;
      if (!check) writeFileSync(f, text);
      console.log(`${check ? 'would rename' : 'renamed'} ${count}\t${relative('.', f)}`);
    }
  }
  console.log(`${check ? 'would change' : 'changed'} ${changed} files, ${total} identifiers`);
  if (check && changed) process.exit(1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
