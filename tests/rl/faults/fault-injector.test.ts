import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteEngine, type SqliteEngine } from '../../../src/env/db/sqlite-engine.js';
import type { TaskQuestion } from '../../../src/env/tasks/task.js';
import { builtinTasks } from '../../../src/env/tasks/builtin-tasks.js';
import { DEMO_DATABASE, ensureDemoSqlite } from '../../../src/env/tasks/demo-db.js';
import { createFaultInjector, FAULT_KIND_NAMES } from '../../../src/rl/faults/index.js';
import { silentLogger } from '../../helpers/logs.js';
import { testConfig } from '../../helpers/test-config.js';
import { tmpDir } from '../../helpers/tmp-dir.js';
import { createFaultJudge, type FaultJudge } from './fault-harness.js';

let engine: SqliteEngine;
let judge: FaultJudge;

beforeAll(async () => {
  const file = await ensureDemoSqlite(tmpDir('sre-injector-'), silentLogger());
  engine = createSqliteEngine(testConfig({ SQL_WORKERS: '1' }).sql, silentLogger(), { [DEMO_DATABASE]: file });
  judge = createFaultJudge(engine);
});

afterAll(() => engine.close());

function question(gold: string, id = 'test/01'): TaskQuestion {
  return { id, taskId: 'test', database: DEMO_DATABASE, question: 'q', gold, difficulty: 'easy', legacyDoubleQuotes: false };
}

const demoQuestions = (): TaskQuestion[] => builtinTasks().flatMap((t) => t.questions.filter((q) => typeof q.gold === 'string'));

describe('createFaultInjector', () => {
  it('returns the same fault for the same question and seed', async () => {
    const injector = createFaultInjector();
    for (const q of demoQuestions().slice(0, 10)) {
      const a = await injector.corrupt(q, q.gold as string, engine, 3);
      const b = await createFaultInjector().corrupt(q, q.gold as string, engine, 3);
      expect(a, q.id).toEqual(b);
    }
  });

  it('returns faults that really fail or change the result, labelled with a known kind', async () => {
    const injector = createFaultInjector();
    let count = 0;
    for (const q of demoQuestions()) {
      const fault = await injector.corrupt(q, q.gold as string, engine, 1);
      if (fault === undefined) continue;
      count += 1;
      expect(FAULT_KIND_NAMES).toContain(fault.fault);
      expect(await judge.classOf(DEMO_DATABASE, q.gold as string, fault.sql, false), `${q.id}: ${fault.sql}`).not.toBe('MATCH');
    }
    expect(count).toBe(demoQuestions().length);
  });

  it('draws different fault kinds for different seeds', async () => {
    const q = demoQuestions().find((x) => x.id === 'join_queries/01') as TaskQuestion;
    const injector = createFaultInjector();
    const kinds = new Set<string>();
    for (let seed = 0; seed < 16; seed += 1) kinds.add((await injector.corrupt(q, q.gold as string, engine, seed))?.fault ?? 'none');
    expect(kinds.size).toBeGreaterThanOrEqual(4);
    expect(kinds.has('none')).toBe(false);
  });

  it('draws only from the curriculum kinds it is given', async () => {
    const injector = createFaultInjector({ kinds: ['wrong-literal'] });
    const fault = await injector.corrupt(question("SELECT company_name FROM customers WHERE country = 'Germany'"), "SELECT company_name FROM customers WHERE country = 'Germany'", engine, 9);
    expect(fault?.fault).toBe('wrong-literal');
    expect(await judge.classOf(DEMO_DATABASE, "SELECT company_name FROM customers WHERE country = 'Germany'", fault?.sql as string, false)).toBe('EMPTY_RESULT');
  });

  it('returns undefined when no kind applies or no applicable fault changes the result', async () => {
    expect(await createFaultInjector().corrupt(question('SELECT 1'), 'SELECT 1', engine, 0)).toBeUndefined();
    const oneRow = 'SELECT COUNT(*) FROM customers ORDER BY 1';
    expect(await createFaultInjector({ kinds: ['wrong-order-direction'] }).corrupt(question(oneRow), oneRow, engine, 0)).toBeUndefined();
  });

  it('refuses an unknown kind name', () => {
    expect(() => createFaultInjector({ kinds: ['no-such-kind'] })).toThrow(/unknown fault kind 'no-such-kind'/);
  });
});
