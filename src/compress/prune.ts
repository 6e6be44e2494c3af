/**
 * Magnitude pruning (issue 13): masks by threshold (|w| < t → pruned, the textbook form) or to a target sparsity (an
 * exact count of pruned weights, ties broken by index), over one tensor, several tensors with one global threshold
 * or each its own (per layer); pruned inference layers (Linear → SparseLinear with the mask), pruned word-vector
 * tables and vocabulary cuts (by row norm as fastText's `-cutoff`, or by frequency as gensim's `min_count`), and
 * iterative prune → retrain schedules (Zhu & Gupta 2017's cubic ramp, or linear).
 *
 * A mask is a Uint8Array with one byte per weight: 1 keeps the weight, 0 prunes it (the convention of
 * SparseLinear's `mask` and TextClassifier.train's `masks`).
 *
 * ```ts
 * const { masks, sparsity } = pruneTensors({ a, b }, { sparsity: 0.9, scope: 'global' });
 * const { model: sparse } = pruneSequential(model, { sparsity: 0.9 });      // Linear layers → SparseLinear
 * await pruneRetrain(clf, 'train.txt', { steps: 4, sparsity: 0.9, epochsPerStep: 1 });
 * ```
 */
import { QuantextError, check } from '../errors.js';
import type { TextClassifier, ClassifierTrainResult } from '../classify/classifier.js';
import type { ClassifierData } from '../classify/encode.js';
import { DenseMatrix } from '../vectors/matrix.js';
import { KeyedVectors } from '../vectors/keyed.js';
import { Sequential, buildLayer } from '../infer/sequential.js';
import { Linear } from '../infer/linear.js';
import { SparseLinear } from '../infer/sparse.js';
import type { Layer } from '../infer/layer.js';

/** Exactly one of `threshold` and `sparsity`. */
export interface MagnitudeOptions {
  /** Prune every weight with |w| < threshold (finite, ≥ 0). */
  threshold?: number;
  /**
   * Prune this fraction of the weights, in [0, 1): exactly round(sparsity · n) of them (as torch.nn.utils.prune
   * counts), the smallest |w| first; among equal |w| the lower index (in a global pool: the earlier tensor, in key
   * order) is pruned first, so the result is deterministic.
   */
  sparsity?: number;
}

export interface PruneTensorsOptions extends MagnitudeOptions {
  /**
   * 'per-layer' (default): each tensor is pruned to `sparsity` on its own. 'global': one threshold over all the
   * tensors together (their sparsities then differ: tensors of small weights lose more). With `threshold` both
   * scopes give the same masks.
   */
  scope?: 'global' | 'per-layer';
  /**
   * Masks already in force (1 keep, 0 pruned), by tensor name: those weights stay pruned and count towards the
   * target (an iterative schedule passes the previous step's masks).
   */
  masks?: Record<string, Uint8Array>;
}

export interface PruneResult {
  /** per tensor: 1 keep, 0 pruned */
  masks: Record<string, Uint8Array>;
  /** per tensor: the fraction of its weights pruned */
  sparsity: Record<string, number>;
  /** the fraction of all the weights pruned */
  overall: number;
}

const MAGNITUDE_KEYS = ['threshold', 'sparsity'];
const TENSORS_KEYS = [...MAGNITUDE_KEYS, 'scope', 'masks'];

function describe(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : typeof v === 'number' ? String(v) : v === null ? 'null' : typeof v;
}

function checkKeys(fn: string, o: object, keys: readonly string[]): void {
  for (const k of Object.keys(o)) check(keys.includes(k), `${fn}: unknown option '${k}'`, { option: k });
}

/** Validates threshold / sparsity; returns which one is given. */
function checkMagnitude(fn: string, o: MagnitudeOptions | undefined): 'threshold' | 'sparsity' {
  check(typeof o === 'object' && o !== null, `${fn}: options must be an object { threshold } or { sparsity }, got ${describe(o)}`, { option: 'options' });
  const hasT = o.threshold !== undefined, hasS = o.sparsity !== undefined;
  check(hasT || hasS, `${fn}: give either threshold (prune |w| < threshold) or sparsity (the fraction to prune)`, { option: 'sparsity' });
  check(!(hasT && hasS), `${fn}: give threshold or sparsity, not both`, { option: 'threshold' });
  if (hasT) {
    const t = o.threshold;
    check(typeof t === 'number' && Number.isFinite(t) && t >= 0, `${fn}: threshold must be a finite number ≥ 0, got ${describe(t)}`, { option: 'threshold', value: t });
    return 'threshold';
  }
  const s = o.sparsity;
  check(typeof s === 'number' && s >= 0 && s < 1, `${fn}: sparsity must be a number in [0, 1), got ${describe(s)}`, { option: 'sparsity', value: s });
  return 'sparsity';
}

function checkTensor(fn: string, name: string, w: unknown): Float32Array {
  check(w instanceof Float32Array, `${fn}: tensor '${name}' must be a Float32Array, got ${describe(w)}`, { option: name });
  return w;
}

