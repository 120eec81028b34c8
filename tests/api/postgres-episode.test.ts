import { beforeAll, expect, it } from 'vitest';
import { builtinTasks } from '../../src/env/tasks/builtin-tasks.js';
import { goldFor } from '../../src/env/tasks/task.js';
import { describePg, PG_TEST_URL } from '../helpers/pg.js';
import { postJson, startTestService, type TestService } from '../helpers/server.js';

describePg('episodes on the PostgreSQL dialect (DATABASE_URL set)', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ DATABASE_URL: PG_TEST_URL });
  }, 120_000);

  it('plays an episode on the demo database in PostgreSQL: a PG error with its hint, then the PG gold succeeds', async () => {
    const question = builtinTasks().flatMap((t) => t.questions).find((q) => typeof q.gold !== 'string');
    expect(question).toBeDefined();
    const reset = await postJson(svc.baseUrl, '/reset', { task_id: question?.taskId, question_id: question?.id, dialect: 'postgres', episode_id: 'pg-1' });
    expect(reset.status).toBe(200);
    expect(reset.body.observation).toMatchObject({ dialect: 'postgres', db_id: 'demo' });
    expect(reset.body.observation.schema_info).toContain('CREATE TABLE');

    const wrong = await postJson(svc.baseUrl, '/step', { action: { custom_sql: 'SELECT compny_name FROM customers' }, episode_id: 'pg-1' });
    expect(wrong.body.observation).toMatchObject({ error_class: 'UNKNOWN_COLUMN', offending_token: 'compny_name' });
    expect(wrong.body.observation.candidates[0].name).toMatch(/company_name/);

    const gold = question === undefined ? undefined : goldFor(question, 'postgres');
    const right = await postJson(svc.baseUrl, '/step', { action: { custom_sql: gold }, episode_id: 'pg-1' });
    expect(right.body).toMatchObject({ done: true, reward: 0.95, observation: { success: true, dialect: 'postgres' } });
  });

  it('refuses writes on PostgreSQL as REJECTED attempts', async () => {
    await postJson(svc.baseUrl, '/reset', { dialect: 'postgres', episode_id: 'pg-2' });
    const res = await postJson(svc.baseUrl, '/step', { action: { custom_sql: 'DELETE FROM customers' }, episode_id: 'pg-2' });
    expect(res.body.observation.error_class).toBe('REJECTED');
  });
});
