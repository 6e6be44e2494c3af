// The supervised training kernel (assembly/ft/supervised.ts) against a plain TypeScript reference written from
// fastText's src/model.cc (Model::update, computeHidden) and src/loss.cc (binaryLogistic, softmax, one-vs-all,
// negative sampling, hierarchical softmax) with float32 rounding at every operation: the scalar build must equal it
// bit for bit, the SIMD build (dot products summed in another order) to float precision. Also: the hierarchical
// softmax paths equal fastText's buildTree for the same counts.
import { describe, it, expect } from 'vitest';
import { rtFor, rng, randomF32, close } from '../helpers.js';
import { SUP, SUP_CFG_SIZE, LOSS_CODE, checkSupLayout, sigmoidTable, logTable, hsPaths } from '../../src/classify/kernel.js';
import { aliasTable } from '../../src/train/vocab.js';

const f = Math.fround;
const M64 = (1n << 64n) - 1n;
const lcg = (s: bigint) => (s * 25214903917n + 11n) & M64;

type Loss = keyof typeof LOSS_CODE;

interface Case {
  dim: number;
  osz: number;
  input: Float32Array;
  output: Float32Array;
  lines: { rows: number[]; labels: number[]; ntok: number }[];
  loss: Loss;
  neg: number;
  alpha0: number;
  alpha1: number;
  rng: bigint;
  labelCounts: number[];
  /** the compression fields of the config block (issue 13) */
  x?: Extras;
}

interface Extras {
  freeze?: boolean;
  maskIn?: Uint8Array;
  maskOut?: Uint8Array;
  /** soft labels, lines × osz */
  targets?: Float32Array;
  T?: number;
  ka?: number;
  /** quantization-aware: INPUT / OUTPUT hold Q(shadow); SGD updates the shadows */
  qat?: { bits: number; shadowIn: Float32Array; shadowOut?: Float32Array; scalesIn: Float32Array; scalesOut: Float32Array };
}

/** Round half to even, as wasm's f32.nearest. */
function nearestEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : r;
}

/** The QAT quantizer of one row in float32 (see quantRow in assembly/ft/supervised.ts); returns the scale. */
export function quantRowRef(src: Float32Array, dst: Float32Array, o: number, n: number, bits: number): number {
  let s = 0;
  if (bits <= 2) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum = f(sum + Math.abs(src[o + i]));
    s = f(sum / n);
    if (bits === 2) {
      const thr = f(f(0.7) * s);
      let big = 0, cnt = 0;
      for (let i = 0; i < n; i++) {
        const a = Math.abs(src[o + i]);
        if (a > thr) {
          big = f(big + a);
          cnt++;
        }
      }
      s = cnt > 0 ? f(big / cnt) : 0;
      for (let i = 0; i < n; i++) dst[o + i] = Math.abs(src[o + i]) > thr ? (src[o + i] > 0 ? s : -s) : 0;
    } else {
      for (let i = 0; i < n; i++) dst[o + i] = src[o + i] >= 0 ? s : -s;
    }
  } else {
    const qmax = (1 << (bits - 1)) - 1;
    let m = 0;
    for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(src[o + i]));
    s = f(m / qmax);
    for (let i = 0; i < n; i++) dst[o + i] = s > 0 ? f(s * (Math.min(qmax, Math.max(-qmax, nearestEven(f(src[o + i] / s)))) | 0)) : 0;
  }
  return s;
}

