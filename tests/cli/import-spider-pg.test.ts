import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImportCli } from '../../src/cli/import-spider-pg.js';
import { PG_TEST_URL, describePg, uniqueSchema } from '../helpers/pg.js';
import { testConfig } from '../helpers/test-config.js';
import { tmpDir } from '../helpers/tmp-dir.js';

const dataset = tmpDir('import-pg-cli-');
const firstId = uniqueSchema('cli_pets');
const secondId = uniqueSchema('cli_Towns');

function makeDb(dbId: string, ddl: string): void {
  fs.mkdirSync(path.join(dataset, 'database', dbId), { recursive: true });
  const db = new Database(path.join(dataset, 'database', dbId, `${dbId}.sqlite`));
  db.exec(ddl);
  db.close();
}

makeDb(firstId, "CREATE TABLE Pet (PetId INTEGER PRIMARY KEY, Name TEXT); INSERT INTO Pet VALUES (1, 'Rex'), (2, 'Tom'), (3, 'Kit');");
makeDb(secondId, "CREATE TABLE town (name TEXT, pop number); INSERT INTO town VALUES ('Ayr', 100);");

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

describe('import:pg command line', () => {
  it.each([
    [[], '--dataset DIR is required'],
    [['--dataset', dataset], 'Give either --db-id ID (one or more) or --all'],
    [['--dataset', dataset, '--all', '--db-id', firstId], 'Give either --db-id ID (one or more) or --all'],
    [['--dataset', dataset, '--all'], 'No PostgreSQL URL: set DATABASE_URL or pass --url'],
    [['--dataset', dataset, '--all', '--url', PG_TEST_URL, '--bogus'], "Unknown option '--bogus'"],
  ])('exits 2 with the usage for %j', async (argv, message) => {
    const { io, err } = capture();
    expect(await runImportCli(argv, testConfig(), io)).toBe(2);
    expect(err.join('\n')).toContain(message);
    expect(err.join('\n')).toContain('Usage: npm run import:pg');
  });

  it('runs as the import:pg script and exits 2 on bad arguments', () => {
    const cli = path.join(import.meta.dirname, '../../src/cli/import-spider-pg.ts');
    const child = spawnSync(process.execPath, ['--import', 'tsx', cli, '--all'], { encoding: 'utf8' });
    expect(child.status).toBe(2);
    expect(child.stderr).toContain('--dataset DIR is required');
  });

  it('exits 1 with a clear message when PostgreSQL is unreachable', async () => {
    const { io, err } = capture();
    const code = await runImportCli(['--dataset', dataset, '--db-id', firstId, '--url', 'postgres://u:pw-secret@127.0.0.1:1/x'], testConfig(), io);
    expect(code).toBe(1);
    expect(err.join('\n')).toContain('PostgreSQL at 127.0.0.1:1 is unavailable');
    expect(err.join('\n')).not.toContain('pw-secret');
  });
});

describePg('import:pg against PostgreSQL', () => {
  const admin = new pg.Client({ connectionString: PG_TEST_URL });
  beforeAll(() => admin.connect());
  afterAll(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS "${firstId}" CASCADE; DROP SCHEMA IF EXISTS "${secondId}" CASCADE`);
    await admin.end();
  });

  it('imports the named database into a schema of the same name, with DATABASE_URL from the config', async () => {
    const { io, out } = capture();
    expect(await runImportCli(['--dataset', dataset, '--db-id', firstId], testConfig({ DATABASE_URL: PG_TEST_URL }), io)).toBe(0);
    expect(out[0]).toMatch(new RegExp(`^${firstId}: 1 tables, 3 rows, 0 keys skipped \\(\\d+\\.\\d s\\)$`));
    expect(out.at(-1)).toBe('Imported 1 of 1 databases into PostgreSQL.');
    const rows = await admin.query(`SELECT name FROM "${firstId}".pet ORDER BY petid`);
    expect(rows.rows.map((r: { name: string }) => r.name)).toEqual(['Rex', 'Tom', 'Kit']);
  });

  it('refuses to re-import over an existing schema without --replace, and counts an unknown id as a failure', async () => {
    const { io, err } = capture();
    const code = await runImportCli(['--dataset', dataset, '--db-id', firstId, '--db-id', 'no_such_db', '--url', PG_TEST_URL], testConfig(), io);
    expect(code).toBe(1);
    expect(err[0]).toMatch(new RegExp(`^${firstId}: import failed: .*already exists \\(pass --replace to re-import\\)$`));
    expect(err[1]).toMatch(/^no_such_db: no such database/);
  });

  it('imports every database of the dataset with --all --replace, keeping mixed-case ids as schema names', async () => {
    await admin.query(`INSERT INTO "${firstId}".pet VALUES (9, 'stale')`);
    const { io, out } = capture();
    expect(await runImportCli(['--dataset', dataset, '--all', '--replace', '--url', PG_TEST_URL], testConfig(), io)).toBe(0);
    expect(out.at(-1)).toBe('Imported 2 of 2 databases into PostgreSQL.');
    expect((await admin.query(`SELECT count(*)::int AS n FROM "${firstId}".pet`)).rows[0]).toEqual({ n: 3 });
    expect((await admin.query(`SELECT pop FROM "${secondId}".town`)).rows[0]).toEqual({ pop: '100' });
  });
});
