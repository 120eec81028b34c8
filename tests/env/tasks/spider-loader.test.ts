import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DatasetError } from '../../../src/errors.js';
import { spiderHardness } from '../../../src/env/grade/hardness.js';
import { loadSpiderDataset } from '../../../src/env/tasks/spider-loader.js';
import { describeSpider, SPIDER_DIR } from '../../helpers/spider.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

const root = tmpDir('sre-spider-');

function tablesEntry(dbId: string) {
  return {
    db_id: dbId,
    table_names: ['singer'],
    table_names_original: ['singer'],
    column_names: [[-1, '*'], [0, 'singer id'], [0, 'name']],
    column_names_original: [[-1, '*'], [0, 'Singer_ID'], [0, 'Name']],
    column_types: ['text', 'number', 'text'],
    primary_keys: [1],
    foreign_keys: [],
  };
}

/** A small dataset in Spider's layout; `files` overrides or removes (undefined) the default files. */
function makeDataset(name: string, files: Record<string, unknown> = {}, dbIds = ['concert', 'music']): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  const defaults: Record<string, unknown> = {
    'questions.json': [
      { db_id: 'concert', question: 'How many singers are there?', query: 'SELECT count(*) FROM singer', query_toks: ['SELECT'] },
      { db_id: 'music', question: 'Names of singers named "Joe"?', query: 'SELECT name FROM singer WHERE name = "Joe" ORDER BY name' },
    ],
    'tables.json': dbIds.map(tablesEntry),
  };
  for (const [file, content] of Object.entries({ ...defaults, ...files })) {
    if (content === undefined) continue;
    fs.writeFileSync(path.join(dir, file), typeof content === 'string' ? content : JSON.stringify(content));
  }
  for (const dbId of dbIds) {
    fs.mkdirSync(path.join(dir, 'database', dbId), { recursive: true });
    const db = new Database(path.join(dir, 'database', dbId, `${dbId}.sqlite`));
    db.exec('CREATE TABLE IF NOT EXISTS singer (Singer_ID INTEGER PRIMARY KEY, Name TEXT)');
    db.close();
  }
  return dir;
}

