/**
 * Pairs graded per second over ../shared/data/spider-train, each gold query graded against itself, versus the
 * baseline of only executing the prediction through the same engine (what any grader must at least do).
 * Passes: spider mode with a cold gold cache (gold + prediction executed, then compared), strict mode with the
 * gold cache warm (prediction executed, then compared), and the comparison alone on results held in memory.
 * Every pass runs after one untimed pass over all queries, so file and statement caches are equally warm.
 * Run: npm run bench:grade [-- <spider-train dir> [pairs, default all]]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import type { ExecSuccess } from '../src/env/db/engine.js';
import { createSqliteEngine } from '../src/env/db/sqlite-engine.js';
import { createGrader, spiderResultEq, type GradeMode } from '../src/env/grade/index.js';
import { isOrderSensitive } from '../src/env/grade/sql-text.js';
import { createLogger } from '../src/logger.js';

const SPIDER_DIR = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, '../../shared/data/spider-train'));
const LIMIT = Number(process.argv[3] ?? Infinity);
const CONCURRENCY = 4;

interface Question {
  db_id: string;
  query: string;
}

async function timed<T>(items: readonly T[], fn: (item: T) => Promise<unknown>): Promise<{ pairsPerS: number; seconds: number }> {
  let next = 0;
  const started = performance.now();
  const loop = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, loop));
  const seconds = (performance.now() - started) / 1000;
  return { pairsPerS: items.length / seconds, seconds };
}

async function main(): Promise<void> {
  const questionsFile = path.join(SPIDER_DIR, 'questions.json');
  if (!fs.existsSync(questionsFile)) {
    console.log(`No Spider data at ${SPIDER_DIR}; pass its directory as the first argument.`);
    return;
  }
  const questions = (JSON.parse(fs.readFileSync(questionsFile, 'utf8')) as Question[]).slice(0, LIMIT);
  // why no result cache: each pass runs the same texts again, and the gold is graded against itself.
  const cfg = loadConfig({ LOG_LEVEL: 'silent', SQL_RESULT_CACHE_MB: '0' });
  const log = createLogger(cfg.log);
  const engine = createSqliteEngine(cfg.sql, log);
  for (const db of new Set(questions.map((q) => q.db_id))) engine.addDatabase(db, path.join(SPIDER_DIR, 'database', db, `${db}.sqlite`));
  await engine.warmUp();
  const options = { maxRows: cfg.sql.gradeMaxRows, timeoutMs: cfg.sql.timeoutMs, legacyDoubleQuotes: true };
  const grader = createGrader({ engine, log, score: cfg.score, gradeMaxRows: cfg.sql.gradeMaxRows, timeoutMs: cfg.sql.timeoutMs, goldCacheSize: questions.length });
  const grade = (q: Question, mode: GradeMode) =>
    grader.grade({ database: q.db_id, goldSql: q.query, legacyDoubleQuotes: true, mode, prediction: q.query });

  console.log(`Grading gold against gold: ${questions.length} spider-train pairs, ${cfg.sql.workers} SQLite workers, ${CONCURRENCY} in flight, ${os.availableParallelism()} cores`);
  await timed(questions, (q) => engine.execute(q.db_id, q.query, options)); // why: warm file and statement caches first
  const results: ExecSuccess[] = [];
  const baseline = await timed(questions, async (q) => {
    const r = await engine.execute(q.db_id, q.query, options);
    if (r.ok) results.push(r);
  });
  let matches = 0;
  const spider = await timed(questions, async (q) => {
    const g = await grade(q, 'spider');
    if (g.isMatch) matches += 1;
  });
  const strictWarm = await timed(questions, async (q) => grade(q, 'strict'));
  const strictAgain = await timed(questions, async (q) => grade(q, 'strict'));
  const compareStarted = performance.now();
  for (const r of results) spiderResultEq(r, { ...r, rows: [...r.rows].reverse() }, isOrderSensitive(r.executedSql));
  const compareS = (performance.now() - compareStarted) / 1000;

  const row = (label: string, pairsPerS: number, seconds: number) => ({
    pass: label,
    'pairs/s': pairsPerS.toFixed(0),
    seconds: seconds.toFixed(2),
    'vs baseline': (pairsPerS / baseline.pairsPerS).toFixed(2),
  });
  console.table([
    row('baseline: execute prediction only', baseline.pairsPerS, baseline.seconds),
    row('grade spider, cold gold cache', spider.pairsPerS, spider.seconds),
    row('grade strict, warm gold cache', strictWarm.pairsPerS, strictWarm.seconds),
    row('grade strict, warm (second run)', strictAgain.pairsPerS, strictAgain.seconds),
    row('compare only (in memory, rows reversed)', results.length / compareS, compareS),
  ]);
  console.log(`spider-mode matches: ${matches}/${questions.length} (gold vs gold; misses are gold failures or timeouts)`);
  await engine.close();
}

await main();
