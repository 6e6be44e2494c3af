/**
 * Test-only ONNX model building: a plain description of a model (nodes, initializers, inputs, outputs, opsets),
 * encoded to ModelProto bytes either by `onnx-proto` (protobufjs' generated ONNX code, when installed by
 * `bash bench/peers/install-ort.sh`) or by the small encoder below (always available, so the importer is tested
 * in every run). Tests check the two encodings decode the same.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

export const FLOAT = 1, UINT8 = 2, INT8 = 3, INT32 = 6, INT64 = 7;

export interface TensorSpec {
  name: string;
  dims: number[];
  dataType: number;
  values: ArrayLike<number>;
  /** store as raw_data (default) or in the typed field (float_data / int32_data / int64_data) */
  raw?: boolean;
}
export interface AttrSpec {
  name: string;
  f?: number;
  i?: number;
  s?: string;
  t?: TensorSpec;
  floats?: number[];
  ints?: number[];
}
export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  domain?: string;
  attrs?: AttrSpec[];
}
export interface ValueSpec {
  name: string;
  elemType?: number;
  shape?: (number | string)[];
}
export interface ModelSpec {
  nodes: NodeSpec[];
  initializers?: TensorSpec[];
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  opsets?: { domain: string; version: number }[];
  irVersion?: number;
  producer?: string;
}

export const tensor = (name: string, dims: number[], dataType: number, values: ArrayLike<number>, raw = true): TensorSpec => ({ name, dims, dataType, values, raw });
export const node = (op: string, inputs: string[], outputs: string[], name?: string, attrs?: AttrSpec[], domain?: string): NodeSpec => ({
  op,
  inputs,
  outputs,
  ...(name !== undefined ? { name } : {}),
  ...(attrs ? { attrs } : {}),
  ...(domain ? { domain } : {}),
});

// ------------------------------------------------------------------ own encoder (protobuf wire format)

class W {
  parts: number[] = [];
  varint(v: number | bigint): void {
    let b = BigInt.asUintN(64, BigInt(v));
    do {
      let byte = Number(b & 0x7fn);
      b >>= 7n;
      if (b) byte |= 0x80;
      this.parts.push(byte);
    } while (b);
  }
  tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }
  bytes(field: number, data: Uint8Array): void {
    this.tag(field, 2);
    this.varint(data.length);
    for (const b of data) this.parts.push(b);
  }
  str(field: number, s: string): void {
    this.bytes(field, new TextEncoder().encode(s));
  }
  msg(field: number, m: W): void {
    this.bytes(field, Uint8Array.from(m.parts));
  }
  int(field: number, v: number): void {
    this.tag(field, 0);
    this.varint(v);
  }
  float(field: number, v: number): void {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.parts.push(...b);
  }
  packed(field: number, vs: ArrayLike<number>, kind: 'varint' | 'float'): void {
    const m = new W();
    for (let i = 0; i < vs.length; i++) {
      if (kind === 'float') {
        const b = new Uint8Array(4);
        new DataView(b.buffer).setFloat32(0, vs[i], true);
        m.parts.push(...b);
      } else m.varint(vs[i]);
    }
    this.msg(field, m);
  }
}

export function rawBytes(t: TensorSpec): Uint8Array {
  const n = t.values.length;
  switch (t.dataType) {
    case FLOAT:
      return new Uint8Array(Float32Array.from(t.values).buffer);
    case UINT8:
      return Uint8Array.from(t.values);
    case INT8:
      return new Uint8Array(Int8Array.from(t.values).buffer);
    case INT32:
      return new Uint8Array(Int32Array.from(t.values).buffer);
    case INT64: {
      const a = new BigInt64Array(n);
      for (let i = 0; i < n; i++) a[i] = BigInt(t.values[i]);
      return new Uint8Array(a.buffer);
    }
  }
  throw new Error(`rawBytes: type ${t.dataType}`);
}

function encTensor(t: TensorSpec): W {
  const w = new W();
  if (t.dims.length) w.packed(1, t.dims, 'varint');
  w.int(2, t.dataType);
  w.str(8, t.name);
  if (t.raw !== false) w.bytes(9, rawBytes(t));
  else if (t.dataType === FLOAT) w.packed(4, t.values, 'float');
  else if (t.dataType === INT64) w.packed(7, t.values, 'varint');
  else w.packed(5, t.values, 'varint');
  return w;
}

function encValue(v: ValueSpec): W {
  const w = new W();
  w.str(1, v.name);
  const tt = new W();
  tt.int(1, v.elemType ?? FLOAT);
  if (v.shape) {
    const sh = new W();
    for (const d of v.shape) {
      const dm = new W();
      if (typeof d === 'number') dm.int(1, d);
      else dm.str(2, d);
      sh.msg(1, dm);
    }
    tt.msg(2, sh);
  }
  const tp = new W();
  tp.msg(1, tt);
  w.msg(2, tp);
  return w;
}

