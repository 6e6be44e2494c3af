import { QuantextError } from '../errors.js';
import { heap } from './kernels.js';
import { Layer, checkFinite, checkInt, type LayerOptions } from './layer.js';

/** Elementwise or per-row activation layers; `features` 0 = any width (taken from x.length / batch). */
abstract class Activation extends Layer {
  constructor(features = 0, opts: LayerOptions = {}) {
    if (features !== 0) checkInt('features', features);
    super(features, features, opts);
  }
  describe() {
    return { config: { kind: this.kind, features: this.inFeatures, ...this.extra() }, tensors: {} };
  }
  protected extra(): Record<string, unknown> {
    return {};
  }
}

export class ReLU extends Activation {
  readonly kind = 'relu';
  run(x: number, y: number, batch: number, width: number): void {
    this.k.relu_f32(x, batch * width, y);
  }
}

export class GELU extends Activation {
  readonly kind = 'gelu';
  readonly approximate: 'none' | 'tanh';
  constructor(features = 0, options: LayerOptions & { approximate?: 'none' | 'tanh' } = {}) {
    super(features, options);
    const a = options.approximate ?? 'none';
    if (a !== 'none' && a !== 'tanh') throw new QuantextError('E_OPTION', `GELU: approximate must be 'none' or 'tanh', got ${String(a)}`, { option: 'approximate' });
    this.approximate = a;
  }
  run(x: number, y: number, batch: number, width: number): void {
    if (this.approximate === 'tanh') this.k.gelu_tanh_f32(x, batch * width, y);
    else this.k.gelu_f32(x, batch * width, y);
  }
  protected override extra() {
    return { approximate: this.approximate };
  }
}

export class Tanh extends Activation {
  readonly kind = 'tanh';
  run(x: number, y: number, batch: number, width: number): void {
    this.k.tanh_f32(x, batch * width, y);
  }
}

export class Sigmoid extends Activation {
  readonly kind = 'sigmoid';
  run(x: number, y: number, batch: number, width: number): void {
    this.k.logistic_f32(x, batch * width, y);
  }
}

/** Softmax over each row (the last axis). */
export class Softmax extends Activation {
  readonly kind = 'softmax';
  run(x: number, y: number, batch: number, width: number): void {
    this.k.softmax_f32_per_row(x, batch, width, 0, y);
  }
}

/** Log-softmax over each row. */
export class LogSoftmax extends Activation {
  readonly kind = 'logsoftmax';
  run(x: number, y: number, batch: number, width: number): void {
    this.k.softmax_f32_per_row(x, batch, width, 1, y);
  }
}

/** LayerNorm over each row: (x − μ)/√(σ² + eps)·γ + β, biased variance, f64 sums. */
export class LayerNorm extends Layer {
  readonly kind = 'layernorm';
  readonly eps: number;
  private g = 0;
  private b = 0;

  private constructor(features: number, eps: number, opts: LayerOptions) {
    super(features, features, opts);
    this.eps = eps;
  }

  static fromFloat(gamma: Float32Array | ArrayLike<number>, beta?: Float32Array | ArrayLike<number>, options: LayerOptions & { eps?: number } = {}): LayerNorm {
    const n = gamma?.length;
    checkInt('features', n);
    if (beta !== undefined && beta !== null && beta.length !== n) throw new QuantextError('E_SHAPE', `LayerNorm: beta has ${beta.length} values, gamma ${n}`);
    const eps = options.eps ?? 1e-5;
    if (typeof eps !== 'number' || !(eps >= 0) || !Number.isFinite(eps)) throw new QuantextError('E_OPTION', `LayerNorm: eps must be a finite number ≥ 0, got ${String(eps)}`, { option: 'eps' });
    checkFinite('gamma', gamma);
    if (beta) checkFinite('beta', beta);
    const l = new LayerNorm(n, eps, options);
    return l.filledBy(() => {
      l.g = l.own(n * 4);
      if (beta) l.b = l.own(n * 4);
      const h = heap(l.rt);
      h.f32.set(gamma, l.g >> 2);
      if (beta) h.f32.set(beta, l.b >> 2);
      l.ensureIo(l.initialBatch, n);
    });
  }

  run(x: number, y: number, batch: number): void {
    this.k.layer_norm_f32_per_row(x, batch, this.inFeatures, this.g, this.b, this.eps, y);
  }

  describe() {
    const h = heap(this.rt), n = this.inFeatures;
    return {
      config: { kind: this.kind, features: n, eps: this.eps, beta: !!this.b },
      tensors: { gamma: h.f32.slice(this.g >> 2, (this.g >> 2) + n), ...(this.b ? { beta: h.f32.slice(this.b >> 2, (this.b >> 2) + n) } : {}) },
    };
  }
}