describe('loadSpiderDataset', () => {
  it('loads Spider questions as one mixed task with zero-padded ids, computed hardness and legacy double quotes', async () => {
    const dir = makeDataset('tiny');
    const ds = await loadSpiderDataset(dir);
    expect(ds.name).toBe('tiny');
    expect(ds.task).toMatchObject({ id: 'tiny', difficulty: 'mixed' });
    expect(ds.task.questions.map((q) => q.id)).toEqual(['tiny/0000', 'tiny/0001']);
    expect(ds.task.questions[0]).toEqual({
      id: 'tiny/0000',
      taskId: 'tiny',
      database: 'concert',
      question: 'How many singers are there?',
      gold: 'SELECT count(*) FROM singer',
      difficulty: 'easy',
      legacyDoubleQuotes: true,
    });
    expect(ds.task.questions[1]?.difficulty).toBe(spiderHardness('SELECT name FROM singer WHERE name = "Joe" ORDER BY name'));
    expect(ds.databases).toEqual({
      concert: path.join(dir, 'database', 'concert', 'concert.sqlite'),
      music: path.join(dir, 'database', 'music', 'music.sqlite'),
    });
    expect(ds.tables.concert?.column_names_original[1]).toEqual([0, 'Singer_ID']);
  });

  it('reads BIRD items: SQL key, evidence, difficulty label and question_id', async () => {
    const bird = [
      { question_id: 7, db_id: 'concert', question: 'Q1', evidence: 'rich = money > 10', SQL: 'SELECT 1', difficulty: 'moderate' },
      { question_id: 12, db_id: 'music', question: 'Q2', evidence: '', SQL: 'SELECT 2', difficulty: 'challenging' },
    ];
    const ds = await loadSpiderDataset(makeDataset('bird', { 'dev.json': bird }), { name: 'bird-dev', questionsFile: 'dev.json' });
    const [first, second] = ds.task.questions;
    expect(first).toMatchObject({ id: 'bird-dev/7', taskId: 'bird-dev', gold: 'SELECT 1', evidence: 'rich = money > 10', difficulty: 'moderate' });
    expect(second).toMatchObject({ id: 'bird-dev/12', difficulty: 'challenging' });
    expect(second).not.toHaveProperty('evidence');
  });

  it('reads a JSON Lines questions file', async () => {
    const lines = ['{"db_id":"concert","question":"Q","query":"SELECT 1"}', '', '{"db_id":"music","question":"R","query":"SELECT 2"}'].join('\n');
    const ds = await loadSpiderDataset(makeDataset('jsonl', { 'q.jsonl': lines }), { questionsFile: 'q.jsonl' });
    expect(ds.task.questions.map((q) => q.gold)).toEqual(['SELECT 1', 'SELECT 2']);
  });

  it('names the missing file when questions.json or tables.json is absent', async () => {
    const noQuestions = makeDataset('no-questions', { 'questions.json': undefined });
    await expect(loadSpiderDataset(noQuestions)).rejects.toThrow(DatasetError);
    await expect(loadSpiderDataset(noQuestions)).rejects.toThrow(path.join(noQuestions, 'questions.json'));
    const noTables = makeDataset('no-tables', { 'tables.json': undefined });
    await expect(loadSpiderDataset(noTables)).rejects.toThrow(path.join(noTables, 'tables.json'));
  });

  it('names the file for malformed JSON, a non-array and an item without gold SQL', async () => {
    const badJson = makeDataset('bad-json', { 'questions.json': '[{"db_id": ' });
    await expect(loadSpiderDataset(badJson)).rejects.toThrow(new RegExp(`Malformed JSON.*${path.join(badJson, 'questions.json')}`));
    await expect(loadSpiderDataset(makeDataset('not-array', { 'questions.json': { a: 1 } }))).rejects.toThrow(/expected an array/);
    const noGold = makeDataset('no-gold', { 'questions.json': [{ db_id: 'concert', question: 'Q', query: 'SELECT 1' }, { db_id: 'concert', question: 'Q' }] });
    await expect(loadSpiderDataset(noGold)).rejects.toThrow(/no-gold\/questions\.json: item 1: .*gold SQL/);
    const badLabel = makeDataset('bad-label', { 'questions.json': [{ db_id: 'concert', question: 'Q', SQL: 'SELECT 1', difficulty: 'brutal' }] });
    await expect(loadSpiderDataset(badLabel)).rejects.toThrow(/item 0: difficulty/);
  });

  it('names the missing SQLite file of a question’s database', async () => {
    const dir = makeDataset('missing-db', {}, ['concert']);
    await expect(loadSpiderDataset(dir)).rejects.toThrow(path.join(dir, 'database', 'music', 'music.sqlite'));
  });

  it('rejects duplicate question ids and empty question files', async () => {
    const dup = [
      { question_id: 1, db_id: 'concert', question: 'Q', SQL: 'SELECT 1' },
      { question_id: 1, db_id: 'music', question: 'R', SQL: 'SELECT 2' },
    ];
    await expect(loadSpiderDataset(makeDataset('dup', { 'questions.json': dup }))).rejects.toThrow(/Duplicate question id 'dup\/1'/);
    await expect(loadSpiderDataset(makeDataset('empty', { 'questions.json': [] }))).rejects.toThrow(/no questions/);
  });
});

describeSpider('loadSpiderDataset on the shared Spider train subset', () => {
  it('loads all 3,904 questions over 138 databases with stable ids and Spider hardness', async () => {
    const ds = await loadSpiderDataset(SPIDER_DIR, { name: 'spider-train' });
    const raw = JSON.parse(fs.readFileSync(path.join(SPIDER_DIR, 'questions.json'), 'utf8')) as { db_id: string; query: string }[];
    expect(ds.task.questions).toHaveLength(3904);
    expect(Object.keys(ds.databases)).toHaveLength(138);
    expect(Object.keys(ds.tables)).toHaveLength(138);
    expect(ds.task.questions[42]?.id).toBe('spider-train/0042');
    expect(ds.task.questions.at(-1)?.id).toBe('spider-train/3903');
    ds.task.questions.forEach((q, i) => {
      expect(q.gold).toBe(raw[i]?.query);
      expect(q.database).toBe(raw[i]?.db_id);
      expect(fs.existsSync(ds.databases[q.database] ?? '')).toBe(true);
    });
    const levels = new Set(ds.task.questions.map((q) => q.difficulty));
    expect([...levels].sort()).toEqual(['easy', 'extra', 'hard', 'medium']);
    expect(ds.task.questions.every((q) => q.legacyDoubleQuotes)).toBe(true);
  });
});
