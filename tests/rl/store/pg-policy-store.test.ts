import pg from 'pg';
import { afterAll } from 'vitest';
import { createPgPolicyStore } from '../../../src/rl/store/pg-policy-store.js';
import type { PolicyStore } from '../../../src/rl/store/policy-store.js';
import { describePg, PG_TEST_URL, uniqueSchema } from '../../helpers/pg.js';
import { spawnPolicyWorker, type PolicyWorker } from './fixtures/worker-client.js';
import { policyStoreContract } from './policy-store.contract.js';
import { sharedByTwoProcesses } from './shared-by-two-processes.js';

const contractSchema = uniqueSchema('policy_contract');
const sharedSchema = uniqueSchema('policy_shared');
const workers: PolicyWorker[] = [];

afterAll(async () => {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  const client = new pg.Client({ connectionString: PG_TEST_URL });
  await client.connect().catch(() => undefined);
  await client.query(`DROP SCHEMA IF EXISTS "${contractSchema}" CASCADE`).catch(() => undefined);
  await client.query(`DROP SCHEMA IF EXISTS "${sharedSchema}" CASCADE`).catch(() => undefined);
  await client.end().catch(() => undefined);
});

describePg('PostgreSQL policy store', () => {
  policyStoreContract(
    (): PolicyStore => createPgPolicyStore({ connectionString: PG_TEST_URL, schema: contractSchema }),
    async (_name, policyKey) => {
      const client = new pg.Client({ connectionString: PG_TEST_URL });
      await client.connect();
      const { rows } = await client.query<{ last_event_id: string }>(`SELECT last_event_id FROM "${contractSchema}".policy_snapshot WHERE policy_key = $1`, [policyKey]);
      await client.end();
      return rows.map((r) => Number(r.last_event_id));
    },
  );
});

describePg('PostgreSQL policy shared by two processes', () => {
  sharedByTwoProcesses(
    (seed) => {
      const worker = spawnPolicyWorker({ store: 'pg', connectionString: PG_TEST_URL, schema: sharedSchema, seed, snapshotEvery: 10 });
      workers.push(worker);
      return worker;
    },
    () => createPgPolicyStore({ connectionString: PG_TEST_URL, schema: sharedSchema }),
  );
});