/** fastText's update, line by line, from its C++ (float32 everywhere). Mutates c.input / c.output; returns the rng. */
function reference(c: Case): bigint {
  const { dim, osz, input: wi, output: wo } = c;
  const sig = sigmoidTable(), lg = logTable();
  const sigmoid = (x: number) => (x < -8 ? 0 : x > 8 ? 1 : sig[Math.trunc(f(f(f(f(x + 8) * 512) / 8) / 2))]);
  const log = (x: number) => (x > 1 ? 0 : lg[Math.trunc(f(x * 512))]);
  const dotRow = (m: Float32Array, i: number, v: Float32Array) => {
    let d = 0;
    for (let j = 0; j < dim; j++) d = f(d + f(m[i * dim + j] * v[j]));
    return d;
  };
  const addRowToVector = (x: Float32Array, m: Float32Array, i: number, a: number) => {
    for (let j = 0; j < dim; j++) x[j] = f(x[j] + f(a * m[i * dim + j]));
  };
  const x = c.x ?? {};
  const maskRow = (m: Float32Array, mask: Uint8Array | undefined, i: number) => {
    if (mask) for (let j = 0; j < dim; j++) if (mask[i * dim + j] === 0) m[i * dim + j] = 0;
  };
  // the row update, on the shadow when quantization-aware (then the row is Q(shadow row)), masked entries kept 0
  const addVectorToRow = (m: Float32Array, v: Float32Array, i: number, a: number) => {
    const isOut = m === wo;
    const mask = isOut ? x.maskOut : x.maskIn;
    const sh = x.qat ? (isOut ? x.qat.shadowOut : x.qat.shadowIn) : undefined;
    const target = sh ?? m;
    for (let j = 0; j < dim; j++) target[i * dim + j] = f(target[i * dim + j] + f(a * v[j]));
    if (sh) {
      maskRow(sh, mask, i);
      (isOut ? x.qat!.scalesOut : x.qat!.scalesIn)[i] = quantRowRef(sh, m, i * dim, dim, x.qat!.bits);
    }
    maskRow(m, mask, i);
  };
  const alias = aliasTable(Float64Array.from(c.labelCounts), 0.5);
  const hs = hsPaths(c.labelCounts);
  let s = c.rng;
  const hidden = new Float32Array(dim), grad = new Float32Array(dim), out = new Float32Array(osz);
  const binaryLogistic = (target: number, positive: boolean, lr: number) => {
    const score = sigmoid(dotRow(wo, target, hidden));
    const alpha = f(lr * f((positive ? 1 : 0) - score));
    addRowToVector(grad, wo, target, alpha);
    addVectorToRow(wo, hidden, target, alpha);
  };
  const total = c.lines.reduce((a, l) => a + l.ntok, 0);
  let done = 0;
  for (const [li, line] of c.lines.entries()) {
    const lr = f(c.alpha0 + f(f(f(c.alpha1) - f(c.alpha0)) * f(done / total)));
    done += line.ntok;
    // computeHidden
    hidden.fill(0);
    for (const r of line.rows) addRowToVector(hidden, wi, r, 1);
    const inv = f(1 / line.rows.length);
    for (let j = 0; j < dim; j++) hidden[j] = f(hidden[j] * inv);
    grad.fill(0);
    if (c.loss === 'ova') {
      for (let i = 0; i < osz; i++) binaryLogistic(i, line.labels.includes(i), lr);
    } else {
      let ti = 0;
      if (line.labels.length > 1) {
        s = lcg(s);
        ti = Number((s >> 16n) % BigInt(line.labels.length));
      }
      const target = line.labels[ti];
      if (c.loss === 'softmax') {
        for (let i = 0; i < osz; i++) out[i] = dotRow(wo, i, hidden);
        let max = out[0];
        for (let i = 0; i < osz; i++) max = Math.max(out[i], max);
        if (x.targets) {
          // distillation: q = softmax(z/T); −∂loss/∂z_i = α(y_i − p_i) + (1 − α)·T·(t_i − q_i)
          const T = f(x.T!), ka = f(x.ka!), kb = f(1 - ka);
          const q = new Float32Array(osz);
          let zq = 0;
          for (let i = 0; i < osz; i++) {
            q[i] = Math.exp(f(f(out[i] - max) / T));
            zq = f(zq + q[i]);
          }
          for (let i = 0; i < osz; i++) q[i] = f(q[i] / zq);
          let z = 0;
          for (let i = 0; i < osz; i++) {
            out[i] = Math.exp(f(out[i] - max));
            z = f(z + out[i]);
          }
          for (let i = 0; i < osz; i++) out[i] = f(out[i] / z);
          for (let i = 0; i < osz; i++) {
            const t = x.targets[li * osz + i];
            const alpha = f(lr * f(f(ka * f((i === target ? 1 : 0) - out[i])) + f(f(kb * T) * f(t - q[i]))));
            addRowToVector(grad, wo, i, alpha);
            addVectorToRow(wo, hidden, i, alpha);
          }
        } else {
        let z = 0;
        for (let i = 0; i < osz; i++) {
          out[i] = Math.exp(f(out[i] - max));
          z = f(z + out[i]);
        }
        for (let i = 0; i < osz; i++) out[i] = f(out[i] / z);
        for (let i = 0; i < osz; i++) {
          const alpha = f(lr * f((i === target ? 1 : 0) - out[i]));
          addRowToVector(grad, wo, i, alpha);
          addVectorToRow(wo, hidden, i, alpha);
        }
        void log(out[target]);
        }
      } else if (c.loss === 'ns') {
        binaryLogistic(target, true, lr);
        for (let n = 0; n < c.neg; n++) {
          let neg = target;
          while (neg === target) {
            const r1 = (s = lcg(s));
            const r2 = (s = lcg(s));
            const slot = Number((((r1 >> 16n) & 0xffffffffn) * BigInt(osz)) >> 32n);
            neg = Number(r2 >> 32n) < alias[2 * slot] ? slot : alias[2 * slot + 1];
          }
          binaryLogistic(neg, false, lr);
        }
      } else {
        for (let k = hs.off[target]; k < hs.off[target + 1]; k++) binaryLogistic(hs.paths[k], hs.codes[k] === 1, lr);
      }
    }
    for (let j = 0; j < dim; j++) grad[j] = f(grad[j] * inv);
    if (!x.freeze) for (const r of line.rows) addVectorToRow(wi, grad, r, 1);
  }
  return s;
}

