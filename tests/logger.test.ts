import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { memoryLogger } from './helpers/logs.js';

describe('createLogger', () => {
  it('redacts API keys, bearer tokens and database URLs', () => {
    const { log, lines } = memoryLogger();
    const config = loadConfig({ LLM_API_KEY: 'sk-live-123', API_TOKEN: 'tok-456', DATABASE_URL: 'postgres://u:pw@h/db' });
    log.info({ config }, 'boot');
    log.info({ req: { headers: { authorization: 'Bearer tok-456' } } }, 'request');
    log.info({ model: { apiKey: 'sk-live-123' } }, 'model');
    const text = JSON.stringify(lines());
    expect(text).not.toContain('sk-live-123');
    expect(text).not.toContain('tok-456');
    expect(text).not.toContain('pw@h');
    expect(lines()[0]).toMatchObject({ config: { model: { apiKey: '[redacted]' }, server: { apiToken: '[redacted]' } } });
  });
});
