/**
 * A small, dependency-free decoder for the parts of ONNX's protobuf (onnx.proto3) that an MLP importer needs:
 * ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto (tensor types and shapes) and the
 * opset imports. Unknown fields are skipped, as protobuf requires. Malformed or truncated input throws
 * `QuantextError('E_FORMAT')` whose message and `details.offset` give the byte offset where decoding failed.
 */
import { QuantextError } from '../errors.js';

/** ONNX TensorProto.DataType values this decoder knows by name. */
export const DataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
} as const;

const DATA_TYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(DataType).map(([k, v]) => [v, k]));

/** The name of an ONNX data type number (`FLOAT`, `INT8`, …, or `type <n>`). */
export function dataTypeName(t: number): string {
  return DATA_TYPE_NAMES[t] ?? `type ${t}`;
}

/** Decoded tensor values: f32 for FLOAT, the matching integer array for UINT8/INT8/INT32, f64 for INT64/DOUBLE. */
export type TensorData = Float32Array | Uint8Array | Int8Array | Int32Array | Float64Array;

export interface OnnxTensor {
  readonly name: string;
  readonly dims: readonly number[];
  /** ONNX data type number ({@link DataType}). */
  readonly dataType: number;
  /** The values, row-major; `undefined` for a data type this decoder does not decode (strings, f16, bool, …). */
  readonly data: TensorData | undefined;
  /** Byte offset of the TensorProto in the file (for error messages). */
  readonly offset: number;
}

export type AttributeValue = number | string | Uint8Array | OnnxTensor | number[] | string[] | OnnxTensor[] | OnnxGraph;

export interface OnnxAttribute {
  readonly name: string;
  /** AttributeProto.AttributeType: 1 FLOAT, 2 INT, 3 STRING, 4 TENSOR, 5 GRAPH, 6 FLOATS, 7 INTS, 8 STRINGS, 9 TENSORS, … */
  readonly type: number;
  readonly value: AttributeValue | undefined;
}

export interface OnnxNode {
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: ReadonlyMap<string, OnnxAttribute>;
  /** Index of the node in the graph's node list. */
  readonly index: number;
}

export interface OnnxValueInfo {
  readonly name: string;
  /** Element type (ONNX DataType) when the value has a tensor type. */
  readonly elemType?: number;
  /** Dimensions: a number, a symbolic name, or undefined for an unknown one; `undefined` when the shape is not given. */
  readonly shape?: readonly (number | string | undefined)[];
}

export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: ReadonlyMap<string, OnnxTensor>;
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  readonly valueInfo: readonly OnnxValueInfo[];
}

export interface OnnxModel {
  readonly irVersion: number;
  readonly producerName: string;
  readonly producerVersion: string;
  /** Operator set versions by domain (`''` is the default ONNX domain, also spelt `ai.onnx`). */
  readonly opsets: ReadonlyMap<string, number>;
  readonly graph: OnnxGraph;
}

// ---------------------------------------------------------------------------------------------------------------
// wire-level reader

