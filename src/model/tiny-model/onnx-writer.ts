/**
 * A minimal ONNX protobuf encoder: just the ModelProto/GraphProto/NodeProto/TensorProto/ValueInfoProto fields a
 * small decoder graph needs. Field numbers follow onnx/onnx.proto (IR 8).
 */

export const OnnxType = { float: 1, int64: 7, bool: 9, float16: 10 } as const;
export type OnnxElemType = (typeof OnnxType)[keyof typeof OnnxType];

export type AttrValue = number | number[] | string;
export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, AttrValue | { float: number }>;
}
export interface OnnxTensor {
  name: string;
  type: OnnxElemType;
  dims: number[];
  data: Float32Array | BigInt64Array;
}
export interface OnnxValueInfo {
  name: string;
  type: OnnxElemType;
  shape: (number | string)[];
}
export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

class Buf {
  private readonly parts: Uint8Array[] = [];

  varint(value: number | bigint): this {
    let v = BigInt.asUintN(64, BigInt(value));
    const bytes: number[] = [];
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) b |= 0x80;
      bytes.push(b);
    } while (v !== 0n);
    this.parts.push(Uint8Array.from(bytes));
    return this;
  }

  tag(field: number, wire: number): this {
    return this.varint((field << 3) | wire);
  }

  int(field: number, value: number | bigint): this {
    return this.tag(field, 0).varint(value);
  }

  bytes(field: number, data: Uint8Array): this {
    this.tag(field, 2).varint(data.length);
    this.parts.push(data);
    return this;
  }

  str(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  msg(field: number, inner: Buf): this {
    return this.bytes(field, inner.done());
  }

  float(field: number, value: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.tag(field, 5);
    this.parts.push(b);
    return this;
  }

  done(): Uint8Array {
    const total = this.parts.reduce((n, p) => n + p.length, 0);
    const out = new Uint8Array(total);
    let off = 0;
    for (const p of this.parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }
}

const AttrKind = { float: 1, int: 2, string: 3, ints: 7 } as const;

function attribute(name: string, value: AttrValue | { float: number }): Buf {
  const b = new Buf().str(1, name);
  if (typeof value === 'string') return b.bytes(4, new TextEncoder().encode(value)).int(20, AttrKind.string);
  if (Array.isArray(value)) {
    for (const v of value) b.int(8, v);
    return b.int(20, AttrKind.ints);
  }
  if (typeof value === 'number') return b.int(3, value).int(20, AttrKind.int);
  return b.float(2, value.float).int(20, AttrKind.float);
}

function node(n: OnnxNode, index: number): Buf {
  const b = new Buf();
  for (const i of n.inputs) b.str(1, i);
  for (const o of n.outputs) b.str(2, o);
  b.str(3, `${n.op}_${index}`).str(4, n.op);
  for (const [k, v] of Object.entries(n.attrs ?? {})) b.msg(5, attribute(k, v));
  return b;
}

function tensor(t: OnnxTensor): Buf {
  const b = new Buf();
  for (const d of t.dims) b.int(1, d);
  b.int(2, t.type).str(8, t.name);
  return b.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

function valueInfo(v: OnnxValueInfo): Buf {
  const shape = new Buf();
  for (const d of v.shape) shape.msg(1, typeof d === 'number' ? new Buf().int(1, d) : new Buf().str(2, d));
  const tensorType = new Buf().int(1, v.type).msg(2, shape);
  return new Buf().str(1, v.name).msg(2, new Buf().msg(1, tensorType));
}

/** Serializes a graph as an ONNX model (IR 8, default-domain opset 17). */
export function encodeOnnxModel(graph: OnnxGraph, producer = 'sql-repair-env'): Uint8Array {
  const g = new Buf();
  graph.nodes.forEach((n, i) => g.msg(1, node(n, i)));
  g.str(2, graph.name);
  for (const t of graph.initializers) g.msg(5, tensor(t));
  for (const v of graph.inputs) g.msg(11, valueInfo(v));
  for (const v of graph.outputs) g.msg(12, valueInfo(v));
  return new Buf()
    .int(1, 8)
    .str(2, producer)
    .msg(7, g)
    .msg(8, new Buf().str(1, '').int(2, 17))
    .done();
}
