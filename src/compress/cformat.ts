/**
 * The compressed classifier's file (`.qtc`): a 16-byte header, then the payload, deflated (raw DEFLATE, RFC 1951,
 * through the CompressionStream every runtime has) unless flag bit 0 is clear.
 *
 *   0  4 bytes  magic "QTXC"
 *   4  u8       version (1)
 *   5  u8       flags (bit 0: payload deflated)
 *   6  u16      0
 *   8  u32      payload length after inflating
 *   12 u32      payload length as stored (the rest of the file)
 *   16 payload: u32 n, n bytes of UTF-8 JSON (the model's fields and a list of blobs: name, dtype, element count),
 *      then the blobs back to back (little-endian; each blob starts at a multiple of its element size from the
 *      payload start, zero padding before it).
 *
 * Everything is validated before use: a bad file is QuantextError E_FORMAT naming the byte offset (in the file for
 * the header, in the inflated payload otherwise: the same numbers when the payload is stored plain).
 */
import { QuantextError } from '../errors.js';

export const CQ_MAGIC = [0x51, 0x54, 0x58, 0x43]; // "QTXC"
export const CQ_VERSION = 1;
export const CQ_HEADER = 16;
/** Largest payload a file may declare (inflating stops there). */
const MAX_PAYLOAD = 1 << 30;

export type BlobDtype = 'u8' | 'i8' | 'u16' | 'i32' | 'u32' | 'f32';
export type BlobArray = Uint8Array | Int8Array | Uint16Array | Int32Array | Uint32Array | Float32Array;
const SIZES: Record<BlobDtype, number> = { u8: 1, i8: 1, u16: 2, i32: 4, u32: 4, f32: 4 };

export function dtypeOf(a: BlobArray): BlobDtype {
  if (a instanceof Uint8Array) return 'u8';
  if (a instanceof Int8Array) return 'i8';
  if (a instanceof Uint16Array) return 'u16';
  if (a instanceof Int32Array) return 'i32';
  if (a instanceof Uint32Array) return 'u32';
  return 'f32';
}

function fail(msg: string, offset: number, name: string): never {
  throw new QuantextError('E_FORMAT', `${name}: ${msg} (at byte ${offset})`, { file: name, offset });
}

const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Payload bytes of a JSON object and its blobs. */
export function encodePayload(meta: Record<string, unknown>, blobs: Record<string, BlobArray>): Uint8Array {
  if (!LE) throw new QuantextError('E_UNSUPPORTED', 'compressed classifier files are written on little-endian hosts only');
  const list = Object.entries(blobs).map(([name, a]) => ({ name, dtype: dtypeOf(a), length: a.length }));
  const json = new TextEncoder().encode(JSON.stringify({ ...meta, blobs: list }));
  let n = 4 + json.length;
  const at: number[] = [];
  for (const b of list) {
    const s = SIZES[b.dtype];
    n = Math.ceil(n / s) * s;
    at.push(n);
    n += b.length * s;
  }
  const out = new Uint8Array(n);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 4);
  Object.values(blobs).forEach((a, i) => out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at[i]));
  return out;
}

