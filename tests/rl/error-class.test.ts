import { describe, expect, it } from 'vitest';
import type { DbSchema, ExecResult, SqlFailure } from '../../src/env/db/engine.js';
import { createGrader } from '../../src/env/grade/grader.js';
import { ERROR_CLASSES, classifyFailure, classifyOutcome, isErrorClass, type ErrorClass } from '../../src/rl/error-class.js';
import { silentLogger } from '../helpers/logs.js';
import { describePg, uniqueSchema } from '../helpers/pg.js';
import { testConfig } from '../helpers/test-config.js';
import { tmpDir } from '../helpers/tmp-dir.js';
import { EMPTY_RESULTS, PG_FAILING, SQLITE_FAILING, WRONG_RESULTS, type FailingQuery } from './failing-queries.js';
import { pgFixtureDatabase, sqliteFixtureDatabase, type FixtureDatabase, useFixtureDatabase } from './repair-fixture.js';

const table = (name: string, columns: string[], primaryKey: string[] = []) => ({
  name,
  columns: columns.map((c) => ({ name: c, type: 'TEXT', isPrimaryKey: primaryKey.includes(c), isNotNull: false })),
  primaryKey,
  foreignKeys: [],
  createSql: '',
  sampleRows: [],
});

const SCHEMA: DbSchema = {
  dialect: 'sqlite',
  database: 'concert',
  tables: [
    table('stadium', ['stadium_id', 'name', 'location', 'capacity'], ['stadium_id']),
    table('singer', ['singer_id', 'name', 'country', 'age'], ['singer_id']),
    table('concert', ['concert_id', 'concert_name', 'stadium_id', 'year'], ['concert_id']),
  ],
};

function sqliteError(message: string, code = 'SQLITE_ERROR'): SqlFailure {
  return { ok: false, kind: 'error', dialect: 'sqlite', code, message, elapsedMs: 1 };
}

function pgError(code: string, message: string, extra: Partial<SqlFailure> = {}): SqlFailure {
  return { ok: false, kind: 'error', dialect: 'postgres', code, message, elapsedMs: 1, ...extra };
}

describe('error classes', () => {
  it('lists the 13 classes of the spec in its order', () => {
    expect([...ERROR_CLASSES]).toEqual(['SYNTAX', 'UNKNOWN_TABLE', 'UNKNOWN_COLUMN', 'AMBIGUOUS_REFERENCE', 'UNKNOWN_FUNCTION', 'GROUPING', 'TYPE_MISMATCH', 'QUERY_SHAPE', 'TIMEOUT', 'REJECTED', 'EMPTY_RESULT', 'WRONG_RESULT', 'OTHER']);
    expect(isErrorClass('GROUPING')).toBe(true);
    expect(isErrorClass('grouping')).toBe(false);
  });
});