function formatError(message: string, offset: number): QuantextError {
  return new QuantextError('E_FORMAT', `ONNX: ${message} at byte ${offset}`, { offset });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Reads a varint as a JS number: unsigned values up to 2^53, negative int64 (10-byte two's complement) exactly. */
  varint(): number {
    const start = this.pos;
    let lo = 0;
    let hi = 0;
    let shift = 0;
    for (let i = 0; ; i++) {
      if (this.pos >= this.end) throw formatError('truncated varint', start);
      if (i >= 10) throw formatError('varint longer than 10 bytes', start);
      const b = this.buf[this.pos++];
      if (shift < 28) lo |= (b & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x70) >>> 4;
      } else hi |= (b & 0x7f) << (shift - 32);
      shift += 7;
      if ((b & 0x80) === 0) break;
    }
    lo >>>= 0;
    hi >>>= 0;
    if (hi & 0x80000000) {
      // negative int64
      const v = -((~hi >>> 0) * 4294967296 + (~lo >>> 0) + 1);
      if (!Number.isSafeInteger(v)) throw formatError('integer out of range', start);
      return v;
    }
    const v = hi * 4294967296 + lo;
    if (!Number.isSafeInteger(v)) throw formatError('integer out of range', start);
    return v;
  }

  /** int32 fields are varints of the sign-extended value. */
  int32(): number {
    return this.varint() | 0;
  }

  fixed32Float(): number {
    if (this.pos + 4 > this.end) throw formatError('truncated float', this.pos);
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4).getFloat32(0, true);
    this.pos += 4;
    return v;
  }

  /** A length-delimited field: returns [start, end) of its payload. */
  bytesRange(): [number, number] {
    const at = this.pos;
    const len = this.varint();
    const start = this.pos;
    if (len > this.end - start) throw formatError(`length ${len} runs past the end of its message (truncated file?)`, at);
    this.pos = start + len;
    return [start, start + len];
  }

  string(): string {
    const [s, e] = this.bytesRange();
    try {
      return utf8.decode(this.buf.subarray(s, e));
    } catch {
      throw formatError('invalid UTF-8 in a string', s);
    }
  }

  /** Reads a tag; returns [field number, wire type]. */
  tag(): [number, number] {
    const at = this.pos;
    const t = this.varint();
    const field = Math.floor(t / 8);
    const wire = t & 7;
    if (field === 0) throw formatError('field number 0', at);
    return [field, wire];
  }

  skip(wire: number, at: number): void {
    switch (wire) {
      case 0:
        this.varint();
        return;
      case 1:
        if (this.pos + 8 > this.end) throw formatError('truncated fixed64', this.pos);
        this.pos += 8;
        return;
      case 2:
        this.bytesRange();
        return;
      case 5:
        if (this.pos + 4 > this.end) throw formatError('truncated fixed32', this.pos);
        this.pos += 4;
        return;
      default:
        throw formatError(`unsupported wire type ${wire}`, at);
    }
  }

  /** Reads a repeated scalar that may be packed (wire type 2) or not. */
  repeated(wire: number, at: number, one: (r: Reader) => number, out: number[]): void {
    if (wire === 2) {
      const [s, e] = this.bytesRange();
      const sub = new Reader(this.buf, s, e);
      while (!sub.done) out.push(one(sub));
    } else if (wire === 0 || wire === 5) {
      out.push(one(this));
    } else throw formatError(`unexpected wire type ${wire} for a repeated number`, at);
  }
}

function expectWire(wire: number, want: number, what: string, at: number): void {
  if (wire !== want) throw formatError(`${what}: wire type ${wire}, expected ${want}`, at);
}

/** Decodes the messages of a length-delimited field with `decode`. */
function sub<T>(r: Reader, wire: number, at: number, what: string, decode: (r: Reader) => T): T {
  expectWire(wire, 2, what, at);
  const [s, e] = r.bytesRange();
  return decode(new Reader(r.buf, s, e));
}

// ---------------------------------------------------------------------------------------------------------------
// messages

function readTensor(r: Reader): OnnxTensor {
  const offset = r.pos;
  let name = '';
  const dims: number[] = [];
  let dataType = 0;
  let raw: [number, number] | undefined;
  const floats: number[] = [];
  const int32s: number[] = [];
  const int64s: number[] = [];
  const doubles: number[] = [];
  let external = false;
  while (!r.done) {
    const at = r.pos;
    const [f, w] = r.tag();
    switch (f) {
      case 1:
        r.repeated(w, at, (x) => x.varint(), dims);
        break;
      case 2:
        expectWire(w, 0, 'TensorProto.data_type', at);
        dataType = r.int32();
        break;
      case 4:
        r.repeated(w, at, (x) => x.fixed32Float(), floats);
        break;
      case 5:
        r.repeated(w, at, (x) => x.int32(), int32s);
        break;
      case 7:
        r.repeated(w, at, (x) => x.varint(), int64s);
        break;
      case 8:
        expectWire(w, 2, 'TensorProto.name', at);
        name = r.string();
        break;
      case 9:
        expectWire(w, 2, 'TensorProto.raw_data', at);
        raw = r.bytesRange();
        break;
      case 10:
        if (w === 2) {
          const [s, e] = r.bytesRange();
          if ((e - s) % 8) throw formatError('TensorProto.double_data length is not a multiple of 8', s);
          const dv = new DataView(r.buf.buffer, r.buf.byteOffset + s, e - s);
          for (let i = 0; i < e - s; i += 8) doubles.push(dv.getFloat64(i, true));
        } else {
          expectWire(w, 1, 'TensorProto.double_data', at);
          if (r.pos + 8 > r.end) throw formatError('truncated double', r.pos);
          doubles.push(new DataView(r.buf.buffer, r.buf.byteOffset + r.pos, 8).getFloat64(0, true));
          r.pos += 8;
        }
        break;
      case 14:
        expectWire(w, 0, 'TensorProto.data_location', at);
        external = r.varint() === 1;
        break;
      default:
        r.skip(w, at);
    }
  }
  for (const d of dims) if (d < 0) throw formatError(`tensor ${JSON.stringify(name)} has a negative dimension ${d}`, offset);
  const count = dims.reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(count)) throw formatError(`tensor ${JSON.stringify(name)} is too large`, offset);
  if (external) {
    return { name, dims, dataType, data: undefined, offset };
  }
  const data = tensorData(r.buf, name, dataType, count, raw, floats, int32s, int64s, doubles, offset);
  return { name, dims, dataType, data, offset };
}

