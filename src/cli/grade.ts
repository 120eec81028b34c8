/**
 * `npm run grade -- --gold GOLD --pred PRED --db-dir DIR [--mode spider|bird|strict] [--json] [--timeout-ms N]`
 * Execution accuracy with the official Spider evaluator's inputs: GOLD has one `SQL<TAB>db_id` per line, PRED one
 * SQL per line (blank lines are skipped in both, as interaction breaks), DIR holds `<db_id>/<db_id>.sqlite`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig, type Config } from '../config.js';
import { createSqliteEngine } from '../env/db/sqlite-engine.js';
import { createGrader, spiderHardness, type Grader, type GradeMode, type SpiderHardness } from '../env/grade/index.js';
import { createLogger, type Logger } from '../logger.js';
import { mapLimited } from '../map-limited.js';

export const GRADE_USAGE =
  'usage: npm run grade -- --gold GOLD --pred PRED --db-dir DIR [--mode spider|bird|strict] [--json] [--timeout-ms N]\n' +
  '  GOLD: one `SQL<TAB>db_id` per line; PRED: one SQL per line; DIR: <db_id>/<db_id>.sqlite. Default mode: spider.';

export interface GradeCliOptions {
  goldFile: string;
  predFile: string;
  dbDir: string;
  mode: GradeMode;
  isJson: boolean;
  timeoutMs?: number;
}

interface Item {
  index: number;
  dbId: string;
  gold: string;
  pred: string;
  hardness: SpiderHardness;
}

interface Outcome {
  index: number;
  db_id: string;
  hardness: SpiderHardness;
  match: boolean;
  error: string | null;
}

const LEVELS: readonly SpiderHardness[] = ['easy', 'medium', 'hard', 'extra'];
const MODES: readonly GradeMode[] = ['spider', 'bird', 'strict'];

/** Parses the flags; returns a message instead of options when they are unusable. */
export function parseGradeArgs(argv: readonly string[]): GradeCliOptions | string {
  const values = new Map<string, string>();
  let isJson = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] ?? '';
    if (flag === '--json') isJson = true;
    else if (['--gold', '--pred', '--db-dir', '--mode', '--timeout-ms'].includes(flag) && argv[i + 1] !== undefined) {
      values.set(flag, argv[++i] ?? '');
    } else return `unknown or incomplete argument '${flag}'`;
  }
  const [goldFile, predFile, dbDir] = [values.get('--gold'), values.get('--pred'), values.get('--db-dir')];
  if (goldFile === undefined || predFile === undefined || dbDir === undefined) return '--gold, --pred and --db-dir are required';
  const mode = (values.get('--mode') ?? 'spider') as GradeMode;
  if (!MODES.includes(mode)) return `--mode must be one of ${MODES.join(', ')}`;
  const timeoutText = values.get('--timeout-ms');
  const timeoutMs = timeoutText === undefined ? undefined : Number(timeoutText);
  if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0)) return '--timeout-ms must be a positive integer';
  return { goldFile, predFile, dbDir, mode, isJson, ...(timeoutMs === undefined ? {} : { timeoutMs }) };
}

function nonBlankLines(file: string): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

function readItems(options: GradeCliOptions): Item[] | string {
  const golds = nonBlankLines(options.goldFile);
  const preds = nonBlankLines(options.predFile);
  if (golds.length !== preds.length) return `${golds.length} gold lines but ${preds.length} predictions`;
  const items: Item[] = [];
  for (const [index, line] of golds.entries()) {
    const [gold = '', dbId] = line.split('\t');
    if (dbId === undefined || dbId.trim() === '') return `gold line ${index + 1} has no <TAB>db_id`;
    items.push({ index, dbId: dbId.trim(), gold, pred: (preds[index] ?? '').split('\t')[0] ?? '', hardness: spiderHardness(gold) });
  }
  return items;
}

