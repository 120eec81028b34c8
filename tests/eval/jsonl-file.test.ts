import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordOfFailure } from '../../src/eval/episode-record.js';
import { appendJsonLine, latestByQuestion, readEpisodeRecords } from '../../src/eval/jsonl-file.js';
import { tmpDir } from '../helpers/tmp-dir.js';

const dir = tmpDir('sre-jsonl-');
const record = (id: string, error: string) =>
  recordOfFailure(new Error(error), { question: { question_id: id, task_id: 't', db_id: 'd', difficulty: 'easy', question: '?' }, agent: 'direct', seed: 0, durationMs: 1 });

describe('episodes.jsonl', () => {
  it('reads back appended records and ignores a torn last line', () => {
    const file = path.join(dir, 'a', 'episodes.jsonl');
    appendJsonLine(file, record('q1', 'x'));
    appendJsonLine(file, record('q2', 'y'));
    fs.appendFileSync(file, '{"question_id":"q3","tas');
    expect(readEpisodeRecords(file).map((r) => r.question_id)).toEqual(['q1', 'q2']);
  });

  it('refuses a malformed line that is not the last', () => {
    const file = path.join(dir, 'bad.jsonl');
    fs.writeFileSync(file, `not json\n${JSON.stringify(record('q1', 'x'))}\n`);
    expect(() => readEpisodeRecords(file)).toThrow(/bad\.jsonl:1: not JSON/);
    fs.writeFileSync(file, `${JSON.stringify({ question_id: 'q1' })}\n${JSON.stringify(record('q1', 'x'))}\n`);
    expect(() => readEpisodeRecords(file)).toThrow(/bad\.jsonl:1: not an episode record/);
  });

  it('keeps the last record of each question', () => {
    const latest = latestByQuestion([record('q1', 'first'), record('q2', 'other'), record('q1', 'retry')]);
    expect(latest.map((r) => [r.question_id, r.error])).toEqual([['q2', 'other'], ['q1', 'retry']]);
  });

  it('is empty when the file does not exist', () => {
    expect(readEpisodeRecords(path.join(dir, 'missing.jsonl'))).toEqual([]);
  });
});
