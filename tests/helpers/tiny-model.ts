import path from 'node:path';
import { buildTinyModelDir, type TinyModelDir, type TinyModelDirOptions } from '../../src/model/tiny-model/tiny-model-dir.js';
import { tmpDir } from './tmp-dir.js';

/**
 * Builds a tiny random-weight decoder model directory (real Qwen tokenizer, standard decoder I/O) in a temporary
 * directory removed after the file's tests. With `script`, greedy decoding answers any chat prompt with that text.
 */
export function tinyModelDir(options: TinyModelDirOptions = {}, name = 'tiny-model'): TinyModelDir {
  return buildTinyModelDir(path.join(tmpDir('sre-model-'), name), options);
}
