import pg from 'pg';
import { describe } from 'vitest';

/** The PostgreSQL the tests use: PG_TEST_URL, else the local trust-auth server's `test` database. */
export const PG_TEST_URL = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function probe(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: PG_TEST_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const unavailableReason = await probe();
if (unavailableReason !== undefined && process.env.REQUIRE_PG === '1') {
  throw new Error(`REQUIRE_PG=1 but PostgreSQL at ${PG_TEST_URL} is unreachable: ${unavailableReason}`);
}
if (unavailableReason !== undefined) {
  console.warn(`[skip] PostgreSQL tests skipped: ${PG_TEST_URL} unreachable (${unavailableReason}). Set REQUIRE_PG=1 to fail instead.`);
}

/** True when a PostgreSQL server is reachable for tests. */
export const isPgAvailable = unavailableReason === undefined;

/** describe() for suites that need PostgreSQL: skipped with a visible reason when absent, fails when REQUIRE_PG=1. */
export const describePg: typeof describe = (isPgAvailable ? describe : describe.skip) as typeof describe;

/** A unique schema name for one test file, so files can run in parallel against one database. */
export function uniqueSchema(prefix: string): string {
  return `${prefix}_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
}
