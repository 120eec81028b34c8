import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { DTYPE_FILE_SUFFIX, loadModelDir } from '../../src/model/model-dir.js';
import { buildTinyModelDir } from '../../src/model/tiny-model/tiny-model-dir.js';
import { tmpDir } from '../helpers/tmp-dir.js';

const root = tmpDir('sre-model-dir-');
let good: string;

function copyOf(name: string, edit: (dir: string) => void): string {
  const dir = path.join(root, name);
  fs.cpSync(good, dir, { recursive: true });
  edit(dir);
  return dir;
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadModelDir', () => {
  beforeAll(() => {
    good = buildTinyModelDir(path.join(root, 'good')).dir;
  });

  it('reads a complete directory: onnx path for the dtype, EOS ids, chat template', () => {
    const m = loadModelDir(good, 'fp32');
    expect(m.onnxPath).toBe(path.join(good, 'onnx', 'model.onnx'));
    expect(m.name).toBe('good');
    expect(m.eosTokenIds.sort()).toEqual([151643, 151645]);
    expect(m.chatTemplate).toContain('<|im_start|>');
    expect(m.config.num_hidden_layers).toBe(2);
  });

  it('maps MODEL_DTYPE to the export file suffixes', () => {
    expect(DTYPE_FILE_SUFFIX).toEqual({ fp32: '', fp16: '_fp16', q8: '_quantized', q4: '_q4', q4f16: '_q4f16' });
  });

  it('names the missing dtype file and lists the files that are there', () => {
    const [problem] = problemsOf(() => loadModelDir(good, 'q4'));
    expect(problem).toBe(`MODEL_DIR=${good}: MODEL_DTYPE=q4 needs onnx/model_q4.onnx, which is missing (present: model.onnx)`);
  });

  it('fails clearly for a directory that does not exist', () => {
    expect(problemsOf(() => loadModelDir(path.join(root, 'nope'), 'fp32'))).toEqual([`MODEL_DIR=${path.join(root, 'nope')}: not a directory`]);
  });

  it('lists every missing or malformed file at once', () => {
    const dir = copyOf('broken', (d) => {
      fs.rmSync(path.join(d, 'tokenizer.json'));
      fs.writeFileSync(path.join(d, 'config.json'), '{ not json');
      fs.rmSync(path.join(d, 'onnx'), { recursive: true });
    });
    const problems = problemsOf(() => loadModelDir(dir, 'fp32'));
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/config\.json is not valid JSON/);
    expect(problems[1]).toBe(`MODEL_DIR=${dir}: missing tokenizer.json`);
    expect(problems[2]).toMatch(/needs onnx\/model\.onnx, which is missing \(the onnx\/ folder has no \.onnx file\)/);
  });

  it('requires a chat template and EOS ids', () => {
    const dir = copyOf('no-template', (d) => {
      const cfgFile = path.join(d, 'tokenizer_config.json');
      const cfg = JSON.parse(fs.readFileSync(cfgFile, 'utf8')) as Record<string, unknown>;
      delete cfg['chat_template'];
      fs.writeFileSync(cfgFile, JSON.stringify(cfg));
      fs.writeFileSync(path.join(d, 'generation_config.json'), '{}');
      fs.writeFileSync(path.join(d, 'config.json'), '{}');
    });
    const problems = problemsOf(() => loadModelDir(dir, 'fp32'));
    expect(problems.some((p) => p.includes('no chat template'))).toBe(true);
    expect(problems.some((p) => p.includes('no eos_token_id'))).toBe(true);
  });

  it('takes the chat template from chat_template.jinja when tokenizer_config.json has none', () => {
    const dir = copyOf('jinja-file', (d) => {
      const cfgFile = path.join(d, 'tokenizer_config.json');
      const cfg = JSON.parse(fs.readFileSync(cfgFile, 'utf8')) as Record<string, unknown>;
      delete cfg['chat_template'];
      fs.writeFileSync(cfgFile, JSON.stringify(cfg));
      fs.writeFileSync(path.join(d, 'chat_template.jinja'), '{{ messages[0].content }}');
    });
    expect(loadModelDir(dir, 'fp32').chatTemplate).toBe('{{ messages[0].content }}');
  });
});
