import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseUnavailableError, DatasetError } from '../../../src/errors.js';
import { demoDdl, DEMO_SCHEMA_VERSION, demoSqlitePath, ensureDemoPostgres, ensureDemoSqlite } from '../../../src/env/tasks/demo-db.js';
import { generateDemoData } from '../../../src/env/tasks/demo-data.js';
import { memoryLogger, silentLogger } from '../../helpers/logs.js';
import { describePg, PG_TEST_URL, uniqueSchema } from '../../helpers/pg.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const root = tmpDir('sre-demo-');
const expectedCounts = Object.fromEntries(generateDemoData().map((t) => [t.name, t.rows.length]));

function withDb<T>(file: string, fn: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

function sqliteCounts(file: string): Record<string, number> {
  return withDb(file, (db) => {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
    return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT COUNT(*) FROM ${t}`).pluck().get() as number]));
  });
}

const builtLines = (lines: Record<string, unknown>[]) => lines.filter((l) => typeof l.msg === 'string' && l.msg.includes('built'));

/** Runs ensureDemoSqlite in a separate Node process that waits for `goFile`, so two can race for real. */
function spawnEnsure(dataDir: string, readyFile: string, goFile: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = path.join(root, `ensure-${path.basename(readyFile)}.mts`);
  fs.writeFileSync(
    script,
    `import fs from 'node:fs';
import { ensureDemoSqlite } from ${JSON.stringify(pathToFileURL(path.join(REPO_ROOT, 'src/env/tasks/demo-db.ts')).href)};
import { createLogger } from ${JSON.stringify(pathToFileURL(path.join(REPO_ROOT, 'src/logger.ts')).href)};
fs.writeFileSync(${JSON.stringify(readyFile)}, '');
while (!fs.existsSync(${JSON.stringify(goFile)})) await new Promise((r) => setTimeout(r, 5));
console.log(await ensureDemoSqlite(${JSON.stringify(dataDir)}, createLogger({ level: 'info' })));
`,
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function waitFor(files: string[]): Promise<void> {
  while (!files.every((f) => fs.existsSync(f))) await new Promise((r) => setTimeout(r, 10));
}

describe('ensureDemoSqlite', () => {
  const dataDir = path.join(root, 'single');
  let file: string;

  beforeAll(async () => {
    file = await ensureDemoSqlite(dataDir, silentLogger());
  });

  it('builds <dataDir>/demo/demo.sqlite with the current schema version', () => {
    expect(file).toBe(path.join(dataDir, 'demo', 'demo.sqlite'));
    expect(file).toBe(demoSqlitePath(dataDir));
    expect(withDb(file, (db) => db.pragma('user_version', { simple: true }))).toBe(DEMO_SCHEMA_VERSION);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['demo.sqlite']);
  });

  it('holds at least 6 tables linked by foreign keys and at least 1,000 rows, all keys satisfied', () => {
    const counts = sqliteCounts(file);
    expect(counts).toEqual(expectedCounts);
    expect(Object.keys(counts).length).toBeGreaterThanOrEqual(6);
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1000);
    withDb(file, (db) => {
      const fkTables = Object.keys(counts).filter((t) => (db.pragma(`foreign_key_list(${t})`) as unknown[]).length > 0);
      expect(fkTables.length).toBeGreaterThanOrEqual(5);
      expect(db.pragma('foreign_key_check')).toEqual([]);
      expect(db.prepare("SELECT COUNT(*) FROM orders WHERE order_date NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'").pluck().get()).toBe(0);
    });
  });

  it('generates the same data on every call', () => {
    expect(JSON.stringify(generateDemoData())).toBe(JSON.stringify(generateDemoData()));
  });

  it('leaves a current file alone on a second call', async () => {
    const before = fs.statSync(file);
    const { log, lines } = memoryLogger('debug');
    expect(await ensureDemoSqlite(dataDir, log)).toBe(file);
    expect(fs.statSync(file).ino).toBe(before.ino);
    expect(builtLines(lines())).toEqual([]);
  });

  it('rebuilds a file with an older schema version', async () => {
    const other = path.join(root, 'outdated');
    const target = await ensureDemoSqlite(other, silentLogger());
    const db = new Database(target);
    db.exec('DELETE FROM payments');
    db.pragma('user_version = 0');
    db.close();
    const { log, lines } = memoryLogger('debug');
    await ensureDemoSqlite(other, log);
    expect(sqliteCounts(target)).toEqual(expectedCounts);
    expect(builtLines(lines())).toHaveLength(1);
  });

  it('replaces a file that is not a database', async () => {
    const other = path.join(root, 'garbage');
    fs.mkdirSync(path.join(other, 'demo'), { recursive: true });
    fs.writeFileSync(demoSqlitePath(other), 'not a database at all');
    expect(sqliteCounts(await ensureDemoSqlite(other, silentLogger()))).toEqual(expectedCounts);
  });

  it('lets two processes start at once: both succeed and one complete file remains', async () => {
    const shared = path.join(root, 'race');
    const ready = [path.join(root, 'ready-a'), path.join(root, 'ready-b')];
    const go = path.join(root, 'go');
    const runs = [spawnEnsure(shared, ready[0] ?? '', go), spawnEnsure(shared, ready[1] ?? '', go)];
    await waitFor(ready);
    fs.writeFileSync(go, '');
    const results = await Promise.all(runs);
    for (const r of results) {
      expect(r.stderr.replace(/npm warn[^\n]*\n/g, '')).toBe('');
      expect(r.code).toBe(0);
      // why: pino writes asynchronously, so its line may come after the printed path.
      expect(r.stdout.trim().split('\n').filter((line) => !line.startsWith('{'))).toEqual([demoSqlitePath(shared)]);
    }
    const builds = results.flatMap((r) => r.stdout.split('\n')).filter((l) => l.includes('demo SQLite database built'));
    expect(builds.length).toBeGreaterThanOrEqual(1);
    expect(fs.readdirSync(path.join(shared, 'demo'))).toEqual(['demo.sqlite']);
    expect(sqliteCounts(demoSqlitePath(shared))).toEqual(expectedCounts);
  }, 60_000);
});

describe('ensureDemoPostgres without a server', () => {
  it('throws DatabaseUnavailableError when PostgreSQL cannot be reached', async () => {
    await expect(ensureDemoPostgres('postgres://postgres@127.0.0.1:1/none', silentLogger(), 'x')).rejects.toBeInstanceOf(DatabaseUnavailableError);
  });
});

describe('demoDdl', () => {
  it('stores dates as DATE in PostgreSQL and as TEXT in SQLite', () => {
    expect(demoDdl('postgres').join('\n')).toMatch(/order_date DATE NOT NULL/);
    expect(demoDdl('sqlite').join('\n')).toMatch(/order_date TEXT NOT NULL/);
    expect(demoDdl('sqlite').join('\n')).not.toMatch(/\bDATE\b/);
  });
});

describePg('ensureDemoPostgres', () => {
  const prefix = uniqueSchema('demo_pg');
  const schemas = ['main', 'race', 'old', 'empty', 'foreign'].map((s) => `${prefix}_${s}`);
  const [mainSchema = '', raceSchema = '', oldSchema = '', emptySchema = '', foreignSchema = ''] = schemas;
  const client = new pg.Client({ connectionString: PG_TEST_URL });

  const pgCounts = async (schema: string): Promise<Record<string, number>> => {
    const { rows } = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'",
      [schema],
    );
    const counts: Record<string, number> = {};
    for (const { table_name: t } of rows) {
      counts[t] = Number((await client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM "${schema}".${t}`)).rows[0]?.n);
    }
    return counts;
  };

  beforeAll(async () => {
    await client.connect();
  });
  afterAll(async () => {
    for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await client.end();
  });

  it('creates the schema once with every table, foreign key and row; a second call is a no-op', async () => {
    expect(await ensureDemoPostgres(PG_TEST_URL, silentLogger(), mainSchema)).toEqual({ schema: mainSchema, isCreated: true });
    expect(await pgCounts(mainSchema)).toEqual(expectedCounts);
    const fks = await client.query("SELECT 1 FROM information_schema.table_constraints WHERE table_schema = $1 AND constraint_type = 'FOREIGN KEY'", [mainSchema]);
    expect(fks.rowCount).toBeGreaterThanOrEqual(8);
    const dateType = await client.query<{ data_type: string }>(
      "SELECT data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'orders' AND column_name = 'order_date'",
      [mainSchema],
    );
    expect(dateType.rows[0]?.data_type).toBe('date');
    expect(await ensureDemoPostgres(PG_TEST_URL, silentLogger(), mainSchema)).toEqual({ schema: mainSchema, isCreated: false });
  });

  it('builds it exactly once when two callers start at the same time', async () => {
    const results = await Promise.all([0, 1].map(() => ensureDemoPostgres(PG_TEST_URL, silentLogger(), raceSchema)));
    expect(results.map((r) => r.isCreated).sort()).toEqual([false, true]);
    expect(await pgCounts(raceSchema)).toEqual(expectedCounts);
  });

  it('rebuilds a demo schema left by an older version', async () => {
    await ensureDemoPostgres(PG_TEST_URL, silentLogger(), oldSchema);
    await client.query(`DELETE FROM "${oldSchema}".payments`);
    await client.query(`COMMENT ON SCHEMA "${oldSchema}" IS 'sql-repair-env demo v0'`);
    expect((await ensureDemoPostgres(PG_TEST_URL, silentLogger(), oldSchema)).isCreated).toBe(true);
    expect(await pgCounts(oldSchema)).toEqual(expectedCounts);
  });

  it('fills an existing empty schema', async () => {
    await client.query(`CREATE SCHEMA "${emptySchema}"`);
    expect((await ensureDemoPostgres(PG_TEST_URL, silentLogger(), emptySchema)).isCreated).toBe(true);
    expect(await pgCounts(emptySchema)).toEqual(expectedCounts);
  });

  it('refuses, without touching it, a schema that holds tables it did not create', async () => {
    await client.query(`CREATE SCHEMA "${foreignSchema}"`);
    await client.query(`CREATE TABLE "${foreignSchema}".precious (id INTEGER)`);
    await expect(ensureDemoPostgres(PG_TEST_URL, silentLogger(), foreignSchema)).rejects.toBeInstanceOf(DatasetError);
    expect(await pgCounts(foreignSchema)).toEqual({ precious: 0 });
  });
});