async function runKernel(build: 'simd' | 'scalar', c: Case): Promise<{ input: Float32Array; output: Float32Array; rng: bigint; loss: number; examples: number; shadowIn?: Float32Array; shadowOut?: Float32Array; scalesIn?: Float32Array; scalesOut?: Float32Array }> {
  const rt = await rtFor(build);
  const a = rt.arena;
  const ptrs: number[] = [];
  const put = (arr: Int32Array | Float32Array | Uint32Array | Uint8Array) => {
    const p = a.alloc(Math.max(8, arr.byteLength));
    ptrs.push(p);
    a.u8(p, arr.byteLength).set(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
    return p;
  };
  const rows = Int32Array.from(c.lines.flatMap((l) => l.rows));
  const labels = Int32Array.from(c.lines.flatMap((l) => l.labels));
  const rowOff = new Int32Array(c.lines.length + 1), labOff = new Int32Array(c.lines.length + 1);
  c.lines.forEach((l, i) => {
    rowOff[i + 1] = rowOff[i] + l.rows.length;
    labOff[i + 1] = labOff[i] + l.labels.length;
  });
  const hs = hsPaths(c.labelCounts);
  const fields: Record<number, number> = {
    [SUP.INPUT]: put(c.input), [SUP.OUTPUT]: put(c.output), [SUP.DIM]: c.dim, [SUP.OSZ]: c.osz, [SUP.LOSS]: LOSS_CODE[c.loss],
    [SUP.NEG]: c.neg, [SUP.ROWS]: put(rows), [SUP.ROW_OFF]: put(rowOff), [SUP.LABELS]: put(labels), [SUP.LAB_OFF]: put(labOff),
    [SUP.LINE0]: 0, [SUP.LINE1]: c.lines.length, [SUP.NTOK]: put(Int32Array.from(c.lines, (l) => l.ntok)),
    [SUP.NEG_TABLE]: put(aliasTable(Float64Array.from(c.labelCounts), 0.5)), [SUP.HS_PATHS]: put(hs.paths), [SUP.HS_CODES]: put(hs.codes),
    [SUP.HS_OFF]: put(hs.off), [SUP.SIGMOID]: put(sigmoidTable()), [SUP.LOG]: put(logTable()),
    [SUP.SCRATCH]: put(new Float32Array(2 * c.dim + 2 * c.osz + 4)),
  };
  const x = c.x ?? {};
  if (x.freeze) fields[SUP.FLAGS] = 1;
  if (x.maskIn) fields[SUP.MASK_IN] = put(x.maskIn);
  if (x.maskOut) fields[SUP.MASK_OUT] = put(x.maskOut);
  if (x.targets) fields[SUP.TARGETS] = put(x.targets);
  if (x.qat) {
    fields[SUP.SHADOW_IN] = put(x.qat.shadowIn);
    if (x.qat.shadowOut) fields[SUP.SHADOW_OUT] = put(x.qat.shadowOut);
    fields[SUP.QSCALE_IN] = put(x.qat.scalesIn);
    fields[SUP.QSCALE_OUT] = put(x.qat.scalesOut);
    fields[SUP.QBITS] = x.qat.bits;
  }
  const cfg = a.alloc(SUP_CFG_SIZE, true);
  ptrs.push(cfg);
  for (const [off, v] of Object.entries(fields)) a.i32(cfg + Number(off), 1)[0] = v;
  a.f32(cfg + SUP.ALPHA0, 1)[0] = c.alpha0;
  a.f32(cfg + SUP.ALPHA1, 1)[0] = c.alpha1;
  if (x.targets) {
    a.f32(cfg + SUP.TEMP, 1)[0] = x.T!;
    a.f32(cfg + SUP.KD_ALPHA, 1)[0] = x.ka!;
  }
  a.u32(cfg + SUP.RNG, 2).set([Number(c.rng & 0xffffffffn), Number(c.rng >> 32n)]);
  if (build === 'scalar') rt.kernels.sup_train_batch_scalar(cfg);
  else rt.kernels.sup_train_batch(cfg);
  const u = a.u32(cfg + SUP.RNG, 2);
  const res = {
    input: a.f32(fields[SUP.INPUT], c.input.length).slice(),
    output: a.f32(fields[SUP.OUTPUT], c.output.length).slice(),
    rng: (BigInt(u[1]) << 32n) | BigInt(u[0]),
    loss: a.f64(cfg + SUP.LOSS_SUM, 1)[0],
    examples: a.f64(cfg + SUP.EXAMPLES, 1)[0],
    shadowIn: x.qat ? a.f32(fields[SUP.SHADOW_IN], x.qat.shadowIn.length).slice() : undefined,
    shadowOut: x.qat?.shadowOut ? a.f32(fields[SUP.SHADOW_OUT], x.qat.shadowOut.length).slice() : undefined,
    scalesIn: x.qat ? a.f32(fields[SUP.QSCALE_IN], x.qat.scalesIn.length).slice() : undefined,
    scalesOut: x.qat ? a.f32(fields[SUP.QSCALE_OUT], x.qat.scalesOut.length).slice() : undefined,
  };
  for (const p of ptrs) a.free(p);
  return res;
}

function makeCase(loss: Loss, seed: number, multi: boolean): Case {
  const r = rng(seed);
  const dim = 7, osz = 5, nrows = 9;
  return {
    dim, osz, loss, neg: 3,
    input: randomF32(nrows * dim, r, 0.5),
    output: randomF32(osz * dim, r, 0.5),
    lines: [
      { rows: [0, 3, 3, 8], labels: multi ? [1, 4] : [1], ntok: 5 },
      { rows: [2, 5], labels: multi ? [0, 2, 3] : [3], ntok: 3 },
      { rows: [7], labels: [0], ntok: 2 },
    ],
    alpha0: 0.1, alpha1: 0.07, rng: 0x1234_5678_9abc_def0n,
    labelCounts: [9, 7, 4, 4, 1],
  };
}

describe('supervised kernel: layout', () => {
  it('the TypeScript mirror matches the kernels', async () => {
    const rt = await rtFor('simd');
    expect(() => checkSupLayout(rt.kernels)).not.toThrow();
    expect(() => checkSupLayout({ sup_cfg_layout: (i: number) => (i === 3 ? 99 : rt.kernels.sup_cfg_layout(i)) })).toThrow(/OSZ/);
  });
});

describe.each(['scalar', 'simd'] as const)('sup_train_batch against fastText\'s update in TypeScript, %s', (build) => {
  for (const loss of ['softmax', 'ova', 'ns', 'hs'] as const) {
    for (const multi of [false, true]) {
      it(`${loss}${multi ? ', several labels per line' : ''}: one SGD step per line`, async () => {
        const c = makeCase(loss, 7 + (multi ? 1 : 0), multi);
        const before = c.input.slice();
        const got = await runKernel(build, makeCase(loss, 7 + (multi ? 1 : 0), multi));
        const rngRef = reference(c);
        expect(got.examples).toBe(3);
        expect(got.rng).toBe(rngRef);
        // the step moved the rows it should have moved (and only those)
        expect(got.input.slice(1 * 7, 2 * 7)).toEqual(before.slice(1 * 7, 2 * 7));
        expect(got.input.slice(0, 7)).not.toEqual(before.slice(0, 7));
        if (build === 'scalar') {
          expect(Array.from(got.input)).toEqual(Array.from(c.input));
          expect(Array.from(got.output)).toEqual(Array.from(c.output));
        } else {
          for (let i = 0; i < c.input.length; i++) expect(close(got.input[i], c.input[i], 1e-5, 1e-6)).toBe(true);
          for (let i = 0; i < c.output.length; i++) expect(close(got.output[i], c.output[i], 1e-5, 1e-6)).toBe(true);
        }
        expect(Number.isFinite(got.loss) && got.loss > 0).toBe(true);
      });
    }
  }
});

describe('hierarchical softmax paths', () => {
  /** fastText's buildTree transcribed with its node structs, then the codes/paths loop. */
  function fastTextTree(counts: number[]): { paths: number[][]; codes: boolean[][] } {
    const osz = counts.length;
    const tree = Array.from({ length: 2 * osz - 1 }, () => ({ parent: -1, left: -1, right: -1, count: 1e15, binary: false }));
    for (let i = 0; i < osz; i++) tree[i].count = counts[i];
    let leaf = osz - 1, node = osz;
    for (let i = osz; i < 2 * osz - 1; i++) {
      const mini = [0, 0];
      for (let j = 0; j < 2; j++) {
        if (leaf >= 0 && tree[leaf].count < tree[node].count) mini[j] = leaf--;
        else mini[j] = node++;
      }
      tree[i].left = mini[0];
      tree[i].right = mini[1];
      tree[i].count = tree[mini[0]].count + tree[mini[1]].count;
      tree[mini[0]].parent = i;
      tree[mini[1]].parent = i;
      tree[mini[1]].binary = true;
    }
    const paths: number[][] = [], codes: boolean[][] = [];
    for (let i = 0; i < osz; i++) {
      const path: number[] = [], code: boolean[] = [];
      let j = i;
      while (tree[j].parent !== -1) {
        path.push(tree[j].parent - osz);
        code.push(tree[j].binary);
        j = tree[j].parent;
      }
      paths.push(path);
      codes.push(code);
    }
    return { paths, codes };
  }

  it('equal fastText\'s buildTree for the same counts', () => {
    const r = rng(3);
    const sets = [[5, 3, 2, 1], [10, 10, 10], [1], [2, 1], [100, 50, 50, 20, 7, 7, 7, 3, 1, 1]];
    for (let t = 0; t < 20; t++) sets.push(Array.from({ length: 2 + Math.floor(r() * 30) }, () => 1 + Math.floor(r() * 1000)).sort((a, b) => b - a));
    for (const counts of sets) {
      const want = fastTextTree(counts);
      const got = hsPaths(counts);
      for (let i = 0; i < counts.length; i++) {
        expect(Array.from(got.paths.subarray(got.off[i], got.off[i + 1]))).toEqual(want.paths[i]);
        expect(Array.from(got.codes.subarray(got.off[i], got.off[i + 1])).map((x) => x === 1)).toEqual(want.codes[i]);
      }
    }
  });

  it('counts 5, 3, 2, 1: the codes worked by hand', () => {
    // node 4 = leaves 3 (count 1, left) + 2 (count 2, right); node 5 = node 4 (3, left; a tie with leaf 1 takes the
    // node) + leaf 1 (right); root 6 = leaf 0 (5, left) + node 5 (6, right). Right children have code 1.
    const h = hsPaths([5, 3, 2, 1]);
    const path = (i: number) => Array.from(h.paths.subarray(h.off[i], h.off[i + 1]));
    const code = (i: number) => Array.from(h.codes.subarray(h.off[i], h.off[i + 1]));
    expect([path(0), code(0)]).toEqual([[2], [0]]);
    expect([path(1), code(1)]).toEqual([[1, 2], [1, 1]]);
    expect([path(2), code(2)]).toEqual([[0, 1, 2], [1, 0, 1]]);
    expect([path(3), code(3)]).toEqual([[0, 1, 2], [0, 0, 1]]);
  });
});

/** A case with the compression fields: freeze, masks, soft labels or quantization-aware training. */
function makeX(kind: string, loss: Loss, seed: number): Case {
  const c = makeCase(loss, seed, false);
  const r = rng(seed + 100);
  const { dim, osz } = c;
  const nIn = c.input.length / dim;
  if (kind === 'freeze') c.x = { freeze: true };
  else if (kind === 'masks') {
    const maskIn = Uint8Array.from(c.input, () => (r() < 0.5 ? 1 : 0));
    const maskOut = Uint8Array.from(c.output, () => (r() < 0.5 ? 1 : 0));
    // pruned weights start at 0 (train() zeroes them before the first batch)
    c.input.forEach((_, i) => maskIn[i] === 0 && (c.input[i] = 0));
    c.output.forEach((_, i) => maskOut[i] === 0 && (c.output[i] = 0));
    c.x = { maskIn, maskOut };
  } else if (kind === 'targets') {
    const t = new Float32Array(c.lines.length * osz);
    for (let l = 0; l < c.lines.length; l++) {
      let s = 0;
      for (let i = 0; i < osz; i++) s += t[l * osz + i] = r() + 0.05;
      for (let i = 0; i < osz; i++) t[l * osz + i] /= s;
    }
    c.x = { targets: t, T: 2, ka: 0.3 };
  } else {
    // qat-<bits>[-float-out]
    const bits = Number(kind.split('-')[1]);
    const floatOut = kind.endsWith('float-out');
    const shadowIn = c.input.slice();
    const scalesIn = new Float32Array(nIn), scalesOut = new Float32Array(osz);
    for (let i = 0; i < nIn; i++) scalesIn[i] = quantRowRef(shadowIn, c.input, i * dim, dim, bits);
    let shadowOut: Float32Array | undefined;
    if (!floatOut) {
      shadowOut = c.output.slice();
      for (let i = 0; i < osz; i++) scalesOut[i] = quantRowRef(shadowOut, c.output, i * dim, dim, bits);
    }
    c.x = { qat: { bits, shadowIn, shadowOut, scalesIn, scalesOut } };
  }
  return c;
}

describe('the distillation gradient is the derivative of the loss', () => {
  it('−∂/∂z_i [α·CE(y, softmax z) + (1 − α)·T²·CE(t, softmax(z/T))] = α(y_i − p_i) + (1 − α)·T·(t_i − q_i) (finite differences)', () => {
    const softmax = (z: number[], T: number) => {
      const m = Math.max(...z), e = z.map((v) => Math.exp((v - m) / T)), s = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / s);
    };
    const z = [0.3, -1.2, 2.0, 0.7], t = [0.1, 0.2, 0.6, 0.1], y = 2, T = 3, a = 0.25;
    const L = (zz: number[]) => -a * Math.log(softmax(zz, 1)[y]) - (1 - a) * T * T * t.reduce((s, ti, i) => s + ti * Math.log(softmax(zz, T)[i]), 0);
    const p = softmax(z, 1), q = softmax(z, T);
    for (let i = 0; i < z.length; i++) {
      const h = 1e-6, zp = z.slice(), zm = z.slice();
      zp[i] += h;
      zm[i] -= h;
      const numeric = -(L(zp) - L(zm)) / (2 * h);
      expect(numeric).toBeCloseTo(a * ((i === y ? 1 : 0) - p[i]) + (1 - a) * T * (t[i] - q[i]), 6);
    }
  });
});

