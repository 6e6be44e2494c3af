import { QuantextError } from '../errors.js';
import { roundEven } from './layer.js';

const f = Math.fround;

/**
 * DynamicQuantizeLinear's parameters (onnxruntime): the range is widened to include 0, scale = (max − min) / 255
 * (1 when max = min), zero point = roundEven(clamp(−min / scale, 0, 255)).
 */
export function dynamicQuantizeParams(min: number, max: number): { scale: number; zeroPoint: number } {
  const mn = f(Math.min(min, 0)), mx = f(Math.max(max, 0));
  const scale = mx === mn ? 1 : f(f(mx - mn) / 255);
  const zeroPoint = roundEven(Math.max(0, Math.min(255, f(0 - f(mn / scale)))));
  return { scale, zeroPoint };
}

/** ONNX DynamicQuantizeLinear: x → uint8 with one scale and zero point for the whole tensor. */
export function dynamicQuantizeLinear(x: Float32Array): { data: Uint8Array; scale: number; zeroPoint: number } {
  let mn = Infinity, mx = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (Number.isNaN(v)) throw new QuantextError('E_NAN', `dynamicQuantizeLinear: x[${i}] is NaN`, { index: i });
    if (v < mn) mn = v;
    if (v > mx) mx = v;
  }
  const { scale, zeroPoint } = dynamicQuantizeParams(mn, mx);
  return { data: quantizeLinear(x, scale, zeroPoint, 'uint8') as Uint8Array, scale, zeroPoint };
}

/** ONNX QuantizeLinear (per tensor): q = saturate(roundEven(x / scale) + zeroPoint) as uint8 or int8. */
export function quantizeLinear(x: Float32Array, scale: number, zeroPoint: number, type: 'uint8' | 'int8'): Uint8Array | Int8Array {
  const [lo, hi] = intRange(type);
  if (!(scale > 0) || !Number.isFinite(scale)) throw new QuantextError('E_OPTION', `quantizeLinear: scale must be a positive finite number, got ${scale}`);
  if (!Number.isInteger(zeroPoint) || zeroPoint < lo || zeroPoint > hi) throw new QuantextError('E_OPTION', `quantizeLinear: zeroPoint must be an integer in [${lo}, ${hi}], got ${zeroPoint}`);
  const out = type === 'uint8' ? new Uint8Array(x.length) : new Int8Array(x.length);
  const s = f(scale);
  for (let i = 0; i < x.length; i++) out[i] = Math.min(hi, Math.max(lo, roundEven(f(x[i] / s)) + zeroPoint));
  return out;
}

/** ONNX DequantizeLinear (per tensor): x = (q − zeroPoint) · scale in float32. */
export function dequantizeLinear(q: Uint8Array | Int8Array | Int32Array, scale: number, zeroPoint = 0): Float32Array {
  const out = new Float32Array(q.length);
  const s = f(scale);
  for (let i = 0; i < q.length; i++) out[i] = f(f(q[i] - zeroPoint) * s);
  return out;
}

export function intRange(type: string): [number, number] {
  if (type === 'uint8') return [0, 255];
  if (type === 'int8') return [-128, 127];
  throw new QuantextError('E_OPTION', `integer type must be 'uint8' or 'int8', got ${String(type)}`, { option: 'type' });
}