function checkPrior(fn: string, name: string, m: unknown, n: number): Uint8Array {
  check(m instanceof Uint8Array, `${fn}: masks.${name} must be a Uint8Array, got ${describe(m)}`, { option: `masks.${name}` });
  if (m.length !== n) throw new QuantextError('E_SHAPE', `${fn}: masks.${name} has ${m.length} bytes for a tensor of ${n} weights`, { option: `masks.${name}`, got: m.length, want: n });
  return m;
}

/** |w| as ordered integers: the f32 bits without the sign (monotone in |w| for finite values). */
function absBits(w: Float32Array): Uint32Array {
  return new Uint32Array(w.buffer, w.byteOffset, w.length);
}

const NONFINITE = 0x7f800000;

/** Throws E_NAN naming the tensor (the option) and the first non-finite index. */
function checkFiniteTensor(fn: string, name: string, w: Float32Array): void {
  const b = absBits(w);
  for (let i = 0; i < b.length; i++) {
    if ((b[i] & 0x7fffffff) >= NONFINITE) throw new QuantextError('E_NAN', `${fn}: ${name}[${i}] is ${w[i]}; magnitude pruning needs finite weights`, { option: name, index: i, value: w[i] });
  }
}

/**
 * Masks for a pool of tensors sharing one rule: prune `k` more weights (beyond those the prior masks prune), the
 * smallest |w| first, ties by position in the pool. Radix selection on the 31 magnitude bits (two 15/16-bit
 * histogram passes), so O(n) without sorting or copying the weights.
 */
function selectPool(ws: Float32Array[], priors: (Uint8Array | undefined)[], k: number): Uint8Array[] {
  const masks = ws.map((w) => new Uint8Array(w.length).fill(1));
  ws.forEach((_, t) => { const p = priors[t]; if (p) for (let i = 0; i < p.length; i++) if (!p[i]) masks[t][i] = 0; });
  if (k <= 0) return masks;
  const hi = new Float64Array(1 << 15);
  for (let t = 0; t < ws.length; t++) {
    const b = absBits(ws[t]), m = masks[t];
    for (let i = 0; i < b.length; i++) if (m[i]) hi[(b[i] & 0x7fffffff) >>> 16]++;
  }
  let h = 0, below = 0;
  while (below + hi[h] < k) below += hi[h++];
  const lo = new Float64Array(1 << 16);
  for (let t = 0; t < ws.length; t++) {
    const b = absBits(ws[t]), m = masks[t];
    for (let i = 0; i < b.length; i++) if (m[i] && (b[i] & 0x7fffffff) >>> 16 === h) lo[b[i] & 0xffff]++;
  }
  let l = 0;
  while (below + lo[l] < k) below += lo[l++];
  const v = (h << 16) | l;
  let ties = k - below; // this many weights with bits === v are pruned, in pool order
  for (let t = 0; t < ws.length; t++) {
    const b = absBits(ws[t]), m = masks[t];
    for (let i = 0; i < b.length; i++) {
      if (!m[i]) continue;
      const a = b[i] & 0x7fffffff;
      if (a < v) m[i] = 0;
      else if (a === v && ties > 0) { m[i] = 0; ties--; }
    }
  }
  return masks;
}

function zeros(m: Uint8Array): number {
  let z = 0;
  for (let i = 0; i < m.length; i++) z += m[i] ? 0 : 1;
  return z;
}

/**
 * Masks for several named tensors by magnitude (see {@link PruneTensorsOptions}). The tensors are read, not changed
 * (apply the masks with {@link applyMask}). E_OPTION for bad options, E_NAN for a non-finite weight (naming the
 * tensor), E_SHAPE for a prior mask of the wrong length.
 */