describe.each(['scalar', 'simd'] as const)('sup_train_batch with the compression fields against the TypeScript reference, %s', (build) => {
  const kinds: [string, Loss][] = [
    ['freeze', 'softmax'], ['freeze', 'ns'], ['masks', 'softmax'], ['masks', 'hs'], ['targets', 'softmax'],
    ['qat-1', 'softmax'], ['qat-2', 'softmax'], ['qat-4', 'softmax'], ['qat-8', 'softmax'], ['qat-4-float-out', 'ova'], ['qat-2', 'ns'],
  ];
  for (const [kind, loss] of kinds) {
    it(`${kind}, ${loss}`, async () => {
      const c = makeX(kind, loss, 11);
      const before = { input: c.input.slice(), output: c.output.slice() };
      const got = await runKernel(build, makeX(kind, loss, 11));
      const rngRef = reference(c);
      expect(got.examples).toBe(3);
      expect(got.rng).toBe(rngRef);
      const same = (g: Float32Array, w: Float32Array) => {
        if (build === 'scalar') expect(Array.from(g)).toEqual(Array.from(w));
        // SIMD: dot products summed in another order; a quantized value may then round to a neighbouring level
        else for (let i = 0; i < w.length; i++) expect(close(g[i], w[i], 1e-4, 1e-5) || kind.startsWith('qat')).toBe(true);
      };
      same(got.input, c.input);
      same(got.output, c.output);
      if (kind === 'freeze') expect(Array.from(got.input)).toEqual(Array.from(before.input));
      else expect(got.input).not.toEqual(before.input);
      expect(got.output).not.toEqual(before.output);
      if (kind === 'masks') {
        c.x!.maskIn!.forEach((m, i) => m === 0 && expect(got.input[i]).toBe(0));
        c.x!.maskOut!.forEach((m, i) => m === 0 && expect(got.output[i]).toBe(0));
      }
      if (c.x!.qat) {
        const q = c.x!.qat;
        same(got.shadowIn!, q.shadowIn);
        if (q.shadowOut) same(got.shadowOut!, q.shadowOut);
        // every row is exactly scale · integer code within the quantizer's range
        const qmax = q.bits <= 2 ? 1 : (1 << (q.bits - 1)) - 1;
        const check = (m: Float32Array, scales: Float32Array) => {
          for (let r = 0; r < scales.length; r++) {
            for (let j = 0; j < c.dim; j++) {
              const v = m[r * c.dim + j], code = scales[r] === 0 ? 0 : Math.round(v / scales[r]);
              expect(Math.abs(code)).toBeLessThanOrEqual(qmax);
              if (q.bits === 1) expect(Math.abs(code)).toBe(1);
              expect(Math.fround(scales[r] * code)).toBe(v);
            }
          }
        };
        check(got.input, got.scalesIn!);
        if (q.shadowOut) check(got.output, got.scalesOut!);
        else same(got.output, c.output);
        if (build === 'scalar') expect(Array.from(got.scalesIn!)).toEqual(Array.from(q.scalesIn));
      }
      expect(Number.isFinite(got.loss) && got.loss > 0).toBe(true);
    });
  }

  it('qat_quantize_per_row equals the TypeScript quantizer for bits 1, 2, 4, 8 (and an all-zero row has scale 0)', async () => {
    const rt = await rtFor(build);
    const a = rt.arena;
    const rows = 6, dim = 13;
    const src = randomF32(rows * dim, rng(5), 1);
    src.fill(0, 2 * dim, 3 * dim);
    for (const bits of [1, 2, 4, 8]) {
      const ps = a.alloc(src.byteLength), pd = a.alloc(src.byteLength), pc = a.alloc(rows * 4);
      a.f32(ps, src.length).set(src);
      rt.kernels.qat_quantize_per_row(ps, pd, pc, 0, rows, dim, bits);
      const want = new Float32Array(src.length), ws = new Float32Array(rows);
      for (let r = 0; r < rows; r++) ws[r] = quantRowRef(src, want, r * dim, dim, bits);
      expect(Array.from(a.f32(pd, src.length))).toEqual(Array.from(want));
      expect(Array.from(a.f32(pc, rows))).toEqual(Array.from(ws));
      expect(ws[2]).toBe(0);
      a.free(ps);
      a.free(pd);
      a.free(pc);
    }
  });
});
