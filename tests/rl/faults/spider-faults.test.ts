import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSqliteEngine, type SqliteEngine } from '../../../src/env/db/sqlite-engine.js';
import { loadSpiderDataset, type SpiderDataset } from '../../../src/env/tasks/spider-loader.js';
import type { TaskQuestion } from '../../../src/env/tasks/task.js';
import { createFaultInjector, executeFaults, FAULT_KINDS, faultKindByName, generateFaults } from '../../../src/rl/faults/index.js';
import { createRng } from '../../../src/rl/rng.js';
import { silentLogger } from '../../helpers/logs.js';
import { describeSpider, SPIDER_DIR } from '../../helpers/spider.js';
import { testConfig } from '../../helpers/test-config.js';
import { createFaultJudge, type FaultJudge } from './fault-harness.js';

/** A Spider train question each kind applies to cleanly (ids of ../shared/data/spider-train). */
const PINNED: Record<string, string> = {
  'misspell-column': 'spider-train/0000',
  'misspell-table': 'spider-train/0002',
  'missing-join': 'spider-train/0009',
  'ambiguous-column': 'spider-train/0009',
  'foreign-function': 'spider-train/0003',
  'aggregate-in-where': 'spider-train/0007',
  'missing-group-by': 'spider-train/0029',
  'wrong-order-direction': 'spider-train/0008',
  'drop-predicate': 'spider-train/0005',
  'wrong-literal': 'spider-train/0006',
  'column-count-mismatch': 'spider-train/0013',
  'syntax-slip': 'spider-train/0001',
};

describeSpider('fault kinds on Spider databases, executed for real', () => {
  let dataset: SpiderDataset;
  let engine: SqliteEngine;
  let judge: FaultJudge;
  const byId = new Map<string, TaskQuestion>();

  beforeAll(async () => {
    dataset = await loadSpiderDataset(SPIDER_DIR);
    for (const q of dataset.task.questions) byId.set(q.id, q);
    engine = createSqliteEngine(testConfig({ SQL_WORKERS: '2' }).sql, silentLogger(), dataset.databases);
    judge = createFaultJudge(engine);
  });

  afterAll(() => engine?.close());

  for (const [name, id] of Object.entries(PINNED)) {
    it(`${name} gives ${faultKindByName(name)?.expectedClass} on ${id}`, async () => {
      const q = byId.get(id) as TaskQuestion;
      const kind = faultKindByName(name);
      const schema = await engine.schema(q.database);
      for (let seed = 0; seed < 4; seed += 1) {
        const sql = kind?.apply(q.gold as string, schema, createRng(seed));
        expect(sql, `seed ${seed}`).toBeDefined();
        expect(await judge.classOf(q.database, q.gold as string, sql as string, true), sql).toBe(kind?.expectedClass);
      }
    });
  }

  it('gives each kind its expected class for most of the real faults it makes on 150 questions', async () => {
    const tally = new Map<string, { total: number; expected: number }>(FAULT_KINDS.map((k) => [k.name, { total: 0, expected: 0 }]));
    const rng = createRng(2024);
    const questions = dataset.task.questions.filter((_, i) => i % 26 === 0).slice(0, 150);
    for (const q of questions) {
      const gold = q.gold as string;
      const faults = generateFaults(gold, await engine.schema(q.database), rng);
      for (const f of await executeFaults(faults, { engine, database: q.database, goldSql: gold, legacyDoubleQuotes: true })) {
        const cls = await judge.classOf(q.database, gold, f.sql, true);
        expect(cls, `executeFaults kept a fault the grader matches: ${f.sql}`).not.toBe('MATCH');
        const t = tally.get(f.kind) as { total: number; expected: number };
        t.total += 1;
        if (cls === f.expectedClass) t.expected += 1;
      }
    }
    for (const [kind, t] of tally) {
      expect(t.total, kind).toBeGreaterThanOrEqual(3);
      expect(t.expected / t.total, `${kind}: ${t.expected}/${t.total}`).toBeGreaterThanOrEqual(0.5);
    }
  });

  it('injects the same real fault for the same seed into Spider questions', async () => {
    const injector = createFaultInjector();
    const questions = dataset.task.questions.filter((_, i) => i % 131 === 0).slice(0, 25);
    let injected = 0;
    for (const q of questions) {
      const a = await injector.corrupt(q, q.gold as string, engine, 42);
      expect(await createFaultInjector().corrupt(q, q.gold as string, engine, 42), q.id).toEqual(a);
      if (a === undefined) continue;
      injected += 1;
      expect(await judge.classOf(q.database, q.gold as string, a.sql, true), `${q.id}: ${a.sql}`).not.toBe('MATCH');
    }
    expect(injected).toBeGreaterThanOrEqual(questions.length - 2);
  });
});
