import { composeService } from './compose.js';
import { loadConfig } from './config.js';
import { ConfigError } from './errors.js';
import { createLogger } from './logger.js';

/** Composition root: config → logger → service → listen; the only place with process.exit and signals. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const log = createLogger(config.log);
  const service = await composeService(config, log);
  const address = await service.server.listen();
  log.info(
    { port: address.port, host: address.address, dialects: Object.keys(service.engines), model: service.backend?.describe() ?? null },
    `sql-repair-env listening on http://${address.address}:${address.port}`,
  );
  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down');
    service.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