export function pruneTensors(tensors: Record<string, Float32Array>, options: PruneTensorsOptions): PruneResult {
  const fn = 'pruneTensors';
  const rule = checkMagnitude(fn, options);
  checkKeys(fn, options, TENSORS_KEYS);
  const scope = options.scope ?? 'per-layer';
  check(scope === 'global' || scope === 'per-layer', `${fn}: scope must be 'global' or 'per-layer', got ${describe(scope)}`, { option: 'scope', value: scope });
  check(typeof tensors === 'object' && tensors !== null, `${fn}: tensors must be an object of named Float32Arrays`, { option: 'tensors' });
  const names = Object.keys(tensors);
  if (names.length === 0) throw new QuantextError('E_EMPTY', `${fn}: no tensors given`, { option: 'tensors' });
  const prior = options.masks;
  if (prior !== undefined) {
    check(typeof prior === 'object' && prior !== null, `${fn}: masks must be an object of Uint8Arrays by tensor name`, { option: 'masks' });
    for (const k of Object.keys(prior)) check(names.includes(k), `${fn}: masks.${k} names no tensor`, { option: `masks.${k}` });
  }
  const ws = names.map((n) => checkTensor(fn, n, tensors[n]));
  const ps = names.map((n, i) => (prior?.[n] !== undefined ? checkPrior(fn, n, prior[n], ws[i].length) : undefined));
  names.forEach((n, i) => checkFiniteTensor(fn, n, ws[i]));
  let masks: Uint8Array[];
  if (rule === 'threshold') {
    const t = Math.abs(options.threshold!);
    masks = ws.map((w, j) => {
      const m = new Uint8Array(w.length), p = ps[j];
      for (let i = 0; i < w.length; i++) m[i] = Math.abs(w[i]) < t || (p && !p[i]) ? 0 : 1;
      return m;
    });
  } else {
    const s = options.sparsity!;
    if (scope === 'global') {
      const n = ws.reduce((a, w) => a + w.length, 0);
      const already = ps.reduce((a, p) => a + (p ? zeros(p) : 0), 0);
      masks = selectPool(ws, ps, Math.round(s * n) - already);
    } else {
      masks = ws.map((w, j) => selectPool([w], [ps[j]], Math.round(s * w.length) - (ps[j] ? zeros(ps[j]!) : 0))[0]);
    }
  }
  const out: PruneResult = { masks: {}, sparsity: {}, overall: 0 };
  let z = 0, n = 0;
  names.forEach((name, j) => {
    const zj = zeros(masks[j]);
    out.masks[name] = masks[j];
    out.sparsity[name] = masks[j].length ? zj / masks[j].length : 0;
    z += zj;
    n += masks[j].length;
  });
  out.overall = n ? z / n : 0;
  return out;
}

/**
 * The magnitude mask of one tensor (1 keep, 0 pruned): `{ threshold }` prunes |w| < threshold, `{ sparsity }`
 * exactly round(sparsity·n) weights, smallest |w| first, ties by index. E_OPTION / E_NAN as pruneTensors.
 */
export function magnitudeMask(w: Float32Array, options: MagnitudeOptions): Uint8Array {
  checkMagnitude('magnitudeMask', options);
  checkKeys('magnitudeMask', options, MAGNITUDE_KEYS);
  checkTensor('magnitudeMask', 'w', w);
  return pruneTensors({ w }, options).masks.w;
}

/** Zeroes the pruned weights of `w` in place (mask 0) and returns `w`. E_SHAPE when the lengths differ. */
export function applyMask(w: Float32Array, mask: Uint8Array): Float32Array {
  check(w instanceof Float32Array, `applyMask: w must be a Float32Array, got ${describe(w)}`, { option: 'w' });
  check(mask instanceof Uint8Array, `applyMask: mask must be a Uint8Array, got ${describe(mask)}`, { option: 'mask' });
  if (mask.length !== w.length) throw new QuantextError('E_SHAPE', `applyMask: mask has ${mask.length} bytes for ${w.length} weights`, { got: mask.length, want: w.length });
  for (let i = 0; i < w.length; i++) if (!mask[i]) w[i] = 0;
  return w;
}

// ------------------------------------------------------------------------------------------------ inference layers

export interface BlockOptions {
  /**
   * Prune whole blocks of [outputs, inputs] weights (default [1, 1]: single weights). A block's score is the root
   * mean square of its kept weights: `threshold` prunes blocks scoring below it, `sparsity` exactly round(s · blocks)
   * blocks, the lowest first (so with partial blocks at the edges the weight sparsity is close to, not exactly, s).
   * [8, 1] matches SparseLinear's 'bsr' form (8 outputs × 1 input), whose time falls with the blocks pruned.
   */
  block?: readonly [number, number];
}

export interface PruneLayersOptions extends MagnitudeOptions, BlockOptions {
  /** as in pruneTensors; default 'per-layer' */
  scope?: 'global' | 'per-layer';
  /** SparseLinear's storage: 'auto' (default: CSR, BSR or dense, whichever it measures fastest), 'csr', 'bsr' or 'dense'. */
  format?: 'auto' | 'csr' | 'bsr' | 'dense';
  /** Indices of the layers to prune (default: every Linear and SparseLinear). */
  layers?: readonly number[];
}

export interface PruneSequentialResult extends PruneResult {
  /** the pruned copy (the caller owns it); the source model is unchanged */
  model: Sequential;
}

const LAYERS_KEYS = [...MAGNITUDE_KEYS, 'scope', 'format', 'layers', 'block'];
const FORMATS = ['auto', 'csr', 'bsr', 'dense'];

function checkBlock(fn: string, b: unknown): [number, number] {
  if (b === undefined) return [1, 1];
  check(Array.isArray(b) && b.length === 2 && b.every((v) => Number.isInteger(v) && v >= 1), `${fn}: block must be [outputs, inputs], two integers ≥ 1, got ${Array.isArray(b) ? `[${b.join(', ')}]` : describe(b)}`, { option: 'block' });
  return [b[0], b[1]];
}

/**
 * pruneTensors over out × in matrices in blocks of [br, bc]: scores each block by the RMS of its kept weights, prunes
 * the scores, and expands the block masks (ANDed with the prior masks). Sparsities are recounted per weight.
 */
