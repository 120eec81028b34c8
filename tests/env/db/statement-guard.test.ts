import { describe, expect, it } from 'vitest';
import { checkStatement } from '../../../src/env/db/statement-guard.js';

function reasonFor(sql: string, dialect: 'sqlite' | 'postgres' = 'sqlite'): string {
  const check = checkStatement(sql, dialect);
  if (check.ok) expect.fail(`expected ${JSON.stringify(sql)} to be refused`);
  return check.reason;
}

function accepted(sql: string, dialect: 'sqlite' | 'postgres' = 'sqlite'): string {
  const check = checkStatement(sql, dialect);
  if (!check.ok) expect.fail(`expected ${JSON.stringify(sql)} to pass, got: ${check.reason}`);
  return check.sql;
}

describe('checkStatement', () => {
  it.each([
    'SELECT 1',
    'select * from t',
    'WITH x AS (SELECT 1) SELECT * FROM x',
    "VALUES (1, 'a')",
    '(SELECT 1)',
    'SELECT last_update, updated_at, deleted, insert_date FROM t',
    "SELECT 'delete me; drop table t' AS s",
    'SELECT "delete", "update" FROM t',
    'SELECT replace(name, \'a\', \'b\') FROM t',
    'SELECT REPLACE (name, \'a\', \'b\') FROM t',
    'SELECT a FROM t /* DROP TABLE t; */ WHERE b = 1',
    'SELECT a FROM t -- ; DELETE FROM t\nWHERE b = 1',
    'SELECT pg_sleep(1)',
    'SELECT * FROM t ORDER BY x FOR_UPDATE',
  ])('accepts the read-only statement %j', (sql) => {
    expect(accepted(sql)).toBe(sql);
  });

  it('strips trailing semicolons, whitespace and comments but keeps leading text for error positions', () => {
    expect(accepted('  /* hi */ SELECT 1 ;; \n -- done\n')).toBe('  /* hi */ SELECT 1');
  });

  it.each([
    ['INSERT INTO t VALUES (1)', 'INSERT is not allowed'],
    ['insert or replace into t values (1)', 'INSERT is not allowed'],
    ['REPLACE INTO t VALUES (1)', 'REPLACE is not allowed'],
    ['WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x', 'INSERT is not allowed'],
    ['WITH x AS (UPDATE t SET a = 1 RETURNING *) SELECT * FROM x', 'UPDATE is not allowed'],
    ['SELECT * FROM t FOR SHARE', 'FOR UPDATE/SHARE locking clause'],
    ['SELECT * FROM t FOR NO KEY UPDATE', 'FOR UPDATE/SHARE locking clause'],
    ['SELECT * FROM t FOR KEY SHARE', 'FOR UPDATE/SHARE locking clause'],
    ['ANALYZE', 'ANALYZE is not allowed'],
    ['REINDEX t', 'REINDEX is not allowed'],
    ['RELEASE s', 'RELEASE is not allowed'],
    ['GRANT ALL ON t TO u', 'GRANT is not allowed'],
    ['LOCK TABLE t', 'LOCK is not allowed'],
    ['CALL p()', 'CALL is not allowed'],
    ["DO $$ BEGIN END $$", 'DO is not allowed'],
    ['LISTEN c', 'LISTEN is not allowed'],
    ["SELECT 1 FROM t WHERE 1 = 1 UNION SELECT load_extension('x')", 'load_extension() is not allowed'],
    ['SELECT "load_extension"(\'x\')', 'load_extension() is not allowed'],
    ["SELECT set_config('a', 'b', false)", 'set_config() is not allowed'],
    ['SELECT lo_create(0)', 'lo_create() is not allowed'],
    ["SELECT lo_from_bytea(0, 'x')", 'lo_from_bytea() is not allowed'],
    ["SELECT query_to_xml('delete from t', true, true, '')", 'query_to_xml() is not allowed'],
    ['SELECT 1;SELECT 2;', 'More than one statement is not allowed'],
    ['-- only a comment', 'An empty query is not allowed'],
    [';', 'An empty query is not allowed'],
    ['SHOW tables', 'SHOW is not allowed'],
    ["'SELECT 1'", 'A statement starting with'],
  ])('refuses %j', (sql, why) => {
    const reason = reasonFor(sql);
    expect(reason).toContain(why);
    expect(reason).toMatch(/only one read-only SELECT\/WITH\/VALUES statement per call$/);
  });

  it('does not end a string or identifier at a doubled quote', () => {
    expect(accepted("SELECT 'it''s; DROP TABLE t' FROM t")).toContain('DROP');
    expect(accepted('SELECT "a"";DELETE" FROM t')).toContain('DELETE');
    expect(reasonFor("SELECT 'it''s'; DROP TABLE t")).toContain('More than one statement');
  });

  it('reads SQLite [bracket] and `backtick` identifiers as names', () => {
    expect(accepted('SELECT [delete], `drop table` FROM t')).toContain('[delete]');
  });

  it('reads PostgreSQL dollar quotes and E-strings whole, including their semicolons', () => {
    accepted("SELECT $$ ; DELETE FROM t $$, $tag$ it's $tag$ AS s", 'postgres');
    accepted("SELECT E'it\\'s; DROP TABLE t' AS s", 'postgres');
    expect(reasonFor("SELECT $$ a $$; DELETE FROM t", 'postgres')).toContain('More than one statement');
    expect(reasonFor("SELECT E'a\\'b'; DELETE FROM t", 'postgres')).toContain('More than one statement');
  });

  it('treats PostgreSQL block comments as nested', () => {
    accepted('SELECT 1 /* outer /* inner */ still ; DROP comment */', 'postgres');
    expect(reasonFor('SELECT 1 /* a /* b */ ; DROP TABLE t', 'sqlite')).toContain('More than one statement');
  });

  it('refuses SELECT INTO, which creates a table in PostgreSQL', () => {
    expect(reasonFor('SELECT * INTO t2 FROM t', 'postgres')).toContain('INTO is not allowed');
  });
});
