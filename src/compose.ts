import fs from 'node:fs';
import path from 'node:path';
import type express from 'express';
import { createServer, type RunningServer } from './api/index.js';
import { Metrics } from './api/metrics.js';
import { createOpenAiRouter } from './api/openai-routes.js';
import { createWebRoutes } from './api/web-routes.js';
import type { Config } from './config.js';
import { Environment, type Dialect, type SqlEngine, type Task } from './env/index.js';
import { createPgEngine } from './env/db/pg-engine.js';
import { createSqliteEngine } from './env/db/sqlite-engine.js';
import { createGrader, type Grader } from './env/grade/grader.js';
import { builtinTasks } from './env/tasks/builtin-tasks.js';
import { DEMO_DATABASE, ensureDemoPostgres, ensureDemoSqlite } from './env/tasks/demo-db.js';
import { loadSpiderDataset } from './env/tasks/spider-loader.js';
import { createTaskRegistry } from './env/tasks/task-registry.js';
import type { Logger } from './logger.js';
import { createBackend, type LlmBackend } from './model/index.js';
import { createSqlGenerator } from './model/sql-generator.js';
import { createFaultInjector } from './rl/faults/index.js';
import { createRepairPolicy, type RepairPolicyService } from './rl/repair-policy.js';

/** Everything a running service holds, so that main.ts and the tests can start and stop it the same way. */
export interface Service {
  env: Environment;
  server: RunningServer;
  policy: RepairPolicyService;
  backend: LlmBackend | undefined;
  engines: Partial<Record<Dialect, SqlEngine>>;
  /** Idempotent: server, engines, model and policy store. */
  close(): Promise<void>;
}

const VERSION = readVersion();

/** The composition root's work: adapters → environment → HTTP/WS server (not yet listening). */
export async function composeService(config: Config, log: Logger): Promise<Service> {
  const demoPath = await ensureDemoSqlite(config.dataDir, log.child({ mod: 'env.demo' }));
  const sqlite = createSqliteEngine(config.sql, log.child({ mod: 'env.sqlite' }), { [DEMO_DATABASE]: demoPath });
  // why: a worker process takes ~0.4 s to start (1 s+ under tsx); start them now, not on the first agent query.
  const warming = sqlite.warmUp();
  const engines: Partial<Record<Dialect, SqlEngine>> = { sqlite };
  const tasks: Task[] = builtinTasks();
  if (config.datasetDir !== undefined) {
    const dataset = await loadSpiderDataset(config.datasetDir);
    for (const [dbId, file] of Object.entries(dataset.databases)) sqlite.addDatabase(dbId, file);
    tasks.push(dataset.task);
    log.info({ dataset: dataset.name, questions: dataset.task.questions.length }, 'dataset loaded');
  }
  if (config.sql.databaseUrl !== undefined) {
    await ensureDemoPostgres(config.sql.databaseUrl, log.child({ mod: 'env.demo' }));
    engines.postgres = await createPgEngine({ ...config.sql, databaseUrl: config.sql.databaseUrl }, log.child({ mod: 'env.pg' }));
  }
  const graders: Partial<Record<Dialect, Grader>> = {};
  for (const [dialect, engine] of Object.entries(engines) as [Dialect, SqlEngine][]) {
    graders[dialect] = createGrader({ engine, log: log.child({ mod: 'env.grade' }), score: config.score, gradeMaxRows: config.sql.gradeMaxRows, timeoutMs: config.sql.timeoutMs });
  }
  const metrics = new Metrics();
  metrics.watchSqliteInline(() => sqlite.inlineStats());
  metrics.watchSqliteResultCache(() => sqlite.resultCacheStats());
  const policy = await createRepairPolicy({
    config: config.policy,
    dataDir: config.dataDir,
    log: log.child({ mod: 'rl.policy' }),
    onStoreCommit: (seconds) => metrics.observePolicyCommit(seconds),
  });
  const backend = await createBackend(config.model, log.child({ mod: 'model' }));
  if (backend !== undefined) metrics.modelInfo.set(backend.describe(), 1);
  const env = new Environment({
    engines,
    graders,
    tasks: createTaskRegistry(tasks),
    policy,
    generator: backend === undefined ? undefined : createSqlGenerator(backend, { maxTokens: config.model.maxNewTokens }),
    faults: createFaultInjector(),
    config: { sql: config.sql, score: config.score, episode: config.episode },
    log: log.child({ mod: 'env' }),
  });
  await warming;
  const extraRoutes: express.Router[] = [createWebRoutes()];
  if (backend !== undefined && config.model.backend === 'onnx') extraRoutes.push(createOpenAiRouter(backend));
  const server = createServer({
    env,
    config,
    log,
    info: { version: VERSION, readme: readReadme() },
    extraRoutes,
    policyOverview: () => policy.overview(),
    metrics,
  });
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await server.close();
      await backend?.close();
      await Promise.all(Object.values(engines).map((e) => e.close()));
      await policy.close();
    })());
  return { env, server, policy, backend, engines, close };
}

function readVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

function readReadme(): string | undefined {
  const file = path.join(import.meta.dirname, '..', 'README.md');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
}