async function gradeItem(item: Item, grader: Grader, mode: GradeMode, hasDb: boolean): Promise<Outcome> {
  const base = { index: item.index, db_id: item.dbId, hardness: item.hardness };
  if (!hasDb) return { ...base, match: false, error: `gold failed: no database file for '${item.dbId}'` };
  const grade = await grader.grade({ database: item.dbId, goldSql: item.gold, legacyDoubleQuotes: true, mode, prediction: item.pred });
  const failure = grade.goldFailure ?? grade.predFailure;
  const prefix = grade.goldFailure === undefined ? '' : 'gold failed: ';
  return { ...base, match: grade.isMatch, error: failure === undefined ? null : `${prefix}${failure.code}: ${failure.message}` };
}

function summarize(outcomes: readonly Outcome[], mode: GradeMode) {
  const bucket = (list: readonly Outcome[]) => {
    const matched = list.filter((o) => o.match).length;
    return { count: list.length, matched, accuracy: list.length === 0 ? 0 : matched / list.length };
  };
  const goldFailures = outcomes.filter((o) => o.error?.startsWith('gold failed') === true).length;
  return {
    summary: true,
    mode,
    ...bucket(outcomes),
    gold_failures: goldFailures,
    prediction_errors: outcomes.filter((o) => o.error !== null).length - goldFailures,
    by_hardness: Object.fromEntries(LEVELS.map((h) => [h, bucket(outcomes.filter((o) => o.hardness === h))])),
  };
}

/** The readable report: execution accuracy by hardness, with counts. */
export function formatGradeTable(outcomes: readonly Outcome[], mode: GradeMode): string {
  const s = summarize(outcomes, mode);
  const columns = [...LEVELS.map((h) => s.by_hardness[h] ?? { count: 0, matched: 0, accuracy: 0 }), s];
  const row = (label: string, cells: string[]) => label.padEnd(12) + cells.map((c) => c.padStart(10)).join('');
  return [
    `mode: ${mode}   pairs: ${s.count}   gold failures: ${s.gold_failures}   prediction errors: ${s.prediction_errors}`,
    row('', [...LEVELS, 'all']),
    row('count', columns.map((c) => String(c.count))),
    row('matched', columns.map((c) => String(c.matched))),
    row('execution', columns.map((c) => c.accuracy.toFixed(3))),
  ].join('\n');
}

/** Where the command writes: `out` gets the report, `err` usage and input problems (one call per line or block). */
export interface GradeCliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** Runs the command; returns the exit code (0 graded, 2 bad usage or input). */
export async function runGradeCli(argv: readonly string[], io: GradeCliIo, config: Config, log: Logger): Promise<number> {
  const { out } = io;
  const options = parseGradeArgs(argv);
  if (typeof options === 'string') {
    io.err(`${options}\n${GRADE_USAGE}`);
    return 2;
  }
  const items = readItems(options);
  if (typeof items === 'string') {
    io.err(items);
    return 2;
  }
  const engine = createSqliteEngine(config.sql, log);
  const present = new Set<string>();
  for (const dbId of new Set(items.map((i) => i.dbId))) {
    const file = path.join(options.dbDir, dbId, `${dbId}.sqlite`);
    if (fs.existsSync(file)) {
      engine.addDatabase(dbId, file);
      present.add(dbId);
    }
  }
  const timeoutMs = options.timeoutMs ?? config.sql.timeoutMs;
  const grader = createGrader({ engine, log, score: config.score, gradeMaxRows: config.sql.gradeMaxRows, timeoutMs });
  try {
    const outcomes = await mapLimited(items, config.sql.workers, (item) => gradeItem(item, grader, options.mode, present.has(item.dbId)));
    if (options.isJson) {
      for (const o of outcomes) out(JSON.stringify(o));
      out(JSON.stringify(summarize(outcomes, options.mode)));
    } else out(formatGradeTable(outcomes, options.mode));
    return 0;
  } finally {
    await engine.close();
  }
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(path.resolve(entry)).href) {
  const config = loadConfig();
  const log = createLogger(config.log, process.stderr).child({ mod: 'cli.grade' });
  const io: GradeCliIo = {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
  };
  runGradeCli(process.argv.slice(2), io, config, log).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      log.error({ err }, 'grading failed');
      process.exitCode = 1;
    },
  );
}