function pruneBlocks(fn: string, mats: Record<string, { w: Float32Array; n: number; k: number }>, prior: Record<string, Uint8Array>, block: [number, number], o: MagnitudeOptions & { scope?: 'global' | 'per-layer' }): PruneResult {
  const [br, bc] = block;
  if (br === 1 && bc === 1) return pruneTensors(Object.fromEntries(Object.entries(mats).map(([k, v]) => [k, v.w])), { threshold: o.threshold, sparsity: o.sparsity, scope: o.scope, masks: prior });
  const scores: Record<string, Float32Array> = {}, bprior: Record<string, Uint8Array> = {};
  for (const [name, { w, n, k }] of Object.entries(mats)) {
    checkFiniteTensor(fn, name, w);
    const nr = Math.ceil(n / br), nc = Math.ceil(k / bc), sc = new Float32Array(nr * nc), bp = new Uint8Array(nr * nc);
    const p = prior[name];
    for (let R = 0; R < nr; R++) for (let C = 0; C < nc; C++) {
      let ss = 0, cnt = 0;
      for (let r = R * br; r < Math.min(n, R * br + br); r++) for (let c = C * bc; c < Math.min(k, C * bc + bc); c++) {
        const i = r * k + c;
        if (p && !p[i]) continue;
        ss += w[i] * w[i];
        cnt++;
      }
      sc[R * nc + C] = cnt ? Math.sqrt(ss / cnt) : 0;
      bp[R * nc + C] = cnt ? 1 : 0;
    }
    scores[name] = sc;
    if (p) bprior[name] = bp;
  }
  const rb = pruneTensors(scores, { threshold: o.threshold, sparsity: o.sparsity, scope: o.scope, masks: bprior });
  const out: PruneResult = { masks: {}, sparsity: {}, overall: 0 };
  let z = 0, total = 0;
  for (const [name, { w, n, k }] of Object.entries(mats)) {
    const nc = Math.ceil(k / bc), bm = rb.masks[name], p = prior[name], m = new Uint8Array(w.length);
    for (let r = 0; r < n; r++) for (let c = 0; c < k; c++) {
      const i = r * k + c;
      m[i] = bm[Math.floor(r / br) * nc + Math.floor(c / bc)] && (!p || p[i]) ? 1 : 0;
    }
    const zj = zeros(m);
    out.masks[name] = m;
    out.sparsity[name] = m.length ? zj / m.length : 0;
    z += zj;
    total += m.length;
  }
  out.overall = total ? z / total : 0;
  return out;
}

function isLinear(l: Layer): l is Linear | SparseLinear {
  return l instanceof Linear || l instanceof SparseLinear;
}

/**
 * A pruned copy of a Sequential: the chosen Linear / SparseLinear layers (default all of them) become SparseLinear
 * layers with their magnitude masks (biases are not pruned); other layers are copied. Masks and sparsities are named
 * `layers.<i>.weight`, as in the model's safetensors file. A SparseLinear's existing zeros count as pruned.
 */
export function pruneSequential(model: Sequential, options: PruneLayersOptions): PruneSequentialResult {
  const fn = 'pruneSequential';
  check(model instanceof Sequential, `${fn}: model must be a Sequential, got ${describe(model)}`, { option: 'model' });
  checkMagnitude(fn, options);
  checkKeys(fn, options, LAYERS_KEYS);
  const fmt = options.format ?? 'auto';
  check(FORMATS.includes(fmt), `${fn}: format must be 'auto', 'csr', 'bsr' or 'dense', got ${describe(fmt)}`, { option: 'format' });
  const block = checkBlock(fn, options.block);
  const all = model.layers.map((l, i) => (isLinear(l) ? i : -1)).filter((i) => i >= 0);
  let chosen = all;
  if (options.layers !== undefined) {
    check(Array.isArray(options.layers), `${fn}: layers must be an array of layer indices`, { option: 'layers' });
    for (const i of options.layers) check(all.includes(i), `${fn}: layers[${options.layers.indexOf(i)}] = ${describe(i)} is not the index of a Linear or SparseLinear layer of this model (those are ${all.join(', ') || 'none'})`, { option: 'layers', value: i });
    chosen = [...new Set(options.layers)].sort((a, b) => a - b);
  }
  if (chosen.length === 0) throw new QuantextError('E_EMPTY', `${fn}: the model has no Linear or SparseLinear layer to prune`, { option: 'layers' });
  const tensors: Record<string, Float32Array> = {};
  const mats: Record<string, { w: Float32Array; n: number; k: number }> = {};
  const prior: Record<string, Uint8Array> = {};
  for (const i of chosen) {
    const l = model.layers[i] as Linear | SparseLinear;
    const w = l.weights();
    tensors[`layers.${i}.weight`] = w;
    mats[`layers.${i}.weight`] = { w, n: l.outFeatures, k: l.inFeatures };
    if (l instanceof SparseLinear) prior[`layers.${i}.weight`] = Uint8Array.from(w, (v) => (v !== 0 ? 1 : 0));
  }
  const r = pruneBlocks(fn, mats, prior, block, options);
  const out: Layer[] = [];
  try {
    model.layers.forEach((l, i) => {
      const name = `layers.${i}.weight`;
      if (chosen.includes(i)) {
        const lin = l as Linear | SparseLinear, cfg = lin.describe().config;
        out.push(SparseLinear.fromFloat(tensors[name], lin.outFeatures, lin.inFeatures, lin.bias(), {
          rt: model.rt, mask: r.masks[name], format: fmt, activation: cfg.activation === 'relu' ? 'relu' : 'none',
        }));
      } else {
        const d = l.describe();
        out.push(buildLayer(d.config, d.tensors as Parameters<typeof buildLayer>[1], model.rt));
      }
    });
    return { ...r, model: new Sequential(out, { rt: model.rt }) };
  } catch (e) {
    for (const l of out) l.dispose();
    throw e;
  }
}

