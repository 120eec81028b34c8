import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { parseGradeArgs, runGradeCli } from '../../src/cli/grade.js';
import { silentLogger } from '../helpers/logs.js';
import { testConfig } from '../helpers/test-config.js';
import { tmpDir } from '../helpers/tmp-dir.js';

const root = tmpDir('grade-cli-');
const dbDir = path.join(root, 'database');

function makeDb(dbId: string, ddl: string): void {
  fs.mkdirSync(path.join(dbDir, dbId), { recursive: true });
  const db = new Database(path.join(dbDir, dbId, `${dbId}.sqlite`));
  db.exec(ddl);
  db.close();
}

makeDb('pets', `CREATE TABLE pet (id INTEGER, name TEXT, kind TEXT, age INTEGER);
  INSERT INTO pet VALUES (1, 'Rex', 'dog', 3), (2, 'Tom', 'cat', 5), (3, 'Kit', 'cat', 1);`);
makeDb('towns', `CREATE TABLE town (name TEXT, pop INTEGER);
  INSERT INTO town VALUES ('Ayr', 100), ('Bute', 50);`);

const GOLD = [
  'SELECT count(*) FROM pet\tpets',
  'SELECT DISTINCT kind FROM pet WHERE age  >  2\tpets',
  '',
  'SELECT name FROM town ORDER BY pop DESC\ttowns',
  'SELECT name FROM pet WHERE kind = "cat"\tpets',
  'SELECT nope FROM pet\tpets',
  'SELECT 1\tmissing_db',
].join('\n');
const PRED = [
  'SELECT count(id) FROM pet',
  'SELECT kind FROM pet WHERE age > = 2',
  'SELECT name FROM town ORDER BY pop',
  "SELECT name FROM pet WHERE kind = 'cat'",
  'SELECT name FROM pet',
  'SELECT 1',
].join('\n');

const goldFile = path.join(root, 'gold.txt');
const predFile = path.join(root, 'pred.txt');
fs.writeFileSync(goldFile, `${GOLD}\n`);
fs.writeFileSync(predFile, `${PRED}\n`);
const config = testConfig({ SQL_WORKERS: '1' });

async function run(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runGradeCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) }, config, silentLogger());
  return { code, out, err };
}

describe('grade command', () => {
  it('prints one JSON verdict per pair and a summary, reporting gold failures without stopping', async () => {
    const { code, out } = await run(['--gold', goldFile, '--pred', predFile, '--db-dir', dbDir, '--json']);
    expect(code).toBe(0);
    const lines = out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.slice(0, 6).map((l) => [l.index, l.db_id, l.match])).toEqual([
      [0, 'pets', true],
      [1, 'pets', true],
      [2, 'towns', false],
      [3, 'pets', true],
      [4, 'pets', false],
      [5, 'missing_db', false],
    ]);
    expect(lines[0]).toEqual({ index: 0, db_id: 'pets', hardness: 'easy', match: true, error: null });
    expect(String(lines[4]?.error)).toMatch(/^gold failed: .*no such column/);
    expect(String(lines[5]?.error)).toContain("no database file for 'missing_db'");
    expect(lines[6]).toMatchObject({ summary: true, mode: 'spider', count: 6, matched: 3, gold_failures: 2, prediction_errors: 0 });
  });

  it('keeps DISTINCT in strict mode and reports a failing prediction as a non-match with its error', async () => {
    fs.writeFileSync(path.join(root, 'pred2.txt'), 'SELECT count(id) FROM pet\nSELECT kind FROM pet WHERE age >= 1\nSELECT nam FROM town\n');
    fs.writeFileSync(path.join(root, 'gold2.txt'), GOLD.split('\n').slice(0, 4).join('\n'));
    const { out } = await run(['--gold', path.join(root, 'gold2.txt'), '--pred', path.join(root, 'pred2.txt'), '--db-dir', dbDir, '--json', '--mode', 'strict']);
    const lines = out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.slice(0, 3).map((l) => l.match)).toEqual([true, false, false]);
    expect(String(lines[2]?.error)).toContain('no such column');
    expect(lines[3]).toMatchObject({ mode: 'strict', count: 3, matched: 1, prediction_errors: 1 });
  });

  it('prints a table of execution accuracy by hardness with counts', async () => {
    const { code, out } = await run(['--gold', goldFile, '--pred', predFile, '--db-dir', dbDir]);
    expect(code).toBe(0);
    const text = out.join('\n');
    expect(text).toContain('mode: spider   pairs: 6   gold failures: 2');
    expect(text).toMatch(/count\s+(\d+\s+){4}6/);
    expect(text).toMatch(/execution\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+0\.500/);
  });

  it('refuses bad usage with exit code 2', async () => {
    expect((await run(['--gold', goldFile])).code).toBe(2);
    expect((await run(['--gold', goldFile, '--pred', predFile, '--db-dir', dbDir, '--mode', 'fuzzy'])).err[0]).toContain('--mode');
    fs.writeFileSync(path.join(root, 'short.txt'), 'SELECT 1\n');
    const short = await run(['--gold', goldFile, '--pred', path.join(root, 'short.txt'), '--db-dir', dbDir]);
    expect(short.code).toBe(2);
    expect(short.err[0]).toBe('6 gold lines but 1 predictions');
    expect(parseGradeArgs(['--gold', 'g', '--pred', 'p', '--db-dir', 'd', '--timeout-ms', '0'])).toContain('--timeout-ms');
  });

  it('runs as a real process through tsx', () => {
    const tsx = path.join(import.meta.dirname, '../../node_modules/.bin/tsx');
    const cli = path.join(import.meta.dirname, '../../src/cli/grade.ts');
    const env = { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', SQL_WORKERS: '1' };
    const res = spawnSync(tsx, [cli, '--gold', goldFile, '--pred', predFile, '--db-dir', dbDir, '--json'], { encoding: 'utf8', env });
    expect(res.status).toBe(0);
    const last = JSON.parse(res.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
    expect(last).toMatchObject({ summary: true, count: 6, matched: 3 });
  });
});
