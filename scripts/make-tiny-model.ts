/**
 * Writes a tiny random-weight decoder model directory with the standard decoder-export I/O and the real Qwen
 * tokenizer, for tests, CI and demos with no network and no GPU (spec/local-model.md §3).
 * Usage: npx tsx scripts/make-tiny-model.ts <dir> [--script "SELECT …"] [--dtype fp32|fp16|q8|q4|q4f16]
 *          [--kv float32|float16] [--layers 2] [--seed 1]
 * Then: MODEL_DIR=<dir> [MODEL_DTYPE=<dtype>] npm run dev
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ModelDtype } from '../src/model/model-dir.js';
import { buildTinyModelDir } from '../src/model/tiny-model/tiny-model-dir.js';

const DTYPES = ['fp32', 'fp16', 'q8', 'q4', 'q4f16'];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    script: { type: 'string' },
    dtype: { type: 'string', default: 'fp32' },
    kv: { type: 'string', default: 'float32' },
    layers: { type: 'string', default: '2' },
    seed: { type: 'string', default: '1' },
  },
});

const dir = positionals[0];
if (dir === undefined || !DTYPES.includes(values.dtype) || !['float32', 'float16'].includes(values.kv)) {
  console.error('usage: make-tiny-model <dir> [--script "SELECT …"] [--dtype fp32|fp16|q8|q4|q4f16] [--kv float32|float16] [--layers N] [--seed N]');
  process.exit(2);
}

const built = buildTinyModelDir(path.resolve(dir), {
  dtype: values.dtype as ModelDtype,
  kvType: values.kv as 'float32' | 'float16',
  layers: Number(values.layers),
  seed: Number(values.seed),
  ...(values.script === undefined ? {} : { script: values.script }),
});
console.log(`wrote ${built.onnxPath}${built.scriptIds === undefined ? '' : ` (scripted answer: ${built.scriptIds.length} tokens)`}`);
