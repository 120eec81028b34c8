import express, { type NextFunction, type Request, type Response } from 'express';
import type { Environment } from '../env/index.js';
import { UnauthorizedError } from '../errors.js';
import type { Logger } from '../logger.js';
import { isAuthorized } from './auth.js';
import { toHttp } from './error-map.js';
import type { HttpEpisodes } from './http-episodes.js';
import type { Metrics } from './metrics.js';
import { createRequestLog } from './request-log.js';
import { createEpisodeRoutes } from './routes/episode-routes.js';
import { createMetaRoutes, type MetaInfo } from './routes/meta-routes.js';
import { isPublicWebPath } from './web-routes.js';

export interface AppDeps {
  env: Environment;
  episodes: HttpEpisodes;
  metrics: Metrics;
  log: Logger;
  apiToken: string | undefined;
  info: MetaInfo;
  policyOverview?: () => Promise<unknown>;
  /** Extra routers mounted before the 404 handler (e.g. the local model's /v1 endpoint, the web viewer). */
  extraRoutes?: express.Router[];
}

/** Paths served by some method: another method there is a 405, as upstream answers. */
const KNOWN_PATHS = new Set(['/', '/web', '/reset', '/step', '/state', '/step/stream', '/health', '/metadata', '/schema', '/openapi.json', '/mcp', '/metrics', '/tasks', '/policy']);

/** The Express app: JSON body parsing, auth, routes, and the one error handler. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(createRequestLog(deps.log));
  app.use((req, _res, next) => {
    next(req.path === '/health' || isPublicWebPath(req.method, req.path) || isAuthorized(req, deps.apiToken) ? undefined : new UnauthorizedError());
  });
  app.use(express.json({ limit: '2mb' }));
  app.use(createMetaRoutes(deps.info, deps.env.deps.tasks, deps.metrics, deps.policyOverview));
  app.use(createEpisodeRoutes(deps.episodes, deps.metrics, deps.log));
  for (const router of deps.extraRoutes ?? []) app.use(router);
  app.use((req, res) => {
    const isKnownPath = KNOWN_PATHS.has(req.path);
    res.status(isKnownPath ? 405 : 404).json({ detail: isKnownPath ? 'Method Not Allowed' : 'Not Found' });
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const mapped = toHttp(err, deps.log);
    if (res.headersSent) return;
    res.status(mapped.status).set(mapped.headers);
    if (typeof mapped.body === 'string') res.send(mapped.body);
    else res.json(mapped.body);
  });
  return app;
}


