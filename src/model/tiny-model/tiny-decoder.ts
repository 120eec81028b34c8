import { createRng } from '../sampling.js';
import { GraphBuilder } from './graph-builder.js';
import { encodeOnnxModel, OnnxType, type OnnxGraph } from './onnx-writer.js';
import { buildScriptHead } from './script-head.js';
import { scriptRules, type TinyScript } from './script-rules.js';

/** Shape and behaviour of a random-weight decoder with the standard decoder-export I/O (local-model.md §2.1, §3). */
export interface TinyDecoderOptions {
  layers?: number;
  kvHeads?: number;
  headDim?: number;
  hidden?: number;
  /** Embedding rows actually stored; token ids are taken modulo this. */
  buckets?: number;
  vocabSize?: number;
  kvType?: 'float32' | 'float16';
  /** Seed of the weights. */
  seed?: number;
  /** Greedy decoding after `prefix` emits `answer` then `eos` (adds one cache layer that carries token ids). */
  script?: TinyScript;
}

export type TinyDecoderShape = Required<Omit<TinyDecoderOptions, 'script'>>;

export const TINY_DECODER_DEFAULTS: TinyDecoderShape = {
  layers: 2,
  kvHeads: 2,
  headDim: 8,
  hidden: 16,
  buckets: 64,
  vocabSize: 151_936,
  kvType: 'float32',
  seed: 1,
};

function buildMask(g: GraphBuilder): string {
  // why: key positions from the mask's cumsum, so causality holds with left padding exactly as position_ids do.
  const keyPos = g.op('Sub', [g.op('CumSum', ['attention_mask', 'c_axis1']), 'c_one']);
  const causal = g.op('LessOrEqual', [g.op('Unsqueeze', [keyPos, 'c_axes1']), g.op('Unsqueeze', ['position_ids', 'c_axes2'])]);
  const valid = g.op('Cast', [g.op('Unsqueeze', ['attention_mask', 'c_axes1'])], { to: OnnxType.bool });
  const bias = g.op('Where', [g.op('And', [causal, valid]), 'c_zero_f', 'c_neg_f']);
  return g.op('Unsqueeze', [bias, 'c_axes1']);
}

function buildLayer(g: GraphBuilder, s: TinyDecoderShape, i: number, x: string, maskBias: string, rand: () => number): string {
  const hd = s.kvHeads * s.headDim;
  const heads = (name: string): string => {
    const w = g.random(`l${i}.${name}`, [s.hidden, hd], 1 / Math.sqrt(s.hidden), rand);
    return g.op('Transpose', [g.op('Reshape', [g.op('MatMul', [x, w]), 'c_split_heads'])], { perm: [0, 2, 1, 3] });
  };
  const q = heads('wq');
  const cached = (kind: 'key' | 'value', fresh: string): string => {
    const past = `past_key_values.${i}.${kind}`;
    const present = `present.${i}.${kind}`;
    if (s.kvType === 'float32') return g.op('Concat', [past, fresh], { axis: 2 }, present);
    g.op('Concat', [past, g.op('Cast', [fresh], { to: OnnxType.float16 })], { axis: 2 }, present);
    return g.op('Cast', [present], { to: OnnxType.float });
  };
  const k = cached('key', heads('wk'));
  const v = cached('value', heads('wv'));
  const scores = g.op('Mul', [g.op('MatMul', [q, g.op('Transpose', [k], { perm: [0, 1, 3, 2] })]), `c_scale`]);
  const probs = g.op('Softmax', [g.op('Add', [scores, maskBias])], { axis: -1 });
  const attn = g.op('Reshape', [g.op('Transpose', [g.op('MatMul', [probs, v])], { perm: [0, 2, 1, 3] }), 'c_merge_heads']);
  const wo = g.random(`l${i}.wo`, [hd, s.hidden], 1 / Math.sqrt(hd), rand);
  return g.op('Tanh', [g.op('Add', [x, g.op('MatMul', [attn, wo])])]);
}

