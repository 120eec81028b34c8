import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelopeJson, observationFrameJson } from '../../src/api/frame-json.js';
import { toEnvelope } from '../../src/api/protocol.js';
import { composeService, type Service } from '../../src/compose.js';
import type { StepResult } from '../../src/env/index.js';
import { builtinGold } from '../helpers/builtin-gold.js';
import { silentLogger } from '../helpers/logs.js';
import { testConfig } from '../helpers/test-config.js';
import { tmpDir } from '../helpers/tmp-dir.js';

let service: Service;
beforeAll(async () => {
  service = await composeService(testConfig({ DATA_DIR: tmpDir('sre-frame-json-'), SQL_WORKERS: '1' }), silentLogger());
});
afterAll(() => service.close());

/** Reset, a failing step, a wrong-result step and the successful one (recommendation null, episode done). */
async function episodeResults(): Promise<StepResult[]> {
  const episode = service.env.createEpisode();
  const results = [await episode.reset({ task_id: 'simple_queries', question_id: 'simple_queries/01' })];
  for (const sql of ['SELECT nme FROM customers', 'SELECT COUNT(*) FROM orders', builtinGold('simple_queries/01')]) {
    results.push(await episode.step({ custom_sql: sql, metadata: {} }));
  }
  return results;
}

/** JSON.stringify's text with each non-ASCII UTF-16 code unit as a \\uXXXX escape (Python's json.dumps default). */
function expectedJson(value: unknown): string {
  let out = '';
  for (const c of JSON.stringify(value)) {
    for (let i = 0; i < c.length; i++) {
      const code = c.charCodeAt(i);
      out += code < 0x80 ? c[i] : `\\u${code.toString(16).padStart(4, '0')}`;
    }
  }
  return out;
}

describe('reply JSON writer', () => {
  it('writes exactly what JSON.stringify writes, in ASCII, for real reset and step results, twice in a row', async () => {
    const results = await episodeResults();
    expect(results.at(-1)?.observation.recommendation).toBeNull();
    expect(results[1]?.observation.recommendation?.prompt[0]?.content.length).toBeGreaterThan(1024);
    for (const result of [...results, ...results]) {
      expect(envelopeJson(result).equals(Buffer.from(expectedJson(toEnvelope(result))))).toBe(true);
      expect(observationFrameJson(result).toString()).toBe(expectedJson({ type: 'observation', data: toEnvelope(result) }));
      expect(JSON.parse(observationFrameJson(result).toString())).toEqual(JSON.parse(JSON.stringify({ type: 'observation', data: toEnvelope(result) })));
    }
  });

  it('escapes long and short texts exactly (quotes, control characters, lone surrogates, non-ASCII) and leaves out undefined members', async () => {
    const [reset] = await episodeResults();
    const nasty = `"quoted" \\ back\tslash\n\u0000\u001f \ud800 lone, 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ü ${'x'.repeat(2000)}`;
    const observation = { ...reset!.observation, schema_info: nasty, evidence: nasty.slice(0, 1500), question: 'Wie viele Kunden … ü 𝔘?', injected_fault: undefined as unknown as null };
    const result: StepResult = { observation, reward: 0.5, done: false };
    const bytes = envelopeJson(result);
    expect(bytes.equals(Buffer.from(expectedJson(toEnvelope(result))))).toBe(true);
    expect(bytes.every((b) => b < 0x80)).toBe(true);
    expect(JSON.parse(bytes.toString()).observation).toMatchObject({ schema_info: nasty, question: 'Wie viele Kunden … ü 𝔘?' });
    expect(JSON.parse(envelopeJson(result).toString()).observation).not.toHaveProperty('injected_fault');
    const changed: StepResult = { ...result, observation: { ...observation, schema_info: `${nasty}!` } };
    expect(JSON.parse(envelopeJson(changed).toString()).observation.schema_info).toBe(`${nasty}!`);
  });
});
