import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // why: SQLite worker pools and PostgreSQL pools per file; two cores on CI.
    pool: 'forks',
    maxWorkers: 2,
  },
});
