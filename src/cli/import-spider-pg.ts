import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config.js';
import { AppError } from '../errors.js';
import { importSqliteFileToPg } from '../env/db/sqlite-to-pg.js';

const USAGE = `Usage: npm run import:pg -- --dataset DIR (--db-id ID ... | --all) [--url URL] [--replace] [--skip-foreign-keys]
Copies Spider SQLite databases (DIR/database/<id>/<id>.sqlite) into PostgreSQL schemas named <id>.
  --url                 PostgreSQL connection string (default: DATABASE_URL)
  --replace             drop and re-create a schema that already exists
  --skip-foreign-keys   do not add FOREIGN KEY constraints`;

export interface ImportCliOutput {
  out: (line: string) => void;
  err: (line: string) => void;
}

interface ImportPlan {
  datasetDir: string;
  dbIds: string[];
  databaseUrl: string;
  isReplacing: boolean;
  hasForeignKeys: boolean;
}

class UsageError extends Error {}

function listDatabases(datasetDir: string): string[] {
  const root = path.join(datasetDir, 'database');
  if (!fs.existsSync(root)) throw new UsageError(`No database/ folder in ${datasetDir}`);
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(root, d.name, `${d.name}.sqlite`)))
    .map((d) => d.name)
    .sort();
}

function parsePlan(argv: string[], config: Config): ImportPlan {
  const { values } = parseArgs({
    args: argv,
    options: {
      dataset: { type: 'string' },
      'db-id': { type: 'string', multiple: true },
      all: { type: 'boolean', default: false },
      url: { type: 'string' },
      replace: { type: 'boolean', default: false },
      'skip-foreign-keys': { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.dataset === undefined) throw new UsageError('--dataset DIR is required');
  const dbIds = values['db-id'] ?? [];
  if (values.all === (dbIds.length > 0)) throw new UsageError('Give either --db-id ID (one or more) or --all');
  const databaseUrl = values.url ?? config.sql.databaseUrl;
  if (databaseUrl === undefined) throw new UsageError('No PostgreSQL URL: set DATABASE_URL or pass --url');
  const datasetDir = path.resolve(values.dataset);
  return {
    datasetDir,
    dbIds: values.all ? listDatabases(datasetDir) : dbIds,
    databaseUrl,
    isReplacing: values.replace,
    hasForeignKeys: !values['skip-foreign-keys'],
  };
}

async function importOne(plan: ImportPlan, dbId: string, io: ImportCliOutput): Promise<boolean> {
  const sqlitePath = path.join(plan.datasetDir, 'database', dbId, `${dbId}.sqlite`);
  if (!fs.existsSync(sqlitePath)) {
    io.err(`${dbId}: no such database (${sqlitePath})`);
    return false;
  }
  const startedAt = Date.now();
  try {
    const options = { isReplacing: plan.isReplacing, hasForeignKeys: plan.hasForeignKeys };
    const report = await importSqliteFileToPg(sqlitePath, plan.databaseUrl, dbId, options);
    const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
    io.out(`${dbId}: ${report.tables.length} tables, ${report.rowCount} rows, ${report.skippedConstraints.length} keys skipped (${seconds} s)`);
    for (const skipped of report.skippedConstraints) io.out(`  skipped ${skipped}`);
    return true;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const hint = /already exists/.test(message) ? ' (pass --replace to re-import)' : '';
    io.err(`${dbId}: import failed: ${message}${hint}`);
    if (err instanceof AppError && err.code === 'DATABASE_UNAVAILABLE') throw err;
    return false;
  }
}

/** Runs the import command; returns the exit code (0 all imported, 1 some failed, 2 bad arguments). */
export async function runImportCli(argv: string[], config: Config, io: ImportCliOutput): Promise<number> {
  let plan: ImportPlan;
  try {
    plan = parsePlan(argv, config);
  } catch (err) {
    io.err(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  let failed = 0;
  try {
    for (const dbId of plan.dbIds) if (!(await importOne(plan, dbId, io))) failed += 1;
  } catch {
    return 1;
  }
  io.out(`Imported ${plan.dbIds.length - failed} of ${plan.dbIds.length} databases into PostgreSQL.`);
  return failed === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const io: ImportCliOutput = { out: (l) => console.log(l), err: (l) => console.error(l) };
  process.exitCode = await runImportCli(process.argv.slice(2), loadConfig(), io);
}
