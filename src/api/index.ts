import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type express from 'express';
import type { Config } from '../config.js';
import type { Environment } from '../env/index.js';
import type { Logger } from '../logger.js';
import { createApp } from './app.js';
import { HttpEpisodes } from './http-episodes.js';
import type { Metrics } from './metrics.js';
import type { MetaInfo } from './routes/meta-routes.js';
import { WsSessions } from './ws.js';

export interface ServerDeps {
  env: Environment;
  config: Pick<Config, 'server' | 'sessions'>;
  log: Logger;
  info: MetaInfo;
  extraRoutes?: express.Router[];
  /** GET /policy: the policy page's data. */
  policyOverview?: () => Promise<unknown>;
  /** The server's metrics, made by the composition root, which also has the adapters feed them. */
  metrics: Metrics;
}

export interface RunningServer {
  server: http.Server;
  metrics: Metrics;
  ws: WsSessions;
  httpEpisodes: HttpEpisodes;
  /** Listens on config.server.port/host (port 0 picks a free one); resolves to the bound address. */
  listen(): Promise<AddressInfo>;
  /** Idempotent: stops accepting, closes WS sessions and HTTP episodes. */
  close(): Promise<void>;
}

/** Builds the HTTP + WebSocket server over an Environment. Does not listen until listen(). */
export function createServer(deps: ServerDeps): RunningServer {
  const { metrics } = deps;
  const { sessions, server: serverConfig } = deps.config;
  const httpEpisodes = new HttpEpisodes(deps.env, { maxEpisodes: sessions.maxHttpEpisodes, idleTimeoutS: sessions.sessionTimeoutS });
  httpEpisodes.registry.startReaper();
  const app = createApp({ env: deps.env, episodes: httpEpisodes, metrics, log: deps.log, apiToken: serverConfig.apiToken, info: deps.info, extraRoutes: deps.extraRoutes, policyOverview: deps.policyOverview });
  const server = http.createServer(app);
  server.keepAliveTimeout = 65_000;
  const ws = new WsSessions({ env: deps.env, metrics, log: deps.log.child({ mod: 'api.ws' }), apiToken: serverConfig.apiToken, maxSessions: sessions.maxConcurrentEnvs, idleTimeoutS: sessions.sessionTimeoutS });
  ws.attach(server);
  let closing: Promise<void> | undefined;
  return {
    server,
    metrics,
    ws,
    httpEpisodes,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(serverConfig.port, serverConfig.host, () => resolve(server.address() as AddressInfo));
      }),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        ws.close();
        httpEpisodes.registry.closeAll();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