/** A pruned copy of one Linear (or SparseLinear) layer as a SparseLinear with its magnitude mask. */
export function pruneLinear(layer: Linear | SparseLinear, options: MagnitudeOptions & BlockOptions & { format?: 'auto' | 'csr' | 'bsr' | 'dense' }): { layer: SparseLinear; mask: Uint8Array; sparsity: number } {
  const fn = 'pruneLinear';
  check(layer instanceof Linear || layer instanceof SparseLinear, `${fn}: layer must be a Linear or SparseLinear, got ${describe(layer)}`, { option: 'layer' });
  checkMagnitude(fn, options);
  checkKeys(fn, options, [...MAGNITUDE_KEYS, 'format', 'block']);
  check(FORMATS.includes(options.format ?? 'auto'), `${fn}: format must be 'auto', 'csr', 'bsr' or 'dense', got ${describe(options.format)}`, { option: 'format' });
  const block = checkBlock(fn, options.block);
  const w = layer.weights();
  const prior: Record<string, Uint8Array> = layer instanceof SparseLinear ? { w: Uint8Array.from(w, (v) => (v !== 0 ? 1 : 0)) } : {};
  const r = pruneBlocks(fn, { w: { w, n: layer.outFeatures, k: layer.inFeatures } }, prior, block, options);
  const cfg = layer.describe().config;
  const sl = SparseLinear.fromFloat(w, layer.outFeatures, layer.inFeatures, layer.bias(), {
    rt: layer.rt, mask: r.masks.w, format: options.format ?? 'auto', activation: cfg.activation === 'relu' ? 'relu' : 'none',
  });
  return { layer: sl, mask: r.masks.w, sparsity: r.sparsity.w };
}

// ------------------------------------------------------------------------------------------------ word vectors

export interface PruneVectorsOptions extends MagnitudeOptions {
  /** 'global' (default): one threshold over the whole table; 'per-row': each vector pruned to `sparsity` on its own. */
  scope?: 'global' | 'per-row';
}

export interface PruneVectorsResult {
  /** a new dense float32 KeyedVectors (same words and counts) with the pruned entries 0; the caller owns it */
  kv: KeyedVectors;
  /** rows × dim, 1 keep, 0 pruned */
  mask: Uint8Array;
  sparsity: number;
}

/**
 * Prunes the entries of a word-vector table by magnitude. The copy is dense float32 with the pruned entries exactly
 * 0, so every search (similarity, mostSimilar, the evaluations) runs on the pruned vectors, and a symmetric
 * quantized copy of it (`kv.quantize({ scheme: 'int8', center: false })`) keeps them 0. The source is unchanged.
 */
export function pruneVectors(kv: KeyedVectors, options: PruneVectorsOptions): PruneVectorsResult {
  const fn = 'pruneVectors';
  check(kv instanceof KeyedVectors, `${fn}: kv must be a KeyedVectors, got ${describe(kv)}`, { option: 'kv' });
  checkMagnitude(fn, options);
  checkKeys(fn, options, [...MAGNITUDE_KEYS, 'scope']);
  const scope = options.scope ?? 'global';
  check(scope === 'global' || scope === 'per-row', `${fn}: scope must be 'global' or 'per-row', got ${describe(scope)}`, { option: 'scope', value: scope });
  const rows = kv.size, dim = kv.dim;
  const w = new Float32Array(rows * dim); // decoded row by row (kv.vectors would leave a cached copy on kv)
  for (let r = 0; r < rows; r++) kv.matrix.decodeRow(r, w.subarray(r * dim, (r + 1) * dim));
  let mask: Uint8Array;
  if (scope === 'global' || options.threshold !== undefined) {
    mask = pruneTensors({ vectors: w }, { threshold: options.threshold, sparsity: options.sparsity }).masks.vectors;
  } else {
    checkFiniteTensor(fn, 'vectors', w);
    mask = new Uint8Array(rows * dim);
    const k = Math.round(options.sparsity! * dim);
    for (let r = 0; r < rows; r++) mask.set(selectPool([w.subarray(r * dim, (r + 1) * dim)], [undefined], k)[0], r * dim);
  }
  applyMask(w, mask);
  const m = DenseMatrix.from(w, rows, dim, kv.rt);
  try {
    return { kv: new KeyedVectors(kv.vocab, m, { counts: kv.counts }), mask, sparsity: rows * dim ? zeros(mask) / (rows * dim) : 0 };
  } catch (e) {
    m.dispose();
    throw e;
  }
}