function addConstants(g: GraphBuilder, s: TinyDecoderShape): void {
  g.ints('c_buckets', [], [s.buckets]);
  g.ints('c_axis1', [], [1]);
  g.ints('c_one', [], [1]);
  g.ints('c_axes1', [1], [1]);
  g.ints('c_axes2', [1], [2]);
  g.ints('c_split_heads', [4], [0, 0, s.kvHeads, s.headDim]);
  g.ints('c_merge_heads', [3], [0, 0, s.kvHeads * s.headDim]);
  g.ints('c_tile', [3], [1, 1, Math.ceil(s.vocabSize / s.buckets)]);
  g.ints('c_slice_start', [1], [0]);
  g.ints('c_slice_end', [1], [s.vocabSize]);
  g.ints('c_slice_axis', [1], [2]);
  g.floats('c_zero_f', [], Float32Array.of(0));
  g.floats('c_neg_f', [], Float32Array.of(-1e9));
  g.floats('c_scale', [], Float32Array.of(1 / Math.sqrt(s.headDim)));
}

function signature(s: TinyDecoderShape, cacheLayers: number): Pick<OnnxGraph, 'inputs' | 'outputs'> {
  const kvElem = s.kvType === 'float32' ? OnnxType.float : OnnxType.float16;
  const kv = (prefix: string, len: string) =>
    Array.from({ length: cacheLayers }, (_, i) =>
      (['key', 'value'] as const).map((kind) => ({ name: `${prefix}.${i}.${kind}`, type: kvElem, shape: ['batch_size', s.kvHeads, len, s.headDim] })),
    ).flat();
  return {
    inputs: [
      { name: 'input_ids', type: OnnxType.int64, shape: ['batch_size', 'sequence_length'] },
      { name: 'attention_mask', type: OnnxType.int64, shape: ['batch_size', 'total_sequence_length'] },
      { name: 'position_ids', type: OnnxType.int64, shape: ['batch_size', 'sequence_length'] },
      ...kv('past_key_values', 'past_sequence_length'),
    ],
    outputs: [
      { name: 'logits', type: OnnxType.float, shape: ['batch_size', 'sequence_length', s.vocabSize] },
      ...kv('present', 'total_sequence_length'),
    ],
  };
}

/** Builds the ONNX bytes of a random-weight decoder that honours the KV cache, the mask and position_ids. */
export function buildTinyDecoder(options: TinyDecoderOptions = {}): Uint8Array {
  const { script, ...rest } = options;
  const s: TinyDecoderShape = { ...TINY_DECODER_DEFAULTS, ...rest };
  const rand = createRng(s.seed);
  const g = new GraphBuilder();
  addConstants(g, s);
  const embed = g.random('embed', [s.buckets, s.hidden], 1, rand);
  let x = g.op('Gather', [embed, g.op('Mod', ['input_ids', 'c_buckets'])], { axis: 0 });
  const maskBias = buildMask(g);
  for (let i = 0; i < s.layers; i++) x = buildLayer(g, s, i, x, maskBias, rand);
  const lmHead = g.random('lm_head', [s.hidden, s.buckets], 1, rand);
  const tiled = g.op('Tile', [g.op('MatMul', [x, lmHead]), 'c_tile']);
  const sliced = g.op('Slice', [tiled, 'c_slice_start', 'c_slice_end', 'c_slice_axis']);
  if (script === undefined) g.op('Identity', [sliced], undefined, 'logits');
  else g.op('Add', [sliced, buildScriptHead(g, s, scriptRules(script), s.layers)], undefined, 'logits');
  const cacheLayers = s.layers + (script === undefined ? 0 : 1);
  return encodeOnnxModel({ name: 'tiny-decoder', nodes: g.nodes, initializers: g.initializers, ...signature(s, cacheLayers) });
}
