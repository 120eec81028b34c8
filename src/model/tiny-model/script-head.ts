import { OnnxType } from './onnx-writer.js';
import type { GraphBuilder } from './graph-builder.js';
import type { ScriptRule } from './script-rules.js';

const SCRIPT_BIAS = 100;
// why: ids are stored as (id mod 1024, id div 1024) so both halves stay exact integers in an fp16 cache.
const SPLIT = 1024;

export interface ScriptHeadShape {
  kvHeads: number;
  headDim: number;
  vocabSize: number;
  kvType: 'float32' | 'float16';
}

/**
 * An extra cache layer `index` whose keys/values carry the token ids themselves, so the graph can read the last
 * k tokens from the cache (cached decoding) or from the full sequence (recompute) alike. Returns the fp32 view of
 * the grown sequence [b, H, T, hd].
 */
function tokenLayer(g: GraphBuilder, s: ScriptHeadShape, index: number): string {
  const lo = g.op('Cast', [g.op('Mod', ['input_ids', 'c_split'])], { to: OnnxType.float });
  const hi = g.op('Cast', [g.op('Div', ['input_ids', 'c_split'])], { to: OnnxType.float });
  const pair = g.op('Concat', [g.op('Unsqueeze', [lo, 'c_axes2']), g.op('Unsqueeze', [hi, 'c_axes2'])], { axis: 2 });
  const padded = g.op('Pad', [pair, g.ints('c_tok_pads', [6], [0, 0, 0, 0, 0, s.headDim - 2])]);
  let fresh = g.op('Expand', [g.op('Unsqueeze', [padded, 'c_axes1']), g.ints('c_tok_expand', [4], [1, s.kvHeads, 1, 1])]);
  if (s.kvType === 'float16') fresh = g.op('Cast', [fresh], { to: OnnxType.float16 });
  g.op('Concat', [`past_key_values.${index}.key`, fresh], { axis: 2 }, `present.${index}.key`);
  const present = g.op('Concat', [`past_key_values.${index}.value`, fresh], { axis: 2 }, `present.${index}.value`);
  return s.kvType === 'float16' ? g.op('Cast', [present], { to: OnnxType.float }) : present;
}

/** The last k token ids as floats [b, 1, k]; missing positions (short sequences) read as -1025. */
function lastTokens(g: GraphBuilder, seq: string, k: number): string {
  const padded = g.op('Pad', [seq, g.ints('c_ctx_pads', [8], [0, 0, k, 0, 0, 0, 0, 0]), g.floats('c_minus_one', [], [-1])]);
  const window = g.op('Slice', [padded, g.ints('c_ctx_starts', [3], [-k, 0, 0]), g.ints('c_ctx_ends', [3], [2 ** 40, 1, 2]), g.ints('c_ctx_axes', [3], [2, 1, 3])]);
  const lo = g.op('Slice', [window, g.ints('c_ch0_s', [1], [0]), g.ints('c_ch0_e', [1], [1]), g.ints('c_ch_axis', [1], [3])]);
  const hi = g.op('Slice', [window, g.ints('c_ch1_s', [1], [1]), g.ints('c_ch1_e', [1], [2]), 'c_ch_axis']);
  const ids = g.op('Add', [lo, g.op('Mul', [hi, g.floats('c_split_f', [], [SPLIT])])]);
  return g.op('Reshape', [ids, g.ints('c_ctx_shape', [3], [0, 1, k])]);
}

/**
 * Logit bias [b, 1, vocab] that makes greedy decoding follow the script: +100 on the token the first matching
 * rule names, nothing when no rule matches. Adds cache layer `index`.
 */
export function buildScriptHead(g: GraphBuilder, s: ScriptHeadShape, rules: ScriptRule[], index: number): string {
  g.ints('c_split', [], [SPLIT]);
  const k = rules[0]?.context.length ?? 1;
  const ctx = lastTokens(g, tokenLayer(g, s, index), k);
  const pattern = rules.flatMap((r) => r.context.map((t) => t ?? 0));
  const wildcard = rules.flatMap((r) => r.context.map((t) => (t === null ? 1 : 0)));
  const eq = g.op('Cast', [g.op('Equal', [ctx, g.floats('c_rule_ctx', [rules.length, k], pattern)])], { to: OnnxType.float });
  const matched = g.op('ReduceMin', [g.op('Max', [eq, g.floats('c_rule_any', [rules.length, k], wildcard)])], { axes: [2], keepdims: 0 });
  const nextPlusOne = g.floats('c_rule_next', [rules.length], rules.map((r) => r.next + 1));
  const best = g.op('ReduceMax', [g.op('Mul', [matched, nextPlusOne])], { axes: [1], keepdims: 1 });
  const target = g.op('Sub', [best, g.floats('c_one_f', [], [1])]);
  const vocab = g.op('Range', [g.floats('c_zero_r', [], [0]), g.floats('c_vocab_r', [], [s.vocabSize]), 'c_one_f']);
  const hit = g.op('Equal', [vocab, g.op('Unsqueeze', [target, 'c_axes2'])]);
  return g.op('Mul', [g.op('Cast', [hit], { to: OnnxType.float }), g.floats('c_bias', [], [SCRIPT_BIAS])]);
}