export interface PruneVocabOptions {
  /**
   * Keep this many words (fastText's `-cutoff`, gensim's `restrict_vocab`-style cut): those of largest row norm
   * (`by: 'norm'`) or count (`by: 'count'`); ties keep the lower index.
   */
  keep?: number;
  /** Keep the words whose count is ≥ minCount (gensim's `min_count`); needs counts. */
  minCount?: number;
  /** What `keep` ranks by. Default 'norm' (fastText's cutoff); 'count' needs the table's counts. */
  by?: 'norm' | 'count';
}

export interface PruneVocabResult {
  /** the kept words over the kept rows, in their original order (counts kept); the caller owns it */
  kv: KeyedVectors;
  /** old row → new row, or −1 for a dropped word */
  remap: Int32Array;
  /** new row → old row */
  kept: Int32Array;
}

/**
 * Cuts a word-vector vocabulary: keeps the `keep` rows of largest L2 norm (as fastText's `quantize -cutoff` selects
 * its embeddings) or of largest count, or the words with count ≥ `minCount` (gensim's min_count), and returns the
 * smaller table with the remap (old row → new row) that ids or hashed features computed against the old vocabulary
 * need. The kept rows keep their order (fastText sorts the kept indices too), so a frequency-sorted table stays
 * sorted. The table keeps its storage type (a quantized table is copied row by row in float32).
 */
export function pruneVocab(kv: KeyedVectors, options: PruneVocabOptions): PruneVocabResult {
  const fn = 'pruneVocab';
  check(kv instanceof KeyedVectors, `${fn}: kv must be a KeyedVectors, got ${describe(kv)}`, { option: 'kv' });
  check(typeof options === 'object' && options !== null, `${fn}: options must be an object { keep, by? } or { minCount }`, { option: 'options' });
  checkKeys(fn, options, ['keep', 'minCount', 'by']);
  const hasK = options.keep !== undefined, hasM = options.minCount !== undefined;
  check(hasK || hasM, `${fn}: give keep (the number of words to keep) or minCount`, { option: 'keep' });
  check(!(hasK && hasM), `${fn}: give keep or minCount, not both`, { option: 'minCount' });
  const by = options.by ?? (hasM ? 'count' : 'norm');
  check(by === 'norm' || by === 'count', `${fn}: by must be 'norm' or 'count', got ${describe(by)}`, { option: 'by', value: by });
  check(!(hasM && by !== 'count'), `${fn}: minCount ranks by count; by must be 'count' with it`, { option: 'by' });
  const n = kv.size, dim = kv.dim;
  const counts = kv.counts;
  if (by === 'count' && !counts) throw new QuantextError('E_OPTION', `${fn}: this table has no counts (load it with counts, or build it with the counts option) to cut by frequency`, { option: hasM ? 'minCount' : 'by' });
  let keepIdx: number[];
  if (hasM) {
    const mc = options.minCount;
    check(typeof mc === 'number' && Number.isFinite(mc) && mc >= 0, `${fn}: minCount must be a finite number ≥ 0, got ${describe(mc)}`, { option: 'minCount', value: mc });
    keepIdx = [];
    for (let i = 0; i < n; i++) if (counts![i] >= mc) keepIdx.push(i);
  } else {
    const k = options.keep;
    check(typeof k === 'number' && Number.isInteger(k) && k >= 1, `${fn}: keep must be an integer ≥ 1, got ${describe(k)}`, { option: 'keep', value: k });
    let score: Float64Array;
    if (by === 'count') score = counts!;
    else {
      score = new Float64Array(n);
      const row = new Float32Array(dim);
      for (let i = 0; i < n; i++) {
        kv.matrix.decodeRow(i, row);
        let s = 0;
        for (let c = 0; c < dim; c++) s += row[c] * row[c];
        if (!Number.isFinite(s)) throw new QuantextError('E_NAN', `${fn}: row ${i} ('${kv.vocab.words[i]}') has a non-finite value`, { option: 'kv', index: i });
        score[i] = s;
      }
    }
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[b] - score[a] || a - b);
    keepIdx = order.slice(0, Math.min(k, n)).sort((a, b) => a - b);
  }
  if (keepIdx.length === 0) throw new QuantextError('E_EMPTY', `${fn}: no word has count ≥ ${options.minCount}`, { option: 'minCount' });
  const remap = new Int32Array(n).fill(-1);
  keepIdx.forEach((o, i) => { remap[o] = i; });
  const kept = Int32Array.from(keepIdx);
  const words = keepIdx.map((i) => kv.vocab.words[i]);
  const m = new DenseMatrix(kept.length, dim, { rt: kv.rt, zero: false });
  try {
    const row = new Float32Array(dim);
    for (let i = 0; i < kept.length; i++) {
      kv.matrix.decodeRow(kept[i], row);
      m.row(i).set(row);
    }
    const out = new KeyedVectors(words, m, { counts: counts ? Float64Array.from(keepIdx, (i) => counts[i]) : undefined });
    return { kv: out, remap, kept };
  } catch (e) {
    m.dispose();
    throw e;
  }
}