function encAttr(a: AttrSpec): W {
  const w = new W();
  w.str(1, a.name);
  if (a.f !== undefined) {
    w.float(2, a.f);
    w.int(20, 1);
  } else if (a.i !== undefined) {
    w.int(3, a.i);
    w.int(20, 2);
  } else if (a.s !== undefined) {
    w.str(4, a.s);
    w.int(20, 3);
  } else if (a.t !== undefined) {
    w.msg(5, encTensor(a.t));
    w.int(20, 4);
  } else if (a.floats !== undefined) {
    w.packed(7, a.floats, 'float');
    w.int(20, 6);
  } else if (a.ints !== undefined) {
    w.packed(8, a.ints, 'varint');
    w.int(20, 7);
  }
  return w;
}

export function encodeOwn(m: ModelSpec): Uint8Array {
  const g = new W();
  for (const n of m.nodes) {
    const nw = new W();
    for (const i of n.inputs) nw.str(1, i);
    for (const o of n.outputs) nw.str(2, o);
    if (n.name !== undefined) nw.str(3, n.name);
    nw.str(4, n.op);
    for (const a of n.attrs ?? []) nw.msg(5, encAttr(a));
    if (n.domain) nw.str(7, n.domain);
    g.msg(1, nw);
  }
  g.str(2, 'g');
  for (const t of m.initializers ?? []) g.msg(5, encTensor(t));
  for (const v of m.inputs) g.msg(11, encValue(v));
  for (const v of m.outputs) g.msg(12, encValue(v));
  const w = new W();
  w.int(1, m.irVersion ?? 8);
  w.str(2, m.producer ?? 'quantext-test');
  w.msg(7, g);
  for (const o of m.opsets ?? [{ domain: '', version: 13 }]) {
    const ow = new W();
    if (o.domain) ow.str(1, o.domain);
    ow.int(2, o.version);
    w.msg(8, ow);
  }
  return Uint8Array.from(w.parts);
}

// ------------------------------------------------------------------ onnx-proto (protobufjs), when installed

const here = dirname(fileURLToPath(import.meta.url));
export const PEERS_DIR = join(here, '..', '..', 'bench', 'peers');

/** Loads a package installed in bench/peers/node_modules, or returns undefined with the reason. */
export async function loadPeer<T>(name: string): Promise<{ mod?: T; reason?: string }> {
  const pkg = join(PEERS_DIR, 'package.json');
  if (!existsSync(join(PEERS_DIR, 'node_modules', name))) {
    return { reason: `${name} is not installed in bench/peers (run: bash bench/peers/install-ort.sh)` };
  }
  try {
    const req = createRequire(pkg);
    const path = req.resolve(name);
    const mod = (await import(pathToFileURL(path).href)) as T & { default?: T };
    return { mod: (mod.default ?? mod) as T };
  } catch (e) {
    return { reason: `${name} failed to load: ${(e as Error).message}` };
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type OnnxProto = any;

function protoTensor(t: TensorSpec): Record<string, unknown> {
  const o: Record<string, unknown> = { name: t.name, dims: t.dims, dataType: t.dataType };
  if (t.raw !== false) o.rawData = rawBytes(t);
  else if (t.dataType === FLOAT) o.floatData = Array.from(t.values);
  else if (t.dataType === INT64) o.int64Data = Array.from(t.values);
  else o.int32Data = Array.from(t.values);
  return o;
}

function protoValue(v: ValueSpec): Record<string, unknown> {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: v.elemType ?? FLOAT,
        ...(v.shape ? { shape: { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } : {}),
      },
    },
  };
}

function protoAttr(a: AttrSpec): Record<string, unknown> {
  if (a.f !== undefined) return { name: a.name, type: 1, f: a.f };
  if (a.i !== undefined) return { name: a.name, type: 2, i: a.i };
  if (a.s !== undefined) return { name: a.name, type: 3, s: new TextEncoder().encode(a.s) };
  if (a.t !== undefined) return { name: a.name, type: 4, t: protoTensor(a.t) };
  if (a.floats !== undefined) return { name: a.name, type: 6, floats: a.floats };
  return { name: a.name, type: 7, ints: a.ints };
}

export function encodeWithOnnxProto(proto: OnnxProto, m: ModelSpec): Uint8Array {
  const onnx = proto.onnx ?? proto;
  const obj = {
    irVersion: m.irVersion ?? 8,
    producerName: m.producer ?? 'quantext-test',
    opsetImport: (m.opsets ?? [{ domain: '', version: 13 }]).map((o) => ({ domain: o.domain, version: o.version })),
    graph: {
      name: 'g',
      node: m.nodes.map((n) => ({
        input: n.inputs,
        output: n.outputs,
        ...(n.name !== undefined ? { name: n.name } : {}),
        opType: n.op,
        ...(n.domain ? { domain: n.domain } : {}),
        attribute: (n.attrs ?? []).map(protoAttr),
      })),
      initializer: (m.initializers ?? []).map(protoTensor),
      input: m.inputs.map(protoValue),
      output: m.outputs.map(protoValue),
    },
  };
  const msg = onnx.ModelProto.fromObject(obj);
  return onnx.ModelProto.encode(msg).finish() as Uint8Array;
}