const ELEM_SIZE: Record<number, number> = { 1: 4, 2: 1, 3: 1, 6: 4, 7: 8, 11: 8 };

function tensorData(
  buf: Uint8Array,
  name: string,
  dataType: number,
  count: number,
  raw: [number, number] | undefined,
  floats: number[],
  int32s: number[],
  int64s: number[],
  doubles: number[],
  offset: number,
): TensorData | undefined {
  const size = ELEM_SIZE[dataType];
  if (size === undefined) return undefined;
  const what = `tensor ${JSON.stringify(name)} (${dataTypeName(dataType)}, ${count} values)`;
  if (raw) {
    const [s, e] = raw;
    if (e - s !== count * size) throw formatError(`${what}: raw_data has ${e - s} bytes, expected ${count * size}`, s);
    // copy (raw_data need not be aligned for a typed view; a Node Buffer's slice() would not copy)
    const bytes = new Uint8Array(e - s);
    bytes.set(buf.subarray(s, e));
    const dv = new DataView(bytes.buffer);
    switch (dataType) {
      case DataType.FLOAT: {
        const out = new Float32Array(count);
        for (let i = 0; i < count; i++) out[i] = dv.getFloat32(4 * i, true);
        return out;
      }
      case DataType.UINT8:
        return bytes;
      case DataType.INT8:
        return new Int8Array(bytes.buffer);
      case DataType.INT32: {
        const out = new Int32Array(count);
        for (let i = 0; i < count; i++) out[i] = dv.getInt32(4 * i, true);
        return out;
      }
      case DataType.INT64: {
        const out = new Float64Array(count);
        for (let i = 0; i < count; i++) out[i] = Number(dv.getBigInt64(8 * i, true));
        return out;
      }
      case DataType.DOUBLE: {
        const out = new Float64Array(count);
        for (let i = 0; i < count; i++) out[i] = dv.getFloat64(8 * i, true);
        return out;
      }
    }
    return undefined;
  }
  const typed =
    dataType === DataType.FLOAT ? floats : dataType === DataType.INT64 ? int64s : dataType === DataType.DOUBLE ? doubles : int32s;
  if (typed.length !== count) throw formatError(`${what}: has ${typed.length} typed values, expected ${count}`, offset);
  switch (dataType) {
    case DataType.FLOAT:
      return Float32Array.from(floats);
    case DataType.UINT8:
      for (const v of int32s) if (v < 0 || v > 255) throw formatError(`${what}: value ${v} out of range`, offset);
      return Uint8Array.from(int32s);
    case DataType.INT8:
      for (const v of int32s) if (v < -128 || v > 127) throw formatError(`${what}: value ${v} out of range`, offset);
      return Int8Array.from(int32s);
    case DataType.INT32:
      return Int32Array.from(int32s);
    default:
      return Float64Array.from(typed);
  }
}