// ------------------------------------------------------------------------------------------------ schedules

/**
 * Target sparsity after each of `steps` pruning steps, ending at `sparsity`: 'cubic' (Zhu & Gupta 2017, from 0:
 * s_t = S·(1 − (1 − t/n)³), fast early, gentle near the end) or 'linear' (S·t/n).
 */
export function sparsitySchedule(steps: number, sparsity: number, ramp: 'cubic' | 'linear' = 'cubic'): number[] {
  check(Number.isInteger(steps) && steps >= 1, `sparsitySchedule: steps must be an integer ≥ 1, got ${describe(steps)}`, { option: 'steps', value: steps });
  check(typeof sparsity === 'number' && sparsity >= 0 && sparsity < 1, `sparsitySchedule: sparsity must be a number in [0, 1), got ${describe(sparsity)}`, { option: 'sparsity', value: sparsity });
  check(ramp === 'cubic' || ramp === 'linear', `sparsitySchedule: ramp must be 'cubic' or 'linear', got ${describe(ramp)}`, { option: 'ramp', value: ramp });
  const out: number[] = [];
  for (let t = 1; t <= steps; t++) out.push(t === steps ? sparsity : ramp === 'cubic' ? sparsity * (1 - (1 - t / steps) ** 3) : (sparsity * t) / steps);
  return out;
}

export interface PruneStep {
  /** 1-based step */
  step: number;
  /** the schedule's target for the step */
  target: number;
  /** the fraction pruned per tensor after the step's pruning */
  sparsity: Record<string, number>;
}

export interface PruneIterativeOptions {
  /** Pruning steps (each followed by `retrain`). */
  steps: number;
  /** Final sparsity, in [0, 1). */
  sparsity: number;
  /** Default 'cubic'. */
  ramp?: 'cubic' | 'linear';
  /** Default 'per-layer'. */
  scope?: 'global' | 'per-layer';
  /**
   * The current weights by name. Called at each step (weights in wasm memory must be fresh views: a view kept
   * across an allocation goes stale). The pruned weights are zeroed in these arrays before `retrain` is called.
   */
  tensors: () => Record<string, Float32Array>;
  /** Trains with the masks (pruned weights must stay 0); awaited after each step's pruning. */
  retrain: (masks: Record<string, Uint8Array>, step: PruneStep) => void | Promise<void>;
}

/**
 * The generic prune → retrain loop (Zhu & Gupta 2017) for any model that can retrain under masks: at step t the
 * weights are pruned by magnitude to the schedule's s_t (weights pruned before stay pruned and count), zeroed, and
 * `retrain(masks)` runs. (There is no trainer for `Sequential`, so a Sequential is pruned in one shot by
 * pruneSequential; this loop is for whatever the caller can fine-tune.)
 */
export async function pruneIterative(options: PruneIterativeOptions): Promise<{ masks: Record<string, Uint8Array>; sparsity: Record<string, number>; steps: PruneStep[] }> {
  const fn = 'pruneIterative';
  check(typeof options === 'object' && options !== null, `${fn}: options must be an object`, { option: 'options' });
  checkKeys(fn, options, ['steps', 'sparsity', 'ramp', 'scope', 'tensors', 'retrain']);
  const schedule = sparsitySchedule(options.steps, options.sparsity, options.ramp ?? 'cubic');
  check(typeof options.tensors === 'function', `${fn}: tensors must be a function returning the named weights`, { option: 'tensors' });
  check(typeof options.retrain === 'function', `${fn}: retrain must be a function (masks, step) => void | Promise<void>`, { option: 'retrain' });
  let masks: Record<string, Uint8Array> | undefined;
  let last: PruneResult | undefined;
  const steps: PruneStep[] = [];
  for (let t = 0; t < schedule.length; t++) {
    const ws = options.tensors();
    last = pruneTensors(ws, { sparsity: schedule[t], scope: options.scope, masks });
    masks = last.masks;
    for (const [name, w] of Object.entries(ws)) applyMask(w, masks[name]);
    const info: PruneStep = { step: t + 1, target: schedule[t], sparsity: last.sparsity };
    steps.push(info);
    await options.retrain(masks, info);
  }
  return { masks: masks!, sparsity: last!.sparsity, steps };
}