/** Reads the JSON and the blobs of a payload (copies, so the arrays are aligned and own their memory). */
export function decodePayload(p: Uint8Array, name: string): { meta: Record<string, unknown>; blobs: Record<string, BlobArray>; blobAt: Record<string, number> } {
  if (p.length < 4) fail('the payload is shorter than its 4-byte JSON length', 0, name);
  const n = new DataView(p.buffer, p.byteOffset, p.byteLength).getUint32(0, true);
  if (n > p.length - 4) fail(`the JSON header claims ${n} bytes, only ${p.length - 4} remain`, 0, name);
  let meta: Record<string, unknown>;
  try {
    meta = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(p.subarray(4, 4 + n)));
  } catch (e) {
    fail(`the JSON header does not parse (${(e as Error).message})`, 4, name);
  }
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) fail('the JSON header is not an object', 4, name);
  const list = meta.blobs;
  if (!Array.isArray(list)) fail('the JSON header has no blob list', 4, name);
  const blobs: Record<string, BlobArray> = {};
  const blobAt: Record<string, number> = {};
  let o = 4 + n;
  for (const b of list as unknown[]) {
    const e = b as { name?: unknown; dtype?: unknown; length?: unknown };
    if (typeof e !== 'object' || e === null || typeof e.name !== 'string' || typeof e.dtype !== 'string' || !(e.dtype in SIZES) || !Number.isSafeInteger(e.length) || (e.length as number) < 0) {
      fail(`bad blob entry ${JSON.stringify(b)}`, 4, name);
    }
    const s = SIZES[e.dtype as BlobDtype];
    o = Math.ceil(o / s) * s;
    const bytes = (e.length as number) * s;
    if (o + bytes > p.length) fail(`blob '${e.name}' (${e.length} × ${e.dtype}) runs past the end of the payload (${p.length} bytes)`, o, name);
    const raw = p.slice(o, o + bytes);
    const buf = raw.buffer;
    blobs[e.name as string] = e.dtype === 'u8' ? raw : e.dtype === 'i8' ? new Int8Array(buf) : e.dtype === 'u16' ? new Uint16Array(buf) : e.dtype === 'i32' ? new Int32Array(buf) : e.dtype === 'u32' ? new Uint32Array(buf) : new Float32Array(buf);
    blobAt[e.name as string] = o;
    o += bytes;
  }
  if (o !== p.length) fail(`${p.length - o} unexpected bytes after the last blob`, o, name);
  return { meta, blobs, blobAt };
}

