import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createInlineRunner, DEADLINE_EXTENSION, type InlineRunner } from '../../../src/env/db/sqlite-inline.js';
import { createQueryRunner, type QueryJob } from '../../../src/env/db/sqlite-query.js';
import { createSqliteEngine } from '../../../src/env/db/sqlite-engine.js';
import { silentLogger } from '../../helpers/logs.js';
import { testConfig } from '../../helpers/test-config.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

const dir = tmpDir('sqlite-inline-');
const file = path.join(dir, 'inline.sqlite');
{
  const db = new Database(file);
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL); INSERT INTO t (name, score) VALUES ('a', 1.5), ('b', 2), ('c', NULL);");
  db.close();
}

const job = (sql: string, maxRows = 100): QueryJob => ({ file, sql, maxRows, cellCapBytes: 1000, isLegacyDoubleQuotes: false });
const RUNAWAY = (n: number): string => `WITH RECURSIVE c(x) AS (SELECT ${n} UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c`;

const runners: InlineRunner[] = [];
function inlineRunner(budgetMs = 1): InlineRunner {
  const runner = createInlineRunner({ budgetMs }, silentLogger());
  if (runner === undefined) expect.fail(`the sqlite-deadline extension is not built at ${DEADLINE_EXTENSION} (npm run build:native)`);
  runners.push(runner);
  return runner;
}
afterAll(() => {
  for (const r of runners) r.close();
});

describe('SQLite inline execution (sqlite-deadline extension)', () => {
  it('answers quick queries exactly as a worker does', () => {
    const inline = inlineRunner();
    const worker = createQueryRunner();
    for (const sql of ['SELECT * FROM t ORDER BY id', 'SELECT name, score * 2 FROM t WHERE score IS NOT NULL', 'SELECT nosuch FROM t', 'SELECT count(*) FROM t', "SELECT json_object('a', 1)"]) {
      expect(inline.tryRun(job(sql))).toEqual(worker.run(job(sql)));
    }
    expect(inline.tryRun(job('SELECT id FROM t', 2))).toMatchObject({ ok: true, rows: [[1], [2]], isTruncated: true });
    worker.close();
    expect(inline.stats()).toEqual({ answered: 6, outgrown: 0, passed: 0 });
  });

  it('interrupts a runaway query and hands it back; after twice in a row, hands it straight back', () => {
    const inline = inlineRunner();
    const runaway = job(RUNAWAY(1));
    expect(inline.tryRun(runaway)).toBeUndefined();
    expect(inline.stats()).toEqual({ answered: 0, outgrown: 1, passed: 0 });
    expect(inline.tryRun(runaway)).toBeUndefined();
    expect(inline.stats()).toEqual({ answered: 0, outgrown: 2, passed: 0 });
    expect(inline.tryRun(runaway)).toBeUndefined();
    expect(inline.stats()).toEqual({ answered: 0, outgrown: 2, passed: 1 });
    // The connection is fine afterwards: the interrupt ended with its statement.
    expect(inline.tryRun(job('SELECT count(*) FROM t'))).toMatchObject({ ok: true, rows: [[3]] });
  });

  it('forgets an outgrowing once the same query is answered: only twice in a row sends it straight to a worker', () => {
    // why a WAL file changed by another connection: the same query text turns slow and quick again.
    const walFile = path.join(dir, 'knob.sqlite');
    const writer = new Database(walFile);
    writer.pragma('journal_mode = WAL');
    writer.exec('CREATE TABLE knob (v INTEGER); INSERT INTO knob VALUES (10);');
    const setKnob = (v: number) => writer.prepare('UPDATE knob SET v = ?').run(v);
    const inline = inlineRunner();
    const counted = { file: walFile, sql: 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < (SELECT v FROM knob)) SELECT count(*) FROM r', maxRows: 10, cellCapBytes: 100, isLegacyDoubleQuotes: false };
    try {
      setKnob(50_000_000);
      expect(inline.tryRun(counted)).toBeUndefined();
      setKnob(10);
      expect(inline.tryRun(counted)).toMatchObject({ ok: true, rows: [[10]] });
      setKnob(50_000_000);
      expect(inline.tryRun(counted)).toBeUndefined();
      expect(inline.stats()).toEqual({ answered: 1, outgrown: 2, passed: 0 });
      expect(inline.tryRun(counted)).toBeUndefined();
      expect(inline.stats()).toEqual({ answered: 1, outgrown: 3, passed: 0 });
      expect(inline.tryRun(counted)).toBeUndefined();
      expect(inline.stats()).toEqual({ answered: 1, outgrown: 3, passed: 1 });
    } finally {
      writer.close();
    }
  });

  it('hands back what one step of SQLite would spend unbounded on: a huge blob, a long LIKE pattern', () => {
    const inline = inlineRunner();
    expect(inline.tryRun(job('SELECT length(randomblob(10000000))'))).toBeUndefined();
    expect(inline.tryRun(job(`SELECT 'x' LIKE '${'%x'.repeat(200)}'`))).toBeUndefined();
    expect(inline.stats().outgrown).toBe(2);
    expect(inline.tryRun(job('SELECT length(randomblob(1000))'))).toMatchObject({ ok: true, rows: [[1000]] });
  });

  it('keeps the budget it was given: agent SQL can neither read a new one in nor lift it', () => {
    const inline = inlineRunner();
    expect(inline.tryRun(job('SELECT sqlrepair_deadline_budget(1000000000)'))).toMatchObject({ ok: true, rows: [[1000]] });
    expect(inline.tryRun(job(`SELECT sqlrepair_deadline_budget(1000000000), (${RUNAWAY(2)})`))).toBeUndefined();
    expect(inline.stats().outgrown).toBe(1);
  });

  it('stops running queries on the calling thread while outgrown ones have taken their share of its time', () => {
    const inline = inlineRunner();
    // Each outgrown query costs at least the 1 ms budget; the bucket holds 20 ms and refills at 5% of the time passed.
    for (let i = 0; i < 40; i += 1) inline.tryRun(job(RUNAWAY(i)));
    const { outgrown } = inline.stats();
    expect(outgrown).toBeGreaterThan(5);
    expect(outgrown).toBeLessThan(40);
    expect(inline.tryRun(job('SELECT 1'))).toBeUndefined();
    expect(inline.stats().passed).toBe(40 - outgrown + 1);
  });

  it('is off without the extension or with a budget of 0, and turns itself off when the extension cannot load', () => {
    expect(createInlineRunner({ budgetMs: 1, extensionPath: path.join(dir, 'missing.so') }, silentLogger())).toBeUndefined();
    expect(createInlineRunner({ budgetMs: 0 }, silentLogger())).toBeUndefined();
    const notLibrary = path.join(dir, 'not-a-library.so');
    fs.writeFileSync(notLibrary, 'not a shared library');
    const broken = createInlineRunner({ budgetMs: 1, extensionPath: notLibrary }, silentLogger());
    expect(broken).toBeDefined();
    expect(broken?.tryRun(job('SELECT 1'))).toBeUndefined();
    expect(broken?.tryRun(job('SELECT 1'))).toBeUndefined();
    expect(broken?.stats()).toEqual({ answered: 0, outgrown: 0, passed: 0 });
    broken?.close();
  });

  it('outlives the connections that loaded it: closing the last one leaves the watchdog thread running safely', () => {
    // why a child process: SQLite dlcloses the extension with its last connection; an unpinned library crashed the
    // process (SIGSEGV) as soon as its watchdog thread woke up in unmapped code.
    const betterSqlite = path.join(process.cwd(), 'node_modules', 'better-sqlite3', 'lib', 'index.js');
    const script = `
      import Database from ${JSON.stringify(betterSqlite)};
      for (let i = 0; i < 30; i += 1) {
        const db = new Database(${JSON.stringify(file)}, { readonly: true });
        db.loadExtension(${JSON.stringify(DEADLINE_EXTENSION)});
        db.prepare('SELECT sqlrepair_deadline_budget(1000)').get();
        try { db.prepare(${JSON.stringify(RUNAWAY(1))}).get(); } catch (err) { if (err.code !== 'SQLITE_INTERRUPT') throw err; }
        db.close();
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
      console.log('done');`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect({ status: child.status, signal: child.signal, stdout: child.stdout.trim() }).toEqual({ status: 0, signal: null, stdout: 'done' });
  });
});

