import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.js';

export type { Logger } from 'pino';

/** Paths whose values never reach a log line. */
export const REDACT_PATHS = [
  '*.apiKey',
  '*.api_key',
  '*.authorization',
  '*.Authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'config.model.apiKey',
  'config.server.apiToken',
  'config.sql.databaseUrl',
  'config.policy.storeUrl',
];

/** Creates the root logger; pass `destination` (e.g. an in-memory stream in tests) to redirect output. */
export function createLogger(log: Config['log'], destination?: DestinationStream): Logger {
  const options = {
    level: log.level,
    base: { service: 'sql-repair-env' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
