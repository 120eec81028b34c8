import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { createBackend, extractSql } from '../../src/model/index.js';
import { silentLogger } from '../helpers/logs.js';
import { testConfig } from '../helpers/test-config.js';
import { tinyModelDir } from '../helpers/tiny-model.js';

describe('createBackend', () => {
  it('returns undefined when no model is configured', async () => {
    expect(await createBackend(testConfig().model, silentLogger())).toBeUndefined();
  });

  it('builds the remote backend from LLM_* variables', async () => {
    const backend = await createBackend(testConfig({ LLM_BASE_URL: 'http://127.0.0.1:9/v1', LLM_MODEL: 'm1' }).model, silentLogger());
    expect(backend?.describe()).toEqual({ backend: 'openai', model: 'm1', device: 'remote' });
    await backend?.close();
  });

  it('refuses MODEL_BACKEND=openai with neither key nor base URL', async () => {
    await expect(createBackend(testConfig({ MODEL_BACKEND: 'openai' }).model, silentLogger())).rejects.toBeInstanceOf(ConfigError);
  });

  it('builds the local backend from MODEL_DIR, and its answer goes through extractSql', async () => {
    const dir = tinyModelDir({ script: '```sql\nSELECT COUNT(*) FROM singer;' }).dir;
    const backend = await createBackend(testConfig({ MODEL_DIR: dir }).model, silentLogger());
    try {
      expect(backend?.describe().backend).toBe('onnx');
      const answer = await backend?.chat([{ role: 'user', content: 'How many singers?' }]);
      expect(answer?.text).toBe('```sql\nSELECT COUNT(*) FROM singer;');
      expect(extractSql(answer?.text ?? '')).toBe('SELECT COUNT(*) FROM singer');
    } finally {
      await backend?.close();
    }
  });
});