function readAttribute(r: Reader): OnnxAttribute {
  let name = '';
  let type = 0;
  let f: number | undefined;
  let i: number | undefined;
  let s: Uint8Array | undefined;
  let t: OnnxTensor | undefined;
  let g: OnnxGraph | undefined;
  const floats: number[] = [];
  const ints: number[] = [];
  const strings: string[] = [];
  const tensors: OnnxTensor[] = [];
  while (!r.done) {
    const at = r.pos;
    const [fld, w] = r.tag();
    switch (fld) {
      case 1:
        expectWire(w, 2, 'AttributeProto.name', at);
        name = r.string();
        break;
      case 20:
        expectWire(w, 0, 'AttributeProto.type', at);
        type = r.int32();
        break;
      case 2:
        expectWire(w, 5, 'AttributeProto.f', at);
        f = r.fixed32Float();
        break;
      case 3:
        expectWire(w, 0, 'AttributeProto.i', at);
        i = r.varint();
        break;
      case 4: {
        expectWire(w, 2, 'AttributeProto.s', at);
        const [a, b] = r.bytesRange();
        s = r.buf.subarray(a, b);
        break;
      }
      case 5:
        t = sub(r, w, at, 'AttributeProto.t', readTensor);
        break;
      case 6:
        g = sub(r, w, at, 'AttributeProto.g', readGraph);
        break;
      case 7:
        r.repeated(w, at, (x) => x.fixed32Float(), floats);
        break;
      case 8:
        r.repeated(w, at, (x) => x.varint(), ints);
        break;
      case 9: {
        expectWire(w, 2, 'AttributeProto.strings', at);
        strings.push(r.string());
        break;
      }
      case 10:
        tensors.push(sub(r, w, at, 'AttributeProto.tensors', readTensor));
        break;
      default:
        r.skip(w, at);
    }
  }
  let value: AttributeValue | undefined;
  switch (type) {
    case 1:
      value = f ?? 0;
      break;
    case 2:
      value = i ?? 0;
      break;
    case 3:
      value = s ? decodeString(s) : '';
      break;
    case 4:
      value = t;
      break;
    case 5:
      value = g;
      break;
    case 6:
      value = floats;
      break;
    case 7:
      value = ints;
      break;
    case 8:
      value = strings;
      break;
    case 9:
      value = tensors;
      break;
    default:
      // IR < 3 files may omit `type`: infer it from the field that is set
      value = f ?? i ?? (s ? decodeString(s) : undefined) ?? t ?? g;
      if (type === 0) type = f !== undefined ? 1 : i !== undefined ? 2 : s ? 3 : t ? 4 : g ? 5 : 0;
  }
  return { name, type, value };
}

function decodeString(s: Uint8Array): string {
  try {
    return utf8.decode(s);
  } catch {
    return Array.from(s, (b) => String.fromCharCode(b)).join('');
  }
}

function readNode(r: Reader, index: number): OnnxNode {
  let name = '';
  let opType = '';
  let domain = '';
  const inputs: string[] = [];
  const outputs: string[] = [];
  const attributes = new Map<string, OnnxAttribute>();
  while (!r.done) {
    const at = r.pos;
    const [f, w] = r.tag();
    switch (f) {
      case 1:
        expectWire(w, 2, 'NodeProto.input', at);
        inputs.push(r.string());
        break;
      case 2:
        expectWire(w, 2, 'NodeProto.output', at);
        outputs.push(r.string());
        break;
      case 3:
        expectWire(w, 2, 'NodeProto.name', at);
        name = r.string();
        break;
      case 4:
        expectWire(w, 2, 'NodeProto.op_type', at);
        opType = r.string();
        break;
      case 7:
        expectWire(w, 2, 'NodeProto.domain', at);
        domain = r.string();
        break;
      case 5: {
        const a = sub(r, w, at, 'NodeProto.attribute', readAttribute);
        attributes.set(a.name, a);
        break;
      }
      default:
        r.skip(w, at);
    }
  }
  return { name, opType, domain, inputs, outputs, attributes, index };
}

function readShape(r: Reader): (number | string | undefined)[] {
  const dims: (number | string | undefined)[] = [];
  while (!r.done) {
    const at = r.pos;
    const [f, w] = r.tag();
    if (f === 1) {
      dims.push(
        sub(r, w, at, 'TensorShapeProto.dim', (d) => {
          let v: number | string | undefined;
          while (!d.done) {
            const a2 = d.pos;
            const [f2, w2] = d.tag();
            if (f2 === 1 && w2 === 0) v = d.varint();
            else if (f2 === 2 && w2 === 2) v = d.string();
            else d.skip(w2, a2);
          }
          return v;
        }),
      );
    } else r.skip(w, at);
  }
  return dims;
}

