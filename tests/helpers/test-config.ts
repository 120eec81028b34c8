import { loadConfig, type Config } from '../../src/config.js';

/** A config for tests: defaults plus the given variables, never read from process.env. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ LOG_LEVEL: 'silent', ...overrides });
}
