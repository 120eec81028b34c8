import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOnnxBackend } from '../../../src/model/onnx-backend.js';
import { scriptRules } from '../../../src/model/tiny-model/script-rules.js';
import { buildTinyModelDir } from '../../../src/model/tiny-model/tiny-model-dir.js';
import { silentLogger } from '../../helpers/logs.js';
import { testConfig } from '../../helpers/test-config.js';
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

  it('scripts answers with repeated tokens: a fenced multi-line join answered verbatim', async () => {
    const answer = '```sql\nSELECT T1.name FROM singer AS T1 JOIN concert AS T2 ON T1.singer_id = T2.singer_id\n```';
    const dir = buildTinyModelDir(path.join(root, 'fenced'), { script: answer }).dir;
    const backend = await createOnnxBackend(testConfig({ MODEL_DIR: dir }).model, silentLogger());
    try {
      const result = await backend.chat([
        { role: 'system', content: 'Answer with one fenced SQL block.' },
        { role: 'user', content: 'Names of singers with a concert?' },
      ]);
      expect(result).toMatchObject({ text: answer, finishReason: 'stop' });
    } finally {
      await backend.close();
    }
  });
});

describe('scriptRules', () => {
  it('uses one token of context when every token is distinct', () => {
    const rules = scriptRules({ prefix: [7, 8], answer: [1, 2, 3], eos: 0 });
    expect(rules).toEqual([
      { context: [8], next: 1 },
      { context: [1], next: 2 },
      { context: [2], next: 3 },
      { context: [3], next: 0 },
    ]);
  });

  it('grows the context until repeated tokens are told apart', () => {
    const rules = scriptRules({ prefix: [7, 8], answer: [1, 2, 1, 3], eos: 0 });
    expect(rules.map((r) => r.context.length)).toEqual([2, 2, 2, 2, 2]);
    expect(rules[1]).toEqual({ context: [8, 1], next: 2 });
    expect(rules[3]).toEqual({ context: [2, 1], next: 3 });
  });
});
