import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteEngine } from '../../src/env/db/sqlite-engine.js';
import { createGrader, type Grade } from '../../src/env/grade/grader.js';
import { silentLogger } from '../helpers/logs.js';
import { describeSpider, SPIDER_DIR } from '../helpers/spider.js';
import { testConfig } from '../helpers/test-config.js';
import { MUTATIONS } from './spider-mutations.js';
import { mapLimited } from '../../src/map-limited.js';

const REFERENCE = path.join(import.meta.dirname, 'spider_exec_reference.py');
const isPythonAvailable = spawnSync('python3', ['-c', 'import sqlite3'], { stdio: 'ignore' }).status === 0;
if (!isPythonAvailable) console.warn('[skip] Spider parity check skipped: python3 with sqlite3 is not on PATH.');
const describeParity: typeof describe = (isPythonAvailable ? describeSpider : describe.skip) as typeof describe;

/** Every STRIDE-th question of spider-train is mutated every applicable way. */
const STRIDE = 12;

interface Pair {
  dbId: string;
  mutation: string;
  gold: string;
  pred: string;
}

interface Reference {
  match: boolean;
  gold_error: string | null;
  pred_error: string | null;
}

function buildPairs(): Pair[] {
  const questions = JSON.parse(fs.readFileSync(path.join(SPIDER_DIR, 'questions.json'), 'utf8')) as { db_id: string; query: string }[];
  const pairs: Pair[] = [];
  questions.forEach((q, i) => {
    if (i % STRIDE !== 0) return;
    for (const [mutation, mutate] of Object.entries(MUTATIONS)) {
      const pred = mutate(q.query);
      if (pred !== undefined) pairs.push({ dbId: q.db_id, mutation, gold: q.query, pred });
    }
  });
  return pairs;
}

function dbPath(dbId: string): string {
  return path.join(SPIDER_DIR, 'database', dbId, `${dbId}.sqlite`);
}

function runReference(pairs: Pair[]): Reference[] {
  const input = JSON.stringify(pairs.map((p) => ({ db: dbPath(p.dbId), gold: p.gold, pred: p.pred })));
  const out = spawnSync('python3', [REFERENCE], { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 240_000 });
  if (out.status !== 0) throw new Error(`reference failed (${String(out.status)}): ${out.stderr}`);
  return JSON.parse(out.stdout) as Reference[];
}

describeParity('spider mode agrees with a Python reference of the official evaluator', () => {
  const config = testConfig({ SQL_WORKERS: '2' });
  const engine = createSqliteEngine(config.sql, silentLogger());
  afterAll(() => engine.close());
  const grader = createGrader({ engine, log: silentLogger(), score: config.score, gradeMaxRows: 1_000_000, timeoutMs: 60_000 });

  it('gives the same verdict on every mutated spider-train pair', { timeout: 300_000 }, async () => {
    const pairs = buildPairs();
    for (const dbId of new Set(pairs.map((p) => p.dbId))) engine.addDatabase(dbId, dbPath(dbId));
    const reference = runReference(pairs);
    const ours: Grade[] = await mapLimited(pairs, 4, (p) =>
      grader.grade({ database: p.dbId, goldSql: p.gold, legacyDoubleQuotes: true, mode: 'spider', prediction: p.pred }),
    );

    const disagreements = pairs.flatMap((p, i) => {
      const ref = reference[i] as Reference;
      const grade = ours[i] as Grade;
      const isSame = ref.match === grade.isMatch && (ref.gold_error !== null) === (grade.goldFailure !== undefined);
      return isSame ? [] : [{ ...p, python: ref, ours: { isMatch: grade.isMatch, gold: grade.goldFailure, pred: grade.predFailure } }];
    });
    const byMutation: Record<string, { pairs: number; matches: number }> = {};
    pairs.forEach((p, i) => {
      const entry = (byMutation[p.mutation] ??= { pairs: 0, matches: 0 });
      entry.pairs += 1;
      entry.matches += Number(reference[i]?.match === true);
    });
    const agreed = pairs.length - disagreements.length;
    console.log(`[parity] ${agreed}/${pairs.length} verdicts agree; per mutation (pairs, python matches): ${JSON.stringify(byMutation)}`);

    expect(disagreements).toEqual([]);
    expect(reference.filter((r) => r.gold_error !== null)).toEqual([]);
    expect(pairs.length).toBeGreaterThan(300);
    const matches = reference.filter((r) => r.match).length;
    expect(matches).toBeGreaterThan(100);
    expect(pairs.length - matches).toBeGreaterThan(100);
  });
});
