import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createQueryRunner, type QueryJob } from '../../../src/env/db/sqlite-query.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

const dir = tmpDir('sqlite-query-');

function makeDb(name: string, value: string): string {
  const file = path.join(dir, name);
  const db = new Database(file);
  db.exec(`CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('${value}');`);
  db.close();
  return file;
}

const first = makeDb('first.sqlite', 'one');
const second = makeDb('second.sqlite', 'two');
const runner = createQueryRunner(1, 1);
afterAll(() => runner.close());

const job = (file: string, sql: string): QueryJob => ({ file, sql, maxRows: 100, cellCapBytes: 1000, isLegacyDoubleQuotes: false });

describe('createQueryRunner (inside a worker)', () => {
  it('refuses writes even when they get past the statement guard', () => {
    expect(runner.run(job(first, "INSERT INTO t VALUES ('x')"))).toMatchObject({ ok: false, kind: 'rejected', code: 'REJECTED' });
    expect(runner.run(job(first, 'DELETE FROM t'))).toMatchObject({ ok: false, kind: 'rejected' });
    expect(runner.run(job(first, 'SELECT count(*) FROM t'))).toMatchObject({ ok: true, rows: [[1]] });
  });

  it('opens files read-only with query_only set', () => {
    expect(runner.run(job(first, 'PRAGMA query_only'))).toMatchObject({ ok: true, rows: [[1]] });
  });

  it('keeps answering correctly when its handle and statement caches evict', () => {
    for (let i = 0; i < 3; i += 1) {
      expect(runner.run(job(first, 'SELECT v FROM t'))).toMatchObject({ ok: true, rows: [['one']] });
      expect(runner.run(job(second, 'SELECT v FROM t'))).toMatchObject({ ok: true, rows: [['two']] });
      expect(runner.run(job(second, 'SELECT upper(v) FROM t'))).toMatchObject({ ok: true, rows: [['TWO']] });
    }
  });

  it('holds a shared lock on a rollback-journal file: readers go on, a writer waits until the handle closes', () => {
    const file = makeDb('locked.sqlite', 'kept');
    const own = createQueryRunner();
    try {
      expect(own.run(job(file, 'SELECT v FROM t'))).toMatchObject({ ok: true, rows: [['kept']] });
      const writer = new Database(file, { timeout: 0 });
      try {
        expect(() => writer.exec("INSERT INTO t VALUES ('new')")).toThrow(/database is locked/);
        expect(own.run(job(file, 'SELECT count(*) FROM t'))).toMatchObject({ ok: true, rows: [[1]] });
        const reader = new Database(file, { readonly: true });
        expect(reader.prepare('SELECT v FROM t').pluck().all()).toEqual(['kept']);
        reader.close();
        own.close();
        writer.exec("INSERT INTO t VALUES ('new')");
      } finally {
        writer.close();
      }
    } finally {
      own.close();
    }
  });

  it('reads a WAL file without locking out writers or other readers, and sees their commits', () => {
    const file = path.join(dir, 'wal.sqlite');
    const writer = new Database(file, { timeout: 0 });
    writer.pragma('journal_mode = WAL');
    writer.exec("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('one');");
    const other = createQueryRunner();
    try {
      expect(runner.run(job(file, 'SELECT count(*) FROM t'))).toMatchObject({ ok: true, rows: [[1]] });
      expect(other.run(job(file, 'SELECT count(*) FROM t'))).toMatchObject({ ok: true, rows: [[1]] });
      writer.exec("INSERT INTO t VALUES ('two')");
      expect(runner.run(job(file, 'SELECT count(*) FROM t'))).toMatchObject({ ok: true, rows: [[2]] });
      expect(other.run(job(file, 'SELECT count(*) FROM t'))).toMatchObject({ ok: true, rows: [[2]] });
    } finally {
      other.close();
      writer.close();
    }
  });

  it('reports a missing file as an SQLite error value', () => {
    const result = runner.run(job(path.join(dir, 'missing.sqlite'), 'SELECT 1'));
    expect(result).toMatchObject({ ok: false, kind: 'error', code: 'SQLITE_CANTOPEN' });
  });

  it('gives up the legacy double-quote rewrite when the name is not a double-quoted token', () => {
    const result = runner.run({ ...job(first, 'SELECT nope FROM t'), isLegacyDoubleQuotes: true });
    expect(result).toMatchObject({ ok: false, kind: 'error', message: 'no such column: nope' });
  });
});
