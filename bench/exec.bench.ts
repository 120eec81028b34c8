/**
 * Queries per second through the SQLite engine, as shipped (a query first runs on the main thread under
 * SQL_INLINE_BUDGET_MS, then on a worker process) and with every query on a worker, versus the same queries run
 * directly on the main thread with better-sqlite3 (statement prepared once), for ~0.1 ms, ~1 ms and ~10 ms queries
 * (calibrated on this machine), at concurrency 1, 2 and 8. Direct runs are sequential: the main thread cannot
 * overlap them.
 * Run: npm run bench:exec [-- <seconds per measurement, default 1.5>]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../src/config.js';
import { createSqliteEngine } from '../src/env/db/sqlite-engine.js';
import { createLogger } from '../src/logger.js';

const SECONDS = Number(process.argv[2] ?? 1.5);
const ROWS = 200_000;
const TARGETS_MS = [0.1, 1, 10];
/** As shipped (SQL_INLINE_BUDGET_MS 1: quick queries on the main thread), and every query on a worker. */
const ENGINES = [
  { name: 'as shipped', env: {} },
  { name: 'workers only', env: { SQL_INLINE_BUDGET_MS: '0' } },
];
const aggregateSql = (rows: number) => `SELECT grp, count(*), avg(val) FROM items WHERE id <= ${rows} GROUP BY grp`;

function buildFixture(dir: string): string {
  const file = path.join(dir, 'bench.sqlite');
  const db = new Database(file);
  db.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, grp INTEGER, val REAL, name TEXT)');
  const insert = db.prepare('INSERT INTO items VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= ROWS; i += 1) insert.run(i, i % 20, (i * 7919) % 1000 / 7, `item-${i}`);
  })();
  db.close();
  return file;
}

function directQps(db: Database.Database, sql: string, seconds: number): { qps: number; msPerQuery: number } {
  const stmt = db.prepare(sql).raw(true);
  const endAt = performance.now() + seconds * 1000;
  let count = 0;
  const started = performance.now();
  while (performance.now() < endAt || count === 0) {
    stmt.all();
    count += 1;
  }
  const elapsedS = (performance.now() - started) / 1000;
  return { qps: count / elapsedS, msPerQuery: (elapsedS * 1000) / count };
}

/** The same 20-row aggregate for every size: only the scan length changes, sized so it runs ≈ targetMs here. */
function calibratedQueries(db: Database.Database): [label: string, sql: string][] {
  const msPerRow = directQps(db, aggregateSql(ROWS), 1).msPerQuery / ROWS;
  return TARGETS_MS.map((targetMs) => {
    const rows = Math.max(10, Math.min(ROWS, Math.round(targetMs / msPerRow)));
    return [`~${targetMs} ms (scan ${rows} rows, 20 result rows)`, aggregateSql(rows)];
  });
}

async function poolQps(run: () => Promise<unknown>, concurrency: number): Promise<number> {
  const endAt = performance.now() + SECONDS * 1000;
  let count = 0;
  const started = performance.now();
  const loop = async () => {
    while (performance.now() < endAt) {
      await run();
      count += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return count / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-exec-'));
  try {
    const file = buildFixture(dir);
    const engines = ENGINES.map(({ name, env }) => {
      // why no result cache: every query here repeats one text, and a hit runs nothing.
      const cfg = loadConfig({ LOG_LEVEL: 'silent', SQL_RESULT_CACHE_MB: '0', ...env });
      return { name, engine: createSqliteEngine(cfg.sql, createLogger(cfg.log), { bench: file }), workers: cfg.sql.workers };
    });
    for (const { engine } of engines) await engine.warmUp();
    console.log(`SQLite exec through the engine (${engines[0]?.workers} worker processes; as shipped, quick queries first on the main thread) vs direct better-sqlite3 on the main thread`);
    console.log(`${os.availableParallelism()} cores, ${SECONDS} s per cell, ${ROWS} rows; ratio = direct qps / engine qps (lower is better)\n`);
    const db = new Database(file, { readonly: true });
    const rows: Record<string, string>[] = [];
    for (const [label, sql] of calibratedQueries(db)) {
      const direct = directQps(db, sql, SECONDS);
      for (const { name, engine } of engines) {
        for (let i = 0; i < 20; i += 1) await engine.execute('bench', sql);
        const row: Record<string, string> = { query: label, engine: name, 'direct ms': direct.msPerQuery.toFixed(3), 'direct qps': direct.qps.toFixed(0) };
        for (const concurrency of [1, 2, 8]) {
          const qps = await poolQps(() => engine.execute('bench', sql), concurrency);
          row[`c=${concurrency} qps`] = qps.toFixed(0);
          row[`ratio c=${concurrency}`] = (direct.qps / qps).toFixed(2);
        }
        rows.push(row);
      }
    }
    db.close();
    console.table(rows);
    for (const { engine } of engines) await engine.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
