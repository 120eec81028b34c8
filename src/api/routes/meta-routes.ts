import { Router } from 'express';
import type { TaskRegistry } from '../../env/index.js';
import { handleMcp } from '../mcp.js';
import type { Metrics } from '../metrics.js';
import { envSchemas, openApiDocument } from '../openapi.js';

export interface MetaInfo {
  version: string;
  readme?: string;
}

/** /health, /metadata, /schema, /openapi.json, /mcp, /metrics, /tasks and /policy. */
export function createMetaRoutes(info: MetaInfo, tasks: TaskRegistry, metrics: Metrics, policyOverview?: () => Promise<unknown>): Router {
  const router = Router();
  const schemas = envSchemas();
  const openapi = openApiDocument(info.version);

  router.get('/health', (_req, res) => {
    res.json({ status: 'healthy' });
  });
  router.get('/metadata', (_req, res) => {
    res.json({
      name: 'sql-repair-env',
      description: 'Text-to-SQL repair environment: execute and grade SQL on real databases, classify errors, and pick repair strategies with a LinUCB bandit.',
      readme_content: info.readme ?? null,
      version: info.version,
      author: 'sql-repair-env contributors',
      documentation_url: null,
    });
  });
  router.get('/schema', (_req, res) => {
    res.json(schemas);
  });
  router.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  router.post('/mcp', (req, res) => {
    res.json(handleMcp(req.body));
  });
  router.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  router.get('/tasks', (_req, res) => {
    res.json(
      tasks.list().map((t) => ({
        task_id: t.id,
        description: t.description,
        difficulty: t.difficulty,
        questions: t.questions.map((q) => ({ question_id: q.id, question: q.question, difficulty: q.difficulty, db_id: q.database })),
      })),
    );
  });
  if (policyOverview !== undefined) {
    router.get('/policy', async (_req, res) => {
      res.json(await policyOverview());
    });
  }
  return router;
}