function readValueInfo(r: Reader): OnnxValueInfo {
  let name = '';
  let elemType: number | undefined;
  let shape: (number | string | undefined)[] | undefined;
  while (!r.done) {
    const at = r.pos;
    const [f, w] = r.tag();
    if (f === 1) {
      expectWire(w, 2, 'ValueInfoProto.name', at);
      name = r.string();
    } else if (f === 2) {
      // TypeProto: tensor_type = 1 { elem_type = 1; shape = 2 }
      sub(r, w, at, 'ValueInfoProto.type', (tp) => {
        while (!tp.done) {
          const a2 = tp.pos;
          const [f2, w2] = tp.tag();
          if (f2 === 1) {
            sub(tp, w2, a2, 'TypeProto.tensor_type', (tt) => {
              while (!tt.done) {
                const a3 = tt.pos;
                const [f3, w3] = tt.tag();
                if (f3 === 1 && w3 === 0) elemType = tt.int32();
                else if (f3 === 2) shape = sub(tt, w3, a3, 'TypeProto.Tensor.shape', readShape);
                else tt.skip(w3, a3);
              }
            });
          } else tp.skip(w2, a2);
        }
      });
    } else r.skip(w, at);
  }
  return { name, ...(elemType !== undefined ? { elemType } : {}), ...(shape ? { shape } : {}) };
}

function readGraph(r: Reader): OnnxGraph {
  let name = '';
  const nodes: OnnxNode[] = [];
  const initializers = new Map<string, OnnxTensor>();
  const inputs: OnnxValueInfo[] = [];
  const outputs: OnnxValueInfo[] = [];
  const valueInfo: OnnxValueInfo[] = [];
  while (!r.done) {
    const at = r.pos;
    const [f, w] = r.tag();
    switch (f) {
      case 1:
        nodes.push(sub(r, w, at, 'GraphProto.node', (x) => readNode(x, nodes.length)));
        break;
      case 2:
        expectWire(w, 2, 'GraphProto.name', at);
        name = r.string();
        break;
      case 5: {
        const t = sub(r, w, at, 'GraphProto.initializer', readTensor);
        initializers.set(t.name, t);
        break;
      }
      case 11:
        inputs.push(sub(r, w, at, 'GraphProto.input', readValueInfo));
        break;
      case 12:
        outputs.push(sub(r, w, at, 'GraphProto.output', readValueInfo));
        break;
      case 13:
        valueInfo.push(sub(r, w, at, 'GraphProto.value_info', readValueInfo));
        break;
      default:
        r.skip(w, at);
    }
  }
  return { name, nodes, initializers, inputs, outputs, valueInfo };
}

/**
 * Decodes an ONNX ModelProto. Throws `E_FORMAT` (with the byte offset) for malformed or truncated bytes and for a
 * file without a graph.
 */
export function decodeModel(bytes: Uint8Array): OnnxModel {
  const r = new Reader(bytes, 0, bytes.length);
  let irVersion = 0;
  let producerName = '';
  let producerVersion = '';
  const opsets = new Map<string, number>();
  let graph: OnnxGraph | undefined;
  if (bytes.length === 0) throw formatError('empty file', 0);
  while (!r.done) {
    const at = r.pos;
    const [f, w] = r.tag();
    switch (f) {
      case 1:
        expectWire(w, 0, 'ModelProto.ir_version', at);
        irVersion = r.varint();
        break;
      case 2:
        expectWire(w, 2, 'ModelProto.producer_name', at);
        producerName = r.string();
        break;
      case 3:
        expectWire(w, 2, 'ModelProto.producer_version', at);
        producerVersion = r.string();
        break;
      case 7:
        graph = sub(r, w, at, 'ModelProto.graph', readGraph);
        break;
      case 8: {
        const [d, v] = sub(r, w, at, 'ModelProto.opset_import', (o) => {
          let domain = '';
          let version = 0;
          while (!o.done) {
            const a2 = o.pos;
            const [f2, w2] = o.tag();
            if (f2 === 1 && w2 === 2) domain = o.string();
            else if (f2 === 2 && w2 === 0) version = o.varint();
            else o.skip(w2, a2);
          }
          return [domain, version] as const;
        });
        opsets.set(d === 'ai.onnx' ? '' : d, v);
        break;
      }
      default:
        r.skip(w, at);
    }
  }
  if (!graph) throw formatError('no graph in the model (not an ONNX ModelProto?)', bytes.length);
  return { irVersion, producerName, producerVersion, opsets, graph };
}
