import { it } from 'vitest';
import { HttpEnvClient } from '../../src/client/index.js';
import { startTestService } from '../helpers/server.js';
it('probe', async () => {
  const svc = await startTestService();
  const c = new HttpEnvClient({ baseUrl: svc.baseUrl });
  const r = await c.reset({ task_id: 'simple_queries', question_id: 'simple_queries/01' });
  console.log(JSON.stringify(r.observation.recommendation?.prompt).slice(0, 300), r.observation.schema_info.length);
  for (const sql of ['-- no SQL', ';', 'SELECT 1']) {
    const s = await c.step({ custom_sql: sql, repair_action: 'generate' }, r.observation.episode_id);
    console.log(sql, s.reward, s.done, s.observation.error_class, s.observation.error_message, JSON.stringify(s.observation.result), s.observation.recommendation?.arm);
  }
});
