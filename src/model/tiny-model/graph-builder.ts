import { OnnxType, type AttrValue, type OnnxNode, type OnnxTensor } from './onnx-writer.js';

/** Accumulates nodes and initializers with generated intermediate names. */
export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private counter = 0;

  op(op: string, inputs: string[], attrs?: Record<string, AttrValue | { float: number }>, output?: string): string {
    const out = output ?? `t${this.counter++}`;
    this.nodes.push({ op, inputs, outputs: [out], ...(attrs === undefined ? {} : { attrs }) });
    return out;
  }

  floats(name: string, dims: number[], data: Float32Array | number[]): string {
    this.initializers.push({ name, type: OnnxType.float, dims, data: data instanceof Float32Array ? data : Float32Array.from(data) });
    return name;
  }

  ints(name: string, dims: number[], values: number[]): string {
    this.initializers.push({ name, type: OnnxType.int64, dims, data: BigInt64Array.from(values.map(BigInt)) });
    return name;
  }

  random(name: string, dims: number[], scale: number, rand: () => number): string {
    const n = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = (rand() * 2 - 1) * scale;
    return this.floats(name, dims, data);
  }
}