export interface PruneRetrainOptions {
  /** Pruning steps; each prunes to the schedule's sparsity and then trains `epochsPerStep` epochs under the masks. */
  steps: number;
  /** Final sparsity of each pruned matrix (per-layer scope) or of both together ('global'), in [0, 1). */
  sparsity: number;
  /** Epochs of training after each step (integer ≥ 1); the learning rate decays from `lr` to 0 within each step. */
  epochsPerStep: number;
  /** Which matrix to prune: 'input' (default: words and n-gram buckets, nearly all the model), 'output' or 'both'. */
  matrix?: 'input' | 'output' | 'both';
  /** Default 'cubic' (Zhu & Gupta 2017). */
  ramp?: 'cubic' | 'linear';
  /** With matrix 'both': one threshold over both ('global') or each to `sparsity` (default 'per-layer'). */
  scope?: 'global' | 'per-layer';
  /** Learning rate of the retraining (default: the classifier's lr). */
  lr?: number;
  /** Called after each step's training (e.g. to measure accuracy). */
  onStep?: (step: PruneStep & { train: ClassifierTrainResult }) => void | Promise<void>;
}

export interface PruneRetrainResult {
  /** the final masks (1 keep, 0 pruned), by matrix name */
  masks: { input?: Uint8Array; output?: Uint8Array };
  /** the fraction of each pruned matrix that is 0 */
  sparsity: { input?: number; output?: number };
  steps: PruneStep[];
}

/**
 * Iterative magnitude pruning of a trained TextClassifier: `steps` times, prune the chosen matrix (or both) to the
 * next sparsity of a cubic (Zhu & Gupta 2017) or linear ramp ending at `sparsity`, then train `epochsPerStep`
 * epochs with `masks` so the pruned weights stay 0. Weights pruned at a step stay pruned. The classifier is changed
 * in place; its model afterwards holds the pruned matrices (0 where the masks are 0).
 *
 * E_EMPTY when the classifier has no model yet (train it first), E_UNSUPPORTED for a quantized (.ftz) model,
 * E_OPTION for bad options.
 */
export async function pruneRetrain(clf: TextClassifier, data: ClassifierData, options: PruneRetrainOptions): Promise<PruneRetrainResult> {
  const fn = 'pruneRetrain';
  check(typeof clf === 'object' && clf !== null && typeof (clf as TextClassifier).train === 'function', `${fn}: clf must be a TextClassifier, got ${describe(clf)}`, { option: 'clf' });
  check(typeof options === 'object' && options !== null, `${fn}: options must be an object { steps, sparsity, epochsPerStep, matrix? }`, { option: 'options' });
  checkKeys(fn, options, ['steps', 'sparsity', 'epochsPerStep', 'matrix', 'ramp', 'scope', 'lr', 'onStep']);
  sparsitySchedule(options.steps, options.sparsity, options.ramp ?? 'cubic'); // validates steps, sparsity, ramp
  const eps = options.epochsPerStep;
  check(Number.isInteger(eps) && eps >= 1 && eps <= 1e6, `${fn}: epochsPerStep must be an integer ≥ 1, got ${describe(eps)}`, { option: 'epochsPerStep', value: eps });
  const which = options.matrix ?? 'input';
  check(which === 'input' || which === 'output' || which === 'both', `${fn}: matrix must be 'input', 'output' or 'both', got ${describe(which)}`, { option: 'matrix', value: which });
  const scope = options.scope ?? 'per-layer';
  check(scope === 'global' || scope === 'per-layer', `${fn}: scope must be 'global' or 'per-layer', got ${describe(scope)}`, { option: 'scope', value: scope });
  const lr = options.lr;
  check(lr === undefined || (typeof lr === 'number' && Number.isFinite(lr) && lr > 0 && lr <= 100), `${fn}: lr must be a finite number in (0, 100], got ${describe(lr)}`, { option: 'lr', value: lr });
  check(options.onStep === undefined || typeof options.onStep === 'function', `${fn}: onStep must be a function`, { option: 'onStep' });
  if (!clf.hasModel) throw new QuantextError(clf.isDisposed ? 'E_DISPOSED' : 'E_EMPTY', `${fn}: the classifier has no model; train it (or load one) before pruning`, { option: 'clf' });
  const model = clf.model;
  if (!(model.input instanceof DenseMatrix) || !(model.output instanceof DenseMatrix) || model.input.stride !== model.dim || model.output.stride !== model.dim) {
    throw new QuantextError('E_UNSUPPORTED', `${fn}: the model is quantized (a .ftz); prune a dense (.bin) model`);
  }
  const input = model.input, output = model.output;
  const names = which === 'both' ? ['input', 'output'] : [which];
  const tensors = () => {
    const t: Record<string, Float32Array> = {};
    for (const n of names) t[n] = (n === 'input' ? input : output).data();
    return t;
  };
  const r = await pruneIterative({
    steps: options.steps, sparsity: options.sparsity, ramp: options.ramp, scope, tensors,
    retrain: async (masks, step) => {
      const m = names.length === 2 ? { input: masks.input, output: masks.output } : { [names[0]]: masks[names[0]] };
      const res = await clf.train(data, { masks: m, epochs: eps, ...(lr !== undefined ? { lr } : {}) });
      await options.onStep?.({ ...step, train: res });
    },
  });
  const out: PruneRetrainResult = { masks: {}, sparsity: {}, steps: r.steps };
  for (const n of names as ('input' | 'output')[]) { out.masks[n] = r.masks[n]; out.sparsity[n] = r.sparsity[n]; }
  return out;
}
