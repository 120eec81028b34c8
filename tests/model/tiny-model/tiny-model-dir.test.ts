import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTinyModelDir } from '../../../src/model/tiny-model/tiny-model-dir.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

describe('buildTinyModelDir', () => {
  const root = tmpDir('sre-tiny-');

  it('writes a standard model directory with the real Qwen tokenizer and the file named for the dtype', () => {
    const built = buildTinyModelDir(path.join(root, 'q4'), { dtype: 'q4', script: 'SELECT 1' });
    expect(fs.readdirSync(built.dir).sort()).toEqual(['config.json', 'generation_config.json', 'onnx', 'tokenizer.json', 'tokenizer_config.json']);
    expect(built.onnxPath).toBe(path.join(built.dir, 'onnx', 'model_q4.onnx'));
    expect(built.scriptIds).toEqual([4858, 220, 16]);
    const generation = JSON.parse(fs.readFileSync(path.join(built.dir, 'generation_config.json'), 'utf8')) as { eos_token_id: number[] };
    expect(generation.eos_token_id).toEqual([151645, 151643]);
    expect(fs.statSync(built.onnxPath).size).toBeLessThan(200_000);
  });

  it('refuses a script with a repeated token, naming it', () => {
    expect(() => buildTinyModelDir(path.join(root, 'dup'), { script: 'SELECT name, name FROM t' })).toThrow(/token \d+ \(" name"\) occurs twice/);
  });
});
