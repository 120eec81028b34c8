import { composeService } from '../compose.js';
import type { Config } from '../config.js';
import type { StartedServer } from '../eval/eval-command.js';
import type { Logger } from '../logger.js';

/** Starts the whole service in this process (composeService) and listens on the config's host and port. */
export async function startInProcessServer(config: Config, log: Logger): Promise<StartedServer> {
  const service = await composeService(config, log);
  try {
    const address = await service.server.listen();
    return { baseUrl: `http://${address.address}:${address.port}`, close: () => service.close() };
  } catch (err) {
    await service.close();
    throw err;
  }
}