async function pipe(data: Uint8Array, stream: CompressionStream | DecompressionStream, limit: number, name: string): Promise<Uint8Array> {
  const w = stream.writable.getWriter();
  const wrote = w.write(data as Uint8Array<ArrayBuffer>).then(() => w.close()).catch(() => undefined);
  const r = stream.readable.getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  try {
    for (;;) {
      const { value, done } = await r.read();
      if (done) break;
      n += value.length;
      if (n > limit) {
        await r.cancel().catch(() => undefined);
        fail(`the payload inflates past its declared ${limit} bytes`, CQ_HEADER, name);
      }
      parts.push(value);
    }
  } catch (e) {
    if (e instanceof QuantextError) throw e;
    fail(`the deflated payload is corrupt (${(e as Error).message})`, CQ_HEADER, name);
  }
  await wrote;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The whole file: header + (deflated) payload. */
export async function packFile(payload: Uint8Array, deflate: boolean): Promise<Uint8Array> {
  const body = deflate ? await pipe(payload, new CompressionStream('deflate-raw'), Infinity, 'compress') : payload;
  const out = new Uint8Array(CQ_HEADER + body.length);
  out.set(CQ_MAGIC, 0);
  out[4] = CQ_VERSION;
  out[5] = deflate ? 1 : 0;
  const dv = new DataView(out.buffer);
  dv.setUint32(8, payload.length, true);
  dv.setUint32(12, body.length, true);
  out.set(body, CQ_HEADER);
  return out;
}

/** The payload of a file, header checked, inflated. */
export async function unpackFile(file: Uint8Array, name: string): Promise<Uint8Array> {
  if (file.length < CQ_HEADER) fail(`a compressed classifier file has a ${CQ_HEADER}-byte header; this one has ${file.length} bytes`, 0, name);
  for (let i = 0; i < 4; i++) if (file[i] !== CQ_MAGIC[i]) fail('not a quantext compressed classifier (magic "QTXC" expected)', 0, name);
  if (file[4] !== CQ_VERSION) fail(`version ${file[4]} is not supported (${CQ_VERSION})`, 4, name);
  if ((file[5] & ~1) !== 0) fail(`unknown flags ${file[5]}`, 5, name);
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (dv.getUint16(6, true) !== 0) fail('reserved bytes are not 0', 6, name);
  const raw = dv.getUint32(8, true), stored = dv.getUint32(12, true);
  if (raw > MAX_PAYLOAD) fail(`the payload claims ${raw} bytes (more than ${MAX_PAYLOAD})`, 8, name);
  if (stored !== file.length - CQ_HEADER) fail(`the header says ${stored} payload bytes follow; the file has ${file.length - CQ_HEADER} (truncated?)`, 12, name);
  const body = file.subarray(CQ_HEADER);
  if (!(file[5] & 1)) {
    if (raw !== stored) fail(`a plain payload of ${stored} bytes declares ${raw}`, 8, name);
    return body.slice();
  }
  const p = await pipe(body, new DecompressionStream('deflate-raw'), raw, name);
  if (p.length !== raw) fail(`the payload inflates to ${p.length} bytes, the header says ${raw}`, 8, name);
  return p;
}

/**
 * Strictly increasing uint32 values as Golomb-Rice codes of their gaps (first value: gap from 0): one byte k, then
 * per gap g: (g >> k) one-bits, a zero bit, the low k bits of g (bits LSB first). For n uniformly spread 32-bit
 * hashes that is about log2(2^32 / n) + 1.5 bits each (a varint takes 24-32).
 */
export function encodeSortedU32(v: Uint32Array): Uint8Array {
  const n = v.length;
  const mean = n ? (v[n - 1] + 1) / n : 1;
  const k = Math.max(0, Math.min(31, Math.floor(Math.log2(Math.max(1, mean * Math.LN2)))));
  const bits: number[] = [];
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const g = v[i] - prev;
    prev = v[i];
    const q = Math.floor(g / 2 ** k);
    for (let j = 0; j < q; j++) bits.push(1);
    bits.push(0);
    const r = g - q * 2 ** k;
    for (let j = 0; j < k; j++) bits.push(Math.floor(r / 2 ** j) & 1);
  }
  const out = new Uint8Array(1 + Math.ceil(bits.length / 8));
  out[0] = k;
  for (let i = 0; i < bits.length; i++) if (bits[i]) out[1 + (i >> 3)] |= 1 << (i & 7);
  return out;
}

/** The inverse of encodeSortedU32: exactly `n` strictly increasing uint32 values (E_FORMAT otherwise). */
export function decodeSortedU32(b: Uint8Array, n: number, at: number, what: string, name: string): Uint32Array {
  const out = new Uint32Array(n);
  if (b.length < 1) fail(`${what}: empty`, at, name);
  const k = b[0];
  if (k > 31) fail(`${what}: Rice parameter ${k} > 31`, at, name);
  const nbits = (b.length - 1) * 8;
  let p = 0, prev = 0;
  const bit = () => {
    if (p >= nbits) fail(`${what}: the codes end before value ${n}`, at + 1 + (p >> 3), name);
    const v = (b[1 + (p >> 3)] >> (p & 7)) & 1;
    p++;
    return v;
  };
  for (let i = 0; i < n; i++) {
    let q = 0;
    while (bit()) if (++q > 2 ** (32 - k)) fail(`${what}: value ${i} exceeds 32 bits`, at + 1 + (p >> 3), name);
    let r = 0;
    for (let j = 0; j < k; j++) r += bit() * 2 ** j;
    const g = q * 2 ** k + r;
    const v = prev + g;
    if (v > 0xffffffff || (i > 0 && g === 0)) fail(`${what}: value ${i} is not above the previous one or exceeds 32 bits`, at + 1 + ((p - 1) >> 3), name);
    out[i] = v;
    prev = v;
  }
  if (Math.ceil(p / 8) !== b.length - 1) fail(`${what}: ${b.length - 1 - Math.ceil(p / 8)} bytes after its ${n} values`, at + 1 + Math.ceil(p / 8), name);
  return out;
}