describe('SQLite engine with inline execution', () => {
  it('answers quick queries without starting a worker, and runs the rest on workers with the full time limit', async () => {
    const engine = createSqliteEngine(testConfig({ SQL_WORKERS: '1', SQL_TIMEOUT_MS: '300', SQL_RESULT_CACHE_MB: '0' }).sql, silentLogger(), { inline: file });
    try {
      expect(await engine.execute('inline', 'SELECT name FROM t ORDER BY id')).toMatchObject({ ok: true, rows: [['a'], ['b'], ['c']] });
      expect(engine.workerPids()).toEqual([]);
      expect(await engine.execute('inline', 'SELECT length(randomblob(10000000))')).toMatchObject({ ok: true, rows: [[10000000]] });
      expect(engine.workerPids()).toHaveLength(1);
      expect(await engine.execute('inline', RUNAWAY(7))).toMatchObject({ ok: false, kind: 'timeout', code: 'TIMEOUT' });
      expect(engine.inlineStats()).toEqual({ answered: 1, outgrown: 2, passed: 0 });
    } finally {
      await engine.close();
    }
  });

  it('runs every query on a worker with SQL_INLINE_BUDGET_MS=0', async () => {
    const engine = createSqliteEngine(testConfig({ SQL_WORKERS: '1', SQL_INLINE_BUDGET_MS: '0', SQL_RESULT_CACHE_MB: '0' }).sql, silentLogger(), { inline: file });
    try {
      expect(await engine.execute('inline', 'SELECT count(*) FROM t')).toMatchObject({ ok: true, rows: [[3]] });
      expect(engine.workerPids()).toHaveLength(1);
      expect(engine.inlineStats()).toBeUndefined();
    } finally {
      await engine.close();
    }
  });
});
