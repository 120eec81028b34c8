import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_TASKS, builtinTasks } from '../../../src/env/tasks/builtin-tasks.js';
import { ensureDemoPostgres, ensureDemoSqlite } from '../../../src/env/tasks/demo-db.js';
import { goldFor } from '../../../src/env/tasks/task.js';
import { silentLogger } from '../../helpers/logs.js';
import { describePg, PG_TEST_URL, uniqueSchema } from '../../helpers/pg.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

type Row = (string | number | null)[];

const questions = BUILTIN_TASKS.flatMap((task) => task.questions);
const dataDir = tmpDir('sre-builtin-');
let sqlite: Database.Database;

beforeAll(async () => {
  sqlite = new Database(await ensureDemoSqlite(dataDir, silentLogger()), { readonly: true });
});
afterAll(() => sqlite.close());

/** True when the SQL has an ORDER BY outside any parentheses (window and subquery ORDER BYs do not count). */
function hasTopLevelOrderBy(sql: string): boolean {
  let flat = sql;
  for (let prev = ''; prev !== flat; ) {
    prev = flat;
    flat = flat.replace(/\([^()]*\)/g, ' ');
  }
  return /\border\s+by\b/i.test(flat);
}

function runSqlite(sql: string): Row[] {
  return sqlite.prepare(sql).raw().all() as Row[];
}

/** Rows as the grader compares them: order-insensitive (sorted) unless the gold orders them. */
function comparable(rows: Row[], sql: string): Row[] {
  return hasTopLevelOrderBy(sql) ? rows : [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

describe('built-in tasks', () => {
  it('keeps the original task ids with their difficulties', () => {
    expect(BUILTIN_TASKS.map((t) => [t.id, t.difficulty])).toEqual([
      ['simple_queries', 'easy'],
      ['join_queries', 'medium'],
      ['complex_analytics', 'hard'],
    ]);
  });

  it('gives every task at least 10 questions with stable, unique, zero-padded ids on the demo database', () => {
    for (const task of BUILTIN_TASKS) {
      expect(task.questions.length).toBeGreaterThanOrEqual(10);
      task.questions.forEach((q, i) => {
        expect(q.id).toBe(`${task.id}/${String(i + 1).padStart(2, '0')}`);
        expect(q.taskId).toBe(task.id);
        expect(q.database).toBe('demo');
        expect(q.legacyDoubleQuotes).toBe(false);
      });
    }
    expect(new Set(questions.map((q) => q.id)).size).toBe(questions.length);
  });

  it('has gold SQL for both dialects on every question', () => {
    for (const q of questions) {
      expect(goldFor(q, 'sqlite'), q.id).toBeTruthy();
      expect(goldFor(q, 'postgres'), q.id).toBeTruthy();
    }
  });

  it('builtinTasks() returns copies that callers cannot use to change the built-in set', () => {
    const copy = builtinTasks();
    copy[0]?.questions.pop();
    expect(BUILTIN_TASKS[0]?.questions.length).toBe(copy[0] === undefined ? 0 : copy[0].questions.length + 1);
  });

  it.each(questions.map((q) => [q.id, q] as const))('%s: SQLite gold runs and returns at least one row', (_id, q) => {
    expect(runSqlite(goldFor(q, 'sqlite') ?? '').length).toBeGreaterThan(0);
  });
});

describePg('built-in task gold on PostgreSQL', () => {
  const schema = uniqueSchema('builtin_gold');
  const client = new pg.Client({
    connectionString: PG_TEST_URL,
    types: {
      // why: the grader parses int8/numeric to numbers and keeps dates as ISO text (grading.md §0).
      getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
        if (oid === 20 || oid === 1700) return (v: string) => Number(v);
        if (oid === 1082) return (v: string) => v;
        return pg.types.getTypeParser(oid, format as 'text');
      }) as typeof pg.types.getTypeParser,
    },
  });

  beforeAll(async () => {
    await ensureDemoPostgres(PG_TEST_URL, silentLogger(), schema);
    await client.connect();
    await client.query(`SET search_path TO "${schema}"`);
  });
  afterAll(async () => {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });

  it.each(questions.map((q) => [q.id, q] as const))('%s: PostgreSQL gold returns exactly the SQLite rows', async (_id, q) => {
    const pgSql = goldFor(q, 'postgres') ?? '';
    const sqliteSql = goldFor(q, 'sqlite') ?? '';
    const result = await client.query<Row>({ text: pgSql, rowMode: 'array' });
    expect(result.rows.length).toBeGreaterThan(0);
    expect(comparable(result.rows, pgSql)).toEqual(comparable(runSqlite(sqliteSql), sqliteSql));
  });
});