describe('classifyFailure on recorded messages', () => {
  it('classifies by execution outcome before any code or message', () => {
    const timeout: SqlFailure = { ...pgError('TIMEOUT', 'canceling statement due to statement timeout (limit 50 ms)'), kind: 'timeout' };
    const rejected: SqlFailure = { ...sqliteError('near "x": syntax error', 'REJECTED'), kind: 'rejected' };
    expect(classifyFailure(timeout, 'SELECT 1')).toEqual({ errorClass: 'TIMEOUT', rawCode: 'TIMEOUT', rawMessage: timeout.message, candidates: [] });
    expect(classifyFailure(rejected, 'DELETE FROM t')).toMatchObject({ errorClass: 'REJECTED', rawCode: 'REJECTED', rawMessage: rejected.message });
  });

  it.each([
    ['near "FROM": syntax error', 'SQLITE_ERROR', 'SYNTAX', 'FROM', undefined],
    ['no such table: main.stadiums', 'SQLITE_ERROR', 'UNKNOWN_TABLE', 'stadiums', 'main'],
    ['no such column: "Name " - should this be a string literal in single-quotes?', 'SQLITE_ERROR', 'UNKNOWN_COLUMN', 'Name ', undefined],
    ['no such column: singer.nme', 'SQLITE_ERROR', 'UNKNOWN_COLUMN', 'nme', 'singer'],
    ['ambiguous column name: s.name', 'SQLITE_ERROR', 'AMBIGUOUS_REFERENCE', 'name', 's'],
    ['wrong number of arguments to function substr()', 'SQLITE_ERROR', 'UNKNOWN_FUNCTION', 'substr', undefined],
    ['misuse of aggregate: max()', 'SQLITE_ERROR', 'GROUPING', 'max', undefined],
    ['datatype mismatch', 'SQLITE_MISMATCH', 'TYPE_MISMATCH', undefined, undefined],
    ['sub-select returns 2 columns - expected 1', 'SQLITE_ERROR', 'QUERY_SHAPE', undefined, undefined],
    ['interrupted', 'SQLITE_INTERRUPT', 'TIMEOUT', undefined, undefined],
    ['attempt to write a readonly database', 'SQLITE_READONLY', 'REJECTED', undefined, undefined],
    ['string or blob too big', 'SQLITE_TOOBIG', 'REJECTED', undefined, undefined],
    ['The SQLite worker running this query exited (SIGKILL) and was replaced', 'WORKER_CRASHED', 'OTHER', undefined, undefined],
  ] as const)('SQLite %j (%s) is %s with token %j', (message, code, errorClass, token, qualifier) => {
    const info = classifyFailure(sqliteError(message, code), 'SELECT name FROM singer AS s', SCHEMA);
    expect(info).toMatchObject({ errorClass, rawCode: code, rawMessage: message });
    expect([info.token, info.qualifier]).toEqual([token, qualifier]);
  });

  it.each([
    ['42601', 'each UNION query must have the same number of columns', 'QUERY_SHAPE'],
    ['42601', 'syntax error at or near "SELEC"', 'SYNTAX'],
    ['42883', 'operator does not exist: text = integer', 'TYPE_MISMATCH'],
    ['42883', 'function lenght(text) does not exist', 'UNKNOWN_FUNCTION'],
    ['42P01', 'missing FROM-clause entry for table "t3"', 'UNKNOWN_TABLE'],
    ['42712', 'table name "s" specified more than once', 'AMBIGUOUS_REFERENCE'],
    ['42P20', 'window functions are not allowed in WHERE', 'GROUPING'],
    ['22012', 'division by zero', 'TYPE_MISMATCH'],
    ['22003', 'integer out of range', 'TYPE_MISMATCH'],
    ['21000', 'more than one row returned by a subquery used as an expression', 'QUERY_SHAPE'],
    ['25006', 'cannot execute DELETE in a read-only transaction', 'REJECTED'],
    ['53200', 'out of memory', 'REJECTED'],
    ['XX000', 'could not find block containing chunk', 'OTHER'],
  ] as const)('PostgreSQL %s %j is %s', (code, message, errorClass) => {
    expect(classifyFailure(pgError(code, message), 'SELECT 1')).toMatchObject({ errorClass, rawCode: code, rawMessage: message });
  });

  it('takes a PostgreSQL token from the position when the message names none, skipping keywords', () => {
    const sql = 'SELECT name FROM singer WHERE count(*) > 1';
    expect(classifyFailure(pgError('42803', 'aggregate functions are not allowed in WHERE', { position: 31 }), sql).token).toBe('count');
    const inSql = 'SELECT name FROM singer WHERE age IN (SELECT age, name FROM singer)';
    expect(classifyFailure(pgError('42601', 'subquery has too many columns', { position: 35 }), inSql).token).toBeUndefined();
  });

  it('puts the PostgreSQL hint first with score 1, its alias resolved to the table', () => {
    const failure = pgError('42703', 'column s.agee does not exist', { position: 8, hint: 'Perhaps you meant to reference the column "s.age".' });
    const info = classifyFailure(failure, 'SELECT s.agee FROM singer s', SCHEMA);
    expect(info).toMatchObject({ errorClass: 'UNKNOWN_COLUMN', token: 'agee', qualifier: 's' });
    expect(info.candidates[0]).toEqual({ name: 'singer.age', score: 1 });
    expect(info.candidates.map((c) => c.name)).not.toContain('stadium.name');
  });

  it('ranks at most three candidates, best first, tables the query names first among equals', () => {
    const info = classifyFailure(sqliteError('no such column: nam'), 'SELECT nam FROM singer', SCHEMA);
    expect(info.candidates).toHaveLength(3);
    expect(info.candidates.slice(0, 2)).toEqual([{ name: 'singer.name', score: 0.75 }, { name: 'stadium.name', score: 0.75 }]);
    const scores = info.candidates.map((c) => c.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it('reads SQLite "no such column: T3.c" with an undefined alias T3 as UNKNOWN_TABLE, like PostgreSQL', () => {
    const sql = 'SELECT T3.name FROM singer AS T1 JOIN concert AS T2 ON T1.singer_id = T2.concert_id';
    expect(classifyFailure(sqliteError('no such column: T3.name'), sql, SCHEMA)).toMatchObject({ errorClass: 'UNKNOWN_TABLE', token: 'T3' });
    const known = classifyFailure(sqliteError('no such column: T1.nam'), sql.replace('T3.name', 'T1.nam'), SCHEMA);
    expect(known).toMatchObject({ errorClass: 'UNKNOWN_COLUMN', token: 'nam', qualifier: 'T1' });
    expect(known.candidates.every((c) => c.name.startsWith('singer.'))).toBe(true);
  });

  it('proposes dialect functions for an unknown function and nothing without a schema for names', () => {
    expect(classifyFailure(sqliteError('no such function: lenght'), 'SELECT lenght(name) FROM singer').candidates[0]?.name).toBe('length');
    expect(classifyFailure(sqliteError('no such column: nam'), 'SELECT nam FROM singer').candidates).toEqual([]);
  });
});

describe('classifyOutcome', () => {
  it('is undefined for a match, EMPTY_RESULT for no rows against a non-empty gold, WRONG_RESULT otherwise', () => {
    expect(classifyOutcome({ rowCount: 0 }, { isMatch: true, goldRowCount: 0 })).toBeUndefined();
    expect(classifyOutcome({ rowCount: 0 }, { isMatch: false, goldRowCount: 7 })).toMatchObject({ errorClass: 'EMPTY_RESULT', rawCode: 'EMPTY_RESULT', candidates: [] });
    expect(classifyOutcome({ rowCount: 0 }, { isMatch: false })).toMatchObject({ errorClass: 'EMPTY_RESULT' });
    expect(classifyOutcome({ rowCount: 0 }, { isMatch: false, goldRowCount: 0 })).toMatchObject({ errorClass: 'WRONG_RESULT' });
    expect(classifyOutcome({ rowCount: 4 }, { isMatch: false, goldRowCount: 7 })).toMatchObject({ errorClass: 'WRONG_RESULT' });
  });

  it('never reveals the gold row count in its message', () => {
    expect(classifyOutcome({ rowCount: 0 }, { isMatch: false, goldRowCount: 7919 })?.rawMessage).not.toContain('7919');
    expect(classifyOutcome({ rowCount: 3 }, { isMatch: false, goldRowCount: 7919 })?.rawMessage).not.toContain('7919');
  });
});

function failureOf(result: ExecResult, sql: string): SqlFailure {
  if (result.ok) expect.fail(`expected ${JSON.stringify(sql)} to fail, it returned ${result.rowCount} rows`);
  return result;
}

function realDatabaseSuite(name: string, cases: Partial<Record<ErrorClass, FailingQuery[]>>, setup: () => Promise<FixtureDatabase>) {
  describe(name, () => {
    const db = useFixtureDatabase(setup);

    for (const [errorClass, queries] of Object.entries(cases)) {
      it(`gives ${errorClass} and its token for ${queries.length} real failing queries`, async () => {
        expect(queries.length).toBeGreaterThanOrEqual(5);
        const timeoutMs = errorClass === 'TIMEOUT' ? 150 : 3000;
        for (const q of queries) {
          const info = classifyFailure(failureOf(await db.engine.execute(db.database, q.sql, { timeoutMs }), q.sql), q.sql, db.schema);
          const got = { sql: q.sql, errorClass: info.errorClass, token: info.token, ...(q.qualifier === undefined ? {} : { qualifier: info.qualifier }) };
          expect(got).toEqual({ sql: q.sql, errorClass, token: q.token, ...(q.qualifier === undefined ? {} : { qualifier: q.qualifier }) });
          if (q.candidate !== undefined) expect({ sql: q.sql, best: info.candidates[0]?.name }).toEqual({ sql: q.sql, best: q.candidate });
        }
      });
    }

    const outcomeCase = (errorClass: 'EMPTY_RESULT' | 'WRONG_RESULT', pairs: typeof EMPTY_RESULTS) =>
      it(`gives ${errorClass} for ${pairs.length} queries that run but miss the gold result`, async () => {
        const grader = createGrader({ engine: db.engine, log: silentLogger(), score: testConfig().score, gradeMaxRows: 1000, timeoutMs: 3000 });
        for (const [sql, gold] of pairs) {
          const result = await db.engine.execute(db.database, sql);
          const goldResult = await db.engine.execute(db.database, gold);
          if (!result.ok || !goldResult.ok) expect.fail(`fixture query failed: ${sql} / ${gold}`);
          const grade = await grader.grade({ database: db.database, goldSql: gold, legacyDoubleQuotes: false, prediction: result });
          expect({ sql, errorClass: classifyOutcome(result, { isMatch: grade.isMatch, goldRowCount: goldResult.rowCount })?.errorClass }).toEqual({ sql, errorClass });
          const goldGrade = await grader.grade({ database: db.database, goldSql: gold, legacyDoubleQuotes: false, prediction: goldResult });
          expect(classifyOutcome(goldResult, { isMatch: goldGrade.isMatch, goldRowCount: goldResult.rowCount })).toBeUndefined();
        }
      });
    outcomeCase('EMPTY_RESULT', EMPTY_RESULTS);
    outcomeCase('WRONG_RESULT', WRONG_RESULTS);
  });
}

const dir = tmpDir('rl-error-class-');

realDatabaseSuite('classifyFailure on real SQLite errors', SQLITE_FAILING, async () => sqliteFixtureDatabase(dir));

describePg('PostgreSQL', () => {
  const schemaName = uniqueSchema('rl_error_class');
  realDatabaseSuite('classifyFailure on real PostgreSQL errors', PG_FAILING, () => pgFixtureDatabase(schemaName));
});
